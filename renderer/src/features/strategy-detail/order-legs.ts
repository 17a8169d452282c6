/**
 * A strategy's orders by leg: each run's first entry and each re-entry with the exits that closed
 * it, and in words which exit closed it. Display only: the engine decides what fired; this reads
 * it back from the journal (the exit orders that filled).
 */
import Decimal from 'decimal.js';
import type { OrderDto } from '../../lib/api-types';
import { exitOrderPnl } from '../history/realized';

export interface LegGroup {
  readonly runId: number;
  readonly legNo: number;
  /** "First entry", "Re-entry 1", … */
  readonly title: string;
  /** Which exit closed the leg, in words ("Exited by stop-loss"); null while it has none. */
  readonly exit: string | null;
  /** What the leg's exit fills earned; null before one. */
  readonly pnl: number | null;
  /** Newest first, as the journal lists them. */
  readonly orders: readonly OrderDto[];
}

export const legTitle = (legNo: number): string => (legNo === 0 ? 'First entry' : `Re-entry ${legNo}`);

/** The exit an order's leg names, as the run's end says it (run-state labels: "Exited by stop-loss"). */
const EXIT_WORDS: Readonly<Record<string, string>> = {
  STOPLOSS: 'Exited by stop-loss',
  TRAIL_STOP: 'Exited by trailing stop',
  TARGET: 'Exited at target',
  SELL: 'Exited at the SELL time',
  MANUAL_EXIT: 'Exited by manual exit',
  BACKSTOP: 'Exited by the backstop at the broker',
  BACKSTOP_TARGET: 'Exited at target, reached at the broker',
};

/** The exit that closed a leg: its last filled exit (a retry repeats the same leg), or null. */
function exitOf(orders: readonly OrderDto[]): string | null {
  const filled = orders.filter((o) => o.slot === 'exit' && o.filled_qty > 0).sort((a, b) => (a.filled_at ?? a.updated_at) - (b.filled_at ?? b.updated_at) || a.id - b.id);
  const last = filled.at(-1);
  return last ? (EXIT_WORDS[last.leg] ?? `Exited: ${last.leg}`) : null;
}

const newestFirst = (a: OrderDto, b: OrderDto) => b.scheduled_at - a.scheduled_at || b.id - a.id;

/**
 * The orders grouped by run and leg, newest leg first (a later run's, then a later leg's).
 *
 * @example legGroups(orders).map((g) => `${g.title}: ${g.exit}`) // ['Re-entry 1: Exited at target', 'First entry: Exited by stop-loss']
 */
export function legGroups(orders: readonly OrderDto[]): LegGroup[] {
  const pnl = exitOrderPnl(orders);
  const byLeg = new Map<string, OrderDto[]>();
  for (const o of orders) {
    const key = `${o.run_id}:${o.leg_no}`;
    byLeg.set(key, [...(byLeg.get(key) ?? []), o]);
  }
  return [...byLeg.values()]
    .map((own): LegGroup => {
      const { run_id: runId, leg_no: legNo } = own[0]!;
      const earned = own.flatMap((o) => (pnl.has(o.id) ? [pnl.get(o.id)!] : []));
      return {
        runId,
        legNo,
        title: legTitle(legNo),
        exit: exitOf(own),
        pnl: earned.length === 0 ? null : earned.reduce((sum, n) => sum.plus(n), new Decimal(0)).toNumber(),
        orders: [...own].sort(newestFirst),
      };
    })
    .sort((a, b) => b.runId - a.runId || b.legNo - a.legNo);
}
