/**
 * The daily login of a broker that needs one (Kite), on its account card: the login button, which
 * asks the engine for a single-use login URL and opens it in a new tab (the broker then sends the
 * browser back to the engine, which finishes the login and tells this page over the socket), and
 * the by-hand path: paste the redirect URL or the request token.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { errorText } from '../../lib/api-client';
import type { BrokerAccountDto, BrokerLoginStartDto } from '../../lib/api-types';
import { clockTime, dayTime } from '../../lib/format';
import { openLink } from '../../lib/open-link';
import { Field, FormError } from '../../ui/field';
import { formErrors, NO_ERRORS, type FormErrors } from '../../ui/field-errors';
import { toast } from '../../ui/toast';
import { useBrokers } from './brokers-store';
import { useLoginWarnings } from './login-warnings-store';
import type { SessionSummary } from './session-summary';

interface DailyLoginProps {
  readonly account: BrokerAccountDto;
  /** "Kite". */
  readonly brokerName: string;
  readonly summary: SessionSummary;
}

export function DailyLogin({ account, brokerName, summary }: DailyLoginProps) {
  const [busy, setBusy] = useState(false);
  const [link, setLink] = useState<BrokerLoginStartDto | null>(null);
  const [startError, setStartError] = useState<string | null>(null);

  // A login finished (here, in the broker's tab, or elsewhere): the link's nonce is spent.
  useEffect(() => setLink(null), [account.status, account.session?.checked_at]);

  const start = async () => {
    setBusy(true);
    setStartError(null);
    try {
      const started = await useBrokers.getState().startLogin(account.id);
      setLink(started);
      openLink(started.login_url);
    } catch (err) {
      setStartError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="daily-login">
      <div className="daily-login__start">
        <button type="button" className={`btn ${summary.needsLogin ? 'btn--primary' : ''}`} onClick={start} disabled={busy} aria-label={`Log in to ${brokerName} (${account.label})`}>
          {busy ? 'Opening…' : `Log in to ${brokerName}`}
        </button>
        {link && (
          <span className="small muted" role="status">
            {brokerName}'s login page opened in a new tab. If it did not,{' '}
            <a href={link.login_url} target="_blank" rel="noopener noreferrer">
              open the {brokerName} login page
            </a>{' '}
            (usable once, until {clockTime(link.expires_at)}).
          </span>
        )}
      </div>
      {startError && (
        <p className="form-error" role="alert">
          {startError}
        </p>
      )}
      {summary.needsLogin ? (
        <PasteRedirect account={account} brokerName={brokerName} />
      ) : (
        // Logged in: the by-hand path stays one keypress away, out of the way.
        <details className="daily-login__more">
          <summary>Finish a login by hand</summary>
          <PasteRedirect account={account} brokerName={brokerName} />
        </details>
      )}
    </div>
  );
}

function PasteRedirect({ account, brokerName }: { readonly account: BrokerAccountDto; readonly brokerName: string }) {
  const [redirect, setRedirect] = useState('');
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setErrors(NO_ERRORS);
    setBusy(true);
    try {
      const { account: updated, session_expires_at } = await useBrokers.getState().completeLogin(account.id, redirect.trim());
      useLoginWarnings.getState().loggedIn(updated.id);
      setRedirect('');
      toast(`${updated.label} is logged in to ${brokerName} until ${dayTime(session_expires_at)}`);
    } catch (err) {
      setErrors(formErrors(err, ['redirect']));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="daily-login__paste" onSubmit={submit} noValidate aria-label={`Finish the ${brokerName} login by hand (${account.label})`}>
      <Field
        label="Paste redirect URL or request token"
        name="redirect"
        error={errors.fields.redirect}
        hint={`After logging in at ${brokerName}, paste the address of the page it sent you to, or its request_token.`}
      >
        {(p) => <input {...p} type="text" autoComplete="off" spellCheck={false} value={redirect} onChange={(e) => setRedirect(e.target.value)} />}
      </Field>
      <button type="submit" className="btn" disabled={busy}>
        {busy ? 'Finishing…' : 'Finish login'}
      </button>
      <FormError messages={errors.form} />
    </form>
  );
}
