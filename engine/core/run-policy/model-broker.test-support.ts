/**
 * Test support for policy.property.test.ts: everything around the run policy, as a model small
 * enough to run thousands of random days a second. A journal and a run row (what SQLite keeps),
 * the caller's memory (queue, deferred exit, jobs, retry and re-entry timers, armed stop, last
 * price: lost at a crash), and a broker that holds shares and answers each order as its script says. The world
 * moves by `act` (time, ticks, the trader, the broker, exits submitted again, crashes); every
 * event goes through the policy, and each (snapshot, event, Step) is handed to `onStep` before
 * the Step is carried out, so a broken invariant fails at the step that broke it. With
 * `atTheTick`, a RATCHET of levels armed live is carried out at the tick with no step, as the
 * market listener does; without, every one is stepped (the step per move).
 *
 * @example
 *   const day = new ModelDay(step, plan, script, times, (r) => {
 *     if (r.step.move) expect(canTransition(r.snapshot.state, r.step.move.to)).toBe(true);
 *   });
 *   for (const a of actions) day.act(a);
 *   day.endOfDay();
 */
import { asOrderId, asRunId, asStrategyId, asUserId } from '../ids';
import { FINAL_ORDER_STATUSES, slotOf, type OrderStatus, type Run } from '../types';
import { isDayOver, isTerminal, transition } from '../run-state';
import { crossingExit } from './exit';
import { crossed, ratchetAt } from './levels';
import { EXIT_PRIORITY, type Levels, type OrderView, type PlaceIntent, type Policy, type RunEvent, type RunPlan, type RunSnapshot, type Step, type SubmitIntent, type Trigger } from './types';

/** How the broker answers one order. */
export type Answer =
  /** Filled in full at `price`; `inTwo`: a part-fill report comes first (qty ≥ 2). */
  | { readonly kind: 'fill'; readonly price: number; readonly inTwo: boolean }
  /** A share of it filled, the rest cancelled by the exchange (qty 1: nothing filled). */
  | { readonly kind: 'part'; readonly share: number; readonly price: number; readonly lasting: false | null }
  | { readonly kind: 'reject'; readonly lasting: boolean | null }
  /** Cancelled with nothing filled; `null`: no word from the broker (maybe the trader's own cancel). */
  | { readonly kind: 'cancel'; readonly lasting: false | null };

/** The broker's answers: the entry's, and exit attempt n's at `exits[n - 1]`. Keyed by order, not by time, so a replay meets the same broker. */
export interface BrokerScript {
  readonly entry: Answer;
  readonly exits: readonly Answer[];
  /** The broker says what is held before a new attempt (netQty). When it cannot, the engine trusts its own count, so the model's trader sells nothing by hand then. */
  readonly tellsHeld: boolean;
  /** When exit attempt n ends with shares held, the trader sells this share of them by hand at the broker (`byHand[n - 1]`; null: not). */
  readonly byHand: readonly (number | null)[];
}

export type WorldAction =
  /** Time passes; jobs and the retry timer fire when due. */
  | { readonly kind: 'advance'; readonly ms: number }
  /** The queue's first intent (by EXIT_PRIORITY, then FIFO) is journaled: journal_entry / journal_exit. */
  | { readonly kind: 'serve' }
  /** The oldest journaled, unsent order reaches the broker (at once, or by the reconciler after a crash). */
  | { readonly kind: 'send' }
  /** The broker answers one of the orders it holds (`pick` modulo their number). */
  | { readonly kind: 'answer'; readonly pick: number }
  | { readonly kind: 'tick'; readonly price: number }
  /** The trader's STOP (or the kill switch); the strategy stops running. */
  | { readonly kind: 'stop'; readonly closePosition: boolean }
  /** The reconciler gives up an entry that never reached the broker (its grace over, or the run stopped). */
  | { readonly kind: 'abandon' }
  /** An exit already submitted for this leg is submitted again and served (againLater after a failed journal write, a stale timer). */
  | { readonly kind: 'again'; readonly leg: 'SELL' | 'STOPLOSS' }
  /** The process dies (memory gone) and starts `downMs` later: recovery steps `recovered`. */
  | { readonly kind: 'crash'; readonly downMs: number };

