/**
 * The rules of a multi-position strategy's group that close or tighten positions (issue 19): the
 * combined MTM stop and target, checked on every tick of a held position's instrument; the
 * group's "exit all" (MTM, or the unwind of a failed entry), journaled on every open run of the
 * day's group in one transaction before any exit is submitted, then each position's exit in the
 * group's exit order (shorts bought back first); and stops to cost when one position stops out.
 * The decisions are the group policy's (core/run-policy/group.ts); each position's exit and levels
 * are its own run policy's (the `exit_due` and `stop_to_cost` steps), so every per-run rule
 * (one exit at a time, journal before send, attempts) holds unchanged. A restart between the flag
 * and the exits finds the flag on each run and exits it then (run-policy/recover.ts), once.
 */
import Decimal from 'decimal.js';
import type { BrokerAccountId, StrategyId } from '../core/ids';
import { isDayOver } from '../core/run-state';
import { instrumentKey, type ExitAllReason, type Run, type Tick } from '../core/types';
import { checkMtm, exitOrder, groupRulesOf, positionOfRun, stopsToCost, type GroupRules, type PositionView } from '../core/run-policy/group';
import type { RunEvent } from '../core/run-policy/types';
import type { EngineContext } from '../context';
import { closedLegsPnl, realizedPnl } from '../execution/realized-pnl';
import { announceRun, writeRunState } from '../execution/run-ledger';

export interface GroupExitsDeps {
  readonly ctx: EngineContext;
  /** Steps `event` for `run` and carries its Step out (the strategy manager's stepAndApply, for the run's owner). */
  readonly step: (run: Run, event: RunEvent) => Run;
  /** Runs a follow-up after the current turn, tracked for the engine's shutdown. */
  readonly later: (task: () => void) => void;
}

/** A position the MTM reads: the group policy's view without its last price, and where that price comes from. */
interface Held {
  readonly view: PositionView;
  /** account|exchange:symbol of its entry's instrument. */
  readonly feed: string;
  readonly accountId: BrokerAccountId;
  readonly instrument: string;
}

/** A group whose combined MTM is checked on its positions' ticks. */
interface MtmGroup {
  readonly rules: Pick<GroupRules, 'mtmStop' | 'mtmTarget'>;
  readonly tradingDate: string;
  readonly positions: readonly Held[];
}

const feedOf = (accountId: BrokerAccountId, instrument: string) => `${accountId}|${instrument}`;

export class GroupExits {
  /** Groups with an MTM stop or target and a position held, by strategy, as last read from SQLite. */
  private readonly groups = new Map<StrategyId, MtmGroup>();
  /** Groups with an MTM stop or target whose day is under way, held or not yet: a fill of theirs is read at once (an entry of any other strategy costs nothing here). */
  private readonly candidates = new Set<StrategyId>();
  /** feed → the strategies whose held positions trade on it: a tick of any other instrument costs one lookup. */
  private readonly byFeed = new Map<string, Set<StrategyId>>();
  private readonly off: (() => void)[] = [];

  constructor(private readonly deps: GroupExitsDeps) {
    const { market, bus } = deps.ctx;
    this.off.push(market.onTick((accountId, tick) => this.onTick(accountId, tick)));
    // Whatever happens to a run of a group read here (a fill, an exit, a state) is read again at once: a tick never sums a stale position.
    this.off.push(
      bus.onAny((e) => {
        if ('strategyId' in e && 'runId' in e && this.groups.has(e.strategyId)) this.watch(e.strategyId);
      }),
    );
    this.off.push(
      bus.on('run_state_changed', (e) => {
        if (e.to === 'IN_POSITION' && this.candidates.has(e.strategyId)) this.watch(e.strategyId);
        // A run ending between legs (its re-entry not made) stopped out when it began to wait, below.
        if (e.to === 'EXITED_BY_SL' && e.from !== 'WAITING_REENTRY') deps.later(() => this.afterStopOut(e.runId));
      }),
    );
    // A position's stop-out followed by its re-entry is a stop-out all the same: the others' stops move then.
    this.off.push(
      bus.on('reentry_scheduled', (e) => {
        if (e.after === 'STOPLOSS' || e.after === 'TRAIL_STOP' || e.after === 'BACKSTOP') deps.later(() => this.afterStopOut(e.runId));
      }),
    );
  }

