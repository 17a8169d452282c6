/**
 * A run found unfinished at start, put back on its rails from what SQLite holds: its jobs (an
 * overdue one fires at once with its lateness, so the entry grace and the late time exit apply),
 * its stop, an exit attempt that was due, or the trader's STOP still to carry out (closing the
 * position, or leaving it open when the trader said to keep it).
 */
import { FINAL_ORDER_STATUSES } from '../types';
import { entryName } from './entry';
import { asExitKind, byTheSquareOff } from './exit';
import { planTriggers, pricedOnly, ratchet, resolveLevels, watchLevels } from './levels';
import { legsMayFollow, STOPPED_BETWEEN_LEGS } from './reentry';
import { LEFT_OPEN } from './stop';
import type { EventOf, RunPlan, RunSnapshot, Step } from './types';

export function recovered(plan: RunPlan, s: RunSnapshot, e: EventOf<'recovered'>): Step {
  const closeNow: Step = { submit: [{ leg: 'MANUAL_EXIT', scheduledAt: s.now }] };
  const last = s.exit;
  // The trader's STOP and keep is still to be carried out (no order of the run at the broker): the
  // position is left open and the run ends, as the STOP itself would have ended it.
  const keepNow = s.stopRequested && s.stopKeep && (s.state === 'IN_POSITION' || s.state === 'ERROR' || (s.state === 'EXITING' && last !== null && FINAL_ORDER_STATUSES.has(last.status)));
  if (keepNow) return { move: { to: 'STOPPED', patch: { reason: s.positionQty > 0 ? LEFT_OPEN(s.positionQty) : 'stopped by the trader' } } };
  switch (s.state) {
    case 'ARMED':
    case 'BUYING':
      // A position the group's "exit all" found unsent is not entered (the flag's transaction skips it; this is the belt),
      // nor one whose group's other positions were closed by it while its flag never landed (the entry would be closed at once by the MTM: a paid round trip).
      if (s.state === 'ARMED' && (s.exitAll !== null || e.groupClosed === true)) return { move: { to: 'SKIPPED', patch: { reason: `${entryName(plan.side)} skipped: the group had closed every position` } } };
      if (e.strategyRunning) return { timers: [{ set: 'jobs' }] };
      return s.state === 'ARMED' ? { move: { to: 'STOPPED', patch: { reason: 'stopped by the trader before the BUY' } } } : {};
    case 'IN_POSITION':
      if (s.stopRequested || !e.strategyRunning) return closeNow;
      // The group's "exit all" was journaled and this position's exit not yet (a crash between the flag and the exits): it goes now, once.
      if (s.exitAll !== null) return { submit: [{ leg: 'SELL', scheduledAt: s.now }] };
      // The levels are checked against the first tick that arrives; a time exit already past goes at once.
      return { ...resumeLevels(plan, s, e.bestSinceEntry), timers: [{ set: 'jobs' }] };
    case 'EXITING': {
      // An exit in flight is resolved by the reconciler. One that ended with shares still held,
      // its next attempt not yet made when the process stopped, is made now. While another leg may
      // follow, the jobs (lost with the process) are put back: the next leg's position needs its
      // time exit.
      const jobs = e.strategyRunning && legsMayFollow(plan, s.legNo) ? [{ set: 'jobs' as const }] : [];
      if (last && FINAL_ORDER_STATUSES.has(last.status) && s.positionQty > 0) return { timers: [{ set: 'exit_retry', ...byTheSquareOff(s, s.now, asExitKind(last.leg)) }, ...jobs] };
      return jobs.length > 0 ? { timers: jobs } : {};
    }
    case 'WAITING_REENTRY':
      // Flat between legs: the next leg's timer again (an overdue one fires at once, with its
      // lateness, so the grace and the cut-off apply) and the time exit; a STOP asked, or a
      // strategy no longer running, ends the run here.
      if (s.stopRequested || !e.strategyRunning) return STOPPED_BETWEEN_LEGS;
      return { timers: [{ set: 'reentry', at: s.reentryAt ?? s.now }, { set: 'jobs' }] };
    case 'ERROR':
      // An ERROR waits for the trader, unless the trader's STOP (its MANUAL_EXIT not yet journaled
      // when the process stopped) is still to be carried out.
      if (s.stopRequested && s.positionQty > 0 && (!last || (FINAL_ORDER_STATUSES.has(last.status) && last.leg !== 'MANUAL_EXIT'))) return closeNow;
      return {};
    default:
      return {};
  }
}

/**
 * The position's levels put back: as kept (runs.levels), the trail moved on to the best price
 * recorded since the entry if it is past the kept one (a move not yet written when the process
 * stopped is not lost: max(kept, bars)). A run from before levels were kept arms its plan's price
 * levels, or, with levels given as distances, resolves them from its entry price.
 */
function resumeLevels(plan: RunPlan, s: RunSnapshot, best: number | null): Step {
  const kept = s.levels ?? (pricedOnly(plan) || s.entryPrice === null ? null : resolveLevels(plan, s.entryPrice, null));
  if (!kept) return { triggers: { set: planTriggers(plan) } };
  const moved = best === null ? null : ratchet(kept, plan.side, best);
  const levels = moved ? moved.levels : kept;
  return { ...(levels !== s.levels ? { patch: { levels } } : {}), triggers: watchLevels(levels, plan.side) };
}
