/**
 * First run: create the account; afterwards: sign in. The engine says whether it takes new
 * accounts (GET /auth/registration): a desktop install is single-user, so once its account exists
 * only the sign-in form is offered, with a sentence saying why. Where registration is open, which
 * form shows first is only a hint kept in this browser (an account was made or used here before),
 * and both are one click apart.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError } from '../../lib/api-client';
import type { RegistrationDto } from '../../lib/api-types';
import { Field, FormError } from '../../ui/field';
import { labelledFormErrors, NO_ERRORS, type FormErrors } from '../../ui/field-errors';
import { AUTH_LABELS } from '../../ui/field-labels';
import { codeFromUrl, PairForm } from './pair-form';
import { useSession } from './session-store';

const SEEN_KEY = 'tradeclock.has-account';
type Mode = 'register' | 'login' | 'pair';

export function AuthScreen() {
  const notice = useSession((s) => s.notice);
  // A QR code from the desktop opens the pairing form with its code.
  const [mode, setMode] = useState<Mode>(() => (codeFromUrl(location.hash) ? 'pair' : localStorage.getItem(SEEN_KEY) ? 'login' : 'register'));
  const [registration, setRegistration] = useState<RegistrationDto | null>(null);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);

  const closed = registration !== null && !registration.open;

  const checkRegistration = async () => {
    try {
      const status = await api('GET /auth/registration');
      setRegistration(status);
      if (!status.open) setMode((m) => (m === 'pair' ? m : 'login'));
      return status;
    } catch {
      // An engine that cannot say (an older one, or not answering) keeps both forms on offer.
      return null;
    }
  };

  useEffect(() => {
    void checkRegistration();
  }, []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setErrors(NO_ERRORS);
    try {
      const session = useSession.getState();
      await (mode === 'register' ? session.register(email.trim(), password, confirm) : session.login(email.trim(), password));
      localStorage.setItem(SEEN_KEY, '1');
    } catch (err) {
      // Registration closed since this screen opened (another window made the account): switch to
      // sign-in, where the notice says why.
      if (mode === 'register' && err instanceof ApiError && err.status === 403 && (await checkRegistration())?.open === false) return;
      // Every field the engine refused, each named by its label here, all at once.
      const next = labelledFormErrors(err, AUTH_LABELS);
      setErrors(next);
      const first = (Object.keys(AUTH_LABELS) as (keyof typeof AUTH_LABELS)[]).find((name) => next.fields[name]);
      if (first) requestAnimationFrame(() => document.querySelector<HTMLElement>(`.auth form [name="${first}"]`)?.focus());
    } finally {
      setBusy(false);
    }
  };

  const switchTo = (next: Mode) => {
    setMode(next);
    setErrors(NO_ERRORS);
  };

  return (
    <main className="auth" aria-labelledby="auth-title">
      <div className="auth__card card">
        <div className="brand brand--large" aria-hidden="true">
          <span className="brand__mark" />
          Tradeclock
        </div>
        <h1 id="auth-title" className="auth__title">
          {mode === 'register' ? 'Create your account' : mode === 'pair' ? 'Pair this device' : 'Sign in'}
        </h1>
        <p className="muted auth__lead">
          {mode === 'register'
            ? 'Your account lives on this computer only. It protects your broker keys and strategies.'
            : mode === 'pair'
              ? 'Use this phone with the Tradeclock on your computer: enter the code shown in Settings, “Pair a phone”, on the desktop.'
              : 'Sign in to the Tradeclock engine running on this computer.'}
        </p>
        {notice && (
          <p className="notice" role="status">
            {notice}
          </p>
        )}
        {closed && mode !== 'pair' && (
          <p className="auth__single-user muted" role="note" aria-label="Single-user install">
            This Tradeclock already has its account: it is a single-user install, so new accounts cannot be created here. Sign in with
            that account. To allow more accounts, its owner can start Tradeclock with <code>TRADECLOCK_OPEN_REGISTRATION=1</code>.
          </p>
        )}
        {mode === 'pair' && <PairForm onCancel={() => switchTo('login')} />}
        {mode !== 'pair' && (
          <form onSubmit={submit} noValidate aria-label={mode === 'register' ? 'Create account' : 'Sign in'}>
            {mode === 'register' && Object.keys(errors.fields).length > 1 && (
              <p className="form-error" role="alert">
                {Object.keys(errors.fields).length} fields need a fix.
              </p>
            )}
            <Field label={AUTH_LABELS.email} name="email" error={errors.fields.email}>
              {(p) => <input {...p} type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} autoFocus />}
            </Field>
            <Field label={AUTH_LABELS.password} name="password" error={errors.fields.password} hint={mode === 'register' ? 'At least 10 characters.' : undefined}>
              {(p) => (
                <input
                  {...p}
                  type="password"
                  autoComplete={mode === 'register' ? 'new-password' : 'current-password'}
                  value={password}
                  onChange={(e) => setPassword(e.target.value)}
                />
              )}
            </Field>
            {mode === 'register' && (
              <Field label={AUTH_LABELS.confirm_password} name="confirm_password" error={errors.fields.confirm_password}>
                {(p) => <input {...p} type="password" autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.target.value)} />}
              </Field>
            )}
            <FormError messages={errors.form} />
            <button type="submit" className="btn btn--primary btn--block" disabled={busy}>
              {busy ? 'Please wait…' : mode === 'register' ? 'Create account' : 'Sign in'}
            </button>
          </form>
        )}
        {!closed && mode !== 'pair' && (
          <p className="auth__switch">
            {mode === 'register' ? (
              <>
                Already have an account?{' '}
                <button type="button" className="link" onClick={() => switchTo('login')}>
                  Sign in
                </button>
              </>
            ) : (
              <>
                First time here?{' '}
                <button type="button" className="link" onClick={() => switchTo('register')}>
                  Create an account
                </button>
              </>
            )}
          </p>
        )}
        {mode !== 'pair' && (
          <p className="auth__switch">
            On a phone?{' '}
            <button type="button" className="link" onClick={() => switchTo('pair')}>
              Pair it with a code from the desktop
            </button>
          </p>
        )}
      </div>
    </main>
  );
}
