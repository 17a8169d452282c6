/**
 * How much the journal's other open runs may hold against an exit, in its instrument at its broker
 * account. A netting broker (Kite, Alpaca, the paper broker) answers `netQty` for the whole
 * account: two strategies long 1 and short 2 of one symbol show a net of −1, and an exit attempt
 * that took that for its own position sold nothing of the long and bought back 1 of the 2 (a long
 * soak at the Kite fake found it, issue 20). An exit's new attempt adds this back to what the net
 * lets it close (held-qty.ts).
 *
 * Only runs on the other side count, each at the most it may hold: an entry still at the broker at
 * its whole order (the broker may have filled more than the journal has heard); otherwise its
 * count, which an exit still at the broker leaves as it was until that exit ends. So a reading only
 * ever rises above what the net alone gives, and an attempt never sells more than its own run's
 * journaled position (journalExit). Runs on the same side are not taken off: the journal cannot
 * tell whether one in ERROR was closed by hand or whether a backstop of one fired a moment ago, and
 * a count too high there would leave this run's shares open at the broker with the run ended.
 *
 * A count too high on the other side sells shares that are not there only when this run too holds
 * less than its journal says (the trader traded by hand). So a run the journal already knows holds
 * nothing is left out: one halted on a reading of nothing held (its last action `…_NOTHING_HELD`).
 * A run of another trading day is not: strategies kept in other timezones date the same session
 * differently, and a position may be held over night (Alpaca, Kite CNC).
 */
import type { OrderWhere } from '../core/run-policy/types';
import { FINAL_ORDER_STATUSES, type OrderSide, type Run } from '../core/types';
import { qtySum } from '../core/qty';
import type { Repos } from '../../db/repos';

/**
 * The most the other non-terminal runs on `where`'s account and instrument may hold on the side
 * opposite to the asking run's position (the runs whose entry trades on `exitSide`), unsigned.
 * @example opposingPosition(repos, longRun, { brokerAccountId, symbol: 'TATAMOTORS', exchange: 'NSE' }, 'sell') // 2 while run B is short 2
 */
export function opposingPosition(repos: Pick<Repos, 'runs' | 'orders'>, asking: Pick<Run, 'id'>, where: OrderWhere, exitSide: OrderSide): number {
  const parts: number[] = [];
  for (const run of repos.runs.listNonTerminalInternal()) {
    if (run.id === asking.id || run.lastAction?.endsWith('_NOTHING_HELD')) continue;
    const entry = repos.orders.findBySlotInternal(run.id, 'entry', run.legNo);
    if (!entry || entry.side !== exitSide || entry.brokerAccountId !== where.brokerAccountId || entry.symbol !== where.symbol || entry.exchange !== where.exchange) continue;
    // The run's count (positionQty) is written when its orders end: until its entry ends, all of it may have filled.
    const most = FINAL_ORDER_STATUSES.has(entry.status) ? run.positionQty : Math.max(entry.qty, run.positionQty);
    if (most > 0) parts.push(most);
  }
  return qtySum(parts);
}