/** A journal row: what the policy reads, plus when it was due. */
export interface JournalRow extends OrderView {
  readonly scheduledAt: number;
}

/** One call of the policy, with the persisted truth around it (not just the snapshot's two rows). */
export interface StepRecord {
  readonly plan: RunPlan;
  readonly snapshot: RunSnapshot;
  readonly event: RunEvent;
  readonly step: Step;
  /** Every journal row of the run when the event was stepped, in insertion order. */
  readonly journal: readonly JournalRow[];
  /** What the broker holds of the instrument: the run's fills less what the trader sold by hand. */
  readonly brokerHeld: number;
}

/** How the day ended, in money terms. */
export interface DayOutcome {
  readonly state: Run['state'];
  readonly positionQty: number;
  readonly brokerHeld: number;
  readonly entries: number;
  /** The legs entered: the distinct legNo of the entries. */
  readonly legs: number;
  readonly entryFilled: number;
  readonly exitFilled: number;
  readonly exitAttempts: number;
  /** The trader stopped the run and chose to keep the position (at once, or when the order in flight answered). */
  readonly keptOpen: boolean;
  /** Exits journaled after a STOP that said to keep the position (and no STOP since that said close). */
  readonly exitsAfterKeep: number;
  readonly soldByHand: number;
  /**
   * Moments past the square-off at which a position was held (not in ERROR, not kept by the
   * trader) with no exit under way: none queued, at the broker, waiting for the entry's fill, or due.
   */
  readonly heldPastSquareOff: number;
}

/** An intent on the caller's queue, with the leg it was submitted for. */
type Queued = SubmitIntent & { readonly legNo: number };

export interface DayTimes {
  readonly start: number;
  readonly buyAt: number;
  readonly sellAt: number;
  /** No re-entry at or after this instant (runs.reentry_cutoff_at); null or absent: none. */
  readonly reentryCutoffAt?: number | null;
  /** The last moment a position may stay open (its job steps exit_due SQUARE_OFF); null or absent: none. */
  readonly squareOffAt?: number | null;
}

type RunRow = { -readonly [K in 'state' | 'legNo' | 'reentryAt' | 'positionQty' | 'unsoldQty' | 'entryPrice' | 'exitPrice' | 'exitLeg' | 'lastAction' | 'lastActionAt' | 'reason' | 'stopRequested' | 'stopKeep' | 'levels']: Run[K] };
type Row = { -readonly [K in keyof JournalRow]: JournalRow[K] };

const RUN = { runId: asRunId(1), strategyId: asStrategyId(7), userId: asUserId(1) } as const;
/** More crossings than this at one price: levels re-armed where the price already is. */
const CROSSINGS_PER_TICK = 10;
/** The instrument's price step. */
export const TICK = 0.05;
/** The end of day gives up after this many moves: a policy that never settles is a failure too. */
const SETTLE_MOVES = 500;

