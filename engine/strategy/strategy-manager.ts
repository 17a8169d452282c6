/**
 * Starts and stops strategies: arms a run for the next BUY (a group of runs, one per position, for
 * a strategy with `positions`, run by the group policy: core/run-policy/group.ts; the group's MTM,
 * exit-all and stops to cost: group-exits.ts), writes the
 * runtime keys, registers the BUY and SELL jobs (and the square-off's, when the run has one),
 * subscribes the symbol; turns the day over for daily strategies; and on STOP never leaves a
 * position silently behind.
 */
import type { TimerHandle } from '../core/clock';
import type { BrokerAccountId, RunId, StrategyId, UserId } from '../core/ids';
import { instrumentKey, type Run, type Strategy, type StrategyIdentity } from '../core/types';
import { conflict, DomainError, notFound } from '../core/errors';
import { isDayOver, isTerminal } from '../core/run-state';
import type { EngineContext } from '../context';
import type { ExecutionEngine } from '../execution/execution-engine';
import { awaitsContract, runInstrument, watchedInstrument } from '../execution/run-instrument';
import { moveRun } from '../execution/run-ledger';
import { chooseContracts, lastOrQuoted, premiumLevelOf, type ContractChoice } from './option-contract';
import { applyStep, stepRun, type StepMechanics } from '../execution/apply-step';
import { entryNameOfRun } from '../core/run-policy/entry';
import { crossingExit } from '../core/run-policy/exit';
import { exitOrder, groupRulesOf, nextEntry, positionOfRun } from '../core/run-policy/group';
import { GroupExits } from './group-exits';
import { runPlanOf, runPlanOfPosition } from '../core/run-plan-spec';
import type { OrderWhere, RunEvent } from '../core/run-policy/types';
import type { StrategyLocks } from './strategy-locks';
import { runtimeFields, strategyFields } from '../runtime/runtime-mapping';
import { DateTime } from 'luxon';
import type { JobScheduler, FireInfo } from '../scheduler/job-timer';
import type { TradingCalendar } from '../scheduler/trading-calendar';
import { nextRunAfter, planRun, type PlannedRun } from '../scheduler/trigger-times';
import type { Crossing } from '../market/market-listener';
import { UnreadableStrategy } from '../../db/repos/strategies';

/** One try at subscribing a strategy's prices; `retry` once it failed and the next is scheduled. */
interface WatchAttempt {
  retry?: TimerHandle;
}

interface RunJobs {
  /**
   * The runs of the day's group the jobs are for, by position (a strategy without `positions`: its
   * one run). A crossing reads its run here, not from SQLite (the tick's path).
   */
  readonly runIds: readonly RunId[];
  readonly buy: TimerHandle;
  readonly sell: TimerHandle;
  /** The square-off (run.squareOffAt); null when the run has none. Not cancelled by a crossing, as the SELL is. */
  readonly squareOff: TimerHandle | null;
  readonly warmups: readonly TimerHandle[];
}

/**
 * How long before a trigger the broker connection is warmed. Warm-ups (and login checks, below)
 * fall half a second off the whole seconds that BUY and SELL times fall on (times of day have no
 * fractions). With a lead of whole seconds, another strategy's warm-up ran in the same instant as
 * a BUY: its request went out first, took the kept-alive connection, and its reply was read
 * before the BUY's journal commit; the BUY went out 0.5–2 ms later, every time (bench, 2026-11-25).
 */
export const WARM_UP_LEAD_MS = 2_500;

/** Warm-ups of one broker account closer together than this are one warm-up. */
export const WARM_UP_SHARED_MS = 1_000;

/**
 * How long before a run's BUY a daily-login broker (Kite) is asked whether its session will
 * carry the run: early enough for the trader to log in, late enough that the day's login exists.
 * Half a second off the whole seconds, as the warm-ups.
 */
export const LOGIN_CHECK_LEAD_MS = 30 * 60_000 - 500;

/** The run holds (or may still hold) shares: a position in it, or an exit of it under way. */
function holdsPosition(run: Run): boolean {
  return !isDayOver(run) && run.positionQty > 0 && (run.state === 'IN_POSITION' || run.state === 'EXITING' || run.state === 'ERROR');
}

/** Waits between tries to subscribe a strategy's prices while the broker cannot be had; the last repeats. */
export const SUBSCRIBE_RETRY_MS = [1_000, 2_000, 5_000, 10_000, 30_000] as const;

export interface StopOptions {
  /**
   * What happens to an open position: true (default) sells it at market at once; false leaves it
   * open on purpose, recorded on the run and in the audit log.
   */
  readonly closePosition?: boolean;
}

export class StrategyManager {
  private readonly jobs = new Map<StrategyId, RunJobs>();
  /**
   * Kept with the jobs, and cancelled with them: each run has at most one leg waiting, and each
   * position of a group is its own run, so two positions may wait at once (by strategy, then run).
   */
  private readonly reentries = new Map<StrategyId, Map<RunId, TimerHandle>>();
  /** Day turnovers still running; stop() waits for them. */
  private readonly tasks = new Set<Promise<void>>();
  /** Subscriptions being made, or waiting to be tried again (the broker could not be had), per strategy. */
  private readonly watches = new Map<StrategyId, WatchAttempt>();
  private closed = false;
  /** When each user last pressed the kill switch: a START under way then is refused. */
  private readonly killedAt = new Map<UserId, number>();
  /** When each broker account was last warmed up. */
  private readonly warmedAt = new Map<BrokerAccountId, number>();
  /**
   * The trading date whose group (several positions) last ended, per strategy: two of its runs
   * ending in one commit (two fills in one batch of broker answers) publish two ends that each
   * read the whole group over, and only the first may arm the next day or wind the strategy down.
   */
  private readonly groupEnded = new Map<StrategyId, string>();
  /** The contracts of a day's group (keyed by its first run) being chosen: the warm-up's and the BUY's share one choice. */
  private readonly choosing = new Map<RunId, Promise<ContractChoice[]>>();
  /** The group's combined MTM, its "exit all" and stops to cost. */
  private readonly groupExits: GroupExits;

