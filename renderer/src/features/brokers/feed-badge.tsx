/** A broker account's price feed state. (Its daily login, if any: session-summary.ts.) */
import type { FeedState } from '../../lib/api-types';

const LABEL: Record<FeedState, string> = { up: 'Feed up', stale: 'Feed stale', down: 'Feed down' };
const TONE: Record<FeedState, string> = { up: 'ok', stale: 'warn', down: 'bad' };

export function FeedBadge({ state }: { readonly state: FeedState | null }) {
  if (state === null) return <span className="pill pill--neutral" title="The feed opens when a strategy on this account starts">Feed idle</span>;
  return <span className={`pill pill--${TONE[state]}`}>{LABEL[state]}</span>;
}
