/**
 * The I/O half of the backstop (issue 20): places a leg's stop at the broker once its entry is
 * done, and before any exit of the leg cancels it and waits for an answer that lets the exit go.
 * Every call is journaled (db backstops) before it is made, so a crash leaves a row saying what to
 * ask the broker; the rules of what an answer means are the run policy's (core/run-policy/backstop.ts).
 * Calls about one leg's backstop never overlap: each waits for the one before it.
 */
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../core/clock';
import { backstopId, type BrokerAccountId, type RunId } from '../core/ids';
import type { Backstop, Exchange, Levels, OrderSide, Run } from '../core/types';
import { OPEN_BACKSTOP_STATES } from '../core/types';
import { qtyLeft } from '../core/qty';
import { answerOfCancel, answerOfReport, backstopLevels, backstopOn, backstopTargetLevels, nextModifyAt, withModifyAt, type BackstopAnswer, type BackstopPlan } from '../core/run-policy/backstop';
import type { Broker, Instrument, RestingStopRef, RestingStopReport, RestingStopResult, RestingTarget } from '../brokers/broker';
import type { Repos } from '../../db/repos';
import type { CrashPoints } from './crash-points';
import { StreamedStopReports } from './streamed-stop-reports';
import { afterHighestFee } from './held-qty';

export interface BackstopKeeperDeps {
  readonly repos: Repos;
  readonly clock: Clock;
  readonly logger: Logger;
  /** 6 base-36 chars, part of every backstop id. */
  readonly installId: string;
  /** The broker and instrument of a position (execution/order-target.ts); throws when either cannot be had. */
  target(accountId: BrokerAccountId, symbol: string, exchange: Exchange): Promise<{ broker: Broker; instrument: Instrument }>;
  /** A move made after waiting for the modify budget (follow's own answer was null then). */
  onMoved?(move: { from: number; to: number; row: Backstop }): void;
  /**
   * A move whose answer was lost found the stop fired or gone (settleMove), as a streamed update
   * would have told: its fill is the leg's exit, or its leg has no backstop until one is placed.
   */
  onSettled?(row: Backstop): void;
  /** The crash soak's kill points (execution/crash-points.ts); inert outside it. */
  readonly crashPoints?: CrashPoints;
}

/** Where a leg's position is held, and which way its exit trades (its entry's, invariant 8). */
export interface BackstopPosition {
  readonly brokerAccountId: BrokerAccountId;
  readonly symbol: string;
  readonly exchange: Exchange;
  /** The exit's side: 'sell' for a long, 'buy' for a short. */
  readonly side: OrderSide;
  readonly qty: number;
  /** `target`: a take-profit rests with the stop (one cancelling the other) where the broker has them (`oco`). */
  readonly levels: Pick<Levels, 'stop' | 'tick' | 'target'>;
}

/**
 * What an exit of the leg may do now: 'clear' (nothing rests that can fill: send it; `unlocked`,
 * the quantity the broker confirmed cancelled with the stop, is held again whatever the balance
 * says meanwhile), or 'fired' (the backstop's fills are the exit; `remainder` is what is still
 * held, for the engine's own exit; `unlocked`, where our cancel ended it part filled, what it no
 * longer locks).
 */
export type ExitClearance =
  | { readonly kind: 'clear'; readonly unlocked?: number }
  | { readonly kind: 'fired'; readonly backstop: Backstop; readonly filledQty: number; readonly avgFillPrice: number | null; readonly remainder: number; readonly unlocked?: number };

export class BackstopKeeper {
  /** The last call about each leg's backstop, so the next waits for it. */
  private readonly chains = new Map<string, Promise<unknown>>();
  private stopped = false;
  /** Lookups of placements never answered, once more after their leg's exit (lookAgainLater). */
  private readonly lateLookups = new Set<TimerHandle>();
  /** Placements certainly not made (a rate limit, ours or the broker's), waiting to go again (placeAgainLater). */
  private readonly retries = new Set<TimerHandle>();
  /**
   * Per leg: the latest level asked for and its wait for the modify budget. When the moves went out
   * is the journal's (`Backstop.modifiesSentAt`), so a restarted process spends only what is left.
   */
  private readonly follows = new Map<string, { latest: { levels: Pick<Levels, 'stop' | 'tick'>; plan: BackstopPlan } | null; timer: TimerHandle | null }>();
  /**
   * Legs an exit has been cleared for in this process, with when: no backstop is placed for them
   * again. A placement queued behind the exit's clearance (recovery's, or one after the broker
   * lost the stop) would otherwise rest at the broker beside the exit and could sell twice. Kept
   * a day (EXITED_LEG_KEPT_MS), longer than any leg's life.
   */
  private readonly exited = new Map<string, number>();
  /** Versions (client order ids) this process sent a cancel or a move for, with when; kept as `exited` is. */
  private readonly cancelsSent = new Map<string, number>();
  /** What the broker streams of the stops being cancelled, so a cancel carried out ends its wait at once. */
  private readonly streamed: StreamedStopReports;

  constructor(private readonly deps: BackstopKeeperDeps) {
    this.streamed = new StreamedStopReports(deps.clock);
  }