  constructor(
    private readonly ctx: EngineContext,
    private readonly execution: ExecutionEngine,
    private readonly scheduler: JobScheduler,
    private readonly calendar: TradingCalendar,
    private readonly locks: StrategyLocks,
  ) {
    ctx.bus.on('run_state_changed', (e) => {
      // Only a terminal state or ERROR can end the day: the other changes (most of them) read nothing.
      if (!isTerminal(e.to) && e.to !== 'ERROR') return;
      const run = ctx.repos.runs.getInternal(e.runId);
      if (run && run.state === e.to && isDayOver(run)) this.track(this.finishRun(e.strategyId, e.runId));
    });
    ctx.bus.on('run_state_changed', (e) => {
      // A position's entry answered (BUYING left), or one ended unsent: the group's next entry, or its unwind.
      if (e.from !== 'BUYING' && !(e.from === 'ARMED' && e.to !== 'BUYING')) return;
      const run = ctx.repos.runs.getInternal(e.runId);
      if (run?.plan?.position_no !== undefined && ctx.clock.now() >= run.buyAt) this.track(Promise.resolve().then(() => this.afterEntry(run)));
    });
    ctx.market.setCrossingHandler((hit) => this.onCrossing(hit));
    this.groupExits = new GroupExits({
      ctx,
      step: (run, event) => {
        const owner = this.ownerOf(run);
        if (!owner) throw new Error(`run ${run.id} has no plan and its strategy is gone`);
        return this.stepAndApply(owner, run, event);
      },
      later: (task) => this.track(Promise.resolve().then(task)),
    });
    // An exit's fill, stepped by the execution engine, may leave the run waiting for its next leg.
    execution.setReentryHandler((run, at) => this.scheduleReentry(run, at));
  }

  /**
   * Arms the strategy for its next BUY (today if the BUY time is still ahead, else the next trading
   * day). One at a time with the strategy's edit, stop and delete (StrategyLocks), so what is
   * armed is the strategy as it was read here.
   */
  start(userId: UserId, strategyId: StrategyId): Promise<{ strategy: Strategy; run: Run }> {
    return this.locks.run(strategyId, () => this.startNow(userId, strategyId));
  }

  private async startNow(userId: UserId, strategyId: StrategyId): Promise<{ strategy: Strategy; run: Run }> {
    const strategy = this.ctx.repos.strategies.get(userId, strategyId);
    if (!strategy) throw notFound('strategy');
    if (strategy.status === 'running') throw conflict('strategy is already running');
    const latest = this.ctx.repos.runs.latestGroupInternal(strategyId).find((r) => !isDayOver(r));
    if (latest) {
      throw conflict(`the last run is still ${latest.state}: wait for its order to settle before starting again`);
    }
    const began = this.ctx.clock.now();
    // Fails before anything is written if the broker is unreachable or no longer knows the symbol
    // (an option's: its index, whose price its strike is chosen from).
    const at = watchedInstrument(this.ctx.repos, undefined, strategy);
    await this.ctx.instruments.require(strategy.brokerAccountId, at.symbol, at.exchange);
    if ((this.killedAt.get(userId) ?? -Infinity) >= began) throw conflict('the kill switch was pressed while this strategy was starting: not started');
    const run = await this.arm(strategy, planRun(this.ctx.clock.now(), strategy.spec, this.calendar));
    const running = this.ctx.repos.strategies.setStatusInternal(strategyId, 'running', this.ctx.clock.now())!;
    return { strategy: running, run };
  }

  /** Stops the strategy. An open position is sold at once unless `closePosition: false` says otherwise. */
  stop(userId: UserId, strategyId: StrategyId, opts: StopOptions = {}): Promise<{ strategy: StrategyIdentity; run: Run | null }> {
    return this.locks.run(strategyId, () => this.stopNow(userId, strategyId, opts));
  }

  /** Reads only the strategy's identity: one whose stored spec cannot be read still stops, its run exiting by its own plan. */
  private async stopNow(userId: UserId, strategyId: StrategyId, opts: StopOptions): Promise<{ strategy: StrategyIdentity; run: Run | null }> {
    const { repos, clock, bus } = this.ctx;
    const strategy = repos.strategies.identity(userId, strategyId);
    if (!strategy) throw notFound('strategy');
    // Every position of the last day, shorts first (exitOrder): a short alone has no bound to its loss.
    const group = inExitOrder(repos.runs.latestGroupInternal(strategyId));
    const run = group.find((r) => r.positionNo === 0) ?? group[0];
    if (strategy.status !== 'running') {
      // Stopped already, but a position is still held (an exit refused for good, or still being
      // tried): STOP sells it (one more attempt), or with close_position false leaves it open on
      // purpose and ends the run, so the strategy can be edited and started again.
      const held = group.filter(holdsPosition);
      if (held.length > 0) return { strategy, run: this.stopRuns(strategy, held, opts.closePosition ?? true) };
      throw conflict('strategy is not running');
    }
    const stopped = repos.strategies.setStatusIdentityInternal(strategyId, 'stopped', clock.now())!;
    this.cancelJobs(strategyId);
    bus.publish({ type: 'strategy_stopped', userId, strategyId, reason: 'stopped by the trader', at: clock.now() });
    const open = group.filter((r) => !isDayOver(r));
    if (open.length === 0) {
      await this.teardown(stopped);
      return { strategy: stopped, run: run ?? null };
    }
    return { strategy: stopped, run: this.stopRuns(stopped, open, opts.closePosition ?? true) };
  }

  /**
   * The kill switch: stops every running strategy of the user, and every stopped one still holding
   * a position, and, unless told otherwise, sells every open position at market. All at once: one
   * strategy waiting for its lock holds up no other's exit. A START under way when it is pressed
   * (asking the broker for its instrument) is refused when it resumes. Returns the ids it stopped.
   */
  async stopAll(userId: UserId, opts: { closePositions?: boolean } = {}): Promise<StrategyId[]> {
    const { repos, logger, clock } = this.ctx;
    this.killedAt.set(userId, clock.now());
    // A strategy whose spec cannot be read is stopped too: STOP needs only its identity.
    const todo = [...repos.strategies.list(userId), ...repos.strategies.damaged(userId)].filter((s) => {
      if (s.status === 'running') return true;
      return repos.runs.latestGroupInternal(s.id).some(holdsPosition);
    });
    const stopped: StrategyId[] = [];
    const failed: string[] = [];
    // One strategy that cannot be stopped must not keep the others running.
    await Promise.all(
      todo.map(async (s) => {
        try {
          await this.stop(userId, s.id, { closePosition: opts.closePositions ?? true });
          stopped.push(s.id);
        } catch (err) {
          logger.error({ err, strategyId: s.id }, 'kill switch could not stop a strategy');
          failed.push(`${s.symbol} (#${s.id}): ${err instanceof Error ? err.message : String(err)}`);
        }
      }),
    );
    if (failed.length > 0) throw new DomainError('internal', `stopped ${stopped.length} of ${todo.length} strategies; not stopped: ${failed.join('; ')}`);
    return stopped;
  }

