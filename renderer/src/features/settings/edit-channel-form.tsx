/**
 * A channel's name and topics changed in place (PATCH /notify/channels/:id), behind an "Edit"
 * disclosure; an error is shown under the field it is about. Its settings and secret are not
 * edited here: a new URL or token is a new channel for now (docs/plans/issue-21-phone.md).
 */
import { useState, type FormEvent } from 'react';
import { api } from '../../lib/api-client';
import type { NotifyChannelDto, NotifyTopicDto } from '../../lib/api-types';
import { Field, FormError } from '../../ui/field';
import { formErrors, NO_ERRORS, type FormErrors } from '../../ui/field-errors';
import { toast } from '../../ui/toast';
import { TOPIC_TITLES } from './notify-fields';

const TOPICS = Object.keys(TOPIC_TITLES) as NotifyTopicDto[];

export function EditChannelForm({ channel, onSaved }: { readonly channel: NotifyChannelDto; readonly onSaved: () => Promise<void> }) {
  const [open, setOpen] = useState(false);
  const [label, setLabel] = useState(channel.label);
  const [topics, setTopics] = useState<readonly NotifyTopicDto[]>(channel.topics);
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);

  const begin = () => {
    setLabel(channel.label);
    setTopics(channel.topics);
    setErrors(NO_ERRORS);
    setOpen(true);
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setErrors(NO_ERRORS);
    try {
      // The list's order, whatever order the boxes were ticked in.
      const saved = await api('PATCH /notify/channels/:id', { label, topics: TOPICS.filter((t) => topics.includes(t)) }, { id: channel.id });
      toast(`${saved.label} saved`);
      setOpen(false);
      await onSaved();
    } catch (err) {
      setErrors(formErrors(err, ['label', 'topics']));
    } finally {
      setBusy(false);
    }
  };

  if (!open) {
    return (
      <button type="button" className="btn btn--ghost btn--small" onClick={begin} aria-label={`Edit ${channel.label}`}>
        Edit
      </button>
    );
  }
  return (
    <form className="form edit-channel" onSubmit={submit} noValidate aria-label={`Edit ${channel.label}`}>
      <Field label="Name" name="label" error={errors.fields.label}>
        {(p) => <input {...p} type="text" value={label} onChange={(e) => setLabel(e.target.value)} />}
      </Field>
      <fieldset className={`field${errors.fields.topics ? ' field--invalid' : ''}`}>
        <legend>Sends</legend>
        {TOPICS.map((t) => (
          <label key={t} className="check">
            <input type="checkbox" checked={topics.includes(t)} onChange={(e) => setTopics(e.target.checked ? [...topics, t] : topics.filter((x) => x !== t))} /> {TOPIC_TITLES[t]}
          </label>
        ))}
        {errors.fields.topics && (
          <div className="field__error" data-field-error="topics">
            {errors.fields.topics}
          </div>
        )}
      </fieldset>
      <FormError messages={errors.form} />
      <div className="form__actions">
        <button type="submit" className="btn btn--primary btn--small" disabled={busy}>
          {busy ? 'Saving…' : 'Save'}
        </button>
        <button type="button" className="btn btn--ghost btn--small" onClick={() => setOpen(false)} disabled={busy}>
          Cancel
        </button>
      </div>
    </form>
  );
}