  /**
   * Places the leg's backstop (its entry done, `position` its filled quantity): journaled as
   * 'placing' before the call. Null, with nothing placed, when the plan has it off (or leaves it to
   * a broker whose default is off), the broker has no resting stops, the leg has one already (a
   * second call, a restart) or an exit was cleared for it. Rejects, with nothing journaled, when
   * the broker or the instrument cannot be had. `replace` (recovery, for a
   * leg still held): a backstop that no longer rests and sold nothing is placed again as its next
   * version (the broker lost it, or the process died between its cancel and the exit's journal).
   */
  place(run: Pick<Run, 'id' | 'strategyId' | 'userId' | 'tradingDate' | 'plan'>, legNo: number, position: BackstopPosition, plan: BackstopPlan, replace = false): Promise<Backstop | null> {
    return this.serial(run.id, legNo, async () => {
      const existing = this.deps.repos.backstops.findByLegInternal(run.id, legNo);
      const again = replace && existing && existing.state === 'cancelled' && existing.filledQty === 0 ? existing : null;
      if (plan.on === false || this.stopped || (existing && !again) || this.exited.has(`${run.id}:${legNo}`)) return null;
      const { broker, instrument } = await this.deps.target(position.brokerAccountId, position.symbol, position.exchange);
      const stops = broker.restingStops;
      if (!stops || !backstopOn(plan, stops.onByDefault)) return null;
      const side = position.side === 'sell' ? 'long' : 'short';
      const { triggerPrice, limitPrice } = backstopLevels(side, position.levels, plan, stops.marketOnFire);
      const target = stops.oco ? backstopTargetLevels(side, position.levels, plan, stops.marketOnFire) : null;
      const { repos, clock, installId } = this.deps;
      this.deps.crashPoints?.hit('before-backstop');
      const targetFields = { targetPrice: target?.triggerPrice ?? null, targetLimitPrice: target?.limitPrice ?? null };
      const fields = { qty: position.qty, triggerPrice, limitPrice, ...targetFields, state: 'placing' as const, reason: null, brokerRef: null, filledQty: 0, fillPrice: null, done: false, firedLeg: null };
      const row = again
        ? repos.backstops.update(again.id, { ...fields, version: again.version + 1, clientOrderId: idOf(installId, run, legNo, again.version + 1) }, clock.now())
        : repos.backstops.insert(
        {
          runId: run.id,
          strategyId: run.strategyId,
          userId: run.userId,
          brokerAccountId: position.brokerAccountId,
          legNo,
          version: 1,
          clientOrderId: idOf(installId, run, legNo, 1),
          symbol: position.symbol,
          exchange: position.exchange,
          side: position.side,
          qty: position.qty,
          triggerPrice,
          limitPrice,
          ...targetFields,
          state: 'placing',
        },
        clock.now(),
      );
      const result = await callSafely(() => stops.place({ clientOrderId: row.clientOrderId, instrument, side: row.side, qty: row.qty, triggerPrice, limitPrice, ...(target ? { target } : {}) }));
      return this.recordPlacement(row, result, 0, leastCover(row.qty, broker, instrument));
    });
  }

  /**
   * Before any exit of the leg: cancels its backstop and waits until the answer lets the exit go
   * ('clear') or says the backstop's fills are the exit ('fired'). An answer not known yet is asked
   * again with bounded backoff for as long as it takes: the exit must not go while a stop rests
   * that may fill. A leg without a backstop, or one already cancelled or refused, is clear at once.
   * The leg gets no backstop after this (`exited`).
   */
  clearForExit(runId: RunId, legNo: number): Promise<ExitClearance> {
    return this.serial(runId, legNo, async () => {
      this.noteExited(`${runId}:${legNo}`);
      const follow = this.follows.get(`${runId}:${legNo}`);
      follow?.timer?.cancel();
      this.follows.delete(`${runId}:${legNo}`);
      const found = this.deps.repos.backstops.findByLegInternal(runId, legNo);
      // A move whose answer is not known: which version rests is asked first, and that one is cancelled.
      const row = found?.state === 'modifying' ? await this.settleMove(found) : found;
      if (!row || row.state === 'cancelled' || row.state === 'rejected') return { kind: 'clear' } as const;
      if (row.state === 'fired' && row.done) return firedClearance(row);
      // A placement never answered that the broker does not hold may still reach it after the exit.
      const unanswered = row.state === 'placing';
      const cancelling = row.state === 'fired' ? row : this.journal(row, { state: 'cancelling' });
      const { broker, instrument } = await this.deps.target(row.brokerAccountId, row.symbol, row.exchange);
      const stops = broker.restingStops;
      if (!stops) {
        // The broker no longer offers them (the account's kind changed): nothing can be asked, none can rest.
        this.settle(cancelling, { kind: 'exit' });
        return { kind: 'clear' } as const;
      }
      const ref = this.refOf(cancelling, instrument);
      const { answer, unlocked } = await this.untilKnown(row.brokerAccountId, stops, ref, row.qty, cancelling.state === 'fired' ? 'look_up' : 'cancel', this.cancelSentBefore(found, row));
      const settled = this.settle(cancelling, answer);
      if (unanswered && answer.kind === 'exit') this.lookAgainLater(stops, ref);
      if (answer.kind === 'fired') return firedClearance(settled, unlocked);
      return unlocked === undefined ? ({ kind: 'clear' } as const) : ({ kind: 'clear', unlocked } as const);
    });
  }