  /**
   * The trader's STOP of the runs of a day (the run policy's stop_requested), in the order given,
   * one failing not keeping the next from its exit. Returns position 0's run as it now stands (the
   * first given when it is not among them).
   */
  private stopRuns(strategy: StrategyIdentity, runs: readonly Run[], closePosition: boolean): Run {
    let failure: unknown = null;
    // A group's STOP is journaled on every run it stops in one transaction first: a crash between
    // two positions' steps then finds the STOP, and which one (close or keep), on each of them.
    const flagged = runs.length < 2 ? runs : this.ctx.repos.transaction(() => runs.map((r) => this.ctx.repos.runs.update(r.id, { stopRequested: true, stopKeep: !closePosition }, this.ctx.clock.now())));
    const after = flagged.map((run) => {
      try {
        return this.stepAndApply(strategy, run, { type: 'stop_requested', closePosition });
      } catch (err) {
        failure ??= err;
        return run;
      }
    });
    if (failure !== null) throw failure;
    return after.find((r) => r.positionNo === 0) ?? after[0]!;
  }

  /**
   * Steps `event` for `run` and carries the Step out: its run change, events, and the exits it
   * submits, the stop it arms, the jobs it cancels. Returns the run as it now stands.
   */
  stepAndApply(strategy: Strategy | StrategyIdentity, run: Run, event: RunEvent): Run {
    const s = stepRun(this.ctx, run, event, false, 'spec' in strategy ? strategy : undefined);
    if (!s) throw new Error(`run ${run.id} has no plan and its strategy is gone`);
    return applyStep(this.ctx, run, s, this.mechanics(strategy, run));
  }

  /**
   * Whom `run` belongs to, for carrying out its steps: with a plan the run needs only the
   * strategy's identity, so a strategy whose spec cannot be read still exits its position.
   */
  private ownerOf(run: Run): StrategyIdentity | undefined {
    return run.plan ? this.ctx.repos.strategies.identityInternal(run.strategyId) : this.ctx.repos.strategies.getInternal(run.strategyId);
  }

  /** How a Step's follow-ups are carried out for `run`. */
  private mechanics(strategy: StrategyIdentity, run: Run): StepMechanics {
    return {
      submit: (leg, scheduledAt) => this.execution.submit({ strategyId: run.strategyId, runId: run.id, leg, legNo: run.legNo, scheduledAt }),
      where: () => runInstrument(this.ctx.repos, run, strategy),
      timer: (t) => {
        if ('cancel' in t) {
          // Only the jobs of this run: a later run of the strategy keeps its own. A group's SELL
          // job is every position's time exit: one position's stop or target leaves it for the others.
          const jobs = this.jobs.get(run.strategyId);
          if (jobs?.runIds.length === 1 && jobs.runIds[0] === run.id) jobs.sell.cancel();
        } else if (t.set === 'jobs') this.scheduleGroupOf(run);
        else if (t.set === 'exit_retry') this.execution.retryExit(run, t.leg, t.at);
        else this.scheduleReentry(run, t.at);
      },
    };
  }

  /** Engine shutdown: no subscription is tried, or tried again, from now on. */
  close(): void {
    this.closed = true;
    this.groupExits.close();
    for (const id of [...this.watches.keys()]) this.dropWatch(id);
  }

  /** Forgets a strategy's subscription attempt, with its retry if one is waiting: an attempt under way then ends without subscribing. */
  private dropWatch(strategyId: StrategyId): void {
    this.watches.get(strategyId)?.retry?.cancel();
    this.watches.delete(strategyId);
  }

  /** Resolves when every day turnover in progress has finished (engine shutdown). */
  async settle(): Promise<void> {
    while (this.tasks.size > 0) await Promise.all(this.tasks);
  }

  private track(task: Promise<void>): void {
    this.tasks.add(task);
    void task.finally(() => this.tasks.delete(task));
  }

  /** Re-checks every pending trigger against the wall clock now (after a resume from sleep). */
  recheckTriggers(): void {
    this.scheduler.recheckNow();
  }

  /**
   * Creates (or re-arms) the day's run, or group of runs, and sets its jobs, runtime keys and
   * price subscription; returns position 0's run. Nothing here waits for the broker: a day's
   * turnover while the broker is out of reach still arms the next day (`watch` subscribes once it
   * is back).
   */
  async arm(strategy: Strategy, plan: PlannedRun): Promise<Run> {
    const { clock, runtime, bus } = this.ctx;
    const now = clock.now();
    const group = this.groupFor(strategy, plan, now);
    const run = group[0]!;
    // The day armed again (a START after the day's runs never placed an order) may end again.
    if (this.groupEnded.get(strategy.id) === plan.tradingDate) this.groupEnded.delete(strategy.id);
    for (const r of group) await runtime.arm(strategy.id, instrumentKey(strategy.exchange, strategy.symbol), strategyFields(strategy), runtimeFields(r), r.positionNo);
    void this.watch(strategy);
    this.schedule(group);
    bus.publish({ type: 'strategy_armed', userId: strategy.userId, strategyId: strategy.id, runId: run.id, tradingDate: run.tradingDate, buyAt: run.buyAt, sellAt: run.sellAt, at: now });
    return run;
  }

