/**
 * What the list shows about a strategy's position at the last price: display arithmetic on the
 * API's numbers (no decisions are taken from these; the engine checks the stop-loss itself). The
 * distances to the stop and target are exit-levels.ts's.
 */
import type { StrategyDto } from '../../lib/api-types';
import { actionLabel } from './labels';
import { isOpen, runsOf } from './position-runs';

export interface PositionView {
  readonly qty: number;
  readonly entry: number | null;
  /** (last − entry) × qty, for a sell-first strategy (a short) (entry − last) × qty; null without a position or a price. */
  readonly unrealized: number | null;
  readonly unrealizedPct: number | null;
}

export function positionView(s: StrategyDto, last: number | null): PositionView {
  const run = s.runtime;
  const qty = run?.position_qty ?? 0;
  const entry = run?.entry_price ?? null;
  const holding = qty > 0 && entry !== null && last !== null;
  // A short gains as the price falls below its entry.
  const gain = holding ? (s.side === 'sell' ? entry - last : last - entry) : 0;
  return {
    qty,
    entry: qty > 0 ? entry : null,
    unrealized: holding ? gain * qty : null,
    unrealizedPct: holding && entry > 0 ? (gain / entry) * 100 : null,
  };
}

/**
 * Why the strategy cannot be edited or deleted now, or null: it runs, or its last run still has an
 * order at the broker or a position (the server refuses with 409 for the same reasons).
 */
export function editBlocker(s: StrategyDto): string | null {
  if (s.status === 'running') return 'Stop the strategy first';
  return runUnfinished(s) ? 'Its last run still has an order at the broker or a position: wait for it to end' : null;
}

/** A run of the latest day (of any position) still has an order at the broker or a position. */
function runUnfinished(s: StrategyDto): boolean {
  return runsOf(s).some((run) => run.state === 'BUYING' || run.state === 'IN_POSITION' || run.state === 'EXITING' || (run.state === 'ERROR' && run.position_qty > 0));
}

export interface LastActionView {
  readonly label: string;
  /** When it happened (epoch ms), or null when not known. */
  readonly at: number | null;
}

/** Outcomes of an order that can end a run as STOPPED ("MANUAL_EXIT_FILLED", "BUY_REJECTED"). */
const ORDER_OUTCOME = /^(BUY|SELL|STOPLOSS|TRAIL_STOP|TARGET|MANUAL_EXIT|SQUARE_OFF|BACKSTOP_TARGET|BACKSTOP)_/;

/**
 * The last thing that happened to a strategy, as the list and detail page show it. A stopped run
 * reads "Stopped", at the time of the stop, with the order that ended it if one did: never the
 * action before the stop (a stopped strategy is not "Armed"). A strategy stopped after its day was
 * over (or before any run) reads "Stopped" at the strategy's last change.
 */
export function lastActionView(s: StrategyDto): LastActionView | null {
  const run = s.runtime;
  if (run?.state === 'STOPPED') {
    const ended = run.last_action !== null && ORDER_OUTCOME.test(run.last_action);
    // Runs stopped before the engine recorded the stop still say what they did before it ("ARMED"): its time is not the stop's.
    const stampedByStop = ended || run.last_action === 'STOPPED';
    return { label: ended ? `Stopped · ${actionLabel(run.last_action)}` : 'Stopped', at: stampedByStop ? run.last_action_at : null };
  }
  if (s.status === 'stopped' && !runUnfinished(s)) return { label: 'Stopped', at: s.updated_at };
  return run?.last_action ? { label: actionLabel(run.last_action), at: run.last_action_at } : null;
}

/** A run of the latest day (of any position) holds shares (in position, exiting, or left in ERROR by a refused exit): STOP applies, even to a stopped strategy. */
export const holdsUnsold = (s: StrategyDto): boolean =>
  runsOf(s).some((run) => run.position_qty > 0 && (run.state === 'IN_POSITION' || run.state === 'EXITING' || run.state === 'ERROR'));

/** A STOP of this strategy has consequences for a position (of any of its positions: held now, or a BUY in flight). */
export const holdsOrBuying = (s: StrategyDto): boolean => runsOf(s).some(isOpen);
