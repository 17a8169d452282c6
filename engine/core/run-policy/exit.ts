/**
 * The exit's rules (invariants 8 and 9): exactly one exit at the broker at a time; what it sells
 * (the position where it was bought, never what the strategy says now) and as which attempt; and
 * what the run becomes when an attempt ends, including when the next attempt is due, never past
 * the square-off (the last moment a position of the run may stay open).
 */
import { MAX_EXIT_ATTEMPTS } from '../ids';
import { orderScope } from '../events';
import { canTransition } from '../run-state';
import { FINAL_ORDER_STATUSES, type ExitAllReason, type OrderSide, type RunState } from '../types';
import { canMove, ratchetAt, stopAtCost, watchLevels } from './levels';
import { endBetweenLegs, groupClosedWhy, legsMayFollow, reentryAfterExit } from './reentry';
import { LEFT_OPEN } from './stop';
import { qtyLeft, qtySum, qtyText } from '../qty';
import type { EventOf, ExitKind, Leg, OrderView, RunPatch, RunPlan, RunSnapshot, Step, TriggerKind } from './types';

/**
 * Waits before an exit's attempt n+1, indexed by n-1 (attempt 1 refused: 1 s). Short at first (a
 * price band or an exchange hiccup often clears within seconds), then a minute, for about five
 * minutes in all before the run goes to ERROR and the trader is asked to act.
 */
export const EXIT_RETRY_MS = [1_000, 2_000, 5_000, 10_000, 30_000, 60_000, 60_000, 60_000] as const;

export type ExitPlan =
  | { readonly kind: 'exit'; readonly entry: OrderView; readonly attempt: number; readonly qty: number }
  /** The entry is still in flight: the exit goes as soon as it fills. */
  | { readonly kind: 'defer' }
  | { readonly kind: 'none'; readonly reason: string };

/**
 * Whether an exit may be journaled now. A new attempt goes out only once the attempt before it is
 * final, so its filled quantity is known and at most what is still held is ever sold.
 */
export function planExit(s: RunSnapshot): ExitPlan {
  const last = s.exit;
  if (last && !FINAL_ORDER_STATUSES.has(last.status)) return { kind: 'none', reason: `${last.leg} exit was already sent first` };
  if (s.state === 'BUYING') return { kind: 'defer' };
  // EXITING with a final last attempt: that attempt left shares unsold, and the next one is due.
  const open = s.positionQty > 0 && (s.state === 'IN_POSITION' || s.state === 'ERROR' || (s.state === 'EXITING' && last !== null));
  if (!open) return { kind: 'none', reason: `no open position (run is ${s.state})` };
  const attempt = (last?.attempt ?? 0) + 1;
  if (attempt > MAX_EXIT_ATTEMPTS) {
    return { kind: 'none', reason: `the exit was already tried ${MAX_EXIT_ATTEMPTS} times: close the position of ${s.positionQty} at the broker` };
  }
  if (!s.entry) return { kind: 'none', reason: 'the journal holds no BUY for this position: close it at the broker' };
  return { kind: 'exit', entry: s.entry, attempt, qty: s.positionQty };
}

/**
 * How a run's reason begins once an exit attempt found the broker holding less of the position
 * than the run counts, in whole steps. An exit that then empties the position keeps that reason,
 * so a run that ends SOLD still says what it left unsold and why it may be.
 */
export const UNSOLD = 'Not at the broker:';
/** What a spot account's balance did not show free for an exit (notSeen): still the run's, not booked unsold. */
const NOT_SEEN = 'not seen free at the broker';

/**
 * The reason of an attempt that sells less than the run counts, `unsold` being not held at the
 * broker in whole steps. A long's may be the broker's fee taken in the coin bought (Binance spot),
 * dust under one step, or a sale by hand; a short's, a buy-back elsewhere.
 * @example unsoldNote('buy', 0.00001, 0.0015, 1, 0.00149) // 'Not at the broker: 0.00001 of the 0.0015 held by this run (…); attempt 1 sells the 0.00149 it holds'
 */