  /**
   * Subscribes the strategy's prices as soon as the broker and the instrument can be had; resolves
   * once subscribed or once a retry is scheduled. The jobs and the stop-loss index never wait for
   * it: a broker out of reach at a restart (no network yet, a 5xx, its rate limit used up by the
   * process before) delays the first tick, never the SELL, and the stop-loss is checked against
   * the first tick that arrives. Tries again, with backoff, while the strategy has a run that is
   * not over, and tells the trader when its first try fails. A try that a teardown, a newer try
   * or the engine's shutdown has superseded ends without subscribing.
   */
  async watch(strategy: StrategyIdentity, failures = 0): Promise<void> {
    const { brokers, instruments, market, logger, bus, clock, repos } = this.ctx;
    if (this.closed) return;
    // Here, not at the jobs (schedule): recovery asks once every run of the group is back on its
    // rails, so no later `recovered` step arms a position's stop again from before its move to cost.
    if (failures === 0) this.catchUpStopsToCost(strategy.id);
    this.dropWatch(strategy.id);
    const attempt: WatchAttempt = {};
    this.watches.set(strategy.id, attempt);
    // Torn down (stopped, its day over) or asked again while the broker was being asked.
    const superseded = () => this.watches.get(strategy.id) !== attempt;
    // A position is watched where it was bought (invariant 8); an armed run, where it will buy. Each
    // position of a group by itself (its contract, under its number), while its day is not over.
    const group = repos.runs.latestGroupInternal(strategy.id);
    const runs = group.length > 1 ? group.filter((r) => !isDayOver(r)) : [group[0]];
    const wanted = runs.map((run) => ({ positionNo: run?.positionNo ?? 0, at: watchedInstrument(repos, run, strategy) }));
    try {
      // One after the other: a strategy without positions subscribes in as few turns as it always did (tests and START read it at once).
      const found = [];
      for (const { positionNo, at } of wanted) found.push({ positionNo, at, instrument: await instruments.require(at.brokerAccountId, at.symbol, at.exchange), broker: await brokers.get(at.brokerAccountId) });
      if (superseded()) return;
      this.watches.delete(strategy.id);
      // A position whose day ended while the broker was asked is not watched again (finishRun unwatched it).
      const over = group.length > 1 ? new Set(repos.runs.latestGroupInternal(strategy.id).filter(isDayOver).map((r) => r.positionNo)) : new Set<number>();
      for (const f of found) if (!over.has(f.positionNo)) market.watch(f.at.brokerAccountId, f.broker, f.instrument, strategy.id, f.positionNo);
    } catch (err) {
      if (superseded()) return;
      const run = repos.runs.latestGroupInternal(strategy.id).find((r) => !isDayOver(r));
      if (!run) return;
      const delayMs = SUBSCRIBE_RETRY_MS[Math.min(failures, SUBSCRIBE_RETRY_MS.length - 1)]!;
      const reason = err instanceof Error ? err.message : String(err);
      const where = [...new Set(wanted.map(({ at }) => `${at.symbol} on ${at.exchange}`))].join(', ');
      logger.warn({ err, strategyId: strategy.id, failures, delayMs }, 'prices not subscribed: the broker or the instrument cannot be had yet; will retry');
      if (failures === 0) {
        bus.publish({
          type: 'prices_not_subscribed',
          userId: strategy.userId,
          strategyId: strategy.id,
          runId: run.id,
          reason: `${where}: ${reason}. The stop-loss is checked against the first price that arrives; Tradeclock keeps trying`,
          at: clock.now(),
        });
      }
      attempt.retry = this.scheduler.at(clock.now() + delayMs, () => void this.watch(strategy, failures + 1));
    }
  }

  /**
   * The jobs of `run`'s day's group, asked for by one run of it (recovery's `recovered` step of
   * each): set by the first, left as they are for the others.
   */
  private scheduleGroupOf(run: Run): void {
    const group = this.ctx.repos.runs.groupInternal(run.strategyId, run.tradingDate);
    const jobs = this.jobs.get(run.strategyId);
    if (jobs && jobs.runIds.length === group.length && group.every((r, i) => jobs.runIds[i] === r.id)) return;
    this.schedule(group);
  }

  /**
   * Registers the BUY, SELL and square-off jobs of one day's group of runs, by position (one run
   * without `positions`), replacing any earlier ones of the strategy; a re-entry waiting of any of
   * the group's runs is kept: recovery sets it and the jobs in either order. The times are the group's, shared by
   * every position's plan; the jobs carry them out for position 0's run.
   */
  schedule(group: readonly Run[]): void {
    const run = group[0]!;
    this.cancelJobs(run.strategyId, group.map((r) => r.id));
    const now = this.ctx.clock.now();
    const warm = (leg: 'BUY' | 'SELL', at: number) => this.scheduler.at(at - WARM_UP_LEAD_MS, () => this.warm(run, leg, at));
    this.jobs.set(run.strategyId, {
      runIds: group.map((r) => r.id),
      buy: this.scheduler.at(run.buyAt, (info) => this.onBuyDue(run.id, info)),
      sell: this.scheduler.at(run.sellAt, (info) => this.onExitDue(run.id, 'SELL', info)),
      squareOff: run.squareOffAt === null ? null : this.scheduler.at(run.squareOffAt, (info) => this.onExitDue(run.id, 'SQUARE_OFF', info)),
      warmups: [
        ...(
          [
            ['BUY', run.buyAt],
            ['SELL', run.sellAt],
          ] as const
        )
          .filter(([, at]) => at - WARM_UP_LEAD_MS > now)
          .map(([leg, at]) => warm(leg, at)),
        this.scheduler.at(Math.max(now, run.buyAt - LOGIN_CHECK_LEAD_MS), () => void this.checkLogin(run.id)),
      ],
    });
    // A group recovered holding positions has its MTM checked from the first tick.
    if (group.length > 1) this.groupExits.watch(run.strategyId);
  }

  /** A stop-out whose stops to cost a crash lost (group-exits.ts catchUpStopsToCost): a failure is logged, the prices are subscribed all the same. */
  private catchUpStopsToCost(strategyId: StrategyId): void {
    try {
      this.groupExits.catchUpStopsToCost(strategyId);
    } catch (err) {
      this.ctx.logger.error({ err, strategyId }, 'the stops to cost of the group could not be caught up');
    }
  }

