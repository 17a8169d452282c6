/**
 * The entry's rules: when a due entry goes, is missed or is skipped; what the journal writes for
 * it; and what the run becomes when its entry ends (filled, refused, or given up unsent).
 */
import { canTransition } from '../run-state';
import type { OrderSide } from '../types';
import { levelAlreadyReached, planTriggers, pricedOnly, resolveLevels, watchLevels } from './levels';
import { groupClosedWhy, reentryRefused } from './reentry';
import { LEFT_OPEN } from './stop';
import type { EventOf, OrderView, RunPlan, RunSnapshot, Side, Step } from './types';

/** The side an entry trades: a long buys first, a short sells first. */
export function entrySide(side: Side): OrderSide {
  return side === 'long' ? 'buy' : 'sell';
}

/** What the trader calls the entry: the BUY of a long, the short sale of a short (still due at the BUY time). */
export function entryName(side: Side): string {
  return side === 'long' ? 'BUY' : 'Short sale';
}

/** entryName of a run's plan as the spec says its side (a sold position's: the short sale). */
export function entryNameOfRun(run: { readonly plan: { readonly side: 'buy' | 'sell' } | null }): string {
  return entryName(run.plan?.side === 'sell' ? 'short' : 'long');
}

/**
 * The entry job fired: the entry goes, unless it is past its grace, or the last price has already
 * reached a level given as a price (levelAlreadyReached).
 */
export function entryDue(plan: RunPlan, s: RunSnapshot, e: EventOf<'entry_due'>): Step {
  if (s.state !== 'ARMED') return {};
  const base = { userId: s.userId, strategyId: s.strategyId, runId: s.runId, at: s.now };
  if (e.lateByMs > plan.buyGraceMs) {
    return {
      move: { to: 'MISSED_BUY', patch: { reason: `BUY was due at ${e.dueLabel} and the engine was ${Math.round(e.lateByMs / 1000)} s late (grace ${plan.buyGraceMs / 1000} s): not chased` } },
      events: [{ ...base, type: 'buy_missed', lateByMs: e.lateByMs }],
    };
  }
  const reached = levelAlreadyReached(plan, e.lastPrice);
  if (reached && e.lastPrice !== null) {
    const stopLoss = plan.stopLossMode === 'price' ? plan.stopLoss : null;
    return {
      move: { to: 'SKIPPED', patch: { reason: `${entryName(plan.side)} skipped: last price ${e.lastPrice} was already ${reached.where} the ${reached.name} ${reached.level}` } },
      events: [{ ...base, type: 'buy_skipped', lastPrice: e.lastPrice, stopLoss, target: reached.name === 'target' ? reached.level : null, side: entrySide(plan.side) }],
    };
  }
  return { submit: [{ leg: 'BUY', scheduledAt: e.scheduledAt }] };
}

/**
 * Journaling the entry: only from ARMED (leg 0) or WAITING_REENTRY (the leg the run waits for),
 * one per leg, with the plan's account, instrument and quantity. A re-entry is refused here, at
 * the journal, at or after the cut-off or past the day's re-entries: the run ends instead; an
 * entry of a group whose "exit all" has come is skipped.
 */
export function journalEntry(plan: RunPlan, s: RunSnapshot, e: EventOf<'journal_entry'>): Step {
  if (s.state !== 'ARMED' && s.state !== 'WAITING_REENTRY') return { outcome: { drop: `${entryName(plan.side)} not sent: run is ${s.state}` } };
  if (e.legNo !== s.legNo) return { outcome: { drop: `${entryName(plan.side)} not sent: it was for leg ${e.legNo}, the run is on leg ${s.legNo}` } };
  const refused = s.state === 'WAITING_REENTRY' ? reentryRefused(plan, s) : null;
  // decide() writes the move and publishes the reason; it carries out nothing else.
  if (refused) return { move: refused.move, outcome: { halt: refused.move.patch.reason ?? `${entryName(plan.side)} not sent` } };
  // The group's "exit all" came while this entry waited in the queue (its flag written skips an
  // ARMED run in the same transaction; one not journaled yet reaches the step as if it were).
  if (s.exitAll !== null) {
    const reason = `${entryName(plan.side)} skipped: ${groupClosedWhy(s.exitAll)}`;
    return { move: { to: 'SKIPPED', patch: { reason, lastAction: 'BUY_NOT_SENT', lastActionAt: s.now } }, outcome: { halt: reason } };
  }
  // A re-entry starts its leg afresh: the last leg's prices and exit stay in its journal rows.
  const afresh = s.state === 'WAITING_REENTRY' ? { reentryAt: null, entryPrice: null, exitPrice: null, exitLeg: null, unsoldQty: 0 } : {};
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
    move: { to: 'BUYING', patch: { ...afresh, lastAction: 'BUY', lastActionAt: s.now } },
  };
}

