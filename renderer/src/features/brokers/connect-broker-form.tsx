/**
 * Connect a broker account: the brokers and their inputs as GET /broker/kinds describes them,
 * errors shown per field.
 */
import { useEffect, useState, type FormEvent } from 'react';
import type { BrokerKindDto } from '../../lib/api-types';
import { Field, FormError } from '../../ui/field';
import { formErrors, NO_ERRORS, type FormErrors } from '../../ui/field-errors';
import { toast } from '../../ui/toast';
import { brokerForm } from './broker-forms';
import { useBrokers } from './brokers-store';

export function ConnectBrokerForm({ onDone }: { readonly onDone?: () => void }) {
  const kinds = useBrokers((s) => s.kinds);
  const kindsError = useBrokers((s) => s.kindsError);
  useEffect(() => {
    if (useBrokers.getState().kinds === null) void useBrokers.getState().loadKinds();
  }, []);

  if (kinds && kinds.length > 0) return <ConnectFields kinds={kinds} {...(onDone ? { onDone } : {})} />;
  return (
    <div className="card form">
      <h2 className="card__title">Connect a broker</h2>
      {kindsError ? (
        <div className="form-error" role="alert">
          Could not load the brokers this engine offers: {kindsError}{' '}
          <button type="button" className="link" onClick={() => void useBrokers.getState().loadKinds()}>
            Try again
          </button>
        </div>
      ) : (
        <p className="muted" role="status">
          {kinds ? 'This engine offers no brokers.' : 'Loading brokers…'}
        </p>
      )}
    </div>
  );
}

function ConnectFields({ kinds, onDone }: { readonly kinds: readonly BrokerKindDto[]; readonly onDone?: () => void }) {
  const [broker, setBroker] = useState(kinds[0]!.broker);
  const [label, setLabel] = useState('');
  const [credentials, setCredentials] = useState<Record<string, string>>({});
  const [options, setOptions] = useState('');
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);
  const kind = kinds.find((k) => k.broker === broker) ?? kinds[0]!;
  const form = brokerForm(kind);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setErrors(NO_ERRORS);
    let parsedOptions: Record<string, unknown> | undefined;
    if (options.trim() !== '') {
      try {
        parsedOptions = JSON.parse(options) as Record<string, unknown>;
      } catch (err) {
        setErrors({ fields: { options: `is not valid JSON (${err instanceof Error ? err.message : 'parse error'})` }, form: [] });
        return;
      }
    }
    setBusy(true);
    try {
      const account = await useBrokers.getState().connect({
        broker: form.broker,
        ...(label.trim() ? { label: label.trim() } : {}),
        // An optional field left empty is left out, so "not given" never reads as "given empty".
        credentials: Object.fromEntries(
          kind.credential_fields.filter((c) => c.required || (credentials[c.name] ?? '') !== '').map((c) => [c.name, credentials[c.name] ?? '']),
        ),
        ...(parsedOptions !== undefined ? { options: parsedOptions } : {}),
      });
      toast(account.status === 'login_required' ? `Connected ${account.label}: log in to ${form.shortName} next` : `Connected ${account.label}`);
      setLabel('');
      setCredentials({});
      setOptions('');
      onDone?.();
    } catch (err) {
      const inputs = ['broker', 'label', 'options', ...form.credentials.map((c) => `credentials.${c.name}`)];
      setErrors(formErrors(err, inputs, 'options'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card form" onSubmit={submit} noValidate aria-labelledby="connect-title">
      <h2 id="connect-title" className="card__title">
        Connect a broker
      </h2>
      <div className="form__grid">
        <Field label="Broker" name="broker" error={errors.fields.broker}>
          {(p) => (
            <select
              {...p}
              value={form.broker}
              onChange={(e) => {
                setBroker(e.target.value);
                setCredentials({});
                setOptions('');
                setErrors(NO_ERRORS);
              }}
            >
              {kinds.map((k) => (
                <option key={k.broker} value={k.broker}>
                  {k.title}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Name (optional)" name="label" error={errors.fields.label}>
          {(p) => <input {...p} type="text" value={label} placeholder={form.title} onChange={(e) => setLabel(e.target.value)} maxLength={64} />}
        </Field>
      </div>
      <p className="muted small">{form.description}</p>
      {form.credentials.map((c) => (
        <Field key={`${form.broker}.${c.name}`} label={c.label} name={`credentials.${c.name}`} error={errors.fields[`credentials.${c.name}`]} hint={c.hint}>
          {(p) => (
            <input
              {...p}
              type={c.secret ? 'password' : 'text'}
              autoComplete="off"
              spellCheck={false}
              value={credentials[c.name] ?? ''}
              onChange={(e) => setCredentials((all) => ({ ...all, [c.name]: e.target.value }))}
            />
          )}
        </Field>
      ))}
      <Field
        label={form.optionsLabel}
        name="options"
        error={errors.fields.options}
        hint={
          <>
            {form.optionsHint}
            {form.optionsExample && (
              <>
                {' '}
                Example: <code>{form.optionsExample}</code>
              </>
            )}
          </>
        }
      >
        {(p) => <textarea {...p} rows={4} spellCheck={false} className="mono" value={options} onChange={(e) => setOptions(e.target.value)} placeholder="{}" />}
      </Field>
      <FormError messages={errors.form} />
      <div className="form__actions">
        <button type="submit" className="btn btn--primary" disabled={busy}>
          {busy ? 'Connecting…' : 'Connect'}
        </button>
      </div>
    </form>
  );
}
