/**
 * The install's settings (issue 20): how many minutes before each entry the readiness check runs,
 * and how many seconds a position's price stream may stay silent in session before a REST quote
 * cross-checks it. The engine validates (the field and its range, under the field) and applies a
 * change at once; one set for the whole install.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { api, errorText } from '../../lib/api-client';
import type { InstallSettingsDto, InstallSettingsFormBody } from '../../lib/api-types';
import { Field, FormError } from '../../ui/field';
import { labelledFormErrors, NO_ERRORS, type FormErrors } from '../../ui/field-errors';
import { INSTALL_SETTINGS_LABELS } from '../../ui/field-labels';
import { toast } from '../../ui/toast';

type Key = keyof typeof INSTALL_SETTINGS_LABELS;
const KEYS: readonly Key[] = ['readiness_lead_minutes', 'stale_price_seconds'];

/** What the trader is told once saved. */
export function installSettingsSavedText(s: Pick<InstallSettingsDto, Key>): string {
  return `Saved. The readiness check runs ${s.readiness_lead_minutes} min before each entry; a silent price stream is cross-checked after ${s.stale_price_seconds} s.`;
}

/** A typed value as the API takes it: a whole number as a number, anything else as typed (the API names it). */
function asSent(text: string): number | string {
  return /^\s*\d+\s*$/.test(text) ? Number(text) : text;
}

export function InstallSettingsForm() {
  const [loaded, setLoaded] = useState<InstallSettingsDto | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [values, setValues] = useState<Record<Key, string>>({ readiness_lead_minutes: '', stale_price_seconds: '' });
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const show = (s: InstallSettingsDto) => {
    setLoaded(s);
    setValues({ readiness_lead_minutes: String(s.readiness_lead_minutes), stale_price_seconds: String(s.stale_price_seconds) });
  };

  useEffect(() => {
    api('GET /install-settings').then(show, (err: unknown) => setLoadError(errorText(err)));
  }, []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!loaded) return;
    setBusy(true);
    setErrors(NO_ERRORS);
    setDone(null);
    try {
      const body: InstallSettingsFormBody = {};
      for (const key of KEYS) if (values[key] !== String(loaded[key])) body[key] = asSent(values[key]);
      const saved = Object.keys(body).length === 0 ? loaded : await api('PATCH /install-settings', body);
      show(saved);
      const text = installSettingsSavedText(saved);
      setDone(text);
      toast(text);
    } catch (err) {
      setErrors(labelledFormErrors(err, INSTALL_SETTINGS_LABELS));
    } finally {
      setBusy(false);
    }
  };

  const hint = (key: Key) => {
    const r = loaded?.rules[key];
    return r ? `Whole ${r.unit}, ${r.min} to ${r.max} (default ${r.default}).` : undefined;
  };

  return (
    <form className="card form" onSubmit={submit} noValidate aria-labelledby="install-settings-title">
      <h2 id="install-settings-title" className="card__title">
        Checks before and during a trade
      </h2>
      {loadError && (
        <p className="form-error" role="alert">
          {loadError}
        </p>
      )}
      <Field label={`${INSTALL_SETTINGS_LABELS.readiness_lead_minutes} (minutes)`} name="readiness_lead_minutes" error={errors.fields.readiness_lead_minutes} hint={hint('readiness_lead_minutes')}>
        {(p) => <input {...p} type="text" inputMode="numeric" value={values.readiness_lead_minutes} disabled={!loaded} onChange={(e) => setValues({ ...values, readiness_lead_minutes: e.target.value })} />}
      </Field>
      <Field label={`${INSTALL_SETTINGS_LABELS.stale_price_seconds} (seconds)`} name="stale_price_seconds" error={errors.fields.stale_price_seconds} hint={hint('stale_price_seconds')}>
        {(p) => <input {...p} type="text" inputMode="numeric" value={values.stale_price_seconds} disabled={!loaded} onChange={(e) => setValues({ ...values, stale_price_seconds: e.target.value })} />}
      </Field>
      <FormError messages={errors.form} />
      {done && (
        <p className="notice" role="status">
          {done}
        </p>
      )}
      <p className="muted small">
        The readiness check (login, funds, market hours, price feed, clock) runs this long before each entry. While a position is open, a price stream silent this long in
        market hours is checked against the broker's REST quote. Both apply at once, for every trader on this install.
      </p>
      <div className="form__actions">
        <button type="submit" className="btn btn--primary" disabled={busy || !loaded}>
          {busy ? 'Saving…' : 'Save'}
        </button>
      </div>
    </form>
  );
}
