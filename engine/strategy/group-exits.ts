/**
 * The rules of a multi-position strategy's group that close or tighten positions (issue 19): the
 * combined MTM stop and target, checked on every tick of a held position's instrument; the
 * group's "exit all" (MTM, or the unwind of a failed entry), journaled on every open run of the
 * day's group in one transaction before any exit is submitted, then each position's exit in the
 * group's exit order (shorts bought back first); and stops to cost when one position stops out.
 * The decisions are the group policy's (core/run-policy/group.ts); each position's exit and levels
 * are its own run policy's (the `exit_due` and `stop_to_cost` steps), so every per-run rule
 * (one exit at a time, journal before send, attempts) holds unchanged. A restart between the flag
 * and the exits finds the flag on each run and exits it then (run-policy/recover.ts), once. A flag
 * that cannot be journaled (storage failing) costs no exit: every position held is exited all the
 * same (through the journal, or its emergency path while storage is down) and the flag is tried
 * again on the engine clock until it lands.
 */
import Decimal from 'decimal.js';
import type { TimerHandle } from '../core/clock';
import type { BrokerAccountId, StrategyId } from '../core/ids';
import { isDayOver } from '../core/run-state';
import { instrumentKey, type ExitAllReason, type Leg, type Run } from '../core/types';
import { entryNameOfRun } from '../core/run-policy/entry';
import { checkMtm, exitOrder, groupRulesOf, positionOfRun, stopsToCost, type GroupRules, type PositionView } from '../core/run-policy/group';
import type { RunEvent } from '../core/run-policy/types';
import type { EngineContext } from '../context';
import { feedKey } from '../market/price-freshness';
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
  /** Its run as last read: what is exited when the group's flag cannot be journaled nor the group read again. */
  readonly run: Run;
}

/** A group whose combined MTM is checked on its positions' ticks. */
interface MtmGroup {
  readonly rules: Pick<GroupRules, 'mtmStop' | 'mtmTarget'>;
  readonly tradingDate: string;
  readonly positions: readonly Held[];
}

/** Waits between tries of an "exit all" flag whose transaction failed; the last repeats until it lands. */
export const FLAG_RETRY_MS = [1_000, 2_000, 5_000, 10_000, 30_000, 60_000] as const;

/** The states a time exit sends from (exit.ts exitDue): a position held, or an entry whose fill it waits for. */
const EXITABLE = new Set<Run['state']>(['IN_POSITION', 'EXITING', 'BUYING']);

/** The exits that are a stop-out: each moves the others' stops to cost (stops_to_cost_on_stop). */
const STOP_EXITS = new Set<Leg>(['STOPLOSS', 'TRAIL_STOP', 'BACKSTOP']);

export class GroupExits {
  /** Groups with an MTM stop or target and a position held, by strategy, as last read from SQLite. */
  private readonly groups = new Map<StrategyId, MtmGroup>();
  /** Groups with an MTM stop or target whose day is under way, held or not yet: a fill of theirs is read at once (an entry of any other strategy costs nothing here). */
  private readonly candidates = new Set<StrategyId>();
  /** feed → the strategies whose held positions trade on it: a tick of any other instrument costs one lookup. */
  private readonly byFeed = new Map<string, Set<StrategyId>>();
  /** Groups whose "exit all" flag failed to commit: the next try. Such a group stays watched, its MTM fires nothing more meanwhile (its exits went), and its runs step as if flagged (ctx.closingGroups: its day and reason). */
  private readonly flagging = new Map<StrategyId, { readonly timer: TimerHandle }>();
  private readonly off: (() => void)[] = [];