export class ModelDay {
  // What SQLite keeps.
  private readonly run: RunRow = { state: 'ARMED', legNo: 0, reentryAt: null, positionQty: 0, unsoldQty: 0, entryPrice: null, exitPrice: null, exitLeg: null, lastAction: 'ARMED', lastActionAt: null, reason: null, stopRequested: false, stopKeep: false, levels: null };
  private readonly journal: Row[] = [];
  private strategyRunning = true;
  // What the process holds in memory.
  /** Each tagged with the run's leg when submitted, as the mechanics do (OrderIntent.legNo). */
  private queue: Queued[] = [];
  /** Exits submitted so far today, with their legs: 'again' may submit one of a leg since closed. */
  private submitted: Queued[] = [];
  private deferred: Queued | null = null;
  private jobs: { entry: number | null; exit: number | null; squareOff: number | null };
  private retry: { at: number; leg: SubmitIntent['leg'] } | null = null;
  private reentry: number | null = null;
  private armed: Trigger[] = [];
  /** The leg the armed levels were set for (the market listener keys them so). */
  private armedLeg = 0;
  private lastPrice: number | null = null;
  /**
   * With `atTheTick`: the levels a Step armed live, moved by a RATCHET at the tick itself (as the
   * market listener does) instead of by a step; written to the run row at the end of each action
   * (the levels writer's flush) and with a move out of IN_POSITION (writeRunState).
   */
  private live: Levels | null = null;
  // The broker, which outlives every crash.
  private brokerHeld = 0;
  private soldByHand = 0;
  private keptOpen = false;
  // The trader: the latest STOP said to keep the position, and the exits journaled since.
  private keepAsked = false;
  private exitsAfterKeep = 0;
  private heldPastSquareOff = 0;
  private now: number;

  constructor(
    private readonly policy: Policy,
    readonly plan: RunPlan,
    private readonly script: BrokerScript,
    private readonly times: DayTimes,
    private readonly onStep: (r: StepRecord) => void = () => {},
    private readonly atTheTick = false,
  ) {
    this.now = times.start;
    this.jobs = this.dayJobs();
  }

  private dayJobs() {
    return { entry: this.times.buyAt, exit: this.times.sellAt, squareOff: this.times.squareOffAt ?? null };
  }

  /** The run row's levels (runs.levels). */
  get levels(): Levels | null {
    return this.run.levels;
  }

  /** Every journal row, in insertion order. */
  get rows(): readonly JournalRow[] {
    return this.journal.map((o) => ({ ...o }));
  }

  /** Intents on the queue (lost at a crash). */
  get queued(): number {
    return this.queue.length;
  }

  act(a: WorldAction): void {
    switch (a.kind) {
      case 'advance':
        this.advanceTo(this.now + a.ms);
        break;
      case 'serve':
        this.serve();
        break;
      case 'send': {
        const unsent = this.journal.find((o) => o.status === 'pending');
        if (unsent) unsent.status = 'accepted';
        break;
      }
      case 'answer': {
        const live = this.atBroker();
        if (live.length > 0) this.answer(live[a.pick % live.length]!);
        break;
      }
      case 'tick':
        this.lastPrice = a.price;
        this.crossIfDue();
        break;
      case 'stop':
        this.strategyRunning = false;
        if (!isTerminal(this.run.state)) {
          this.keepAsked = !a.closePosition;
          this.stepEvent({ type: 'stop_requested', closePosition: a.closePosition });
        }
        if (!a.closePosition && this.run.state === 'STOPPED' && (this.run.positionQty > 0 || this.brokerHeld > 0)) this.keptOpen = true;
        break;
      case 'abandon':
        this.abandonUnsentEntry();
        break;
      case 'again': {
        // The latest exit of that kind submitted today, whichever leg it was for (a retry timer or
        // a queued exit may outlive its leg): journaled now, it must go nowhere but its own leg.
        const earlier = this.submitted.findLast((q) => q.leg === a.leg);
        if (!earlier) break;
        this.submit({ leg: a.leg, scheduledAt: this.now }, earlier.legNo);
        this.serve();
        break;
      }
      case 'crash':
        this.crash(a.downMs);
    }
    this.advanceTo(this.now);
    if (this.live && this.run.state === 'IN_POSITION') this.run.levels = this.live;
    if (this.leftOpenPastSquareOff()) this.heldPastSquareOff++;
  }