  /**
   * The broker streamed that a backstop fired: journaled (its fills so far, whether its order is
   * done) unless its row already settled. The row, or null when it is not one of ours or was
   * settled already (cancelled, or its fire already journaled as done).
   */
  noteFired(accountId: BrokerAccountId, report: RestingStopReport): Promise<Backstop | null> {
    const found = this.deps.repos.backstops.findByClientOrderIdInternal(accountId, report.clientOrderId);
    if (!found) return Promise.resolve(null);
    return this.serial(found.runId, found.legNo, async () => {
      const row = this.deps.repos.backstops.findByLegInternal(found.runId, found.legNo);
      if (!row || row.clientOrderId !== report.clientOrderId || row.state === 'cancelled' || row.state === 'rejected' || (row.state === 'fired' && row.done)) return null;
      return this.fromReport(row, report);
    });
  }

  /**
   * The broker says a resting backstop is gone without a fill (deleted in the broker's own app,
   * expired, or its order refused when it fired): journaled so, unless its row moved on meanwhile
   * (a cancel, a move or a placement of the leg in flight settles it itself). The row, or null.
   */
  noteGone(accountId: BrokerAccountId, report: RestingStopReport): Promise<Backstop | null> {
    const found = this.deps.repos.backstops.findByClientOrderIdInternal(accountId, report.clientOrderId);
    if (!found || (report.status !== 'cancelled' && report.status !== 'rejected') || report.filledQty > 0) return Promise.resolve(null);
    return this.serial(found.runId, found.legNo, async () => {
      const row = this.deps.repos.backstops.findByLegInternal(found.runId, found.legNo);
      if (!row || row.clientOrderId !== report.clientOrderId || row.state !== 'resting') return null;
      return this.fromReport(row, report);
    });
  }

  /**
   * At start, where an open backstop stands (Kite: a GTT other rows own is not taken for it):
   * journaled as the broker says. 'resting' stays; 'fired' is the leg's exit to journal;
   * 'gone' (never placed, cancelled or refused) leaves nothing that can fill, journaled
   * 'cancelled' (reason NOT_AT_BROKER), and a position still held gets the next version placed.
   * Null for a row settled meanwhile (an exit cleared it first).
   */
  recover(row: Backstop): Promise<'resting' | 'fired' | 'gone' | null> {
    return this.serial(row.runId, row.legNo, async () => {
      const current = this.deps.repos.backstops.findByLegInternal(row.runId, row.legNo);
      if (!current || !(OPEN_BACKSTOP_STATES as readonly string[]).includes(current.state)) return null;
      const { broker, instrument } = await this.deps.target(current.brokerAccountId, current.symbol, current.exchange);
      const stops = broker.restingStops;
      if (!stops) return null;
      const seen = await stops.lookup(this.refOf(current, instrument));
      if (seen === null || seen.status === 'cancelled' || seen.status === 'rejected') {
        this.journal(current, { state: 'cancelled', reason: NOT_AT_BROKER });
        return 'gone';
      }
      this.fromReport(current, seen, this.leastOf(current, broker, instrument));
      return seen.status === 'fired' ? 'fired' : 'resting';
    });
  }

  /**
   * Moves the leg's backstop to follow its stop (a trail, a move to cost), at most the broker's
   * `modifiesPerMinute` (nextModifyAt) over the moves the journal holds, this process's and any
   * before a restart; moves asked for meanwhile wait, and the latest wins. Only a resting backstop
   * moves, and only towards the price. Resolves with the move made, if any.
   */
  follow(runId: RunId, legNo: number, levels: Pick<Levels, 'stop' | 'tick'>, plan: BackstopPlan): Promise<{ from: number; to: number; row: Backstop } | null> {
    const key = `${runId}:${legNo}`;
    const f = this.follows.get(key) ?? { latest: null, timer: null };
    this.follows.set(key, f);
    f.latest = { levels, plan };
    if (f.timer) return Promise.resolve(null);
    return this.serial(runId, legNo, async () => {
      const want = f.latest;
      const row = this.deps.repos.backstops.findByLegInternal(runId, legNo);
      const run = this.deps.repos.runs.getInternal(runId);
      if (!want || !row || !run || row.state !== 'resting' || this.stopped) return null;
      const { broker, instrument } = await this.deps.target(row.brokerAccountId, row.symbol, row.exchange);
      const stops = broker.restingStops;
      if (!stops) return null;
      const now = this.deps.clock.now();
      const at = nextModifyAt(row.modifiesSentAt, now, stops.modifiesPerMinute);
      if (at > now) {
        f.timer = this.deps.clock.setTimer(at - now, () => {
          f.timer = null;
          const latest = f.latest;
          if (latest) void this.follow(runId, legNo, latest.levels, latest.plan).then((m) => m && this.deps.onMoved?.(m));
        });
        return null;
      }
      f.latest = null;
      const { triggerPrice, limitPrice } = backstopLevels(row.side === 'sell' ? 'long' : 'short', want.levels, want.plan, stops.marketOnFire);
      const tighter = row.side === 'sell' ? triggerPrice > row.triggerPrice : triggerPrice < row.triggerPrice;
      if (!tighter) return null;
      const version = row.version + 1;
      // A take-profit resting with it goes along unchanged: the levels never move a target.
      const target = targetOf(row);
      const next = { clientOrderId: idOf(this.deps.installId, run, legNo, version), instrument, side: row.side, qty: row.qty, triggerPrice, limitPrice, ...(target ? { target } : {}) };
      // Counted before it goes: a move whose answer dies with the process may have reached the broker.
      const moving = this.journal(row, { state: 'modifying', nextTriggerPrice: triggerPrice, nextLimitPrice: limitPrice, modifiesSentAt: withModifyAt(row.modifiesSentAt, now) });
      // A move cancels this version first: a stop found cancelled later may be this cancel's.
      this.cancelsSent.set(row.clientOrderId, now);
      const result = await callSafely(() => stops.modify(this.refOf(row, instrument), next));
      const answered = result.kind === 'done' && result.report.clientOrderId === next.clientOrderId;
      // The broker's final word on this version instead (a refused move that read it fired or gone).
      const ended = result.kind === 'done' && result.report.clientOrderId === row.clientOrderId && result.report.status !== 'resting';
      const after = answered
        ? this.adoptNext(moving, version, result.report, this.leastOf(row, broker, instrument))
        : result.kind === 'rejected'
          ? this.moveRefused(moving, result)
          : ended
            ? this.fromReport(moving, result.report, this.leastOf(row, broker, instrument), UNMOVED)
            : await this.settleMove(moving);
      // Read back fired or gone: no streamed report may tell (Kite's adapter watches it no more).
      const readBack = !answered && result.kind !== 'rejected';
      if (readBack && (after.state === 'fired' || after.state === 'cancelled')) this.deps.onSettled?.(after);
      return after.state === 'resting' && after.version === version ? { from: row.triggerPrice, to: after.triggerPrice, row: after } : null;
    });
  }