  /**
   * The next leg of a run waiting between legs is due at `at` (at once when already past, with its
   * lateness): its reentry_due is stepped then. One per run (each position of a group its own),
   * replacing an earlier one of that run. The leg to
   * come needs the day's time exit, so the run's SELL job is registered again: the policy keeps it
   * at a crossing that may be followed by a re-entry, but another crossing of the same leg (a
   * target reached while the stop's exit was in flight) may have cancelled it.
   */
  scheduleReentry(run: Run, at: number): void {
    if (this.closed) return;
    let waiting = this.reentries.get(run.strategyId);
    if (!waiting) this.reentries.set(run.strategyId, (waiting = new Map()));
    waiting.get(run.id)?.cancel();
    waiting.set(run.id, this.scheduler.at(at, (info) => this.onReentryDue(run.id, info)));
    const jobs = this.jobs.get(run.strategyId);
    if (jobs?.runIds[0] === run.id) {
      jobs.sell.cancel();
      this.jobs.set(run.strategyId, { ...jobs, sell: this.scheduler.at(run.sellAt, (info) => this.onExitDue(run.id, 'SELL', info)) });
    }
  }

  /** Warns the trader while there is still time when the broker's login will not carry this run. */
  private async checkLogin(runId: RunId): Promise<void> {
    const { repos, brokers, bus, clock, logger } = this.ctx;
    const run = repos.runs.getInternal(runId);
    try {
      const strategy = run && repos.strategies.getInternal(run.strategyId);
      if (!run || !strategy || isDayOver(run)) return;
      const login = (await brokers.get(strategy.brokerAccountId)).login;
      if (!login) return;
      const session = await login.check();
      const lastOrderAt = run.sellAt;
      const runsOut = session.expiresAt !== null && session.expiresAt < lastOrderAt;
      if (session.state === 'valid' && !runsOut) return;
      const firstOrderAt = run.state === 'ARMED' ? run.buyAt : run.sellAt;
      const when = DateTime.fromMillis(firstOrderAt, { zone: strategy.spec.timezone }).toFormat('HH:mm:ss');
      bus.publish({
        type: 'broker_login_required',
        userId: strategy.userId,
        brokerAccountId: strategy.brokerAccountId,
        strategyId: strategy.id,
        state: session.state,
        firstOrderAt,
        message: runsOut && session.state === 'valid'
          ? `the broker login runs out before this run's SELL: log in again before ${when}`
          : `${session.message} ${strategy.symbol} places its next order at ${when}.`,
        at: clock.now(),
      });
    } catch (err) {
      logger.warn({ err, strategyId: run?.strategyId }, 'broker login check failed');
    }
  }

  /**
   * Best effort: a failed warm-up only means the order pays for the connection itself. One
   * warm-up per broker account serves every trigger around the same instant: 10 000 strategies
   * buying at 09:30:00 must not send 10 000 warm-up requests at 09:29:57.5. It also rehearses the
   * order's journal step (ExecutionEngine.rehearse: rolled back, nothing written).
   */
  private warm(run: Run, leg: 'BUY' | 'SELL', dueAt: number): void {
    const strategy = this.ownerOf(run);
    if (!strategy) return;
    // An option's contract is chosen now, a few seconds ahead, and its prices subscribed before the BUY.
    if (leg === 'BUY') this.track(this.chooseAhead(run, strategy));
    this.execution.rehearse({ strategyId: run.strategyId, runId: run.id, leg, legNo: run.legNo, scheduledAt: dueAt });
    const now = this.ctx.clock.now();
    const last = this.warmedAt.get(strategy.brokerAccountId);
    if (last !== undefined && Math.abs(now - last) < WARM_UP_SHARED_MS) return;
    this.warmedAt.set(strategy.brokerAccountId, now);
    void this.ctx.brokers
      .get(strategy.brokerAccountId)
      .then((b) => b.execution.warm?.())
      .catch((err: unknown) => this.ctx.logger.warn({ err, strategyId: run.strategyId }, 'broker warm-up failed'));
  }

  /**
   * The day's group of runs, by position, in one transaction: one run without `positions`, one per
   * position with (each its position's plan, runPlanOfPosition); each new, or a run of the same
   * date that never placed an order, re-armed. Any position of the day that placed its entry
   * refuses the lot, and so does a day armed with more positions than the strategy now has:
   * nothing is written.
   */
  private groupFor(strategy: Strategy, plan: PlannedRun, now: number): Run[] {
    const { repos } = this.ctx;
    const positions = strategy.spec.positions?.length ?? 0;
    // The run's own copy of what it trades by: an edit of the strategy from now on is the next run's.
    const plans = positions === 0 ? [runPlanOf(strategy.spec)] : Array.from({ length: positions }, (_, p) => runPlanOfPosition(strategy.spec, p));
    return repos.transaction(() => {
      const day = repos.runs.groupInternal(strategy.id, plan.tradingDate);
      for (const existing of day) {
        if (!repos.orders.findBySlotInternal(existing.id, 'entry')) continue;
        const which = day.length > 1 || existing.positionNo > 0 ? ` (position ${existing.positionNo + 1})` : '';
        throw conflict(`today's run${which} (${plan.tradingDate}) already placed its BUY; one BUY per strategy per day`);
      }
      // An edit since that day's runs were armed left fewer positions: the run of a position the
      // strategy no longer has would stay in the day's group, read by its entries as failed.
      if (day.length > plans.length) {
        throw conflict(`today's runs (${plan.tradingDate}) were armed with ${day.length} positions and the strategy now has ${plans.length === 1 ? 'one' : plans.length}: it can start from the next trading day`);
      }
      return plans.map((runPlan, positionNo) => {
        const existing = day.find((r) => r.positionNo === positionNo);
        const fields = { plan: runPlan, state: 'ARMED' as const, buyAt: plan.buyAt, sellAt: plan.sellAt, reentryCutoffAt: plan.reentryCutoffAt, squareOffAt: plan.squareOffAt, reentryAt: null, legNo: 0, levels: null, reason: null, stopRequested: false, stopKeep: false, positionQty: 0, entryPrice: null, exitPrice: null, exitLeg: null, lastAction: 'ARMED', lastActionAt: now };
        if (!existing) return repos.runs.create({ strategyId: strategy.id, userId: strategy.userId, tradingDate: plan.tradingDate, positionNo, ...fields }, now);
        return repos.runs.update(existing.id, fields, now);
      });
    });
  }

  private onBuyDue(runId: RunId, info: FireInfo): void {
    const { repos } = this.ctx;
    const run = repos.runs.getInternal(runId);
    const strategy = run && this.readable(run);
    if (!run || !strategy) return;
    const group = run.plan?.position_no === undefined ? [run] : repos.runs.groupInternal(run.strategyId, run.tradingDate);
    if (group.length > 1) this.track(this.enterGroup(strategy, group, info));
    else if (awaitsContract(run)) this.track(this.buyOption(run, strategy, info));
    else this.stepEntryDue('entry_due', strategy, run, info, strategy);
  }