  /** Past the square-off, a position held with nothing under way to close it (ERROR and a kept position aside). */
  private leftOpenPastSquareOff(): boolean {
    const squareOffAt = this.times.squareOffAt ?? null;
    if (squareOffAt === null || this.now < squareOffAt || this.jobs.squareOff !== null) return false;
    if (isDayOver(this.run) || this.run.state === 'ERROR' || this.run.positionQty === 0) return false;
    const underWay =
      this.queue.some((s) => slotOf(s.leg) === 'exit') ||
      this.journal.some((o) => o.slot === 'exit' && !FINAL_ORDER_STATUSES.has(o.status)) ||
      this.deferred !== null ||
      (this.retry !== null && this.retry.at <= this.now);
    return !underWay;
  }

  /** The rest of the day with no more faults: every intent served, order sent and answered, timer fired. Throws if it never settles. */
  endOfDay(): void {
    for (let moves = 0; moves < SETTLE_MOVES; moves++) {
      if (this.leftOpenPastSquareOff()) this.heldPastSquareOff++;
      if (this.queue.length > 0) this.serve();
      else if (this.journal.some((o) => o.status === 'pending')) {
        if (!this.abandonUnsentEntry()) this.act({ kind: 'send' });
      } else if (this.atBroker().length > 0) this.answer(this.atBroker()[0]!);
      else {
        const next = this.nextTimerAt();
        if (next === null) return;
        this.advanceTo(next);
      }
    }
    throw new Error(`the day did not settle in ${SETTLE_MOVES} moves: run ${this.run.state}, ${this.queue.length} queued, journal ${JSON.stringify(this.journal)}`);
  }

  outcome(): DayOutcome {
    const entries = this.journal.filter((o) => o.slot === 'entry');
    const exits = this.journal.filter((o) => o.slot === 'exit');
    return {
      state: this.run.state,
      positionQty: this.run.positionQty,
      brokerHeld: this.brokerHeld,
      entries: entries.length,
      legs: new Set(entries.map((o) => o.legNo)).size,
      entryFilled: sum(entries.map((o) => o.filledQty)),
      exitFilled: sum(exits.map((o) => o.filledQty)),
      exitAttempts: exits.length,
      keptOpen: this.keptOpen || (this.keepAsked && this.run.state === 'STOPPED' && (this.run.positionQty > 0 || this.brokerHeld > 0)),
      exitsAfterKeep: this.exitsAfterKeep,
      soldByHand: this.soldByHand,
      heldPastSquareOff: this.heldPastSquareOff,
    };
  }

  private stepEvent(event: RunEvent, intent?: Queued): void {
    const snapshot = this.snapshot();
    const step = this.policy(this.plan, snapshot, event);
    // An order goes only for the leg its intent was submitted for (a stale one closes nothing).
    if (intent && step.place && step.place.legNo !== intent.legNo) {
      throw new Error(`a ${intent.leg} submitted for leg ${intent.legNo} was journaled for leg ${step.place.legNo}`);
    }
    this.onStep({ plan: this.plan, snapshot, event, step, journal: this.journal.map((o) => ({ ...o })), brokerHeld: this.brokerHeld });
    this.carryOut(step, intent);
    if ((event.type === 'order_final' && event.order.slot === 'entry') || event.type === 'entry_abandoned') this.entrySettled();
    if (isDayOver(this.run)) this.finishRun();
  }

  /** What the callers do with a Step, in types.ts's order. */
  private carryOut(step: Step, intent: Queued | undefined): void {
    // followUp arms the levels for the run as it was read, before the Step.
    const legNo = this.run.legNo;
    if (step.move && this.live && this.run.state === 'IN_POSITION' && step.move.to !== 'IN_POSITION') {
      if (!('levels' in step.move.patch)) this.run.levels = this.live;
      this.live = null;
    }
    if (step.move) Object.assign(this.run, step.move.patch, { state: transition(this.run.state, step.move.to) });
    if (step.patch) Object.assign(this.run, step.patch);
    if (step.place) this.insert(step.place);
    if (step.outcome === 'defer' && intent && !this.deferred) this.deferred = intent;
    for (const s of step.submit ?? []) this.submit(s);
    for (const t of step.timers ?? []) {
      if ('cancel' in t) this.jobs.exit = null;
      else if (t.set === 'jobs') this.jobs = this.dayJobs();
      else if (t.set === 'exit_retry') this.retry = { at: t.at, leg: t.leg };
      else this.reentry = t.at;
    }
    if (step.triggers) {
      this.armed = [...step.triggers.set];
      this.armedLeg = legNo;
      if (this.atTheTick) this.live = step.triggers.live?.levels ?? null;
      this.crossIfDue();
    }
  }