  /**
   * A move whose answer was lost: the next version is looked up; found, it is the backstop; else
   * the current one still is. Where a move keeps the stop's id (Kite's GTT), that stop is read back
   * by its id: moved if it now has the next trigger. Elsewhere the next version is found by its own
   * client id; a broker without one (a GTT found by instrument, side, quantity and trigger) never
   * takes a stop another row learned, nor one made before the leg's row (another strategy's stop at
   * that trigger, resting or fired already: adopted, this leg's exit would cancel or book that one).
   */
  private async settleMove(row: Backstop): Promise<Backstop> {
    const run = this.deps.repos.runs.getInternal(row.runId);
    const { broker, instrument } = await this.deps.target(row.brokerAccountId, row.symbol, row.exchange);
    const stops = broker.restingStops;
    if (!run || !stops || row.nextTriggerPrice === null) return this.journal(row, { ...UNMOVED, state: 'resting' });
    const version = row.version + 1;
    const clientOrderId = idOf(this.deps.installId, run, row.legNo, version);
    const next: RestingStopRef = { clientOrderId, brokerRef: null, instrument, side: row.side, qty: row.qty, triggerPrice: row.nextTriggerPrice, ...(row.targetPrice === null ? {} : { targetPrice: row.targetPrice }) };
    const least = this.leastOf(row, broker, instrument);
    const gone = () => this.journal(row, { ...UNMOVED, state: 'cancelled', reason: NOT_AT_BROKER_NOW });
    if (stops.modifiesInPlace && row.brokerRef !== null) {
      const now = await stops.lookup(this.refOf(row, instrument));
      if (now === null) return gone();
      // Nearer the next trigger than the current one: moved (a trigger the broker rounded still reads so).
      const moved = Math.abs(now.triggerPrice - row.nextTriggerPrice) < Math.abs(now.triggerPrice - row.triggerPrice);
      // Not moved: as it stands. Fired or gone (the lookup watches it no more) is journaled so, for
      // the leg's exit to book or the next version to be placed, never left to read as resting.
      if (!moved) return now.status === 'resting' ? this.journal(row, { ...UNMOVED, state: 'resting' }) : this.fromReport(row, now, least, UNMOVED);
      // Read again as the next version, so what watches it from now on reports under that version's id.
      const seen = await stops.lookup({ ...next, brokerRef: row.brokerRef });
      return seen === null ? gone() : this.adoptNext(row, version, seen, least);
    }
    const seen = await stops.lookup({ ...next, ...this.searchGuards(row) });
    return seen ? this.adoptNext(row, version, seen, least) : this.journal(row, { ...UNMOVED, state: 'resting' });
  }

  /**
   * The least the leg's stop may rest for and still cover it (leastCover), of the run's position as
   * journalFired bases on, not the row's quantity: a version resting for less (within the fee) never
   * lowers the bar for the next. The row's quantity where the run holds none (not read yet).
   */
  private leastOf(row: Backstop, broker: Broker, instrument: Instrument): number {
    const held = this.deps.repos.runs.getInternal(row.runId)?.positionQty ?? 0;
    return leastCover(held > 0 ? held : row.qty, broker, instrument);
  }

