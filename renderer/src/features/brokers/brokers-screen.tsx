/**
 * Broker accounts: what is connected, whether its price feed is up, the daily login of brokers
 * that need one, remove; and the connect form.
 */
import { useEffect, useState } from 'react';
import { errorText } from '../../lib/api-client';
import type { BrokerAccountDto, BrokerKindDto } from '../../lib/api-types';
import { dateTime } from '../../lib/format';
import { Dialog } from '../../ui/dialog';
import { toast } from '../../ui/toast';
import { useStrategies } from '../strategies/strategies-store';
import { brokerShortName } from './broker-forms';
import { useBrokers } from './brokers-store';
import { ConnectBrokerForm } from './connect-broker-form';
import { DailyLogin } from './daily-login';
import { FeedBadge } from './feed-badge';
import { sessionSummary } from './session-summary';

export function BrokersScreen() {
  // Accounts can be connected or removed elsewhere (another tab, the CLI); there is no event for that.
  useEffect(() => void useBrokers.getState().load(), []);
  const accounts = useBrokers((s) => s.accounts);
  const loaded = useBrokers((s) => s.loaded);
  const kinds = useBrokers((s) => s.kinds);
  const [removing, setRemoving] = useState<BrokerAccountDto | null>(null);

  return (
    <main className="page" aria-labelledby="brokers-title">
      <header className="page__header">
        <h1 id="brokers-title">Brokers</h1>
      </header>
      <div className="split">
        <section aria-labelledby="accounts-title" className="split__main">
          <h2 id="accounts-title" className="section-title">
            Connected accounts
          </h2>
          {loaded && accounts.length === 0 && <p className="empty card">No broker connected yet. Connect one to create strategies.</p>}
          <ul className="account-list" aria-label="Broker accounts">
            {accounts.map((a) => (
              <AccountCard key={a.id} account={a} kinds={kinds} onRemove={() => setRemoving(a)} />
            ))}
          </ul>
        </section>
        <section className="split__side" aria-label="Connect a broker">
          <ConnectBrokerForm />
        </section>
      </div>
      <RemoveDialog account={removing} onClose={() => setRemoving(null)} />
    </main>
  );
}

function AccountCard({ account: a, kinds, onRemove }: { readonly account: BrokerAccountDto; readonly kinds: readonly BrokerKindDto[] | null; readonly onRemove: () => void }) {
  const kind = kinds?.find((k) => k.broker === a.broker);
  // Before the kinds load, an account that reports a session or awaits its first login is one.
  const dailyLogin = kind?.daily_login ?? (a.status === 'login_required' || a.session !== null);
  const name = brokerShortName(a.broker, kinds);
  const summary = dailyLogin ? sessionSummary(a) : null;
  return (
    <li className="card account" aria-label={`${a.label} (${a.broker})`}>
      <div className="account__head">
        <div>
          <div className="account__label">{a.label}</div>
          <div className="muted small">
            {kind?.title ?? a.broker} · #{a.id} · added {dateTime(a.created_at)}
          </div>
        </div>
        <button type="button" className="btn btn--ghost btn--small" onClick={onRemove} aria-label={`Remove ${a.label}`}>
          Remove
        </button>
      </div>
      <dl className="facts">
        <div>
          <dt>Connection</dt>
          <dd>
            <span className={`pill ${a.status === 'connected' ? 'pill--ok' : 'pill--warn'}`}>{a.status}</span>
          </dd>
        </div>
        <div>
          <dt>Price feed</dt>
          <dd>
            <FeedBadge state={a.feed_state} />
          </dd>
        </div>
        {summary && (
          <div className="facts__wide">
            <dt>{name} login</dt>
            <dd>
              <span className={`pill pill--${summary.tone}`} data-testid="broker-login-state" title={a.session?.message}>
                {summary.text}
              </span>
            </dd>
          </div>
        )}
        {Object.entries(a.credentials_masked).map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd className="mono">{v}</dd>
          </div>
        ))}
      </dl>
      {a.session && a.session.state !== 'valid' && <p className="notice small">{a.session.message}</p>}
      {summary && <DailyLogin account={a} brokerName={name} summary={summary} />}
    </li>
  );
}

function RemoveDialog({ account, onClose }: { readonly account: BrokerAccountDto | null; readonly onClose: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const strategies = useStrategies((s) => s.byId);
  const using = account ? Object.values(strategies).filter((s) => s.broker_account_id === account.id).length : 0;
  const close = () => {
    setError(null);
    onClose();
  };
  const remove = async () => {
    if (!account) return;
    setBusy(true);
    try {
      await useBrokers.getState().remove(account.id);
      toast(`Removed ${account.label}`);
      close();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      open={account !== null}
      title={`Remove ${account?.label ?? 'broker'}?`}
      tone="danger"
      onCancel={close}
      actions={
        <>
          <button type="button" className="btn" onClick={close} data-autofocus>
            Keep it
          </button>
          <button type="button" className="btn btn--danger" onClick={remove} disabled={busy}>
            Remove account
          </button>
        </>
      }
    >
      <p>Its saved keys are deleted from this computer.{using > 0 && ` ${using} strateg${using === 1 ? 'y uses' : 'ies use'} it.`}</p>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </Dialog>
  );
}