function unsoldNote(entrySide: OrderSide, unsold: number, positionQty: number, attempt: number, qty: number): string {
  const [u, p, q] = [qtyText(unsold), qtyText(positionQty), qtyText(qty)];
  return entrySide === 'buy'
    ? `${UNSOLD} ${u} of the ${p} held by this run (the broker's fee taken in the asset bought, a remainder under one order step, or sold elsewhere); attempt ${attempt} sells the ${q} it holds`
    : `${UNSOLD} ${u} of the ${p} short by this run (bought back or closed elsewhere); attempt ${attempt} buys back the ${q} still short`;
}

/**
 * What a run prefixes its reason with when it was closed with a remainder no order can sell.
 * A run's history and the trader read it beside UNSOLD (what was not at the broker).
 */
export const DUST = 'Dust left at the broker:';

/**
 * The remainder of a leg part of which an exit already sold is under the venue's least order
 * (`why`, order-minimum.ts): sent, it would be refused (Binance -1013 "Filter failure") for good
 * and the run would end in ERROR with a position no order can close. The run ends as the exit it
 * was meant for (SOLD, EXITED_BY_SL …, no re-entry: the leg did not end by a fill), its reason
 * saying what is left and why; no order goes out (the journal records the exit as suppressed).
 */
function closedWithDust(s: RunSnapshot, e: EventOf<'journal_exit'>, entry: OrderView, qty: number, why: string): Step {
  const to = ENDED_BY[e.leg];
  if (!canTransition(s.state, to)) return { outcome: { suppress: `a remainder under the least order (${why}), and the run is ${s.state}` } };
  const what = entry.side === 'buy' ? 'sold' : 'bought back';
  const reason = `${DUST} the ${qtyText(qty)} left of this run's ${qtyText(entry.filledQty)} cannot be ${what} (${why}); the run is closed with it, not ${what}`;
  const earlier = s.reason?.startsWith(UNSOLD) ? ` ${s.reason}` : '';
  return {
    // Not sold: what the run still counted is left unsold (runs.unsold_qty), not booked as a sale.
    move: { to, patch: { positionQty: 0, unsoldQty: qtySum([s.unsoldQty, s.positionQty]), exitLeg: e.leg, reason: `${reason}.${earlier}`, lastAction: `${e.leg}_DUST`, lastActionAt: s.now } },
    outcome: { halt: reason },
  };
}

/** The side that closes the position the entry opened. */
export function exitSide(entry: Pick<OrderView, 'side'>): OrderSide {
  return entry.side === 'buy' ? 'sell' : 'buy';
}

/**
 * The exit a crossing submits at the tick, before the run is read (its journal_exit decides);
 * null for a RATCHET, which sends nothing: its step tightens the levels.
 */
export function crossingExit(kind: TriggerKind): ExitKind | null {
  return kind === 'RATCHET' ? null : kind;
}

/** An exit leg, as the journal stores it. */
export function asExitKind(leg: Leg): ExitKind {
  if (leg === 'BUY') throw new Error('an entry is not an exit');
  return leg;
}

/**
 * Journaling an exit. An attempt told what the broker holds (`heldAtBroker`: any new attempt, and
 * the first where the broker may take its fee out of the coin bought) sells at most that: the
 * trader may have sold by hand meanwhile, or the fee left less than the buy filled. What is not
 * held is no longer the run's to sell (a remainder under one step cannot be sold at all): the run
 * counts what is held and says what was left. Nothing held at all halts the run for the trader.
 */