  /**
   * A move refused: the version rests on as it was, unless the broker cancelled it before refusing
   * the next one (cancelledVersion: nothing rests, the engine's own stop is all there is for the leg).
   */
  private moveRefused(moving: Backstop, result: Extract<RestingStopResult, { kind: 'rejected' }>): Backstop {
    if (!result.cancelledVersion) return this.journal(moving, { ...UNMOVED, state: 'resting' });
    this.deps.logger.warn({ clientOrderId: moving.clientOrderId, reason: result.reason }, 'the backstop was cancelled to move it and its next version refused: nothing rests, the engine\'s own stop is all there is');
    return this.journal(moving, { ...UNMOVED, state: 'cancelled', reason: result.reason, done: true });
  }

  /** The next version as the journal's backstop of the leg; `least`: what it may cover at the least (coverPatch). */
  private adoptNext(row: Backstop, version: number, report: RestingStopReport, least: number): Backstop {
    return this.journal(row, {
      ...this.coverPatch(row, report, least),
      version,
      clientOrderId: report.clientOrderId,
      brokerRef: report.brokerRef,
      triggerPrice: report.triggerPrice,
      limitPrice: report.limitPrice,
      ...UNMOVED,
      ...targetPatch(report),
      state: report.status,
      filledQty: report.filledQty,
      fillPrice: report.avgFillPrice,
      done: report.done,
    });
  }

  /**
   * clearForExit when the journal cannot be written (storage failing): the same cancel and wait,
   * nothing journaled, so the emergency exit (emergency-exit.ts) may go. 'fired': its fills are
   * the exit, journaled by the next exit of the leg or at a restart, once storage is back.
   */
  clearUnjournaled(runId: RunId, legNo: number): Promise<{ readonly kind: 'clear'; readonly unlocked?: number } | { readonly kind: 'fired' }> {
    return this.serial(runId, legNo, async () => {
      this.noteExited(`${runId}:${legNo}`);
      const row = this.deps.repos.backstops.findByLegInternal(runId, legNo);
      if (!row || row.state === 'cancelled' || row.state === 'rejected') return { kind: 'clear' } as const;
      if (row.state === 'fired') return { kind: 'fired' } as const;
      const { broker, instrument } = await this.deps.target(row.brokerAccountId, row.symbol, row.exchange);
      const stops = broker.restingStops;
      if (!stops) return { kind: 'clear' } as const;
      const { answer, unlocked } = await this.untilKnown(row.brokerAccountId, stops, this.refOf(row, instrument), row.qty, 'cancel', this.cancelSentBefore(row, row));
      if (answer.kind === 'fired') return { kind: 'fired' } as const;
      return unlocked === undefined ? ({ kind: 'clear' } as const) : ({ kind: 'clear', unlocked } as const);
    });
  }

  /**
   * A report the broker streamed for one of its resting stops (BackstopExits.onUpdate): a cancel
   * waiting on that stop proceeds at once when the report settles it (StreamedStopReports).
   */
  noteStreamed(accountId: BrokerAccountId, report: RestingStopReport): void {
    this.streamed.note(accountId, report);
  }

  /**
   * Cancels the stop (or, `look_up`, reads one that fired) and asks again with bounded backoff
   * until the answer is known: after each wait by the clock, or as soon as the broker streams a
   * report that settles the stop (Alpaca's `canceled` once it carries a cancel out), whichever is
   * first. The watch begins before the cancel, so a report streamed during its read-back counts.
   * `unlocked`: the quantity a cancel of ours was confirmed for (the broker's answer to it, or its
   * stream's), which the stop no longer locks. A stop found cancelled already (`foundCancelled`)
   * may be the trader's cancel, its coins sold since: its quantity counts only when this keeper
   * sent a cancel for that version before (`sentBefore`: cancelSentBefore).
   */
  /**
   * Whether this keeper sent a cancel for `row`'s version before this clearance: `found`, the row as
   * the clearance found it, was left cancelling (a clearance whose answer was lost, before a
   * restart too) or modifying that same version, or this process sent a cancel or a move for it
   * (cancelsSent). A stop found cancelled then may be our own cancel's doing.
   */
  private cancelSentBefore(found: Backstop | null | undefined, row: Backstop): boolean {
    if (!found) return false;
    if (found.version === row.version && (found.state === 'cancelling' || found.state === 'modifying')) return true;
    return this.cancelsSent.has(row.clientOrderId);
  }

  private async untilKnown(accountId: BrokerAccountId, stops: NonNullable<Broker['restingStops']>, ref: RestingStopRef, qty: number, first: 'cancel' | 'look_up', sentBefore: boolean): Promise<{ answer: BackstopAnswer; unlocked?: number }> {
    const watch = this.streamed.watch(accountId, ref.clientOrderId, (report) => answerOfReport(report, qty, 0).kind !== 'ask_again');
    let unlocked: number | undefined;
    // A cancel of ours that may have reached the broker (answered, or not known): a cancel streamed after it is ours.
    let sent = sentBefore;
    const noteCancelled = (report: RestingStopReport, ours: boolean) => {
      if (!ours || report.brokerRef === '' || !(report.qty > 0)) return;
      if (report.status === 'cancelled' && report.filledQty === 0) unlocked = report.qty;
      // Fired part filled, the rest ended by our cancel: the rest is held again, not locked.
      else if (report.status === 'fired' && report.done && report.filledQty > 0 && report.filledQty < report.qty) unlocked = qtyLeft(report.qty, report.filledQty);
    };
    try {
      const cancel = async (tries: number) => {
        this.cancelsSent.set(ref.clientOrderId, this.deps.clock.now());
        const result = await callSafely(() => stops.cancel(ref));
        const foundCancelled = result.kind === 'done' && result.foundCancelled === true;
        if (!foundCancelled) sent = true;
        if (result.kind === 'done') noteCancelled(result.report, sent);
        return answerOfCancel(result, qty, tries);
      };
      let answer = first === 'look_up' ? await this.ask(stops, ref, qty, 0, cancel) : await cancel(0);
      for (let tries = 1; answer.kind === 'ask_again'; tries++) {
        if (this.stopped) throw new Error(`backstop ${ref.clientOrderId}: the engine stopped before the broker answered its cancel`);
        const streamed = await watch.wait(answer.afterMs);
        if (streamed && first === 'cancel') noteCancelled(streamed, sent);
        answer = streamed ? answerOfReport(streamed, qty, tries) : await this.ask(stops, ref, qty, tries, cancel);
      }
      return unlocked !== undefined ? { answer, unlocked } : { answer };
    } finally {
      watch.close();
    }
  }