  /** An option's BUY: its contract chosen (or the warm-up's choice awaited) and journaled first; no contract, no BUY. */
  private async buyOption(run: Run, strategy: Strategy, info: FireInfo): Promise<void> {
    const choice = (await this.choose([run]))[0]!;
    const now = this.ctx.repos.runs.getInternal(run.id);
    if (!now || now.state !== 'ARMED') return;
    if (choice.kind === 'refused') {
      this.ctx.logger.warn({ strategyId: run.strategyId, runId: run.id, reason: choice.reason }, 'option BUY skipped: no contract');
      moveRun(this.ctx, now, 'SKIPPED', { reason: `${entryNameOfRun(now)} skipped: ${choice.reason}` });
      return;
    }
    void this.watch(strategy);
    this.stepEntryDue('entry_due', strategy, now, info, runInstrument(this.ctx.repos, now, strategy));
  }

  /**
   * A group's BUY time (issue 19): every position's contract chosen from one index price (the
   * warm-up's choice, or made now) and journaled, a position refused one skipped, saying why;
   * then the group policy's first entry (nextEntry). Each later one goes when the entry before it
   * has its answer (afterEntry), so a hedge is bought before the short that needs its margin.
   */
  private async enterGroup(strategy: Strategy, group: readonly Run[], info: FireInfo): Promise<void> {
    if (group.some(awaitsContract)) {
      const choices = await this.choose(group);
      choices.forEach((choice, i) => {
        const now = this.ctx.repos.runs.getInternal(group[i]!.id);
        if (choice.kind !== 'refused' || now?.state !== 'ARMED') return;
        this.ctx.logger.warn({ strategyId: now.strategyId, runId: now.id, positionNo: now.positionNo, reason: choice.reason }, 'option BUY skipped: no contract');
        moveRun(this.ctx, now, 'SKIPPED', { reason: `${entryNameOfRun(now)} skipped: ${choice.reason}` });
      });
      void this.watch(strategy);
    }
    this.stepGroupEntries(strategy, group[0]!, info.scheduledAt);
  }

  /** A position's entry answered, or ended unsent, at or after the BUY time: the group goes on while its strategy runs. */
  private afterEntry(run: Run): void {
    const strategy = this.readable(run);
    if (strategy?.status === 'running') this.stepGroupEntries(strategy, run, run.buyAt);
  }

  /**
   * The group policy's next entry step for the day of `run`: the next position's entry stepped as a
   * BUY due at `dueAt` (its grace counted from then); a failed position under the group's
   * on_position_failure: unwind (the default) ends the entries by the group's "exit all" (those not
   * sent skipped, every position held exited, shorts first: group-exits.ts), keep goes on with the
   * others. Nothing more is entered once the group's "exit all" is journaled, or while its journal
   * is tried again (an MTM level reached between two entries). Safe to ask twice: an entry is journaled once per (run, leg), a run
   * already exiting is left to its exit.
   */
  private stepGroupEntries(strategy: Strategy, run: Run, dueAt: number): void {
    const group = this.ctx.repos.runs.groupInternal(run.strategyId, run.tradingDate);
    // A group whose "exit all" flag is still tried again (ctx.closingGroups) enters nothing either: a position waiting
    // between legs would otherwise re-enter, its BUY out before the flag lands and its SELL after.
    if (group.some((r) => r.exitAll !== null) || this.ctx.closingGroups.reasonOf(run.strategyId, run.tradingDate) !== null) return;
    const step = nextEntry(group.map(positionOfRun), groupRulesOf(group[0]!.plan));
    const now = this.ctx.clock.now();
    if (step.kind === 'enter') {
      const next = group.find((r) => r.positionNo === step.positionNo)!;
      this.stepEntryDue('entry_due', strategy, next, { scheduledAt: dueAt, firedAt: now, lateByMs: Math.max(0, now - dueAt) }, runInstrument(this.ctx.repos, next, strategy));
      return;
    }
    if (step.kind !== 'unwind') return;
    this.ctx.logger.warn({ strategyId: run.strategyId, failed: step.failed, exits: step.exits }, 'a position of the group was not entered: the held ones are closed');
    this.groupExits.exitAll(run.strategyId, run.tradingDate, 'unwind', `position ${step.failed + 1} was not entered, so the group is closed (on_position_failure unwind)`, group);
  }

  /**
   * The warm-up's choice, for every position of the run's day at once (one index price): the
   * contracts' prices are subscribed once chosen; a refusal is the BUY's to report.
   */
  private async chooseAhead(run: Run, strategy: StrategyIdentity): Promise<void> {
    const group = this.ctx.repos.runs.groupInternal(run.strategyId, run.tradingDate);
    if (!group.some(awaitsContract)) return;
    if ((await this.choose(group)).some((c) => c.kind === 'chosen')) void this.watch(strategy);
  }

  /**
   * One choice per day's group at a time (chooseContracts: one choice per run, in the group's
   * order); a failure to choose (a broker that cannot be asked) is a refusal of each, naming it.
   */
  private choose(group: readonly Run[]): Promise<ContractChoice[]> {
    const key = group[0]!.id;
    const under = this.choosing.get(key);
    if (under) return under;
    const p = chooseContracts(this.ctx, group)
      .catch((err: unknown): ContractChoice[] => group.map(() => ({ kind: 'refused', reason: err instanceof Error ? err.message : String(err) })))
      .finally(() => this.choosing.delete(key));
    this.choosing.set(key, p);
    return p;
  }

  /**
   * An entry is due (the day's first, or the next leg's): stepped with the last price where it
   * trades (`at`) and its due time as the trader reads it.
   */
  private stepEntryDue(type: 'entry_due' | 'reentry_due', strategy: Strategy, run: Run, info: FireInfo, at: OrderWhere): void {
    const last = this.ctx.market.lastPrice(at.brokerAccountId, instrumentKey(at.exchange, at.symbol));
    const level = last ? null : premiumLevelOf(run);
    if (level !== null) {
      this.track(this.quoteThenEnter(type, strategy, run, info, at, level));
      return;
    }
    this.stepEntry(type, strategy, run, info, last?.price ?? null);
  }