export function journalExit(s: RunSnapshot, e: EventOf<'journal_exit'>): Step {
  // An exit submitted for an earlier leg (its retry timer, or queued while that leg closed) is
  // stale: journaled now, it would close the position of a leg it was never meant for.
  if (e.legNo !== s.legNo) return { outcome: { suppress: `the ${e.leg} exit was for leg ${e.legNo}, which is closed; the run is on leg ${s.legNo}` } };
  // An ERROR waits for the trader, who may have sold by hand: only the trader's STOP sells from
  // it (a stop still armed, a stale retry or a time exit queued before the ERROR does not).
  if (s.state === 'ERROR' && e.leg !== 'MANUAL_EXIT') {
    return { outcome: { suppress: `the run is in ERROR and waits for the trader (STOP ${s.entry?.side === 'sell' ? 'buys back' : 'sells'}); ${e.leg} not sent` } };
  }
  const plan = planExit(s);
  if (plan.kind === 'defer') return { outcome: 'defer' };
  if (plan.kind === 'none') return { outcome: { suppress: plan.reason } };
  const { entry, attempt } = plan;
  const held = e.heldAtBroker;
  if (held !== undefined && held <= 0) {
    const what = entry.side === 'buy' ? `no ${entry.symbol} left to sell` : `no short of ${entry.symbol} left to buy back`;
    const reason =
      e.notSeen !== undefined
        ? `${entry.symbol}: ${e.notSeen} of this run's ${plan.qty} ${NOT_SEEN} (read again and again; attempt ${attempt} not sent). Check the broker (an order of yours may lock it): STOP sells what is held then, STOP and keep ends the run with it`
        : `${what} at the broker: the ${plan.qty} still held by this run were ${entry.side === 'buy' ? 'sold' : 'bought back'} or closed elsewhere (attempt ${attempt} not sent). Check the broker; if it is closed, STOP and keep the position to end the run`;
    return s.state === 'ERROR'
      ? { patch: { reason, lastActionAt: s.now }, outcome: { halt: reason } }
      : { move: { to: 'ERROR', patch: { reason, lastAction: `${e.leg}_NOTHING_HELD`, lastActionAt: s.now } }, outcome: { halt: reason } };
  }
  const qty = held === undefined ? plan.qty : Math.min(plan.qty, held);
  if (e.dust !== undefined) return closedWithDust(s, e, entry, qty, e.dust);
  // Less held at the broker than the run counts: the run holds what is held, and says what is not.
  // What a spot account's balance did not show yet (notSeen) stays the run's: the sale leaves it
  // held and the next attempt reads again (exitRetry), never booked on a reading that may lag.
  const unsold = e.notSeen !== undefined ? 0 : qtyLeft(s.positionQty, qty);
  const progress: RunPatch = {
    lastAction: attempt > 1 ? `${e.leg}_ATTEMPT_${attempt}` : e.leg,
    lastActionAt: s.now,
    ...(unsold > 0 ? { positionQty: qty, unsoldQty: qtySum([s.unsoldQty, unsold]), reason: unsoldNote(entry.side, unsold, s.positionQty, attempt, qty) } : {}),
  };
  const place = {
    legNo: s.legNo,
    slot: 'exit' as const,
    attempt,
    leg: e.leg,
    side: exitSide(entry),
    qty,
    where: { brokerAccountId: entry.brokerAccountId, symbol: entry.symbol, exchange: entry.exchange },
    scheduledAt: e.scheduledAt,
  };
  // A new attempt of an exit finds the run EXITING already.
  return s.state === 'EXITING' ? { place, patch: progress } : { place, move: { to: 'EXITING', patch: progress } };
}

/**
 * An exit attempt ended. Everything sold: the run ends by the exit's kind, or waits for its next
 * leg when a re-entry follows that exit (reentryAfterExit). Shares still held for a reason that
 * may pass, attempts left: the next attempt is due after EXIT_RETRY_MS. Else ERROR, with what is
 * still open and what the trader can do.
 */