  /**
   * Looks the stop up; one still resting (the cancel never reached it) is cancelled again. One that
   * fired and whose order is still open FIRED_ORDER_PATIENCE_MS after it fired (a Kite GTT's LIMIT
   * the price gapped through) is cancelled too: what it filled is the exit's so far, and the leg's
   * exit sells the rest, never held back for as long as that order rests.
   */
  private async ask(stops: NonNullable<Broker['restingStops']>, ref: RestingStopRef, qty: number, tries: number, cancel: (tries: number) => Promise<BackstopAnswer>): Promise<BackstopAnswer> {
    let seen: RestingStopReport | null;
    try {
      seen = await stops.lookup(ref);
    } catch (err) {
      this.deps.logger.warn({ err, clientOrderId: ref.clientOrderId }, 'could not look the backstop up; asking again');
      return answerOfCancel({ kind: 'unknown' }, qty, tries);
    }
    if (seen?.status === 'fired' && !seen.done && this.deps.clock.now() - seen.at >= FIRED_ORDER_PATIENCE_MS) {
      this.deps.logger.warn({ clientOrderId: ref.clientOrderId, brokerRef: seen.brokerRef, filledQty: seen.filledQty, qty: seen.qty }, 'the backstop fired and its order is still open: it is cancelled, so that the leg\'s exit can sell what it did not fill');
      return cancel(tries);
    }
    return seen?.status === 'resting' ? cancel(tries) : answerOfReport(seen, qty, tries);
  }

  private noteExited(key: string): void {
    const now = this.deps.clock.now();
    for (const [k, at] of this.exited) if (now - at > EXITED_LEG_KEPT_MS) this.exited.delete(k);
    for (const [id, at] of this.cancelsSent) if (now - at > EXITED_LEG_KEPT_MS) this.cancelsSent.delete(id);
    this.exited.set(key, now);
  }

  /** Stops asking: a wait in progress ends with an error, and no new placement is made. */
  stop(): void {
    this.stopped = true;
    for (const t of this.lateLookups) t.cancel();
    this.lateLookups.clear();
    for (const t of this.retries) t.cancel();
    this.retries.clear();
    for (const f of this.follows.values()) f.timer?.cancel();
    this.follows.clear();
  }

  /**
   * A placement whose answer was lost, not found when the exit looked, may still arrive at the
   * broker after the exit (a request stuck in a queue on the way): LATE_PLACEMENT_LOOKUP_MS later
   * it is looked up once more, and cancelled if it rests (it would close, or open, a position
   * that is no longer there). One found fired already sold twice: said loudly, for the trader.
   */
  private lookAgainLater(stops: NonNullable<Broker['restingStops']>, ref: RestingStopRef): void {
    const timer = this.deps.clock.setTimer(LATE_PLACEMENT_LOOKUP_MS, () => {
      this.lateLookups.delete(timer);
      void this.sweep(stops, ref);
    });
    this.lateLookups.add(timer);
  }

  private async sweep(stops: NonNullable<Broker['restingStops']>, ref: RestingStopRef): Promise<void> {
    const { logger } = this.deps;
    try {
      const seen = await stops.lookup(ref);
      if (seen?.status === 'resting') {
        const result = await stops.cancel(ref);
        logger.warn({ clientOrderId: ref.clientOrderId, result: result.kind }, 'a backstop placed after its leg\'s exit was cancelled');
      } else if (seen?.status === 'fired') {
        logger.error({ clientOrderId: ref.clientOrderId, filledQty: seen.filledQty }, 'a backstop placed after its leg\'s exit fired: check the position at the broker');
      }
    } catch (err) {
      logger.error({ err, clientOrderId: ref.clientOrderId }, 'a backstop whose placement was never answered could not be looked up after the exit: check the broker for a resting stop');
    }
  }

