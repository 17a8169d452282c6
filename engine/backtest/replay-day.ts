/**
 * One run of a strategy replayed over past prices, through the run policy itself: every event
 * (entry due, a level crossed, an order journaled, a fill, the time exit, the square-off, the
 * next leg's entry) goes to the same `step(plan, snapshot, event)` the engine steps, and this
 * file carries out the Step as the engine's mechanics do (execution queue by EXIT_PRIORITY,
 * deferred exit, jobs, re-entry and retry timers, armed levels, the ratchet moved at the tick
 * with levels.ts `ratchetAt` as the market listener does). What it leaves out has no counterpart
 * in the past: crashes, refusals, the trader.
 *
 * The broker is the paper broker's fill model: a market order fills in full at once (paper's
 * zero latency) at the price of that moment, through paper's `fillPrice` (slippage against the
 * trader, rounded to the tick against the trader). Time is the caller's: `moveTo` and `finish`.
 *
 * @example
 *   const day = new ReplayDay(plan, times, { slippageBps: 0, tickSize: 0.05 }, label);
 *   day.moveTo(at, 101.5, 'jump'); day.moveTo(at + 15_000, 99, 'through');
 *   day.finish(); day.fills // journal rows with their fill times
 */
import { asOrderId, asRunId, asStrategyId, asUserId } from '../core/ids';
import { isDayOver, transition } from '../core/run-state';
import { crossingExit } from '../core/run-policy/exit';
import { crossed, ratchetAt } from '../core/run-policy/levels';
import { step } from '../core/run-policy/step';
import { EXIT_PRIORITY, type ExitKind, type Levels, type OrderView, type PlaceIntent, type RunEvent, type RunPlan, type RunSnapshot, type Step, type SubmitIntent, type Trigger } from '../core/run-policy/types';
import { slotOf, type Run } from '../core/types';
import { fillPrice } from '../brokers/paper/paper-price';

/** The run's instants (scheduler/trigger-times.ts PlannedRun). */
export interface ReplayTimes {
  readonly buyAt: number;
  readonly sellAt: number;
  readonly reentryCutoffAt: number | null;
  readonly squareOffAt: number | null;
}

/** The paper broker's fill options (paper-config.ts slippageBps, tickSize). */
export interface FillModel {
  readonly slippageBps: number;
  readonly tickSize: number;
}

/** A journal row as filled, with when. */
export interface ReplayFill extends OrderView {
  readonly filledAt: number;
}

type RunRow = { -readonly [K in 'state' | 'legNo' | 'reentryAt' | 'positionQty' | 'unsoldQty' | 'entryPrice' | 'exitPrice' | 'exitLeg' | 'lastAction' | 'lastActionAt' | 'reason' | 'stopRequested' | 'stopKeep' | 'levels']: Run[K] };
type Row = { -readonly [K in keyof OrderView]: OrderView[K] } & { filledAt: number | null };
type Queued = SubmitIntent & { readonly legNo: number };

const RUN = { runId: asRunId(1), strategyId: asStrategyId(1), userId: asUserId(1) } as const;
/** A policy that never settles (a bug) stops the replay instead of hanging it. */
const MAX_MOVES = 10_000;

export class ReplayDay {
  private readonly run: RunRow = { state: 'ARMED', legNo: 0, reentryAt: null, positionQty: 0, unsoldQty: 0, entryPrice: null, exitPrice: null, exitLeg: null, lastAction: 'ARMED', lastActionAt: null, reason: null, stopRequested: false, stopKeep: false, levels: null };
  private readonly journal: Row[] = [];
  private queue: Queued[] = [];
  private deferred: Queued | null = null;
  private jobs: { entry: number | null; exit: number | null; squareOff: number | null };
  private retry: { at: number; leg: ExitKind } | null = null;
  private reentry: number | null = null;
  private armed: Trigger[] = [];
  private armedLeg = 0;
  /** Levels armed live: moved at the tick by a RATCHET, written to the run row as the levels writer does. */
  private live: Levels | null = null;
  private lastPrice: number | null = null;
  private now: number;

