/**
 * Re-entry, at once ("RE-ASAP"): whether a leg's exit lets the run enter again the same day, the
 * next leg's entry when its timer fires, and how a run waiting between legs ends: as its last leg
 * ended (EXITED_BY_SL or EXITED_BY_TARGET), with the reason the next leg did not go.
 */
import { canTransition } from '../run-state';
import type { RunState } from '../types';
import { levelAlreadyReached } from './levels';
import type { EventOf, ExitKind, Leg, OrderView, RunPatch, RunPlan, RunSnapshot, Step } from './types';

/** The exits each `reentry_after` lets the run enter again after (a trailing stop is a stop-loss). */
const ALLOWED_AFTER: Readonly<Record<RunPlan['reentryAfter'], readonly ExitKind[]>> = {
  stop_loss: ['STOPLOSS', 'TRAIL_STOP', 'BACKSTOP'],
  target: ['TARGET', 'BACKSTOP_TARGET'],
  either: ['STOPLOSS', 'TRAIL_STOP', 'BACKSTOP', 'TARGET', 'BACKSTOP_TARGET'],
};

/**
 * Why no leg may be entered now, or null: the day's re-entries are used up, the cut-off (no
 * re-entry at or after it), the SELL time or the square-off has come.
 */
function closedReason(plan: RunPlan, s: RunSnapshot, legNo: number): string | null {
  if (legNo > plan.reentries) return `all ${plan.reentries} re-entries of the day are used`;
  if (s.reentryCutoffAt === null) return 'no re-entry cut-off is set for this run';
  if (s.now >= s.reentryCutoffAt) return 'the re-entry cut-off has passed';
  if (s.now >= s.sellAt) return 'the SELL time has come';
  if (s.squareOffAt !== null && s.now >= s.squareOffAt) return 'the square-off time has come';
  return null;
}

/**
 * Whether an exit of `leg` that empties leg `legNo`'s position lets the run enter again: it is one
 * `reentry_after` names and re-entries are left. (The rest is known only when that exit ends.)
 */
export function reentryMayFollow(plan: RunPlan, legNo: number, leg: Leg): boolean {
  return leg !== 'BUY' && ALLOWED_AFTER[plan.reentryAfter].includes(leg) && legNo < plan.reentries;
}

/**
 * Whether another leg may follow leg `legNo` at all. While one may, the run's time exit is kept
 * through the leg's exit (a crossing does not cancel it, recovery puts it back): which exit ends
 * the leg is known only when it fills (a target crossed first may lose to a stop crossed after),
 * and the next leg's position needs it.
 */
export function legsMayFollow(plan: RunPlan, legNo: number): boolean {
  return legNo < plan.reentries;
}

/**
 * Why a position of a group does not re-enter once the group's "exit all" is journaled (issue 19):
 * the group has closed every position, this one with them.
 */
export function groupClosedWhy(reason: NonNullable<RunSnapshot['exitAll']>): string {
  return `the group closed every position (exit all: ${reason})`;
}

/**
 * An exit `order` that emptied the position of leg `s.legNo`: the run waits for its next leg
 * (WAITING_REENTRY, due at once) instead of ending, when a re-entry may follow that exit
 * (reentryMayFollow), no STOP is pending, the group's "exit all" is not journaled (a stop's exit
 * at the broker when the MTM closed the group ends the position), and the cut-off, the SELL time
 * and the square-off are still ahead. Null: the run ends as the exit says. `ended`: the fields that final exit writes.
 */
export function reentryAfterExit(plan: RunPlan, s: RunSnapshot, order: OrderView, ended: RunPatch): Step | null {
  const leg = order.leg;
  if (ended.positionQty !== 0 || !reentryMayFollow(plan, s.legNo, leg) || s.stopRequested || s.exitAll !== null) return null;
  const next = s.legNo + 1;
  if (closedReason(plan, s, next) !== null || !canTransition(s.state, 'WAITING_REENTRY')) return null;
  return {
    move: { to: 'WAITING_REENTRY', patch: { ...ended, exitLeg: leg, levels: null, legNo: next, reentryAt: s.now } },
    events: [{ userId: s.userId, strategyId: s.strategyId, runId: s.runId, at: s.now, type: 'reentry_scheduled', legNo: next, of: plan.reentries, dueAt: s.now, after: leg }],
    triggers: { set: [] },
    timers: [{ set: 'reentry', at: s.now }],
  };
}

