/**
 * The entry's rules: when a due entry goes, is missed or is skipped; what the journal writes for
 * it; and what the run becomes when its entry ends (filled, refused, or given up unsent).
 */
import { canTransition } from '../run-state';
import type { OrderSide } from '../types';
import { LEFT_OPEN } from './stop';
import type { EventOf, OrderView, RunPlan, RunSnapshot, Side, Step } from './types';

/** The side an entry trades: a long buys first. */
export function entrySide(side: Side): OrderSide {
  return side === 'long' ? 'buy' : 'sell';
}

/** The entry job fired: the entry goes, unless it is past its grace or the price is already at the stop. */
export function entryDue(plan: RunPlan, s: RunSnapshot, e: EventOf<'entry_due'>): Step {
  if (s.state !== 'ARMED') return {};
  const base = { userId: s.userId, strategyId: s.strategyId, runId: s.runId, at: s.now };
  if (e.lateByMs > plan.buyGraceMs) {
    return {
      move: { to: 'MISSED_BUY', patch: { reason: `BUY was due at ${e.dueLabel} and the engine was ${Math.round(e.lateByMs / 1000)} s late (grace ${plan.buyGraceMs / 1000} s): not chased` } },
      events: [{ ...base, type: 'buy_missed', lateByMs: e.lateByMs }],
    };
  }
  if (e.lastPrice !== null && e.lastPrice <= plan.stopLoss) {
    return {
      move: { to: 'SKIPPED', patch: { reason: `BUY skipped: last price ${e.lastPrice} was already at or below the stop-loss ${plan.stopLoss}` } },
      events: [{ ...base, type: 'buy_skipped', lastPrice: e.lastPrice, stopLoss: plan.stopLoss }],
    };
  }
  return { submit: [{ leg: 'BUY', scheduledAt: e.scheduledAt }] };
}

/** Journaling the entry: only from ARMED, one per run, with the plan's account, instrument and quantity. */
export function journalEntry(plan: RunPlan, s: RunSnapshot, e: EventOf<'journal_entry'>): Step {
  if (s.state !== 'ARMED') return { outcome: { drop: `BUY not sent: run is ${s.state}` } };
  return {
    place: {
      legNo: s.legNo,
      slot: 'entry',
      attempt: 1,
      leg: 'BUY',
      side: entrySide(plan.side),
      qty: plan.qty,
      where: { brokerAccountId: plan.brokerAccountId, symbol: plan.symbol, exchange: plan.exchange },
      scheduledAt: e.scheduledAt,
    },
    move: { to: 'BUYING', patch: { lastAction: 'BUY', lastActionAt: s.now } },
  };
}

/**
 * The entry ended. Filled: the position is open; a STOP asked meanwhile closes it at once (or, a
 * STOP and keep, ends the run STOPPED with the position left open and nothing armed), a time
 * exit already due (while the entry was in flight, or missed while the engine was away) goes now
 * unless an exit waits for the fill already, and the stop is armed. Refused: nothing is held, so
 * STOPPED when the trader asked, else ERROR.
 */
export function entryFinal(plan: RunPlan, s: RunSnapshot, order: OrderView): Step {
  const lastAction = { lastAction: `${order.leg}_${order.filledQty > 0 ? 'FILLED' : 'REJECTED'}`, lastActionAt: s.now };
  if (order.filledQty === 0) {
    const why = `BUY ${order.status}: ${order.rejectReason ?? 'no reason given'}`;
    const to = s.stopRequested ? 'STOPPED' : 'ERROR';
    if (!canTransition(s.state, to)) return { outcome: { drop: 'order report does not fit the run state; run left as is' } };
    return { move: { to, patch: { reason: s.stopRequested ? `stopped by the trader; ${why}` : why, ...lastAction } } };
  }
  if (!canTransition(s.state, 'IN_POSITION')) return { outcome: { drop: 'order report does not fit the run state; run left as is' } };
  const move = { to: 'IN_POSITION' as const, patch: { positionQty: order.filledQty, entryPrice: order.fillPrice, ...lastAction } };
  if (s.stopRequested && s.stopKeep) {
    // STOP and keep: the position is the trader's now; no exit, no stop armed.
    return { move: { to: 'STOPPED', patch: { ...move.patch, reason: LEFT_OPEN(order.filledQty) } } };
  }
  if (s.stopRequested) return { move, submit: [{ leg: 'MANUAL_EXIT', scheduledAt: s.now }] };
  const lateExit = s.now >= s.sellAt && !s.deferredExit;
  return { move, ...(lateExit ? { submit: [{ leg: 'SELL', scheduledAt: s.sellAt }] } : {}), triggers: { set: { stop: plan.stopLoss } } };
}

/** An entry known not to be at the broker, given up: MISSED_BUY (grace over) or STOPPED (the trader), not an ERROR. */
export function entryAbandoned(s: RunSnapshot, e: EventOf<'entry_abandoned'>): Step {
  if (!canTransition(s.state, e.to)) return {};
  return { move: { to: e.to, patch: { reason: e.to === 'MISSED_BUY' ? `BUY ${e.reason}` : e.reason, lastAction: 'BUY_NOT_SENT', lastActionAt: s.now } } };
}
