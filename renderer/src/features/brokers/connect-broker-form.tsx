/** Connect a broker account: the inputs of the chosen broker kind, errors shown per field. */
import { useState, type FormEvent } from 'react';
import { Field, FormError } from '../../ui/field';
import { formErrors, NO_ERRORS, type FormErrors } from '../../ui/field-errors';
import { toast } from '../../ui/toast';
import { BROKER_FORMS, brokerForm } from './broker-forms';
import { useBrokers } from './brokers-store';

export function ConnectBrokerForm({ onDone }: { readonly onDone?: () => void }) {
  const [broker, setBroker] = useState(BROKER_FORMS[0]!.broker);
  const [label, setLabel] = useState('');
  const [credentials, setCredentials] = useState<Record<string, string>>({});
  const [options, setOptions] = useState('');
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);
  const form = brokerForm(broker)!;

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
        broker,
        ...(label.trim() ? { label: label.trim() } : {}),
        credentials: Object.fromEntries(form.credentials.map((c) => [c.name, credentials[c.name] ?? ''])),
        ...(parsedOptions !== undefined ? { options: parsedOptions } : {}),
      });
      toast(`Connected ${account.label}`);
      setLabel('');
      setCredentials({});
      setOptions('');
      onDone?.();
    } catch (err) {
      const inputs = ['broker', 'label', 'options', ...form.credentials.map((c) => `credentials.${c.name}`)];
      setErrors(formErrors(err, inputs, form.optionsLabel ? 'options' : undefined));
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
              value={broker}
              onChange={(e) => {
                setBroker(e.target.value);
                setCredentials({});
                setErrors(NO_ERRORS);
              }}
            >
              {BROKER_FORMS.map((f) => (
                <option key={f.broker} value={f.broker}>
                  {f.title}
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
        <Field key={c.name} label={c.label} name={`credentials.${c.name}`} error={errors.fields[`credentials.${c.name}`]} hint={c.hint}>
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
      {form.optionsLabel && (
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
      )}
      <FormError messages={errors.form} />
      <div className="form__actions">
        <button type="submit" className="btn btn--primary" disabled={busy}>
          {busy ? 'Connecting…' : 'Connect'}
        </button>
      </div>
    </form>
  );
}