  private submit(intent: SubmitIntent, legNo = this.run.legNo): void {
    const queued = { ...intent, legNo };
    this.queue.push(queued);
    if (slotOf(intent.leg) === 'exit') this.submitted.push(queued);
  }

  /** The entry is settled either way: a deferred exit goes now or never (execution-engine afterReport). */
  private entrySettled(): void {
    if (this.run.state === 'BUYING') return;
    const deferred = this.deferred;
    this.deferred = null;
    if (deferred && this.run.state === 'IN_POSITION') this.submit(deferred, deferred.legNo);
  }

  /** strategy-manager finishRun: the jobs and the stop go with the day. */
  private finishRun(): void {
    this.jobs = { entry: null, exit: null, squareOff: null };
    this.reentry = null;
    this.armed = [];
    this.live = null;
  }

  private insert(p: PlaceIntent): void {
    if (p.slot === 'exit' && this.keepAsked) this.exitsAfterKeep++;
    if (this.journal.some((o) => o.legNo === p.legNo && o.slot === p.slot && o.attempt === p.attempt)) {
      throw new Error(`journal unique (leg, slot, attempt) refused ${p.legNo}/${p.slot}/${p.attempt}`);
    }
    this.journal.push({ id: asOrderId(this.journal.length + 1), leg: p.leg, slot: p.slot, side: p.side, attempt: p.attempt, status: 'pending', qty: p.qty, filledQty: 0, fillPrice: null, rejectReason: null, brokerAccountId: p.where.brokerAccountId, symbol: p.where.symbol, exchange: p.where.exchange, legNo: p.legNo, scheduledAt: p.scheduledAt });
  }

  private serve(): void {
    if (this.queue.length === 0) return;
    let first = 0;
    this.queue.forEach((s, i) => {
      if (EXIT_PRIORITY[s.leg] < EXIT_PRIORITY[this.queue[first]!.leg]) first = i;
    });
    const [intent] = this.queue.splice(first, 1) as [Queued];
    if (slotOf(intent.leg) === 'entry') {
      this.stepEvent({ type: 'journal_entry', legNo: intent.legNo, scheduledAt: intent.scheduledAt }, intent);
      return;
    }
    // A new attempt asks the broker what is held first (held-qty.ts withHeldQty).
    const last = this.last('exit');
    const asks = this.script.tellsHeld && last !== undefined && FINAL_ORDER_STATUSES.has(last.status);
    this.stepEvent({ type: 'journal_exit', leg: intent.leg as Exclude<SubmitIntent['leg'], 'BUY'>, legNo: intent.legNo, scheduledAt: intent.scheduledAt, ...(asks ? { heldAtBroker: Math.max(0, this.brokerHeld) } : {}) }, intent);
  }

  private answer(o: Row): void {
    const a = (o.slot === 'entry' ? this.script.entry : this.script.exits[o.attempt - 1]) ?? REFUSED;
    let lasting: boolean | null = null;
    switch (a.kind) {
      case 'fill':
        if (a.inTwo && o.qty >= 2 && o.status === 'accepted') {
          this.fill(o, Math.floor(o.qty / 2), a.price, 'partially_filled');
          return;
        }
        this.fill(o, o.qty, a.price, 'filled');
        break;
      case 'part':
        this.fill(o, o.qty < 2 ? 0 : Math.min(o.qty - 1, Math.max(1, Math.round(a.share * o.qty))), a.price, 'cancelled');
        lasting = a.lasting;
        break;
      case 'reject':
      case 'cancel':
        o.status = a.kind === 'reject' ? 'rejected' : 'cancelled';
        o.rejectReason = `${a.kind} (scripted)`;
        lasting = a.lasting;
    }
    this.stepEvent({ type: 'order_final', order: { ...o }, lasting, tickSize: o.slot === 'entry' ? TICK : null });
    if (o.slot === 'exit') this.sellByHand(this.script.byHand[o.attempt - 1] ?? null);
  }

