/**
 * What the journal's other open runs hold in an instrument of one broker account, signed (long
 * positive, short negative). A netting broker (Kite, Alpaca, the paper broker) answers `netQty` for
 * the whole account: two strategies long 1 and short 2 of the same symbol show a net of −1, and an
 * exit attempt that took that for its own position would buy back 1 of 2, or sell nothing of a long
 * of 1 (a long soak at the Kite fake found both, issue 20). An exit's new attempt reads its own
 * position as the net less this (held-qty.ts).
 *
 * Each run counts as the journal knows it: what its entry filled and its exits have not closed.
 * An exit of another run still at the broker counts as done where it is on our side (it sells
 * what is its own, so we must not read its shares as ours, nor hold our exit back for them); on
 * the other side it counts as not done yet (what it closes only moves the net our way). Either
 * way a reading errs toward what the run's own journal says it holds, which caps it
 * (withHeldQty), never toward selling another run's shares or leaving our own unsold.
 */
import type { RunId } from '../core/ids';
import type { OrderWhere } from '../core/run-policy/types';
import { FINAL_ORDER_STATUSES, type OrderSide } from '../core/types';
import { qtyLeft, qtySum } from '../core/qty';
import type { Repos } from '../../db/repos';

/**
 * The signed position of every other non-terminal run on `where`'s account and instrument, for an
 * exit on `exitSide` (the side that closes the asking run's position).
 * @example othersPosition(repos, runA, { brokerAccountId, symbol: 'TATAMOTORS', exchange: 'NSE' }, 'sell') // -2 while run B is short 2
 */
export function othersPosition(repos: Pick<Repos, 'runs' | 'orders'>, runId: RunId, where: OrderWhere, exitSide: OrderSide): number {
  // The asking run is long when it closes by selling: another long is on our side.
  const ourEntrySide: OrderSide = exitSide === 'sell' ? 'buy' : 'sell';
  const parts: number[] = [];
  for (const run of repos.runs.listNonTerminalInternal()) {
    if (run.id === runId || run.state === 'ARMED') continue;
    const entry = repos.orders.findBySlotInternal(run.id, 'entry', run.legNo);
    if (!entry || entry.brokerAccountId !== where.brokerAccountId || entry.symbol !== where.symbol || entry.exchange !== where.exchange) continue;
    const exit = repos.orders.findBySlotInternal(run.id, 'exit', run.legNo);
    const exitOpen = exit !== undefined && !FINAL_ORDER_STATUSES.has(exit.status);
    // The run's count moves when an order ends: an entry still open has what it filled so far, an
    // exit still open has not yet taken what it filled so far off the count.
    const entryOpen = !FINAL_ORDER_STATUSES.has(entry.status);
    let held = entryOpen ? entry.filledQty : exitOpen ? qtyLeft(run.positionQty, exit.filledQty) : run.positionQty;
    if (exitOpen && entry.side === ourEntrySide) held = qtyLeft(held, qtyLeft(exit.qty, exit.filledQty));
    if (held > 0) parts.push(entry.side === 'buy' ? held : -held);
  }
  return qtySum(parts);
}
