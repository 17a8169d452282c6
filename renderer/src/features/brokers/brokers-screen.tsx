/**
 * Broker accounts: what is connected, whether its price feed is up, the daily login of brokers
 * that need one, remove; and the connect form.
 */
import { useEffect, useState } from 'react';
import { errorText } from '../../lib/api-client';
import { hrefOf } from '../../app/router';
import type { BrokerAccountDto, BrokerKindDto, RemovalBlockerDto } from '../../lib/api-types';
import { dateTime } from '../../lib/format';
import { Dialog } from '../../ui/dialog';
import { toast } from '../../ui/toast';
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

/**
 * Removing an account asks the engine first what uses it (the same rule that refuses the removal),
 * and while any strategy does, lists them with links and offers no Remove button.
 */
function RemoveDialog({ account, onClose }: { readonly account: BrokerAccountDto | null; readonly onClose: () => void }) {
  const [busy, setBusy] = useState(false);
  const [checked, setChecked] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const fresh = useBrokers((s) => (account ? s.accounts.find((a) => a.id === account.id) : undefined));
  const blockers = fresh?.removal_blocked_by ?? [];
  useEffect(() => {
    if (!account) return;
    setChecked(false);
    void useBrokers
      .getState()
      .refresh(account.id)
      .finally(() => setChecked(true));
  }, [account]);
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
      void useBrokers.getState().refresh(account.id);
    } finally {
      setBusy(false);
    }
  };
  const blocked = checked && blockers.length > 0;
  return (
    <Dialog
      open={account !== null}
      title={blocked ? `${account?.label ?? 'This account'} is in use` : `Remove ${account?.label ?? 'broker'}?`}
      tone="danger"
      onCancel={close}
      actions={
        <>
          <button type="button" className="btn" onClick={close} data-autofocus>
            {blocked ? 'Close' : 'Keep it'}
          </button>
          {!blocked && (
            <button type="button" className="btn btn--danger" onClick={remove} disabled={busy || !checked}>
              Remove account
            </button>
          )}
        </>
      }
    >
      {!checked && (
        <p className="muted" role="status">
          Checking what uses this account…
        </p>
      )}
      {blocked && <RemovalBlockers blockers={blockers} onOpen={close} />}
      {checked && !blocked && <p>Its saved keys are deleted from this computer. No strategy uses it.</p>}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </Dialog>
  );
}

function RemovalBlockers({ blockers, onOpen }: { readonly blockers: readonly RemovalBlockerDto[]; readonly onOpen: () => void }) {
  const running = blockers.some((b) => b.action === 'stop');
  return (
    <>
      <p>
        {blockers.length === 1 ? 'This strategy uses' : `These ${blockers.length} strategies use`} the account. It can be removed once{' '}
        {running ? 'the running ones are stopped and all of them are deleted' : blockers.length === 1 ? 'it is deleted' : 'they are deleted'} (their order history goes
        with them).
      </p>
      <ul className="removal-blockers" aria-label="Strategies that use this account">
        {blockers.map((b) => (
          <li key={b.strategy_id}>
            <a href={hrefOf({ name: 'strategy', id: b.strategy_id })} onClick={onOpen}>
              {b.symbol} #{b.strategy_id}
            </a>{' '}
            <span className={`pill ${b.action === 'stop' ? 'pill--warn' : 'pill--neutral'}`}>{b.status}</span>{' '}
            <span className="muted small">{b.action === 'stop' ? 'stop it, then delete it' : 'delete it'}</span>
          </li>
        ))}
      </ul>
    </>
  );
}
