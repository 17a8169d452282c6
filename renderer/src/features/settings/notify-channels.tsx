/**
 * Notification channels (issue 21): where the engine's notifications go besides this screen, a
 * webhook, a Telegram bot, an e-mail address, a device's Web Push ("Notify this device",
 * push-device.tsx). Each is listed with its status (failing after 3
 * attempts in a row, with the last error), can be tested, turned off, renamed, given other
 * topics (edit-channel-form.tsx) and removed, and shows its recent deliveries
 * (delivery-log-view.tsx); a new one is added with the topics it takes. A secret is sent once and shown masked only.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { api, errorText } from '../../lib/api-client';
import type { FormChannelKindDto, NotifyChannelDto, NotifyTopicDto } from '../../lib/api-types';
import { dateTime } from '../../lib/format';
import { Field, FormError } from '../../ui/field';
import { formErrors, NO_ERRORS, type FormErrors } from '../../ui/field-errors';
import { toast } from '../../ui/toast';
import { CHANNEL_INPUTS, channelBody, KIND_TITLES, TOPIC_TITLES, type InputValues } from './notify-fields';
import { DeliveryLog } from './delivery-log-view';
import { EditChannelForm } from './edit-channel-form';
import { PushDevice } from './push-device';

const STATUS_PILL: Readonly<Record<NotifyChannelDto['status'], string>> = { ok: 'pill--ok', failing: 'pill--bad', off: 'pill--neutral', untested: 'pill--info' };
const STATUS_WORD: Readonly<Record<NotifyChannelDto['status'], string>> = { ok: 'Working', failing: 'Failing', off: 'Off', untested: 'Not used yet' };
const TOPICS = Object.keys(TOPIC_TITLES) as NotifyTopicDto[];

export function NotifyChannels() {
  const [channels, setChannels] = useState<readonly NotifyChannelDto[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<number | null>(null);
  const load = async () => {
    try {
      setChannels((await api('GET /notify/channels')).channels);
      setError(null);
    } catch (err) {
      setError(errorText(err));
    }
  };
  useEffect(() => void load(), []);

  const act = async (c: NotifyChannelDto, action: () => Promise<string>) => {
    setBusy(c.id);
    try {
      toast(await action());
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(null);
      await load();
    }
  };
  const test = (c: NotifyChannelDto) =>
    act(c, async () => {
      const r = await api('POST /notify/channels/:id/test', {}, { id: c.id });
      return r.delivered ? `Test sent to ${c.label}` : `Test to ${c.label} failed: ${r.error ?? 'no reason given'}`;
    });
  const toggle = (c: NotifyChannelDto) =>
    act(c, async () => {
      await api('PATCH /notify/channels/:id', { enabled: !c.enabled }, { id: c.id });
      return `${c.label} turned ${c.enabled ? 'off' : 'on'}`;
    });
  const remove = (c: NotifyChannelDto) =>
    act(c, async () => {
      await api('DELETE /notify/channels/:id', undefined, { id: c.id });
      return `${c.label} removed`;
    });

  return (
    <section className="card" aria-labelledby="notify-title">
      <h2 id="notify-title" className="card__title">
        Notifications
      </h2>
      <p className="muted small">Fills, stop-losses and errors also go to these channels. A channel whose last 3 attempts failed is shown as failing.</p>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <PushDevice channels={channels} onChange={load} />
      <ul className="session-list" aria-label="Notification channels">
        {channels.map((c) => (
          <li key={c.id} className="session" aria-label={c.label}>
            <div className="session__who">
              <span className="session__client">{c.label}</span>
              <span className="muted small">{KIND_TITLES[c.kind]}</span>
              <span className={`pill ${STATUS_PILL[c.status]}`}>{STATUS_WORD[c.status]}</span>
            </div>
            <dl className="facts session__facts">
              {c.secret_masked.url && (
                <div>
                  <dt>To</dt>
                  <dd>{c.secret_masked.url}</dd>
                </div>
              )}
              <div>
                <dt>Sends</dt>
                <dd>{c.topics.map((t) => TOPIC_TITLES[t]).join(', ') || 'nothing'}</dd>
              </div>
              {c.last_error && (
                <div>
                  <dt>Last error</dt>
                  <dd>
                    {c.last_error}
                    {c.last_failure_at !== null && ` (${dateTime(c.last_failure_at)})`}
                  </dd>
                </div>
              )}
            </dl>
            <div className="form__actions">
              <button type="button" className="btn btn--small" onClick={() => void test(c)} disabled={busy !== null} aria-label={`Send test to ${c.label}`}>
                Send test
              </button>
              <button type="button" className="btn btn--ghost btn--small" onClick={() => void toggle(c)} disabled={busy !== null} aria-label={`Turn ${c.enabled ? 'off' : 'on'} ${c.label}`}>
                {c.enabled ? 'Turn off' : 'Turn on'}
              </button>
              <button type="button" className="btn btn--ghost btn--small" onClick={() => void remove(c)} disabled={busy !== null} aria-label={`Remove ${c.label}`}>
                Remove
              </button>
            </div>
            <div className="session__more">
              <EditChannelForm key={`${c.label}|${c.topics.join()}`} channel={c} onSaved={load} />
              <DeliveryLog channel={c} />
            </div>
          </li>
        ))}
      </ul>
      <AddChannelForm onAdded={load} />
    </section>
  );
}

function AddChannelForm({ onAdded }: { readonly onAdded: () => Promise<void> }) {
  const [kind, setKind] = useState<FormChannelKindDto>('webhook');
  const [label, setLabel] = useState('');
  const [topics, setTopics] = useState<readonly NotifyTopicDto[]>(TOPICS);
  const [values, setValues] = useState<InputValues>({});
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);
  const inputs = CHANNEL_INPUTS[kind];

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setErrors(NO_ERRORS);
    try {
      const made = await api('POST /notify/channels', channelBody(kind, label, topics, values));
      toast(`${made.label} added`);
      setLabel('');
      setValues({});
      await onAdded();
    } catch (err) {
      setErrors(formErrors(err, ['kind', 'label', 'topics', ...inputs.map((i) => `${i.part}.${i.name}`)]));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="form" onSubmit={submit} noValidate aria-label="Add a notification channel">
      <h3 className="card__title">Add a channel</h3>
      <Field label="Kind" name="kind" error={errors.fields.kind}>
        {(p) => (
          <select {...p} value={kind} onChange={(e) => (setKind(e.target.value as FormChannelKindDto), setValues({}), setErrors(NO_ERRORS))}>
            {(Object.keys(CHANNEL_INPUTS) as FormChannelKindDto[]).map((k) => (
              <option key={k} value={k}>
                {KIND_TITLES[k]}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Name" name="label" error={errors.fields.label}>
        {(p) => <input {...p} type="text" value={label} onChange={(e) => setLabel(e.target.value)} />}
      </Field>
      {inputs.map((input) => {
        const name = `${input.part}.${input.name}`;
        const value = values[input.name];
        const set = (v: string | boolean) => setValues({ ...values, [input.name]: v });
        if (input.type === 'checkbox') {
          return (
            <label key={name} className="check">
              <input type="checkbox" name={name} checked={value === true} onChange={(e) => set(e.target.checked)} /> {input.label}
            </label>
          );
        }
        return (
          <Field key={name} label={input.label} name={name} error={errors.fields[name]} hint={input.hint}>
            {(p) =>
              input.type === 'select' ? (
                <select {...p} value={typeof value === 'string' ? value : ''} onChange={(e) => set(e.target.value)}>
                  <option value="">Choose…</option>
                  {input.choices?.map((c) => (
                    <option key={c} value={c}>
                      {c}
                    </option>
                  ))}
                </select>
              ) : (
                <input {...p} type={input.type === 'password' ? 'password' : input.type === 'number' ? 'number' : 'text'} autoComplete="off" value={typeof value === 'string' ? value : ''} onChange={(e) => set(e.target.value)} />
              )
            }
          </Field>
        );
      })}
      <fieldset className="field">
        <legend>Sends</legend>
        {TOPICS.map((t) => (
          <label key={t} className="check">
            <input type="checkbox" checked={topics.includes(t)} onChange={(e) => setTopics(e.target.checked ? [...topics, t] : topics.filter((x) => x !== t))} /> {TOPIC_TITLES[t]}
          </label>
        ))}
      </fieldset>
      <FormError messages={errors.form} />
      <div className="form__actions">
        <button type="submit" className="btn btn--primary" disabled={busy}>
          {busy ? 'Adding…' : 'Add channel'}
        </button>
      </div>
    </form>
  );
}