  constructor(
    readonly plan: RunPlan,
    private readonly times: ReplayTimes,
    private readonly fill: FillModel,
    /** An instant as the trader reads it, for the policy's messages. */
    private readonly label: (at: number) => string,
  ) {
    // The replay's first price sets the time; nothing is due before the entry.
    this.now = 0;
    this.jobs = this.dayJobs();
  }

  /** The run's state now, and why it ended (its reason) when it did. */
  get state(): { readonly state: Run['state']; readonly reason: string | null; readonly over: boolean } {
    return { state: this.run.state, reason: this.run.reason, over: isDayOver(this.run) };
  }

  /** Every order the run journaled, in order, with its fill. */
  get fills(): readonly ReplayFill[] {
    return this.journal.filter((o): o is Row & { filledAt: number } => o.filledAt !== null).map((o) => ({ ...o }));
  }

  /**
   * The price is `price` at `at`: timers due before `at` fire first (at the price before), then
   * the price moves, then timers due at `at` fire. 'through': it passed through every armed level
   * between the last price and this one, each crossed at its own level (a stop fills at the stop);
   * 'jump': it got there at once (a gap), and a level passed fills at `price`.
   */
  moveTo(at: number, price: number, how: 'through' | 'jump'): void {
    this.runTimers(at, false);
    this.now = Math.max(this.now, at);
    if (how === 'through' && this.lastPrice !== null) {
      for (let level = this.nextLevel(this.lastPrice, price), n = 0; level !== null; level = this.nextLevel(this.lastPrice, price)) {
        if (++n > MAX_MOVES) throw new Error(`levels between ${this.lastPrice} and ${price} never settled`);
        this.tick(level);
      }
    }
    this.tick(price);
    this.runTimers(at, true);
  }

  /**
   * A bar in which nothing can happen passed at once: no order waiting or pending, no timer due by
   * `until` (its last point), no armed level within [low, high] (every point and every move of
   * the bar is within it). Then its points would only have moved the price and the time: the price
   * is its close at `until`, and true. False (nothing done): the bar must be walked.
   */
  passQuietBar(until: number, low: number, high: number, close: number): boolean {
    if (this.queue.length > 0 || this.journal.some((o) => o.status === 'pending')) return false;
    const timer = this.nextTimerAt();
    if (timer !== null && timer <= until) return false;
    for (const t of this.armed) if (t.dir === 'down' ? low <= t.level : high >= t.level) return false;
    this.now = Math.max(this.now, until);
    this.lastPrice = close;
    return true;
  }

  /** The rest of the run with no more prices: timers due until `until` fire, orders fill at the last price. */
  finish(until: number): void {
    this.runTimers(until, true);
  }

  private tick(price: number): void {
    this.lastPrice = price;
    this.pump();
  }

  /**
   * The exit level nearest `from` strictly between it and `to`, in the direction of travel; null:
   * none. A RATCHET on the way is not stopped at: a ratchet only ever tightens the stop behind the
   * price, so one ratchet at the end of the move sets the levels the ticks in between would have
   * (the best price is the highest reached), and an exit level on the way is still stopped at.
   */
  private nextLevel(from: number, to: number): number | null {
    let best: number | null = null;
    for (const t of this.armed) {
      if (t.kind === 'RATCHET') continue;
      const on = to < from ? t.dir === 'down' && t.level < from && t.level > to : t.dir === 'up' && t.level > from && t.level < to;
      if (on && (best === null || Math.abs(t.level - from) < Math.abs(best - from))) best = t.level;
    }
    return best;
  }

  private runTimers(to: number, inclusive: boolean): void {
    for (let n = 0; ; n++) {
      if (n > MAX_MOVES) throw new Error('timers never settled');
      const next = this.nextTimerAt();
      if (next === null || next > to || (!inclusive && next === to)) return;
      this.now = Math.max(this.now, next);
      this.pump();
    }
  }

  /** Everything due now, one at a time, until nothing is: the queue, fills, crossings, timers. */
  private pump(): void {
    for (let n = 0; n < MAX_MOVES; n++) {
      if (this.queue.length > 0) this.serve();
      else if (this.lastPrice !== null && this.journal.some((o) => o.status === 'pending')) this.fillPending(this.lastPrice);
      else if (!this.crossOnce() && !this.fireTimer()) return;
    }
    throw new Error(`the run did not settle in ${MAX_MOVES} moves: ${this.run.state}`);
  }

