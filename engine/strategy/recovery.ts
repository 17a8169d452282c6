/**
 * Rebuilds the engine's live state from SQLite at start: runtime keys, jobs and subscriptions for
 * every unfinished run and running strategy; orders in flight looked up at the broker before
 * anything is resent; a missed BUY beyond its grace is not chased; a position past its SELL time is
 * exited at once.
 */
import { isDayOver } from '../core/run-state';
import { exitOrder, positionOfRun } from '../core/run-policy/group';
import { instrumentKey, type Run, type Strategy, type StrategyIdentity } from '../core/types';
import { UnreadableStrategy } from '../../db/repos/strategies';
import { runInstrument } from '../execution/run-instrument';
import { runtimeFields, strategyFields } from '../runtime/runtime-mapping';
import type { EngineContext } from '../context';
import type { ExecutionEngine } from '../execution/execution-engine';
import type { TradingCalendar } from '../scheduler/trading-calendar';
import { nextRunAfter, planRun } from '../scheduler/trigger-times';
import type { StrategyManager } from './strategy-manager';

export interface RecoveryReport {
  readonly runsResumed: number;
  readonly runsArmed: number;
  readonly ordersToReconcile: number;
  /** Runtime keys of strategies SQLite does not run, removed. */
  readonly staleKeys: number;
  readonly failures: number;
}

export interface RecoverOptions {
  /**
   * What must hold before recovery acts: the daemon's proof that the vault key unseals the stored
   * broker credentials. SQLite is read meanwhile; no runtime key, job, subscription or order
   * comes before it resolves, so a start it refuses leaves every run as it found it.
   */
  readonly actAfter?: Promise<unknown>;
}

export async function recover(ctx: EngineContext, manager: StrategyManager, execution: ExecutionEngine, calendar: TradingCalendar, options: RecoverOptions = {}): Promise<RecoveryReport> {
  const { repos, clock, logger, runtime } = ctx;
  let runsResumed = 0;
  let runsArmed = 0;
  let failures = 0;
  const resumed = new Set<number>();
  const running = repos.strategies.listByStatusInternal('running');
  const runningById = new Map(running.map((s) => [s.id, s]));

  // A strategy whose stored spec does not parse is named, and arms nothing new; a run of it under
  // way still exits, by its own plan (below).
  for (const bad of repos.strategies.unreadableInternal('running')) {
    failures++;
    logger.error({ strategyId: bad.strategyId, reason: bad.reason }, bad.message);
  }
  const toResume: Array<{ run: Run; strategy: Strategy | StrategyIdentity }> = [];
  for (const run of repos.runs.listNonTerminalInternal()) {
    if (isDayOver(run)) continue;
    const strategy = runningById.get(run.strategyId) ?? readableOf(ctx, run);
    if (strategy) toResume.push({ run, strategy });
  }
  if (options.actAfter) {
    logger.info({ runs: toResume.length, strategies: running.length }, 'recovery read the unfinished runs from SQLite; it acts once the start checks have passed');
    await options.actAfter;
  }
  // Nothing here waits for the broker: a run is back on its rails (runtime keys, jobs, stop-loss)
  // from SQLite alone, so a broker out of reach at start (no network yet, a 5xx, its rate limit
  // used up by the process before) cannot cost an exit. The prices follow (manager.watch).
  for (const { run, strategy } of inExitOrder(toResume)) {
    // Whatever happens below, this is the run the strategy is on: it is never armed afresh beside it.
    resumed.add(strategy.id);
    try {
      // The runtime mirror is not what trades: a failure to write it must not keep the run off its rails.
      // The keys name where the run trades: a position's BUY, not a strategy row edited since (invariant 8).
      const at = runInstrument(repos, run, strategy);
      // A strategy whose spec cannot be read has no fields to mirror; its run is put back on its rails all the same.
      if ('spec' in strategy) {
        await runtime.arm(strategy.id, instrumentKey(at.exchange, at.symbol), strategyFields({ ...strategy, ...at }), runtimeFields(run), run.positionNo).catch((err: unknown) => {
          failures++;
          logger.error({ err, strategyId: strategy.id, runId: run.id }, 'recovery could not write the runtime keys of a run; resuming it all the same');
        });
      }
      // Back on its rails (the run policy's `recovered`): jobs, stop, a due exit attempt, a STOP to carry out.
      manager.stepAndApply(strategy, run, { type: 'recovered', strategyRunning: strategy.status === 'running', bestSinceEntry: bestSinceEntry(ctx, run), groupClosed: groupClosed(ctx, run) });
      runsResumed++;
    } catch (err) {
      failures++;
      logger.error({ err, strategyId: strategy.id, runId: run.id }, 'recovery of a run failed');
    }
  }
  // Every subscription is asked for in one synchronous pass, so that a broker may answer them all
  // with one request (Alpaca's asset list), and none is waited for.
  for (const { strategy } of toResume) void manager.watch(strategy);
  // The backstops resting at the brokers, looked up (issue 20): not waited for, as the prices are not.
  void execution.backstops.recover();

  for (const strategy of running) {
    if (resumed.has(strategy.id)) continue;
    try {
      const latest = repos.runs.latestInternal(strategy.id);
      const now = clock.now();
      if (latest && isDayOver(latest) && strategy.spec.repeat === 'once') {
        repos.strategies.setStatusInternal(strategy.id, 'completed', now);
        continue;
      }
      const plan = latest ? laterOf(planRun(now, strategy.spec, calendar), nextRunAfter(latest.tradingDate, strategy.spec, calendar)) : planRun(now, strategy.spec, calendar);
      await manager.arm(strategy, plan);
      runsArmed++;
    } catch (err) {
      failures++;
      logger.error({ err, strategyId: strategy.id }, 'recovery could not arm a strategy');
    }
  }

  // Keys that survived in a real Redis for strategies SQLite no longer runs: SQLite wins. Every
  // position's keys go, on whichever contract each was armed (strategy:{id} names one instrument).
  const live = new Set([...resumed, ...repos.strategies.listByStatusInternal('running').map((s) => s.id)]);
  let staleKeys = 0;
  for (const id of await runtime.armedStrategyIds()) {
    if (live.has(id as Strategy['id'])) continue;
    await runtime.purge(id);
    staleKeys++;
  }

  const ordersToReconcile = execution.reconciler.trackUnresolved();
  const report = { runsResumed, runsArmed, ordersToReconcile, staleKeys, failures };
  logger.info(report, 'recovery done');
  return report;
}