  /** `least`: what the stop may cover at the least (coverPatch). */
  private recordPlacement(row: Backstop, result: RestingStopResult, tries: number, least: number): Backstop {
    switch (result.kind) {
      case 'done':
        return this.fromReport(row, result.report, least);
      case 'rejected':
        this.deps.logger.warn({ clientOrderId: row.clientOrderId, reason: result.reason }, 'the broker refused the backstop: the engine\'s own stop is all there is');
        return this.journal(row, { state: 'rejected', reason: result.reason });
      case 'unknown':
        if (result.notPlaced === true) {
          // Certainly not at the broker (a rate limit, ours or its own): it goes again, the position unprotected until then.
          const afterMs = result.retryAfterMs ?? Math.min(PLACEMENT_RETRY_MAX_MS, PLACEMENT_RETRY_MS * 2 ** tries);
          this.deps.logger.warn({ clientOrderId: row.clientOrderId, reason: result.reason, afterMs }, 'the backstop was not placed yet; it is placed again');
          this.placeAgainLater(row, afterMs, tries + 1, least);
          return row;
        }
        // Left 'placing': the exit's cancel, or recovery, asks the broker what became of it.
        this.deps.logger.warn({ clientOrderId: row.clientOrderId, reason: result.reason }, 'no answer to the backstop\'s placement; it is looked up before any exit');
        return row;
    }
  }

  /**
   * A placement the broker certainly did not take, sent again `afterMs` later under the same id,
   * serialised with the leg's other calls: only while its row is still that 'placing' version and
   * no exit was cleared for the leg (an exit's clearance, or recovery after a restart, settles it
   * otherwise). Tried for as long as that holds, the wait doubling to PLACEMENT_RETRY_MAX_MS.
   */
  private placeAgainLater(row: Backstop, afterMs: number, tries: number, least: number): void {
    const timer = this.deps.clock.setTimer(afterMs, () => {
      this.retries.delete(timer);
      this.serial(row.runId, row.legNo, async () => {
        const current = this.deps.repos.backstops.findByLegInternal(row.runId, row.legNo);
        if (this.stopped || this.exited.has(`${row.runId}:${row.legNo}`) || current?.clientOrderId !== row.clientOrderId || current.state !== 'placing') return;
        const { broker, instrument } = await this.deps.target(current.brokerAccountId, current.symbol, current.exchange);
        const stops = broker.restingStops;
        if (!stops) return;
        const result = await callSafely(() => stops.place({ clientOrderId: current.clientOrderId, instrument, side: current.side, qty: current.qty, triggerPrice: current.triggerPrice, limitPrice: current.limitPrice }));
        this.recordPlacement(current, result, tries, least);
      }).catch((err: unknown) => this.deps.logger.error({ err, clientOrderId: row.clientOrderId }, 'a backstop could not be placed again; it is looked up before any exit and at the next start'));
    });
    this.retries.add(timer);
  }

  /**
   * The row as the broker reports its stop. `least` (leastCover), where the broker is at hand (a
   * placement, a move, a lookup at start): a stop resting for less than the row, down to that, is
   * what the row covers; a report without it (a streamed fire) leaves the quantity as journaled.
   */
  private fromReport(row: Backstop, report: RestingStopReport, least?: number, extra: Parameters<Repos['backstops']['update']>[1] = {}): Backstop {
    const covers = least === undefined ? {} : this.coverPatch(row, report, least);
    const base = { brokerRef: report.brokerRef || row.brokerRef, ...covers, filledQty: report.filledQty, fillPrice: report.avgFillPrice, done: report.done, reason: report.reason, ...targetPatch(report) };
    return this.journal(row, { ...base, ...extra, state: report.status });
  }

  /**
   * A broker may rest the stop for less than asked (Binance: the free balance, after its fee taken
   * in the coin bought): the row covers what rests, so a fire of all of it leaves no remainder to
   * chase, but only down to `least` (the row less the broker's highest fee, leastCover). A stop
   * resting for less than that (the balance read short) keeps the row's quantity: a fire of it
   * leaves the rest to the engine's own exit, never booked as not held.
   */
  private coverPatch(row: Backstop, report: RestingStopReport, least: number): { qty?: number } {
    if (!(report.qty > 0) || report.qty >= row.qty) return {};
    if (report.qty >= least) return { qty: report.qty };
    this.deps.logger.warn({ clientOrderId: report.clientOrderId, rowQty: row.qty, restingQty: report.qty, least }, 'the backstop rests for less than the position less the broker\'s highest fee: it covers only part of it, the engine\'s own exit sells the rest');
    return {};
  }

  /** Writes what an answer settled: 'exit' cancelled (nothing rests), 'fired' with its fills. */
  private settle(row: Backstop, answer: BackstopAnswer): Backstop {
    if (answer.kind === 'fired') return this.journal(row, { state: 'fired', filledQty: answer.filledQty, fillPrice: answer.avgFillPrice, done: true, firedLeg: answer.firedLeg });
    return this.journal(row, { state: 'cancelled' });
  }

  private journal(row: Backstop, patch: Parameters<Repos['backstops']['update']>[1]): Backstop {
    return this.deps.repos.backstops.update(row.id, patch, this.deps.clock.now());
  }