  private stepEvent(event: RunEvent, intent?: Queued): void {
    this.carryOut(step(this.plan, this.snapshot(), event), intent);
    if ((event.type === 'order_final' && event.order.slot === 'entry') || event.type === 'entry_abandoned') this.entrySettled();
    if (isDayOver(this.run)) this.finishRun();
  }

  /** What the engine does with a Step, in run-policy/types.ts's order. */
  private carryOut(s: Step, intent: Queued | undefined): void {
    const legNo = this.run.legNo;
    if (s.move && this.live && this.run.state === 'IN_POSITION' && s.move.to !== 'IN_POSITION') {
      if (!('levels' in s.move.patch)) this.run.levels = this.live;
      this.live = null;
    }
    if (s.move) Object.assign(this.run, s.move.patch, { state: transition(this.run.state, s.move.to) });
    if (s.patch) Object.assign(this.run, s.patch);
    if (s.place) this.insert(s.place);
    if (s.outcome === 'defer' && intent && !this.deferred) this.deferred = intent;
    for (const x of s.submit ?? []) this.submit(x);
    for (const t of s.timers ?? []) {
      if ('cancel' in t) this.jobs.exit = null;
      else if (t.set === 'jobs') this.jobs = this.dayJobs();
      else if (t.set === 'exit_retry') this.retry = { at: t.at, leg: t.leg };
      else this.reentry = t.at;
    }
    if (s.triggers) {
      this.armed = [...s.triggers.set];
      this.armedLeg = legNo;
      this.live = s.triggers.live?.levels ?? null;
    }
  }

  private dayJobs() {
    return { entry: this.times.buyAt, exit: this.times.sellAt, squareOff: this.times.squareOffAt };
  }

  private submit(intent: SubmitIntent, legNo = this.run.legNo): void {
    this.queue.push({ ...intent, legNo });
  }

  /** The entry settled: a deferred exit goes now or never (execution-engine afterReport). */
  private entrySettled(): void {
    if (this.run.state === 'BUYING') return;
    const deferred = this.deferred;
    this.deferred = null;
    if (deferred && this.run.state === 'IN_POSITION') this.submit(deferred, deferred.legNo);
  }

  /** strategy-manager finishRun: the jobs and the levels go with the run. */
  private finishRun(): void {
    this.jobs = { entry: null, exit: null, squareOff: null };
    this.reentry = null;
    this.retry = null;
    this.armed = [];
    this.live = null;
  }

  private insert(p: PlaceIntent): void {
    const w = p.where;
    this.journal.push({ id: asOrderId(this.journal.length + 1), leg: p.leg, slot: p.slot, side: p.side, attempt: p.attempt, status: 'pending', qty: p.qty, filledQty: 0, fillPrice: null, rejectReason: null, brokerAccountId: w.brokerAccountId, symbol: w.symbol, exchange: w.exchange, legNo: p.legNo, filledAt: null });
  }

  private serve(): void {
    let first = 0;
    this.queue.forEach((q, i) => {
      if (EXIT_PRIORITY[q.leg] < EXIT_PRIORITY[this.queue[first]!.leg]) first = i;
    });
    const [intent] = this.queue.splice(first, 1) as [Queued];
    if (slotOf(intent.leg) === 'entry') this.stepEvent({ type: 'journal_entry', legNo: intent.legNo, scheduledAt: intent.scheduledAt }, intent);
    else this.stepEvent({ type: 'journal_exit', leg: intent.leg as ExitKind, legNo: intent.legNo, scheduledAt: intent.scheduledAt }, intent);
  }

  /** The paper broker fills every order sent, in full, at the price now. */
  private fillPending(price: number): void {
    const o = this.journal.find((r) => r.status === 'pending')!;
    Object.assign(o, { status: 'filled', filledQty: o.qty, fillPrice: fillPrice(price, o.side, this.fill.slippageBps, this.fill.tickSize), filledAt: this.now });
    const { filledAt: _, ...order } = o;
    this.stepEvent({ type: 'order_final', order, lasting: null, tickSize: o.slot === 'entry' ? this.fill.tickSize : null });
  }

