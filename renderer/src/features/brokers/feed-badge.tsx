/** A broker account's price feed state and, for brokers with a daily login, its session. */
import type { BrokerAccountDto, FeedState } from '../../lib/api-types';
import { clockTime } from '../../lib/format';

const LABEL: Record<FeedState, string> = { up: 'Feed up', stale: 'Feed stale', down: 'Feed down' };
const TONE: Record<FeedState, string> = { up: 'ok', stale: 'warn', down: 'bad' };

export function FeedBadge({ state }: { readonly state: FeedState | null }) {
  if (state === null) return <span className="pill pill--neutral" title="The feed opens when a strategy on this account starts">Feed idle</span>;
  return <span className={`pill pill--${TONE[state]}`}>{LABEL[state]}</span>;
}

type Session = NonNullable<BrokerAccountDto['session']>;

const SESSION: Record<Session['state'], { label: string; tone: string }> = {
  valid: { label: 'Logged in', tone: 'ok' },
  unverified: { label: 'Not checked yet', tone: 'warn' },
  no_token: { label: 'Login needed', tone: 'bad' },
  expired: { label: 'Login expired', tone: 'bad' },
};

export function SessionBadge({ session }: { readonly session: Session }) {
  const { label, tone } = SESSION[session.state];
  return (
    <span className={`pill pill--${tone}`} title={session.message}>
      {label}
      {session.state === 'valid' && session.expires_at !== null && <span className="muted"> until {clockTime(session.expires_at)}</span>}
    </span>
  );
}