  /** Engine shutdown: no tick or event is read from now on. */
  close(): void {
    for (const off of this.off.splice(0)) off();
    this.groups.clear();
    this.candidates.clear();
    this.byFeed.clear();
  }

  /**
   * (Re)reads the latest day's group of `strategyId`: checked on its positions' ticks while it has an
   * MTM stop or target, a position held and no "exit all" yet; forgotten otherwise. Cheap to ask
   * (one group read): the manager asks when it sets a group's jobs (arm, recovery).
   */
  watch(strategyId: StrategyId): void {
    this.forget(strategyId);
    this.candidates.delete(strategyId);
    const { repos } = this.deps.ctx;
    const group = repos.runs.latestGroupInternal(strategyId);
    if (group.length < 2) return;
    const rules = groupRulesOf(group[0]!.plan);
    if ((rules.mtmStop === null && rules.mtmTarget === null) || group.some((r) => r.exitAll !== null) || group.every(isDayOver)) return;
    this.candidates.add(strategyId);
    const positions = group.flatMap((run): Held[] => {
      const current = run.state === 'ARMED' ? undefined : repos.orders.findBySlotInternal(run.id, 'entry', run.legNo);
      // A position between legs, or with its next leg's entry journaled, still counts what its closed legs made or lost.
      const entry = current ?? (run.legNo > 0 ? repos.orders.findBySlotInternal(run.id, 'entry', 0) : undefined);
      if (!entry) return [];
      const base = positionOfRun(run);
      const short = entry.side === 'sell';
      const closed = run.legNo > 0 ? closedLegsPnl(repos.orders.fillsInternal([run.id]), run.legNo, short) : new Decimal(0);
      const latest = current ? (realizedPnl({ entryPrice: run.entryPrice, exitPrice: run.exitPrice, boughtQty: current.filledQty, heldQty: run.positionQty, short }) ?? 0) : 0;
      const realized = closed.plus(latest).toNumber();
      const instrument = instrumentKey(entry.exchange, entry.symbol);
      return [{ view: { ...base, realized }, feed: feedOf(entry.brokerAccountId, instrument), accountId: entry.brokerAccountId, instrument }];
    });
    if (!positions.some((p) => p.view.held > 0)) return;
    this.groups.set(strategyId, { rules, tradingDate: group[0]!.tradingDate, positions });
    for (const p of positions) {
      if (p.view.held === 0) continue;
      let set = this.byFeed.get(p.feed);
      if (!set) this.byFeed.set(p.feed, (set = new Set()));
      set.add(strategyId);
    }
  }

  private forget(strategyId: StrategyId): void {
    const was = this.groups.get(strategyId);
    if (!was) return;
    this.groups.delete(strategyId);
    for (const p of was.positions) {
      const set = this.byFeed.get(p.feed);
      if (set?.delete(strategyId) && set.size === 0) this.byFeed.delete(p.feed);
    }
  }

  /** A tick: the combined MTM of every group holding a position on its instrument, each with the last price of each of its positions. */
  private onTick(accountId: BrokerAccountId, tick: Tick): void {
    const strategies = this.byFeed.get(feedOf(accountId, instrumentKey(tick.exchange, tick.symbol)));
    if (!strategies) return;
    for (const strategyId of [...strategies]) {
      // On the tick's path, inside the market listener: a failure is logged and never reaches the feed.
      try {
        this.checkGroup(strategyId);
      } catch (err) {
        this.deps.ctx.logger.error({ err, strategyId }, 'the group\'s MTM could not be checked or carried out');
      }
    }
  }

