/**
 * The trader's STOP (and the kill switch, which is STOP for every strategy): never leaves a
 * position silently behind. An open position is closed with a MANUAL_EXIT unless the trader said
 * to keep it, which is recorded; an order in flight decides when its answer comes, and the run
 * records which STOP was asked (`stopKeep`) so that answer honours it.
 */
import { FINAL_ORDER_STATUSES } from '../types';
import { STOPPED_BETWEEN_LEGS } from './reentry';
import type { EventOf, RunSnapshot, Step } from './types';

export const LEFT_OPEN = (qty: number) => `stopped by the trader; position of ${qty} left open at the trader's request`;

export function stopRequested(s: RunSnapshot, e: EventOf<'stop_requested'>): Step {
  const closeNow: Step = { patch: { stopRequested: true, stopKeep: false }, submit: [{ leg: 'MANUAL_EXIT', scheduledAt: s.now }] };
  switch (s.state) {
    case 'ARMED':
      return { move: { to: 'STOPPED', patch: { reason: 'stopped by the trader before the BUY' } } };
    case 'IN_POSITION':
    case 'ERROR':
      if (s.positionQty > 0 && e.closePosition) return closeNow;
      return { move: { to: 'STOPPED', patch: { reason: s.positionQty > 0 ? LEFT_OPEN(s.positionQty) : 'stopped by the trader' } } };
    case 'EXITING':
      // No exit at the broker: the last attempt ended with shares held and the next one waits.
      if (s.exit && FINAL_ORDER_STATUSES.has(s.exit.status)) {
        return e.closePosition ? closeNow : { move: { to: 'STOPPED', patch: { reason: LEFT_OPEN(s.positionQty) } } };
      }
      // An exit is in flight: its answer decides, and the run remembers which STOP was asked.
      return { patch: { stopRequested: true, stopKeep: !e.closePosition } };
    case 'BUYING':
      // The entry is in flight: its answer decides. An entry that fills is closed at once, or left
      // open when the trader said to keep it.
      return { patch: { stopRequested: true, stopKeep: !e.closePosition } };
    case 'WAITING_REENTRY':
      // Flat between legs, no order at the broker: nothing to close, and no next leg.
      return STOPPED_BETWEEN_LEGS;
    default:
      return {};
  }
}
