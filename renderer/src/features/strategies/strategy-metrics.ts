/**
 * What the list shows about a strategy's position at the last price: display arithmetic on the
 * API's numbers (no decisions are taken from these; the engine checks the stop-loss itself).
 */
import type { StrategyDto } from '../../lib/api-types';

export interface PositionView {
  readonly qty: number;
  readonly entry: number | null;
  /** (last − entry) × qty; null without a position or a price. */
  readonly unrealized: number | null;
  readonly unrealizedPct: number | null;
  /** How far the price may still fall before the stop-loss, as a share of the price (%). */
  readonly toStopPct: number | null;
  readonly toStop: number | null;
}

export function positionView(s: StrategyDto, last: number | null): PositionView {
  const run = s.runtime;
  const qty = run?.position_qty ?? 0;
  const entry = run?.entry_price ?? null;
  const holding = qty > 0 && entry !== null && last !== null;
  return {
    qty,
    entry: qty > 0 ? entry : null,
    unrealized: holding ? (last - entry) * qty : null,
    unrealizedPct: holding && entry > 0 ? ((last - entry) / entry) * 100 : null,
    toStop: last !== null ? last - s.stop_loss : null,
    toStopPct: last !== null && last > 0 ? ((last - s.stop_loss) / last) * 100 : null,
  };
}

/**
 * Why the strategy cannot be edited or deleted now, or null: it runs, or its last run still has an
 * order at the broker or a position (the server refuses with 409 for the same reasons).
 */
export function editBlocker(s: StrategyDto): string | null {
  if (s.status === 'running') return 'Stop the strategy first';
  const run = s.runtime;
  if (!run) return null;
  const unfinished = run.state === 'BUYING' || run.state === 'IN_POSITION' || run.state === 'EXITING' || (run.state === 'ERROR' && run.position_qty > 0);
  return unfinished ? 'Its last run still has an order at the broker or a position: wait for it to end' : null;
}

/** The latest run holds shares (in position, exiting, or left in ERROR by a refused exit): STOP applies, even to a stopped strategy. */
export const holdsUnsold = (s: StrategyDto): boolean => {
  const run = s.runtime;
  return run !== null && run !== undefined && run.position_qty > 0 && (run.state === 'IN_POSITION' || run.state === 'EXITING' || run.state === 'ERROR');
};

/** A STOP of this strategy has consequences for a position (held now, or a BUY in flight). */
export const holdsOrBuying = (s: StrategyDto): boolean =>
  (s.runtime?.position_qty ?? 0) > 0 || s.runtime?.state === 'BUYING';