  constructor(private readonly deps: GroupExitsDeps) {
    const { market, bus } = deps.ctx;
    // Every new price, the stream's or a REST quote of a silent stream's (the stale-price watch): a frozen stream must not freeze the MTM.
    this.off.push(market.onPrice((feed) => this.onPrice(feed)));
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
        if (STOP_EXITS.has(e.after)) deps.later(() => this.afterStopOut(e.runId));
      }),
    );
  }

  /** Engine shutdown: no tick or event is read from now on. */
  close(): void {
    for (const off of this.off.splice(0)) off();
    for (const f of this.flagging.values()) f.timer.cancel();
    this.flagging.clear();
    this.deps.ctx.closingGroups.clearAll();
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
      const latest = current ? (realizedPnl({ entryPrice: run.entryPrice, exitPrice: run.exitPrice, boughtQty: current.filledQty, heldQty: run.positionQty, unsoldQty: run.unsoldQty, short }) ?? 0) : 0;
      const realized = closed.plus(latest).toNumber();
      const instrument = instrumentKey(entry.exchange, entry.symbol);
      return [{ view: { ...base, realized }, feed: feedKey(entry.brokerAccountId, instrument), accountId: entry.brokerAccountId, instrument, run }];
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

  /** A new price of `feed`: the combined MTM of every group holding a position on it, each with the last price of each of its positions. */
  private onPrice(feed: string): void {
    const strategies = this.byFeed.get(feed);
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
    if (!g || this.flagging.has(strategyId)) return;
    const { market } = this.deps.ctx;
    const views = g.positions.map((p) => (p.view.held === 0 ? p.view : { ...p.view, last: market.lastPrice(p.accountId, p.instrument)?.price ?? null }));
    const check = checkMtm(views, g.rules);
    if (check.kind === 'hold') return;
    const level = check.reason === 'mtm_stop' ? `the MTM stop (a loss of ${g.rules.mtmStop})` : `the MTM target (a profit of ${g.rules.mtmTarget})`;
    const detail = `the positions' combined MTM reached ${check.mtm.toFixed(2)}, at or past ${level}: every position exits, shorts bought back first`;
    this.deps.ctx.logger.warn({ strategyId, mtm: check.mtm, reason: check.reason, exits: check.exits }, 'the group\'s combined MTM reached its level: every position exits');
    this.exitAll(strategyId, g.tradingDate, check.reason, detail, g.positions.map((p) => p.run));
  }

  /**
   * The group's "exit all": in one transaction, every open run of the day's group gets the flag
   * and its reason (runs.exit_all, runs.reason), and a position not yet entered is skipped; only then
   * each flagged position's exit is stepped, in exit order (shorts first), one failing keeping no
   * other from its exit. A run in ERROR waits for the trader, as it always does; a run flagged
   * already (another reason came first) keeps its flag. Returns the runs flagged.
   *
   * A transaction that fails (the database busy or full, a read refused) flags nothing, and the
   * exits go all the same: each position held (of the group read again, or `known`, its runs as
   * last read, when even that read fails) has its time exit stepped in exit order, journaled or,
   * while storage refuses writes, sent by the emergency path; the flag is then tried again on the
   * engine clock (FLAG_RETRY_MS), the group staying watched until it lands. Returns [] then.
   */
  exitAll(strategyId: StrategyId, tradingDate: string, reason: ExitAllReason, detail: string, known: readonly Run[] = []): Run[] {
    return this.tryExitAll(strategyId, tradingDate, reason, detail, known, 0);
  }

  private tryExitAll(strategyId: StrategyId, tradingDate: string, reason: ExitAllReason, detail: string, known: readonly Run[], failures: number): Run[] {
    const { ctx } = this.deps;
    const { repos, clock, logger } = ctx;
    const skipped: [Run, Run][] = [];
    let flagged: Run[];
    try {
      flagged = repos.transaction(() => {
        const now = clock.now();
        const out: Run[] = [];
        for (const run of repos.runs.groupInternal(strategyId, tradingDate)) {
          if (isDayOver(run) || run.exitAll !== null || run.state === 'ERROR') continue;
          if (run.state === 'ARMED') skipped.push([run, writeRunState(ctx, run, 'SKIPPED', { reason: `${entryNameOfRun(run)} skipped: ${detail}` })]);
          else out.push(repos.runs.update(run.id, { exitAll: reason, reason: detail }, now));
        }
        return out;
      });
    } catch (err) {
      const delayMs = FLAG_RETRY_MS[Math.min(failures, FLAG_RETRY_MS.length - 1)]!;
      logger.error({ err, strategyId, reason, failures, delayMs }, 'the group\'s exit-all could not be journaled: every position held exits all the same, and the flag is tried again');
      this.exitHeld(strategyId, tradingDate, reason, known);
      this.flagging.get(strategyId)?.timer.cancel();
      const timer = clock.setTimer(delayMs, () => {
        // Still closing while this try runs: a re-entry due meanwhile is refused all the same.
        // On a timer of its own: a failure is logged, never thrown out of the event loop.
        try {
          this.tryExitAll(strategyId, tradingDate, reason, detail, known, failures + 1);
        } catch (e) {
          logger.error({ err: e, strategyId, reason }, 'the group\'s exit-all could not be carried out');
        }
      });
      this.flagging.set(strategyId, { timer });
      ctx.closingGroups.set(strategyId, tradingDate, reason);
      return [];
    }
    // Landed: the group is no longer watched (a try of a flag failed before is over too).
    this.flagging.get(strategyId)?.timer.cancel();
    this.flagging.delete(strategyId);
    ctx.closingGroups.clear(strategyId);
    this.forget(strategyId);
    for (const [before, after] of skipped) announceRun(ctx, before, after);
    ctx.crashPoints.hit('after-exit-all');
    this.stepExits(strategyId, flagged, reason);
    return flagged;
  }

  /** The exits of the group's positions held while its flag could not be journaled: read again if the group can be, else as last read. */
  private exitHeld(strategyId: StrategyId, tradingDate: string, reason: ExitAllReason, known: readonly Run[]): void {
    const { repos, logger } = this.deps.ctx;
    let group = known;
    try {
      group = repos.runs.groupInternal(strategyId, tradingDate);
    } catch (err) {
      logger.error({ err, strategyId }, 'the group could not be read again: its positions are exited as last read');
    }
    this.stepExits(
      strategyId,
      group.filter((r) => EXITABLE.has(r.state)),
      reason,
    );
  }

  /** Each run's time exit (SELL) stepped in the group's exit order, shorts first; one failing keeps no other from its exit. */
  private stepExits(strategyId: StrategyId, runs: readonly Run[], reason: ExitAllReason): void {
    const byNo = new Map(runs.map((r) => [r.positionNo, r]));
    const now = this.deps.ctx.clock.now();
    for (const p of exitOrder(runs.map(positionOfRun))) {
      const run = byNo.get(p)!;
      try {
        this.deps.step(run, { type: 'exit_due', leg: 'SELL', scheduledAt: now });
      } catch (err) {
        this.deps.ctx.logger.error({ err, strategyId, runId: run.id, positionNo: p, reason }, 'a position of the group could not be stepped at its exit-all');
      }
    }
  }

  /**
   * A position stopped out: with stops_to_cost_on_stop, the stop of every other position still
   * held moves to its entry price (never looser), each by its own run policy's step.
   */
  private afterStopOut(runId: Run['id']): void {
    const { repos } = this.deps.ctx;
    const stopped = repos.runs.getInternal(runId);
    if (!stopped || stopped.plan?.position_no === undefined || !groupRulesOf(stopped.plan).stopsToCost) return;
    this.stopsToCost(repos.runs.groupInternal(stopped.strategyId, stopped.tradingDate), [stopped.positionNo]);
  }

  /**
   * Stops to cost caught up (a restart, after every run is back on its rails): a position of the
   * latest day's group stopped out while the process died before the others' stops moved leaves
   * them at their own stop otherwise. The stop-outs are the journal's: each leg's exit filled as a
   * stop (STOPLOSS, TRAIL_STOP, BACKSTOP), whether its run ended by it or re-entered after it, as
   * the live path counts them. With stops_to_cost_on_stop and no "exit all", each moves the stop of
   * every other position held whose leg was open at that fill (its entry filled by then), as the
   * live path would have then: a leg entered after it (a re-entry) keeps its own stop. A stop there
   * already stays (stop_to_cost never loosens, and moves nothing twice).
   */
  catchUpStopsToCost(strategyId: StrategyId): void {
    const { orders } = this.deps.ctx.repos;
    const group = this.deps.ctx.repos.runs.latestGroupInternal(strategyId);
    if (group.length < 2 || !groupRulesOf(group[0]!.plan).stopsToCost || group.some((r) => r.exitAll !== null)) return;
    const views = group.map(positionOfRun);
    const byNo = new Map(group.map((r) => [r.positionNo, r]));
    /** When the leg each position holds now was entered (its entry's fill), or undefined when none is. */
    const openedAt = new Map(
      group.map((r) => {
        const entry = r.state === 'IN_POSITION' ? orders.findBySlotInternal(r.id, 'entry', r.legNo) : undefined;
        return [r.positionNo, entry && (entry.filledAt ?? entry.createdAt)];
      }),
    );
    const moved = new Set<number>();
    for (const run of group) {
      for (let legNo = 0; legNo <= run.legNo; legNo++) {
        const exit = orders.findBySlotInternal(run.id, 'exit', legNo);
        if (!exit || exit.status !== 'filled' || !STOP_EXITS.has(exit.leg)) continue;
        const at = exit.filledAt ?? exit.updatedAt;
        for (const p of stopsToCost(views, run.positionNo)) {
          const since = openedAt.get(p);
          if (since !== undefined && since <= at) moved.add(p);
        }
      }
    }
    this.moveToCost([...moved].map((p) => byNo.get(p)!));
  }

  private stopsToCost(group: readonly Run[], stoppedOut: readonly number[]): void {
    // A group closing moves no stop: its flag journaled, or still tried again (ctx.closingGroups), its exits go.
    if (group.length === 0 || group.some((r) => r.exitAll !== null) || this.deps.ctx.closingGroups.reasonOf(group[0]!.strategyId, group[0]!.tradingDate) !== null) return;
    const byNo = new Map(group.map((r) => [r.positionNo, r]));
    const views = group.map(positionOfRun);
    this.moveToCost([...new Set(stoppedOut.flatMap((no) => stopsToCost(views, no)))].map((p) => byNo.get(p)!));
  }

  /** Each run held has its stop moved to cost by its own policy's step; one failing keeps no other from its move. */
  private moveToCost(runs: readonly Run[]): void {
    for (const run of runs) {
      try {
        if (run.state === 'IN_POSITION') this.deps.step(run, { type: 'stop_to_cost' });
      } catch (err) {
        this.deps.ctx.logger.error({ err, strategyId: run.strategyId, runId: run.id, positionNo: run.positionNo }, 'a position\'s stop could not be moved to cost');
      }
    }
  }
}