export function exitFinal(plan: RunPlan, s: RunSnapshot, order: OrderView, lasting: boolean | null): Step {
  const filled = order.filledQty > 0;
  const exitPrice = averageExitPrice(s, order);
  const remaining = qtyLeft(s.positionQty, order.filledQty);
  // The trader pressed STOP and keep while this exit was at the broker, and it left shares held:
  // they are the trader's now, so no further attempt, no MANUAL_EXIT; the run ends with them open.
  if (s.stopRequested && s.stopKeep && remaining > 0 && canTransition(s.state, 'STOPPED')) {
    const done = order.side === 'sell' ? 'sold' : 'bought back';
    const sold = filled ? `${order.filledQty} of ${s.positionQty} ${done}` : `nothing ${done}`;
    return {
      move: {
        to: 'STOPPED',
        patch: {
          positionQty: remaining,
          exitPrice,
          reason: `${LEFT_OPEN(remaining)} (the ${order.leg} exit at the broker ended ${order.status}, ${sold})`,
          lastAction: `${order.leg}_${filled ? 'FILLED' : 'REJECTED'}`,
          lastActionAt: s.now,
        },
      },
    };
  }
  if (s.state === 'EXITING') {
    const retry = exitRetry(s, order, filled, lasting);
    if (retry) {
      const [done, doing] = order.side === 'sell' ? ['sold', 'sells'] : ['bought back', 'buys back'];
      const sold = filled ? `${order.filledQty} of ${s.positionQty} ${done}` : `nothing ${done}`;
      const squaringOff = retry.leg === 'SQUARE_OFF' && order.leg !== 'SQUARE_OFF' ? ' at the square-off' : '';
      return {
        patch: {
          positionQty: remaining,
          exitPrice,
          reason: `${order.leg} exit attempt ${order.attempt} ${order.status} (${sold}): ${order.rejectReason ?? (order.status === 'filled' ? `${remaining} ${NOT_SEEN} yet` : 'no reason given')}. Attempt ${order.attempt + 1} ${doing} the ${remaining} still held${squaringOff}`,
          lastAction: `${order.leg}_ATTEMPT_${order.attempt}_${order.status.toUpperCase()}`,
          lastActionAt: s.now,
        },
        events: [
          {
            ...orderScope({ userId: s.userId, strategyId: s.strategyId, runId: s.runId, id: order.id, leg: order.leg }, s.now),
            type: 'exit_retry_scheduled',
            attempt: order.attempt,
            remainingQty: remaining,
            nextAttemptAt: retry.at,
            reason: order.rejectReason ?? order.status,
          },
        ],
        timers: [{ set: 'exit_retry', ...retry }],
      };
    }
  }
  const next = exitEnd(s, order, filled, lasting === true);
  if (!canTransition(s.state, next.to)) return { outcome: { drop: 'order report does not fit the run state; run left as is' } };
  const ended = { ...next.patch, exitPrice, lastAction: `${order.leg}_${filled ? 'FILLED' : 'REJECTED'}`, lastActionAt: s.now };
  const reentry = reentryAfterExit(plan, s, order, ended);
  if (reentry) return reentry;
  const move = { to: next.to, patch: ended };
  // The trader pressed STOP (close) while this exit was at the broker, and it left shares held: the STOP
  // is carried out now (a MANUAL_EXIT), as recovery would after a restart, not left to one.
  const stopStillToDo = next.to === 'ERROR' && s.stopRequested && !s.stopKeep && order.leg !== 'MANUAL_EXIT' && (next.patch.positionQty ?? 0) > 0;
  return stopStillToDo ? { move, submit: [{ leg: 'MANUAL_EXIT', scheduledAt: s.now }] } : { move };
}

/**
 * When the next attempt is due, if this one left shares held for a reason that may pass and
 * attempts remain. A refusal may pass unless the broker says it will not (`lasting`). A cancel is
 * tried again only when the broker or exchange ended it: with a part filled (the rest cancelled
 * by the exchange) or marked passing by the broker (`lasting: false`, e.g. Kite's price
 * protection). A cancel with nothing filled and no word from the broker may be the trader's own,
 * in the broker's app, perhaps to sell by hand: selling again could sell what is no longer held.
 */