  /**
   * One armed level the last price has crossed, taken as the trigger index takes it: a RATCHET of
   * live levels moved at the tick (no step), a stop or target submits its exit and its crossing
   * is stepped. False when none is crossed.
   */
  private crossOnce(): boolean {
    const price = this.lastPrice;
    if (price === null) return false;
    const hit = this.armed.find((t) => crossed(t, price));
    if (!hit) return false;
    this.armed = this.armed.filter((t) => t !== hit);
    if (hit.kind === 'RATCHET' && this.live) {
      const r = ratchetAt(this.live, this.plan.side, price);
      [this.live, this.armed] = [r.levels, r.triggers];
      if (this.run.state === 'IN_POSITION') this.run.levels = this.live;
      return true;
    }
    const exit = crossingExit(hit.kind);
    if (exit) this.submit({ leg: exit, scheduledAt: this.now });
    this.stepEvent({ type: 'trigger_crossed', kind: hit.kind, legNo: this.armedLeg, price, level: hit.level, tickAt: this.now, at: this.now });
    return true;
  }

  private nextTimerAt(): number | null {
    const due = [this.jobs.entry, this.jobs.exit, this.jobs.squareOff, this.reentry, this.retry?.at ?? null].filter((t): t is number => t !== null);
    return due.length === 0 ? null : Math.min(...due);
  }

  /** The first timer due by now, in the engine's order at a tie (entry, time exit, square-off, re-entry, retry). False: none due. */
  private fireTimer(): boolean {
    const now = this.now;
    const due = (t: number | null) => t !== null && t <= now;
    if (due(this.jobs.entry)) {
      const { buyAt } = this.times;
      this.jobs.entry = null;
      this.stepEvent({ type: 'entry_due', scheduledAt: buyAt, lateByMs: now - buyAt, lastPrice: this.lastPrice, dueLabel: this.label(buyAt) });
    } else if (due(this.jobs.exit)) {
      this.jobs.exit = null;
      this.stepEvent({ type: 'exit_due', leg: 'SELL', scheduledAt: this.times.sellAt });
    } else if (due(this.jobs.squareOff)) {
      const scheduledAt = this.jobs.squareOff!;
      this.jobs.squareOff = null;
      this.stepEvent({ type: 'exit_due', leg: 'SQUARE_OFF', scheduledAt });
    } else if (due(this.reentry)) {
      const at = this.run.reentryAt ?? this.reentry!;
      this.reentry = null;
      this.stepEvent({ type: 'reentry_due', scheduledAt: at, lateByMs: Math.max(0, now - at), lastPrice: this.lastPrice, dueLabel: this.label(at) });
    } else if (this.retry && this.retry.at <= now) {
      this.submit({ leg: this.retry.leg, scheduledAt: this.retry.at });
      this.retry = null;
    } else return false;
    return true;
  }

  private snapshot(): RunSnapshot {
    const r = this.run;
    const last = (slot: 'entry' | 'exit') => {
      const o = this.journal.filter((x) => x.slot === slot && x.legNo === r.legNo).sort((a, b) => b.attempt - a.attempt)[0];
      if (!o) return null;
      const { filledAt: _, ...view } = o;
      return view;
    };
    return { ...RUN, state: r.state, legNo: r.legNo, positionQty: r.positionQty, unsoldQty: r.unsoldQty, entryPrice: r.entryPrice, exitPrice: r.exitPrice, exitLeg: r.exitLeg, reason: r.reason, stopRequested: r.stopRequested, stopKeep: r.stopKeep, exitAll: null, levels: r.levels, buyAt: this.times.buyAt, sellAt: this.times.sellAt, reentryAt: r.reentryAt, reentryCutoffAt: this.times.reentryCutoffAt, squareOffAt: this.times.squareOffAt, entry: last('entry'), exit: last('exit'), deferredExit: this.deferred !== null, now: this.now };
  }
}
