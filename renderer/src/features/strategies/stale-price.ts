/**
 * What a strategy row says while its stop watches a stale price: the position's price stream fell
 * silent in session and a REST quote did not show it current (the engine's price_stale).
 */
import type { StrategyDto } from '../../lib/api-types';

/**
 * The warning, with the silence counted to `now` (the engine's clock); null while the price is fresh.
 * @example stalePriceNote(s, now) // 'stop watching a stale price: last tick 40 s ago'
 */
export function stalePriceNote(s: StrategyDto, now: number): string | null {
  const stale = s.stale_price;
  if (!stale) return null;
  if (stale.last_price_at === null) return 'stop watching a stale price: no tick yet';
  return `stop watching a stale price: last tick ${ago(now - stale.last_price_at)} ago`;
}

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s} s`;
  const m = Math.floor(s / 60);
  return m < 120 ? `${m} min` : `${Math.floor(m / 60)} h ${m % 60} min`;
}