  /**
   * How the broker is asked about the row's stop. Where it keeps no client id (a Kite GTT, found by
   * instrument, side, quantity and trigger), the stop is never taken for one another row of the
   * account learned (whatever its state: a fired or cancelled GTT stays in Kite's list, and the same
   * strategy trades the same stop the next day), nor for one created before this row was journaled.
   */
  private refOf(row: Backstop, instrument: Instrument): RestingStopRef {
    // Only a stop whose broker id is not known is searched for, so only then are the others read (every row the account ever had).
    const guards = row.brokerRef === null ? this.searchGuards(row) : { notBefore: row.createdAt };
    return { clientOrderId: row.clientOrderId, brokerRef: row.brokerRef, instrument, side: row.side, qty: row.qty, triggerPrice: row.triggerPrice, ...(row.targetPrice === null ? {} : { targetPrice: row.targetPrice }), ...guards };
  }

  /**
   * What keeps a search for the row's stop without its id (a Kite GTT, by its levels) off every
   * other stop: the broker refs the account's other rows learned, and anything made before the row.
   */
  private searchGuards(row: Backstop): Pick<RestingStopRef, 'excludeBrokerRefs' | 'notBefore'> {
    const others = this.deps.repos.backstops.listBrokerRefsInternal(row.brokerAccountId).filter((ref) => ref !== row.brokerRef);
    return { excludeBrokerRefs: others, notBefore: row.createdAt };
  }

  private serial<T>(runId: RunId, legNo: number, fn: () => Promise<T>): Promise<T> {
    const key = `${runId}:${legNo}`;
    const next = (this.chains.get(key) ?? Promise.resolve()).then(fn, fn);
    const settled = next.catch(() => undefined);
    this.chains.set(key, settled);
    void settled.then(() => {
      if (this.chains.get(key) === settled) this.chains.delete(key);
    });
    return next;
  }
}

/** A move settled either way: no next version is on its way. */
const UNMOVED = { nextTriggerPrice: null, nextLimitPrice: null } as const;

/** The reason journaled on a backstop recovery found the broker does not hold (BackstopKeeper.recover). */
const NOT_AT_BROKER = 'not at the broker at a restart';
/** The reason journaled on a backstop a move's read-back found the broker no longer holds (settleMove). */
const NOT_AT_BROKER_NOW = 'not at the broker when a move whose answer was lost was read back';

/**
 * How long a backstop's order may rest open after the stop fired before an exit of its leg cancels
 * it and sells the rest itself: 10 s. A stop's market order fills within that in a trading market;
 * what rests that long is mostly a Kite GTT's LIMIT (1 % past the trigger) the price went through,
 * which may never fill.
 */
export const FIRED_ORDER_PATIENCE_MS = 10_000;

/** How long a leg an exit was cleared for is remembered, so that nothing places its backstop again. */
const EXITED_LEG_KEPT_MS = 24 * 3_600_000;

/** The first wait before a placement certainly not made goes again, and the longest (placeAgainLater). */
export const PLACEMENT_RETRY_MS = 1_000;
export const PLACEMENT_RETRY_MAX_MS = 30_000;

/** How long after an exit a placement never answered is looked up once more (lookAgainLater). */
export const LATE_PLACEMENT_LOOKUP_MS = 30_000;

/** The id of a version of the run's leg's backstop: with the run's position when it is one of several (its plan's `position_no`). */
function idOf(installId: string, run: Pick<Run, 'strategyId' | 'tradingDate' | 'plan'>, legNo: number, version: number): string {
  return backstopId(installId, run.strategyId, run.tradingDate, legNo, version, run.plan?.position_no);
}

/**
 * The least a stop for `qty` may rest for and still cover the position: `qty` less the broker's
 * highest fee in the asset bought, floored to the step (afterHighestFee); `qty` itself at a
 * broker that takes no fee out of what is bought.
 * @example leastCover(0.0015, binance, btcUsdt) // 0.00149
 */
function leastCover(qty: number, broker: Broker, instrument: Instrument): number {
  return afterHighestFee(qty, broker, instrument) ?? qty;
}

function firedClearance(row: Backstop, unlocked?: number): ExitClearance {
  const fired = { kind: 'fired', backstop: row, filledQty: row.filledQty, avgFillPrice: row.fillPrice, remainder: qtyLeft(row.qty, row.filledQty) } as const;
  return unlocked === undefined ? fired : { ...fired, unlocked };
}

/** The take-profit resting with the row's stop, as a request carries it; null: the stop alone. */
function targetOf(row: Backstop): RestingTarget | null {
  return row.targetPrice === null ? null : { triggerPrice: row.targetPrice, limitPrice: row.targetLimitPrice };
}

/**
 * What a broker's report says of the take-profit and of the side that fired, as journal fields:
 * the take-profit only where the report names it (a broker without them says nothing, and the row
 * keeps its own); the side once it fired (a report without one fired on the stop).
 */
function targetPatch(report: RestingStopReport): Partial<Pick<Backstop, 'targetPrice' | 'targetLimitPrice' | 'firedLeg'>> {
  return {
    ...(report.target === undefined ? {} : { targetPrice: report.target?.triggerPrice ?? null, targetLimitPrice: report.target?.limitPrice ?? null }),
    ...(report.status === 'fired' ? { firedLeg: report.firedLeg ?? 'stop' } : {}),
  };
}

/** A call that throws (a bug or a transport error) is an unknown outcome. */
async function callSafely(call: () => Promise<RestingStopResult>): Promise<RestingStopResult> {
  try {
    return await call();
  } catch (err) {
    return { kind: 'unknown', reason: err instanceof Error ? err.message : String(err) };
  }
}