  /**
   * A position whose stop-loss or target is a premium, its contract without a price yet (no tick
   * since it was chosen): the broker is asked for it first (as the strike's premiums are,
   * option-contract.ts), so a premium already past the level skips the entry (levelAlreadyReached)
   * rather than selling it to be bought back at once. With no price from the broker either, the
   * entry is skipped, saying why, and the group's on_position_failure decides.
   */
  private async quoteThenEnter(type: 'entry_due' | 'reentry_due', strategy: Strategy, run: Run, info: FireInfo, at: OrderWhere, level: string): Promise<void> {
    let quoted: number | null = null;
    try {
      quoted = await lastOrQuoted(this.ctx, await this.ctx.brokers.get(at.brokerAccountId), at.brokerAccountId, at);
    } catch (err) {
      this.ctx.logger.warn({ err, strategyId: run.strategyId, runId: run.id, symbol: at.symbol }, 'the contract\'s price could not be asked of the broker before its entry');
    }
    const now = this.ctx.repos.runs.getInternal(run.id);
    if (!now) return;
    if (quoted === null && now.state === 'ARMED') {
      this.ctx.logger.warn({ strategyId: now.strategyId, runId: now.id, positionNo: now.positionNo, symbol: at.symbol }, 'entry skipped: no price of the contract to check its premium level against');
      moveRun(this.ctx, now, 'SKIPPED', { reason: `${entryNameOfRun(now)} skipped: no price of ${at.symbol} has arrived nor could be quoted, and its ${level}: a fill already past it would be closed at once` });
      return;
    }
    this.stepEntry(type, strategy, now, info, quoted);
  }

  private stepEntry(type: 'entry_due' | 'reentry_due', strategy: Strategy, run: Run, info: FireInfo, lastPrice: number | null): void {
    this.stepAndApply(strategy, run, {
      type,
      scheduledAt: info.scheduledAt,
      lateByMs: info.lateByMs,
      lastPrice,
      // Formatted only when read (a missed entry's reason): a zone's formatting costs every entry ~20 µs otherwise.
      get dueLabel() {
        return dueLabelOf(info.scheduledAt, strategy.spec.timezone);
      },
    });
  }

  /**
   * The strategy of `run` for what needs more than the run's plan (a BUY's zone); undefined, and
   * said loudly, for one whose stored spec cannot be read: its BUY does not go out.
   */
  private readable(run: Run): Strategy | undefined {
    try {
      return this.ctx.repos.strategies.getInternal(run.strategyId);
    } catch (err) {
      if (!(err instanceof UnreadableStrategy)) throw err;
      this.ctx.logger.error({ strategyId: run.strategyId, runId: run.id, reason: err.reason }, `${err.message}: its BUY is not placed`);
      return undefined;
    }
  }

  /** The next leg's entry is due: stepped as the day's first entry is, with the last price where the run trades. */
  private onReentryDue(runId: RunId, info: FireInfo): void {
    const { repos } = this.ctx;
    const run = repos.runs.getInternal(runId);
    if (!run) return;
    const waiting = this.reentries.get(run.strategyId);
    if (waiting?.delete(runId) && waiting.size === 0) this.reentries.delete(run.strategyId);
    const strategy = this.readable(run);
    if (!strategy) return;
    // The group's "exit all" still being journaled refuses it as the flag would: the step reads it (apply-step.ts stepRun).
    this.stepEntryDue('reentry_due', strategy, run, info, runInstrument(repos, run, strategy));
  }

  /** The SELL time, or the square-off: the run policy decides what goes (exit.ts exitDue). */
  private onExitDue(runId: RunId, leg: 'SELL' | 'SQUARE_OFF', info: FireInfo): void {
    const run = this.ctx.repos.runs.getInternal(runId);
    const strategy = run && this.ownerOf(run);
    if (!run || !strategy) return;
    // A group's time exit is every position's, shorts bought back first; one failing keeps no other from its exit.
    const group = run.plan?.position_no === undefined ? [run] : inExitOrder(this.ctx.repos.runs.groupInternal(run.strategyId, run.tradingDate));
    for (const r of group) {
      try {
        this.stepAndApply(strategy, r, { type: 'exit_due', leg, scheduledAt: info.scheduledAt });
      } catch (err) {
        if (group.length === 1) throw err;
        this.ctx.logger.error({ err, strategyId: r.strategyId, runId: r.id, positionNo: r.positionNo, leg }, 'a position of the group could not be stepped at its time exit');
      }
    }
  }

  /**
   * A crossing tick took one of this strategy's levels. An exit level's order goes first: the run
   * is the one the strategy's jobs belong to (in memory; reading it from SQLite here cost ~0.2 ms
   * on the path), and the journal checks its state under the strategy's lock anyway (decide: an
   * exit of a run with no open position, or a second exit, is recorded as suppressed). The step
   * follows in the next turn, for the leg the level was set for (a stale leg's crossing steps to
   * nothing): for an exit, its event and the SELL job's cancellation; for a RATCHET (the trail or
   * move-to-cost tightens the stop), which sends nothing, the new levels written on the run and
   * its levels armed again in their place. Until then the stop and target armed before stay armed.
   * A RATCHET reaches here only when the market listener holds no levels for the run (it moves
   * those at the tick itself): once the run has left IN_POSITION, where its step moves nothing.
   *
   * An exit level fired once and is not put back, and a suppressed exit needs none: journal_exit
   * suppresses it only when another exit of the run is live (that exit's own attempts carry on
   * until the position is sold, or the run goes to ERROR), when nothing is held, or when the run
   * is in ERROR, where only the trader's STOP sells (a level put back would be suppressed too).
   * An entry still in flight defers the exit rather than suppressing it.
   * (tests/integration/crossing-suppressed.test.ts, tests/integration/engine-levels.test.ts)
   */
  private onCrossing(hit: Crossing): void {
    const now = this.ctx.clock.now();
    const runId = this.runOfPosition(hit.strategyId, hit.positionNo);
    if (runId === undefined) return;
    const exit = crossingExit(hit.kind);
    if (exit) this.execution.submit({ strategyId: hit.strategyId, runId, leg: exit, legNo: hit.legNo, scheduledAt: now });
    setImmediate(() => this.afterCrossing(hit, runId, now));
  }