/**
 * The entry ended. Filled: the position is open and its levels are resolved from the fill price
 * (rounded to `tickSize`) and kept with it; a STOP asked meanwhile closes it at once (or, a STOP
 * and keep, ends the run STOPPED with the position left open and nothing armed), a time exit
 * already due (while the entry was in flight, or missed while the engine was away) goes now
 * unless an exit waits for the fill already, and the levels are armed. A fill whose price the
 * broker did not give cannot place a stop given as a distance: ERROR, for the trader. Refused:
 * nothing is held, so STOPPED when the trader asked, else ERROR.
 */
export function entryFinal(plan: RunPlan, s: RunSnapshot, order: OrderView, tickSize: number | null): Step {
  const lastAction = { lastAction: `${order.leg}_${order.filledQty > 0 ? 'FILLED' : 'REJECTED'}`, lastActionAt: s.now };
  if (order.filledQty === 0) {
    const why = `BUY ${order.status}: ${order.rejectReason ?? 'no reason given'}`;
    const to = s.stopRequested ? 'STOPPED' : 'ERROR';
    if (!canTransition(s.state, to)) return { outcome: { drop: 'order report does not fit the run state; run left as is' } };
    return { move: { to, patch: { reason: s.stopRequested ? `stopped by the trader; ${why}` : why, ...lastAction } } };
  }
  if (!canTransition(s.state, 'IN_POSITION')) return { outcome: { drop: 'order report does not fit the run state; run left as is' } };
  const held = { positionQty: order.filledQty, entryPrice: order.fillPrice, ...lastAction };
  if (s.stopRequested && s.stopKeep) {
    // STOP and keep: the position is the trader's now; no exit, no stop armed.
    return { move: { to: 'STOPPED', patch: { ...held, reason: LEFT_OPEN(order.filledQty) } } };
  }
  if (s.stopRequested) return { move: { to: 'IN_POSITION', patch: held }, submit: [{ leg: 'MANUAL_EXIT', scheduledAt: s.now }] };
  // The group's "exit all" was journaled while this entry was in flight: the fill exits at once (an
  // exit deferred for it goes by itself), shorts before longs having been decided by the group's order.
  if (s.exitAll !== null) return { move: { to: 'IN_POSITION', patch: held }, ...(s.deferredExit ? {} : { submit: [{ leg: 'SELL' as const, scheduledAt: s.now }] }) };
  const lateExit = s.now >= s.sellAt && !s.deferredExit;
  const timeExit = lateExit ? { submit: [{ leg: 'SELL' as const, scheduledAt: s.sellAt }] } : {};
  if (order.fillPrice === null) {
    // No fill price to measure from: the levels given as prices are armed as they are; one given as a distance cannot be.
    if (!pricedOnly(plan)) {
      const [entered, close] = order.side === 'sell' ? ['Short sale', 'buy back'] : ['BUY', 'sell'];
      const reason = `${entered} filled ${order.filledQty} but the broker gave no fill price, so the exits given as distances from it cannot be placed: a position of ${order.filledQty} is open without them. Press STOP to ${close}, or close it at the broker`;
      return { move: { to: 'ERROR', patch: { ...held, reason } } };
    }
    return { move: { to: 'IN_POSITION', patch: held }, ...timeExit, triggers: { set: planTriggers(plan) } };
  }
  const levels = resolveLevels(plan, order.fillPrice, tickSize);
  return { move: { to: 'IN_POSITION', patch: { ...held, levels } }, ...timeExit, triggers: watchLevels(levels, plan.side) };
}

/** An entry known not to be at the broker, given up: MISSED_BUY (grace over) or STOPPED (the trader), not an ERROR. */
export function entryAbandoned(s: RunSnapshot, e: EventOf<'entry_abandoned'>): Step {
  if (!canTransition(s.state, e.to)) return {};
  return { move: { to: e.to, patch: { reason: e.to === 'MISSED_BUY' ? `BUY ${e.reason}` : e.reason, lastAction: 'BUY_NOT_SENT', lastActionAt: s.now } } };
}