  private checkGroup(strategyId: StrategyId): void {
    const g = this.groups.get(strategyId);
    if (!g) return;
    const { market } = this.deps.ctx;
    const views = g.positions.map((p) => (p.view.held === 0 ? p.view : { ...p.view, last: market.lastPrice(p.accountId, p.instrument)?.price ?? null }));
    const check = checkMtm(views, g.rules);
    if (check.kind === 'hold') return;
    const level = check.reason === 'mtm_stop' ? `the MTM stop (a loss of ${g.rules.mtmStop})` : `the MTM target (a profit of ${g.rules.mtmTarget})`;
    const detail = `the positions' combined MTM reached ${check.mtm.toFixed(2)}, at or past ${level}: every position exits, shorts bought back first`;
    this.forget(strategyId);
    this.deps.ctx.logger.warn({ strategyId, mtm: check.mtm, reason: check.reason, exits: check.exits }, 'the group\'s combined MTM reached its level: every position exits');
    this.exitAll(strategyId, g.tradingDate, check.reason, detail);
  }

  /**
   * The group's "exit all": in one transaction, every open run of the day's group gets the flag
   * and its reason (runs.exit_all, runs.reason), and a position not yet entered is skipped; only then
   * each flagged position's exit is stepped, in exit order (shorts first), one failing keeping no
   * other from its exit. A run in ERROR waits for the trader, as it always does; a run flagged
   * already (another reason came first) keeps its flag. Returns the runs flagged.
   */
  exitAll(strategyId: StrategyId, tradingDate: string, reason: ExitAllReason, detail: string): Run[] {
    const { ctx } = this.deps;
    const { repos, clock, logger } = ctx;
    this.forget(strategyId);
    const skipped: [Run, Run][] = [];
    const flagged = repos.transaction(() => {
      const now = clock.now();
      const out: Run[] = [];
      for (const run of repos.runs.groupInternal(strategyId, tradingDate)) {
        if (isDayOver(run) || run.exitAll !== null || run.state === 'ERROR') continue;
        if (run.state === 'ARMED') skipped.push([run, writeRunState(ctx, run, 'SKIPPED', { reason: `BUY skipped: ${detail}` })]);
        else out.push(repos.runs.update(run.id, { exitAll: reason, reason: detail }, now));
      }
      return out;
    });
    for (const [before, after] of skipped) announceRun(ctx, before, after);
    ctx.crashPoints.hit('after-exit-all');
    const byNo = new Map(flagged.map((r) => [r.positionNo, r]));
    const now = clock.now();
    for (const p of exitOrder(flagged.map(positionOfRun))) {
      const run = byNo.get(p)!;
      try {
        this.deps.step(run, { type: 'exit_due', leg: 'SELL', scheduledAt: now });
      } catch (err) {
        logger.error({ err, strategyId, runId: run.id, positionNo: p, reason }, 'a position of the group could not be stepped at its exit-all');
      }
    }
    return flagged;
  }

  /**
   * A position stopped out: with stops_to_cost_on_stop, the stop of every other position still
   * held moves to its entry price (never looser), each by its own run policy's step.
   */
  private afterStopOut(runId: Run['id']): void {
    const { repos, logger } = this.deps.ctx;
    const stopped = repos.runs.getInternal(runId);
    if (!stopped || stopped.plan?.position_no === undefined || !groupRulesOf(stopped.plan).stopsToCost) return;
    const group = repos.runs.groupInternal(stopped.strategyId, stopped.tradingDate);
    if (group.some((r) => r.exitAll !== null)) return;
    const byNo = new Map(group.map((r) => [r.positionNo, r]));
    for (const p of stopsToCost(group.map(positionOfRun), stopped.positionNo)) {
      const run = byNo.get(p)!;
      try {
        if (run.state === 'IN_POSITION') this.deps.step(run, { type: 'stop_to_cost' });
      } catch (err) {
        logger.error({ err, strategyId: run.strategyId, runId: run.id, positionNo: p }, 'a position\'s stop could not be moved to cost');
      }
    }
  }
}