/** How a run waiting between legs ends: as its last leg ended, and that end in words. */
function lastLegEnd(s: RunSnapshot): { readonly to: RunState; readonly how: string } {
  if (s.exitLeg === 'TARGET') return { to: 'EXITED_BY_TARGET', how: 'at its target' };
  if (s.exitLeg === 'BACKSTOP_TARGET') return { to: 'EXITED_BY_TARGET', how: 'at its target, reached at the broker' };
  return { to: 'EXITED_BY_SL', how: s.exitLeg === 'TRAIL_STOP' ? 'by its trailing stop' : 'by its stop-loss' };
}

/** A Step that ends the run (its move is always there). */
export type Ending = Step & { readonly move: NonNullable<Step['move']> };

/** The run, waiting between legs, ends as its last leg ended: leg `s.legNo` is not entered, for `why`. */
export function endBetweenLegs(plan: RunPlan, s: RunSnapshot, why: string): Ending {
  const { to, how } = lastLegEnd(s);
  const reason = `re-entry ${s.legNo} of ${plan.reentries} not made: ${why}; the run ends as its last leg did, ${how}`;
  return {
    move: { to, patch: { reason, reentryAt: null, lastActionAt: s.now } },
    events: [{ userId: s.userId, strategyId: s.strategyId, runId: s.runId, at: s.now, type: 'reentry_skipped', legNo: s.legNo, reason: why }],
  };
}

/** The trader's STOP between legs: nothing is held and no order is at the broker, so the run stops. */
export const STOPPED_BETWEEN_LEGS: Ending = { move: { to: 'STOPPED', patch: { reason: 'stopped by the trader between legs', reentryAt: null } } };

/**
 * Whether the next leg may be journaled now (journal_entry from WAITING_REENTRY): null when it may,
 * else the step that ends the run instead (a STOP, the group's "exit all", the day's limits). Checked at the journal itself, so no entry is ever
 * written at or after the cut-off or past the day's re-entries, however late the entry was queued.
 */
export function reentryRefused(plan: RunPlan, s: RunSnapshot): Ending | null {
  if (s.stopRequested) return STOPPED_BETWEEN_LEGS;
  if (s.exitAll !== null) return endBetweenLegs(plan, s, groupClosedWhy(s.exitAll));
  const closed = s.legNo < 1 ? `leg ${s.legNo} is not a re-entry` : closedReason(plan, s, s.legNo);
  return closed === null ? null : endBetweenLegs(plan, s, closed);
}

/**
 * The next leg's entry is due: it goes, as the day's first entry would (its grace, a level given
 * as a price already reached), unless the run may no longer enter (reentryRefused).
 */
export function reentryDue(plan: RunPlan, s: RunSnapshot, e: EventOf<'reentry_due'>): Step {
  if (s.state !== 'WAITING_REENTRY') return {};
  const refused = reentryRefused(plan, s);
  if (refused) return refused;
  if (e.lateByMs > plan.buyGraceMs) {
    return endBetweenLegs(plan, s, `it was due at ${e.dueLabel} and the engine was ${Math.round(e.lateByMs / 1000)} s late (grace ${plan.buyGraceMs / 1000} s)`);
  }
  const reached = levelAlreadyReached(plan, e.lastPrice);
  if (reached) return endBetweenLegs(plan, s, `last price ${e.lastPrice} was already ${reached.where} the ${reached.name} ${reached.level}`);
  return { submit: [{ leg: 'BUY', scheduledAt: e.scheduledAt }] };
}