  /** The trader sells a share of what is held by hand (at least 1, all of 1), once an attempt is final with shares left. */
  private sellByHand(share: number | null): void {
    if (share === null || !this.script.tellsHeld || this.brokerHeld === 0) return;
    const qty = this.brokerHeld < 2 ? this.brokerHeld : Math.min(this.brokerHeld - 1, Math.max(1, Math.round(share * this.brokerHeld)));
    this.brokerHeld -= qty;
    this.soldByHand += qty;
  }

  private fill(o: Row, filledQty: number, price: number, status: OrderStatus): void {
    const more = filledQty - o.filledQty;
    // What the run holds in its own direction: a long's shares, a short's shares sold short.
    this.brokerHeld += o.slot === 'entry' ? more : -more;
    Object.assign(o, { filledQty, status, fillPrice: filledQty > 0 ? price : o.fillPrice });
  }

  /** An entry journaled but never sent, given up when its grace is over or the run was stopped. Returns whether it did. */
  private abandonUnsentEntry(): boolean {
    const entry = this.journal.find((o) => o.slot === 'entry' && o.status === 'pending');
    if (!entry || !(this.now - entry.scheduledAt > this.plan.buyGraceMs || this.run.stopRequested)) return false;
    Object.assign(entry, { status: 'cancelled', rejectReason: 'never reached the broker' });
    this.stepEvent(this.run.stopRequested ? { type: 'entry_abandoned', to: 'STOPPED', reason: 'stopped by the trader' } : { type: 'entry_abandoned', to: 'MISSED_BUY', reason: 'was not sent within its grace' });
    return true;
  }

  private crash(downMs: number): void {
    this.queue = [];
    this.submitted = [];
    this.deferred = null;
    this.jobs = { entry: null, exit: null, squareOff: null };
    this.retry = null;
    this.reentry = null;
    this.armed = [];
    this.live = null;
    this.now += downMs;
    const price = this.lastPrice;
    this.lastPrice = null;
    // The model keeps no price bars: recovery has only the kept levels.
    if (!isDayOver(this.run)) this.stepEvent({ type: 'recovered', strategyRunning: this.strategyRunning, bestSinceEntry: null });
    // The feed's first tick after the restart: the last trade, as a subscription's first quote gives it.
    this.lastPrice = price;
    this.crossIfDue();
  }

  /**
   * Every armed level the last price has crossed fires once (the index takes it), in the index's
   * order (down side first, then up): a stop or target submits its exit at the tick, then its
   * crossing is stepped; a ratchet's step arms the levels again, which may cross at once.
   */
  private crossIfDue(): void {
    const price = this.lastPrice;
    if (price === null) return;
    const isCrossed = (t: Trigger) => crossed(t, price);
    let fired = 0;
    for (let hit = this.armed.find(isCrossed); hit; hit = this.armed.find(isCrossed)) {
      // A ratchet armed at the price it fired at would fire forever: the price must move for a level to fire again.
      if (++fired > CROSSINGS_PER_TICK) throw new Error(`levels fired more than ${CROSSINGS_PER_TICK} times at one price ${price}: ${JSON.stringify(this.armed)}`);
      this.armed = this.armed.filter((t) => t !== hit);
      if (hit.kind === 'RATCHET' && this.live) {
        const r = ratchetAt(this.live, this.plan.side, price);
        [this.live, this.armed] = [r.levels, r.triggers];
        continue;
      }
      const exit = crossingExit(hit.kind);
      if (exit) this.submit({ leg: exit, scheduledAt: this.now });
      this.stepEvent({ type: 'trigger_crossed', kind: hit.kind, legNo: this.armedLeg, price, level: hit.level, tickAt: this.now, at: this.now });
    }
  }

