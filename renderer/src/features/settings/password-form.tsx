/**
 * Change the password: the current one, the new one twice. The engine checks everything (the
 * same rules as a new account) and names every problem at once, each under its field. On success
 * the other sessions are signed out and this one stays signed in.
 */
import { useState, type FormEvent } from 'react';
import { api } from '../../lib/api-client';
import { Field, FormError } from '../../ui/field';
import { labelledFormErrors, NO_ERRORS, type FormErrors } from '../../ui/field-errors';
import { PASSWORD_CHANGE_LABELS } from '../../ui/field-labels';
import { toast } from '../../ui/toast';
import { useSignedInSessions } from './sessions-store';

/** What the trader is told once the password changed. */
export function passwordChangedText(signedOut: number, unpaired: number): string {
  const phones = unpaired === 0 ? '' : ` ${unpaired} paired device${unpaired === 1 ? ' was' : 's were'} unpaired: pair ${unpaired === 1 ? 'it' : 'them'} again from Settings.`;
  if (signedOut === 0) return `Password changed. No other session was signed in.${phones}`;
  return `Password changed. ${signedOut} other session${signedOut === 1 ? ' was' : 's were'} signed out; this one stays signed in.${phones}`;
}

export function PasswordForm() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setErrors(NO_ERRORS);
    setDone(null);
    try {
      const changed = await api('POST /auth/password', { current_password: current, new_password: next, confirm_password: confirm });
      setCurrent('');
      setNext('');
      setConfirm('');
      const text = passwordChangedText(changed.signed_out_sessions, changed.unpaired_devices);
      setDone(text);
      toast(text);
      void useSignedInSessions.getState().load();
    } catch (err) {
      setErrors(labelledFormErrors(err, PASSWORD_CHANGE_LABELS));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card form" onSubmit={submit} noValidate aria-labelledby="password-title">
      <h2 id="password-title" className="card__title">
        Change password
      </h2>
      <Field label={PASSWORD_CHANGE_LABELS.current_password} name="current_password" error={errors.fields.current_password}>
        {(p) => <input {...p} type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} />}
      </Field>
      <Field label={PASSWORD_CHANGE_LABELS.new_password} name="new_password" error={errors.fields.new_password} hint="At least 10 characters.">
        {(p) => <input {...p} type="password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} />}
      </Field>
      <Field label={PASSWORD_CHANGE_LABELS.confirm_password} name="confirm_password" error={errors.fields.confirm_password}>
        {(p) => <input {...p} type="password" autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.target.value)} />}
      </Field>
      <FormError messages={errors.form} />
      {done && (
        <p className="notice" role="status">
          {done}
        </p>
      )}
      <p className="muted small">Changing it signs out every other session (the desktop app, other browsers) and unpairs every paired phone. This one stays signed in.</p>
      <div className="form__actions">
        <button type="submit" className="btn btn--primary" disabled={busy}>
          {busy ? 'Changing…' : 'Change password'}
        </button>
      </div>
    </form>
  );
}
