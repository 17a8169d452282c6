/**
 * `broker_login_required` on every screen, under the header: which strategy needs the broker, when
 * its next order is, a way to the login, and a dismiss button. A toast would be gone before the
 * trader saw it; this stays until dismissed or until the account logs in.
 */
import type { BrokerKindDto } from '../../lib/api-types';
import { clockTime, dayTime } from '../../lib/format';
import { hrefOf, useRoute } from '../../app/router';
import { useStrategies } from '../strategies/strategies-store';
import { brokerShortName } from './broker-forms';
import { useBrokers } from './brokers-store';
import { useLoginWarnings, type LoginWarning } from './login-warnings-store';

export function LoginWarnings() {
  const warnings = useLoginWarnings((s) => s.warnings);
  if (warnings.length === 0) return null;
  return (
    <div className="login-warnings" aria-label="Broker login warnings" role="region">
      {warnings.map((w) => (
        <Warning key={w.strategyId} warning={w} />
      ))}
    </div>
  );
}

const sameDay = (a: number, b: number) => new Date(a).toDateString() === new Date(b).toDateString();

function Warning({ warning: w }: { readonly warning: LoginWarning }) {
  const strategy = useStrategies((s) => s.byId[w.strategyId]);
  const account = useBrokers((s) => s.accounts.find((a) => a.id === w.brokerAccountId));
  const kinds: readonly BrokerKindDto[] | null = useBrokers((s) => s.kinds);
  const onBrokers = useRoute().name === 'brokers';
  const broker = account ? brokerShortName(account.broker, kinds) : 'broker';
  const name = strategy ? `${strategy.symbol} (#${w.strategyId})` : `#${w.strategyId}`;
  const when = sameDay(w.firstOrderAt, Date.now()) ? clockTime(w.firstOrderAt) : dayTime(w.firstOrderAt);
  return (
    <div className="banner banner--warn" role="alert" data-testid="login-warning">
      <div className="banner__text">
        <strong>
          {w.state === 'valid' ? `The ${broker} login runs out before strategy ${name} is done.` : `${broker} login needed for strategy ${name}.`}
        </strong>{' '}
        <span>
          Its next order{account ? `, on ${account.label},` : ''} is at <time dateTime={new Date(w.firstOrderAt).toISOString()}>{when}</time>. {w.message}
        </span>
      </div>
      <div className="banner__actions">
        {!onBrokers && (
          <a className="btn btn--small btn--primary" href={hrefOf({ name: 'brokers' })}>
            Log in on Brokers
          </a>
        )}
        <button type="button" className="btn btn--ghost btn--small" onClick={() => useLoginWarnings.getState().dismiss(w.strategyId)} aria-label={`Dismiss the login warning for strategy ${name}`}>
          Dismiss
        </button>
      </div>
    </div>
  );
}