  private nextTimerAt(): number | null {
    const due = [this.jobs.entry, this.jobs.exit, this.jobs.squareOff, this.reentry, this.retry?.at ?? null].filter((t): t is number => t !== null);
    return due.length === 0 ? null : Math.max(this.now, Math.min(...due));
  }

  /** Fires every timer due by `to`, in time order (entry job, time exit, square-off, re-entry, then retry, at a tie). */
  private advanceTo(to: number): void {
    for (let next = this.nextTimerAt(); next !== null && next <= to; next = this.nextTimerAt()) {
      this.now = next;
      if (this.jobs.entry !== null && this.jobs.entry <= next) {
        this.jobs.entry = null;
        const { buyAt } = this.times;
        this.stepEvent({ type: 'entry_due', scheduledAt: buyAt, lateByMs: this.now - buyAt, lastPrice: this.lastPrice, dueLabel: `due at ${buyAt}` });
      } else if (this.jobs.exit !== null && this.jobs.exit <= next) {
        this.jobs.exit = null;
        this.stepEvent({ type: 'exit_due', leg: 'SELL', scheduledAt: this.times.sellAt });
      } else if (this.jobs.squareOff !== null && this.jobs.squareOff <= next) {
        const scheduledAt = this.jobs.squareOff;
        this.jobs.squareOff = null;
        this.stepEvent({ type: 'exit_due', leg: 'SQUARE_OFF', scheduledAt });
      } else if (this.reentry !== null && this.reentry <= next) {
        // Due at runs.reentry_at, as the manager schedules it; late when the timer fires after it.
        const at = this.run.reentryAt ?? this.reentry;
        this.reentry = null;
        this.stepEvent({ type: 'reentry_due', scheduledAt: at, lateByMs: Math.max(0, this.now - at), lastPrice: this.lastPrice, dueLabel: `due at ${at}` });
      } else if (this.retry) {
        this.submit({ leg: this.retry.leg, scheduledAt: this.retry.at });
        this.retry = null;
      }
    }
    this.now = Math.max(this.now, to);
  }

  private snapshot(): RunSnapshot {
    const r = this.run;
    const last = (slot: 'entry' | 'exit') => {
      const o = this.last(slot);
      return o ? { ...o } : null;
    };
    return { ...RUN, state: r.state, legNo: r.legNo, positionQty: r.positionQty, unsoldQty: r.unsoldQty, entryPrice: r.entryPrice, exitPrice: r.exitPrice, exitLeg: r.exitLeg, reason: r.reason, stopRequested: r.stopRequested, stopKeep: r.stopKeep, exitAll: null, levels: r.levels, buyAt: this.times.buyAt, sellAt: this.times.sellAt, reentryAt: r.reentryAt, reentryCutoffAt: this.times.reentryCutoffAt ?? null, squareOffAt: this.times.squareOffAt ?? null, entry: last('entry'), exit: last('exit'), deferredExit: this.deferred !== null, now: this.now };
  }

  /** The slot's highest attempt (orders findBySlotInternal). */
  private last(slot: 'entry' | 'exit'): Row | undefined {
    return this.journal.filter((o) => o.slot === slot && o.legNo === this.run.legNo).sort((a, b) => b.attempt - a.attempt)[0];
  }

  private atBroker(): Row[] {
    return this.journal.filter((o) => o.status === 'accepted' || o.status === 'partially_filled');
  }
}

/** The answer to an attempt past the script (past MAX_EXIT_ATTEMPTS, which invariant 3 already refuses). */
const REFUSED: Answer = { kind: 'reject', lasting: true };

function sum(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}