function exitRetry(s: RunSnapshot, order: OrderView, filled: boolean, lasting: boolean | null): { at: number; leg: ExitKind } | null {
  const remaining = qtyLeft(s.positionQty, order.filledQty);
  const mayPass = order.status === 'cancelled' ? filled || lasting === false : lasting !== true;
  if (remaining === 0 || !mayPass || order.attempt >= MAX_EXIT_ATTEMPTS) return null;
  return byTheSquareOff(s, s.now + EXIT_RETRY_MS[Math.min(order.attempt, EXIT_RETRY_MS.length) - 1]!, asExitKind(order.leg));
}

/**
 * An exit attempt due at `at`, held to the square-off: one that would come at or after it is made
 * at it (at once when it has passed) and is the square-off itself, SQUARE_OFF; the trader's STOP
 * keeps its MANUAL_EXIT, so the run still ends as the trader asked. Past the square-off, then,
 * attempts follow each other as soon as the one before is final, and a refusal that does not pass
 * reaches ERROR (the trader's call) within seconds instead of minutes.
 *
 * @example byTheSquareOff({ now: 100, squareOffAt: 150 }, 160, 'SELL') // { at: 150, leg: 'SQUARE_OFF' }
 */
export function byTheSquareOff(s: Pick<RunSnapshot, 'now' | 'squareOffAt'>, at: number, leg: ExitKind): { at: number; leg: ExitKind } {
  if (s.squareOffAt === null || at < s.squareOffAt) return { at, leg };
  return { at: Math.max(s.now, s.squareOffAt), leg: leg === 'MANUAL_EXIT' ? leg : 'SQUARE_OFF' };
}

/** The state a run ends in when an exit of this kind sold everything. */
const ENDED_BY: Readonly<Record<ExitKind, RunState>> = {
  STOPLOSS: 'EXITED_BY_SL',
  TRAIL_STOP: 'EXITED_BY_SL',
  BACKSTOP: 'EXITED_BY_SL',
  TARGET: 'EXITED_BY_TARGET',
  BACKSTOP_TARGET: 'EXITED_BY_TARGET',
  MANUAL_EXIT: 'STOPPED',
  SELL: 'SOLD',
  SQUARE_OFF: 'SOLD',
};

function exitEnd(s: RunSnapshot, order: OrderView, filled: boolean, lasting: boolean): { to: RunState; patch: RunPatch } {
  const remaining = qtyLeft(s.positionQty, order.filledQty);
  if (!filled || remaining > 0) {
    // A long's exit sells; a short's buys back.
    const [done, doing] = order.side === 'sell' ? ['sold', 'sell'] : ['bought back', 'buy back'];
    // A sale filled whole that left shares held was sized on a reading short of the position (notSeen).
    const why = order.status === 'filled'
      ? `${remaining} ${NOT_SEEN} in ${order.attempt} attempts`
      : lasting
      ? 'the broker\'s reason will not pass by trying again'
      : order.attempt >= MAX_EXIT_ATTEMPTS
        ? `all ${MAX_EXIT_ATTEMPTS} attempts were refused`
        : order.status === 'cancelled' && !filled
          ? `cancelled at the broker with nothing ${done}, perhaps from its own app; if that was not you, press STOP to ${doing}`
          : 'not tried again';
    return {
      to: 'ERROR',
      patch: {
        positionQty: remaining,
        reason: `${order.leg} exit${order.attempt > 1 ? ` attempt ${order.attempt}` : ''} ${order.status} with ${order.filledQty} of ${s.positionQty} ${done}: ${order.rejectReason ?? 'no reason given'} (${why}). A position of ${remaining} is still open: close it at the broker, or press STOP to try again.`,
      },
    };
  }
  const to: RunState = ENDED_BY[asExitKind(order.leg)];
  const why = order.leg === 'MANUAL_EXIT' ? 'stopped by the trader; position closed' : s.exitAll !== null && (order.leg === 'SELL' || order.leg === 'SQUARE_OFF') ? exitAllClosed(s.exitAll) : null;
  // What an attempt found not held at the broker stays said: the run is closed, not all of it sold.
  const unsold = s.reason?.startsWith(UNSOLD) ? s.reason : null;
  const reason = why !== null && unsold !== null ? `${why}. ${unsold}` : (why ?? unsold);
  return { to, patch: { positionQty: 0, exitLeg: order.leg, reason } };
}