/**
 * The strategy of `run`; for one whose spec cannot be read, its identity alone when the run has
 * its own plan to trade by (undefined otherwise: such a run cannot be stepped, and is named).
 */
function readableOf(ctx: EngineContext, run: Run): Strategy | StrategyIdentity | undefined {
  try {
    return ctx.repos.strategies.getInternal(run.strategyId);
  } catch (err) {
    if (!(err instanceof UnreadableStrategy)) throw err;
    ctx.logger.error({ strategyId: run.strategyId, runId: run.id, reason: err.reason }, run.plan ? 'recovery resumes a run by its own plan: its strategy cannot be read' : `${err.message}; its run ${run.id} has no plan of its own and is not resumed`);
    return run.plan ? ctx.repos.strategies.identityInternal(run.strategyId) : undefined;
  }
}

/**
 * For a position whose stop trails or is still to move to cost: the best price recorded (1-minute
 * bars) since its entry filled (a long's highest, a short's lowest), so a move its levels missed
 * (the process ended between a tick and the write) is not lost. Only minutes that began at or
 * after the fill count: a minute's high from before it is a price the position never had. Null
 * for any other run (an EXITING one's levels no longer move), or when none is recorded.
 */
function bestSinceEntry(ctx: EngineContext, run: Run): number | null {
  const levels = run.levels;
  // Only a position still watched moves its levels (an exit under way is past them).
  if (!levels || (!levels.trail && levels.costAt === null) || run.state !== 'IN_POSITION') return null;
  const entry = ctx.repos.orders.findBySlotInternal(run.id, 'entry', run.legNo);
  if (!entry) return null;
  return ctx.repos.priceBars.extremeSinceInternal(entry.brokerAccountId, entry.exchange, entry.symbol, entry.filledAt ?? entry.updatedAt, entry.side === 'buy' ? 'high' : 'low');
}

/**
 * For a position not yet entered (ARMED) of a group: whether another position of the day's group
 * ended by the group's exit (its time exit, SELL, filled before this one entered, or the "exit
 * all" flag on it). An exit-all whose flag never landed (storage failing, then the process ended)
 * leaves only that trace, and the entry would be closed at once by the MTM: a paid round trip.
 */
function groupClosed(ctx: EngineContext, run: Run): boolean {
  if (run.state !== 'ARMED' || run.plan?.position_no === undefined) return false;
  return ctx.repos.runs.groupInternal(run.strategyId, run.tradingDate).some((r) => r.id !== run.id && (r.exitAll !== null || r.exitLeg === 'SELL'));
}

function laterOf(a: ReturnType<typeof planRun>, b: ReturnType<typeof planRun>) {
  return a.buyAt >= b.buyAt ? a : b;
}

/**
 * The runs to resume, each day's group in its exit order (shorts bought back before longs are
 * sold), every group where its first run was: a `recovered` step may send an exit at once (the
 * group's exit-all flag found at start, a STOP to carry out), and exits go out in the order their
 * runs are stepped. By run id, a hedge listed first was sold before the short it covers was bought
 * back (found by the crash soak's hedged straddle).
 */
function inExitOrder<T extends { readonly run: Run }>(items: readonly T[]): T[] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = `${item.run.strategyId}/${item.run.tradingDate}`;
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  return [...groups.values()].flatMap((group) => {
    const byNo = new Map(group.map((item) => [item.run.positionNo, item]));
    return exitOrder(group.map((item) => positionOfRun(item.run))).map((p) => byNo.get(p)!);
  });
}
