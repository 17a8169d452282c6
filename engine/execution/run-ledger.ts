/**
 * The one way a run changes state: check the transition, write SQLite, mirror the runtime hash,
 * publish the event. Manager and execution engine both go through here, so the audit log, the
 * runtime store and the API see every change the same way.
 */
import type { Run, RunState } from '../core/types';
import type { RunPatch } from '../core/run-policy/types';
import { transition } from '../core/run-state';
import type { EngineContext } from '../context';
import { runtimeFields } from '../runtime/runtime-mapping';

/**
 * Moves `run` to `to` (throws IllegalTransitionError if not allowed) and returns the new row.
 * Synchronous on SQLite so it can sit inside a repos.transaction with the order journal.
 * Call `announceRun` after the transaction commits.
 */
export function writeRunState(ctx: EngineContext, run: Run, to: RunState, patch: RunPatch = {}): Run {
  transition(run.state, to);
  const now = ctx.clock.now();
  // A stop is the run's last action, with its time, unless the move records the order that ended
  // it (a manual exit filled, a BUY refused): else a stopped run would still read "Armed".
  const stamped: RunPatch = to === 'STOPPED' && patch.lastAction === undefined ? { lastAction: 'STOPPED', lastActionAt: now, ...patch } : patch;
  // Leaving the position: its levels as last moved at the tick (the market listener's, up to a
  // second ahead of runs.levels) are written with the move, and move no more. Released once the
  // row is written; should the transaction around it still roll back, the run's next RATCHET goes
  // to its step, which reads the run as SQLite has it and arms its levels live again.
  const leaving = run.state === 'IN_POSITION' && to !== 'IN_POSITION';
  const live = leaving && !('levels' in stamped) ? ctx.market.liveLevels(run.strategyId, run.legNo, run.positionNo) : null;
  const after = ctx.repos.runs.update(run.id, { ...(live ? { levels: live } : {}), ...stamped, state: to }, now);
  if (leaving) ctx.market.releaseLevels(run.strategyId, run.positionNo);
  return after;
}

/** Publishes the change and mirrors it into runtime:{id}. */
export function announceRun(ctx: EngineContext, before: Run, after: Run): void {
  if (before.state !== after.state) {
    ctx.bus.publish({
      type: 'run_state_changed',
      userId: after.userId,
      strategyId: after.strategyId,
      runId: after.id,
      from: before.state,
      to: after.state,
      reason: after.reason,
      at: ctx.clock.now(),
    });
  }
  mirrorRuntime(ctx, after);
}

/** Writes the run's live fields to its runtime hash (runtime:{strategyId}, or :{p} for its position); the store is a cache, so a failure is logged, not fatal. */
export function mirrorRuntime(ctx: EngineContext, run: Run): void {
  ctx.runtime
    .updateRuntime(run.strategyId, runtimeFields(run), run.positionNo)
    .catch((err: unknown) => ctx.logger.error({ err, strategyId: run.strategyId }, 'runtime store update failed'));
}

/** writeRunState + announceRun for changes that need no other write in the same transaction. */
export function moveRun(ctx: EngineContext, run: Run, to: RunState, patch: RunPatch = {}): Run {
  const after = writeRunState(ctx, run, to, patch);
  announceRun(ctx, run, after);
  return after;
}