/** Why a position the group's "exit all" closed ended, as the run keeps it (the amounts are in the flag's own reason, and the log). */
export function exitAllClosed(reason: ExitAllReason): string {
  switch (reason) {
    case 'mtm_stop':
      return "closed with the group: the positions' combined MTM reached the MTM stop (mtm_stop)";
    case 'mtm_target':
      return "closed with the group: the positions' combined MTM reached the MTM target (mtm_target)";
    case 'unwind':
      return 'closed with the group: a position was not entered, so the filled ones were unwound (on_position_failure unwind)';
  }
}

/**
 * Another position of the group stopped out (stops_to_cost_on_stop): the open position's stop moves
 * to its entry price, only ever tighter, and is armed there (a price already past it exits at once,
 * as any crossed level does). Nothing while the position is not held with its levels.
 */
export function stopToCost(plan: RunPlan, s: RunSnapshot): Step {
  if (s.state !== 'IN_POSITION' || s.levels === null) return {};
  const { levels, moved } = stopAtCost(s.levels, plan.side);
  if (!moved) return {};
  return {
    patch: { levels },
    triggers: watchLevels(levels, plan.side),
    events: [{ userId: s.userId, strategyId: s.strategyId, runId: s.runId, at: s.now, type: 'stop_moved', why: 'cost', from: moved.from, to: moved.to, best: levels.trail?.best ?? levels.entry }],
  };
}

/**
 * The average price of everything sold so far, this attempt included: an exit that took several
 * attempts sold at several prices, and P&L needs their weighted average. What was sold before is
 * what the entry bought less what is held and what was left unsold (never sold, at no price).
 */
export function averageExitPrice(s: RunSnapshot, order: OrderView): number | null {
  if (order.fillPrice === null || order.filledQty === 0) return s.exitPrice;
  const bought = s.entry?.filledQty ?? s.positionQty;
  const soldBefore = qtyLeft(qtyLeft(bought, s.positionQty), s.unsoldQty);
  if (soldBefore === 0 || s.exitPrice === null) return order.fillPrice;
  return (s.exitPrice * soldBefore + order.fillPrice * order.filledQty) / qtySum([soldBefore, order.filledQty]);
}

/**
 * The time exit is due: it goes while a position is (or may soon be) held; before any entry, the
 * day's entry is missed; between legs, the run ends as its last leg ended, with no order.
 */
export function exitDue(plan: RunPlan, s: RunSnapshot, e: EventOf<'exit_due'>): Step {
  if (e.leg === 'SQUARE_OFF') return squareOffDue(s, e.scheduledAt);
  // EXITING too: an exit already in flight wins, and the journal records this one as suppressed.
  if (s.state === 'IN_POSITION' || s.state === 'BUYING' || s.state === 'EXITING') return { submit: [{ leg: e.leg, scheduledAt: e.scheduledAt }] };
  if (s.state === 'ARMED') return { move: { to: 'MISSED_BUY', patch: { reason: 'SELL time came before the BUY was placed' } } };
  // Between legs when the group's "exit all" steps it: it ends for that, not for the SELL time.
  if (s.state === 'WAITING_REENTRY') return endBetweenLegs(plan, s, s.exitAll !== null ? groupClosedWhy(s.exitAll) : 'the SELL time came first');
  return {};
}