  /**
   * The run a crossing of position `positionNo` is for: the one of the group the strategy's jobs
   * belong to (in memory).
   */
  private runOfPosition(strategyId: StrategyId, positionNo: number): RunId | undefined {
    const held = this.jobs.get(strategyId)?.runIds[positionNo];
    if (held !== undefined) return held;
    // No jobs (a STOP cancelled them while an exit is still pursued): the latest day's run of the position.
    return positionNo === 0 ? this.ctx.repos.runs.latestInternal(strategyId)?.id : this.ctx.repos.runs.latestGroupInternal(strategyId).find((r) => r.positionNo === positionNo)?.id;
  }

  /** The crossing's step: its events, and for a RATCHET the tightened levels (patch) and their triggers. */
  private afterCrossing(hit: Crossing, runId: RunId, at: number): void {
    // On its own turn, outside any caller: a failure here (storage failing, a run that cannot be
    // read) is logged, never thrown out of the event loop, which would end the process and leave
    // every position unwatched. The crossing's exit, if any, was submitted at the tick already.
    try {
      const run = this.ctx.repos.runs.getInternal(runId);
      const strategy = run && this.ownerOf(run);
      const stale = hit.staleForMs === null ? {} : { stale: { source: hit.source, silentForMs: hit.staleForMs } };
      if (run && strategy) this.stepAndApply(strategy, run, { type: 'trigger_crossed', kind: hit.kind, legNo: hit.legNo, price: hit.price, level: hit.level, tickAt: hit.tickAt, at, ...stale });
    } catch (err) {
      this.ctx.logger.error({ err, strategyId: hit.strategyId, runId, kind: hit.kind, price: hit.price }, 'a crossing could not be carried out');
    }
  }

  /**
   * A run reached a final state: once every run of its day's group has (a strategy without
   * `positions` has one), arm the next trading day (daily) or wind the strategy down. A position
   * whose day is over while another still runs leaves the group's jobs and levels alone, and is no
   * longer watched: nothing of the engine prices it any more (a position that may re-enter is
   * WAITING_REENTRY, not over, and stays watched).
   */
  private async finishRun(strategyId: StrategyId, runId: RunId): Promise<void> {
    const { repos, clock, logger, bus, market } = this.ctx;
    const run = repos.runs.getInternal(runId);
    const group = run ? repos.runs.groupInternal(strategyId, run.tradingDate) : [];
    if (group.some((r) => !isDayOver(r))) {
      if (run && group.length > 1 && isDayOver(run)) market.unwatch(strategyId, run.positionNo);
      return;
    }
    if (run && group.length > 1) {
      if (this.groupEnded.get(strategyId) === run.tradingDate) return;
      this.groupEnded.set(strategyId, run.tradingDate);
    }
    const ofGroup = (id: RunId | undefined) => id === runId || group.some((r) => r.id === id);
    if (ofGroup(this.jobs.get(strategyId)?.runIds[0]) || [...(this.reentries.get(strategyId)?.keys() ?? [])].some(ofGroup)) this.cancelJobs(strategyId);
    market.clearTriggers(strategyId);
    try {
      const strategy = repos.strategies.getInternal(strategyId);
      if (!strategy || !run) return;
      if (strategy.status === 'running' && strategy.spec.repeat === 'daily') {
        await this.arm(strategy, nextRunAfter(run.tradingDate, strategy.spec, this.calendar));
        return;
      }
      await this.teardown(strategy);
      if (strategy.status === 'running') {
        // Not waiting for the disk (an fsync on the event loop right after every exit): after a
        // power cut, recovery completes a 'once' strategy whose last run is over all the same.
        repos.transaction(() => repos.strategies.setStatusInternal(strategyId, 'completed', clock.now()), { durable: false });
        bus.publish({ type: 'strategy_completed', userId: strategy.userId, strategyId, at: clock.now() });
      }
    } catch (err) {
      logger.error({ err, strategyId }, 'could not arm the next run');
      // A strategy whose spec cannot be read arms nothing more; what its run had armed is dropped all the same.
      const identity = repos.strategies.identityInternal(strategyId);
      if (err instanceof UnreadableStrategy && identity) await this.teardown(identity);
    }
  }

  /** Drops the runtime keys and the subscription of a strategy that no longer runs (asking the broker nothing). */
  private async teardown(strategy: StrategyIdentity): Promise<void> {
    const { runtime, market } = this.ctx;
    this.cancelJobs(strategy.id);
    market.clearTriggers(strategy.id);
    this.dropWatch(strategy.id);
    market.unwatch(strategy.id);
    // The symbol the keys were armed with: the last run's BUY's, if it bought (recovery arms so);
    // each position of the last day's group has its own runtime hash and instrument set member.
    const group = this.ctx.repos.runs.latestGroupInternal(strategy.id);
    for (const run of group.length > 0 ? group : [undefined]) {
      const at = runInstrument(this.ctx.repos, run, strategy);
      await runtime.disarm(strategy.id, instrumentKey(at.exchange, at.symbol), run?.positionNo ?? 0);
    }
  }

  /** Cancels the strategy's jobs and its waiting re-entries (those of the runs `keepReentriesOf` are kept). */
  private cancelJobs(strategyId: StrategyId, keepReentriesOf: readonly RunId[] = []): void {
    const waiting = this.reentries.get(strategyId);
    for (const [runId, timer] of waiting ?? []) {
      if (keepReentriesOf.includes(runId)) continue;
      timer.cancel();
      waiting!.delete(runId);
    }
    if (waiting?.size === 0) this.reentries.delete(strategyId);
    const jobs = this.jobs.get(strategyId);
    if (!jobs) return;
    jobs.buy.cancel();
    jobs.sell.cancel();
    jobs.squareOff?.cancel();
    for (const w of jobs.warmups) w.cancel();
    this.jobs.delete(strategyId);
  }
}

/** The runs of a day's group in the order their exits go (exitOrder: shorts bought back first). */
function inExitOrder(group: readonly Run[]): Run[] {
  const byNo = new Map(group.map((r) => [r.positionNo, r]));
  return exitOrder(group.map(positionOfRun)).map((p) => byNo.get(p)!);
}

/** A due time as the trader reads it, in the strategy's zone (a missed entry's reason). */
function dueLabelOf(at: number, zone: string): string {
  return DateTime.fromMillis(at, { zone }).toFormat('yyyy-MM-dd HH:mm:ss ZZZZ');
}