/**
 * The square-off, the last moment a position of the run may stay open. A position held with no
 * exit at the broker is exited now: an open one (IN_POSITION) by a SQUARE_OFF; one whose last
 * attempt left shares held (EXITING, its next attempt waiting) by that attempt, made now as the
 * square-off (byTheSquareOff). An exit at the broker is left alone, one exit at a time: its answer
 * decides, and an attempt after it is made at once. An entry in flight: the exit waits for its
 * fill, as the SELL's does. An ERROR waits for the trader as it always does: the square-off sells
 * nothing from it (journalExit), only the trader's STOP does.
 */
function squareOffDue(s: RunSnapshot, scheduledAt: number): Step {
  if (s.state === 'IN_POSITION' || s.state === 'BUYING') return { submit: [{ leg: 'SQUARE_OFF', scheduledAt }] };
  const last = s.exit;
  if (s.state !== 'EXITING' || last === null || !FINAL_ORDER_STATUSES.has(last.status) || s.positionQty <= 0) return {};
  return { timers: [{ set: 'exit_retry', ...byTheSquareOff(s, s.now, asExitKind(last.leg)) }] };
}

/**
 * A crossing's aftermath. A stop or target (its exit already submitted at the tick): the event,
 * and the time exit cancelled while still ahead (a time exit already due races the exit instead,
 * and the loser is recorded), unless another leg may follow (legsMayFollow). A RATCHET (one the
 * market listener did not move at the tick itself): the levels as the price has moved them (the
 * trail's best, the stop tightened or moved to cost), kept and armed again, with a stop_moved
 * event when the stop moved. A crossing of another leg is stale.
 */
export function triggerCrossed(plan: RunPlan, s: RunSnapshot, e: EventOf<'trigger_crossed'>): Step {
  if (e.legNo !== s.legNo) return {};
  const scope = { userId: s.userId, strategyId: s.strategyId, runId: s.runId, at: e.at };
  if (e.kind === 'RATCHET') {
    // Levels matter only while the position is held: once its exit is under way, or the run is over, nothing moves.
    if (s.state !== 'IN_POSITION' || s.levels === null) return {};
    // The market listener moves armed levels at the tick itself (ratchetAt); this step is for a
    // RATCHET it held no levels for. An exit level that a later tick fired before this step (its
    // exit submitted, not journaled yet) is the index's to keep out (`moved`).
    const { levels, moved, triggers } = ratchetAt(s.levels, plan.side, e.price);
    return {
      ...(levels !== s.levels ? { patch: { levels } } : {}),
      triggers: { set: triggers, moved: true, ...(canMove(levels) ? { live: { side: plan.side, levels } } : {}) },
      ...(moved ? { events: [{ ...scope, type: 'stop_moved' as const, why: moved.why, from: moved.from, to: moved.to, best: levels.trail?.best ?? e.price }] } : {}),
    };
  }
  // A decision on a price the stream did not just give says so (a REST quote, or a last price that old).
  const stale = e.stale ? { priceSource: e.stale.source, silentForMs: e.stale.silentForMs } : {};
  const event =
    e.kind === 'TARGET'
      ? { ...scope, type: 'target_hit' as const, price: e.price, target: e.level, tickAt: e.tickAt, ...stale }
      : { ...scope, type: 'stop_loss_triggered' as const, price: e.price, stopLoss: e.level, tickAt: e.tickAt, trailing: e.kind === 'TRAIL_STOP', ...stale };
  // The time exit stays while another leg may follow: the next leg needs it.
  const cancel = s.sellAt > s.now && !legsMayFollow(plan, s.legNo);
  return { events: [event], ...(cancel ? { timers: [{ cancel: 'time_exit' as const }] } : {}) };
}
