/**
 * Places every order. One priority queue (STOPLOSS before SELL before BUY), a per-strategy lock,
 * the journal written before anything is sent, and exactly one exit per position: whichever exit
 * reaches the journal first wins, the other is recorded as suppressed.
 */
import type { BrokerAccountId, RunId, StrategyId } from '../core/ids';
import { runOrderId } from './run-order-id';
import { randomToken } from '../core/random-ids';
import { orderScope } from '../core/events';
import type { TimerHandle } from '../core/clock';
import { slotOf, type Leg, type Order, type Run } from '../core/types';
import { asExitKind } from '../core/run-policy/exit';
import type { RunEvent, Step } from '../core/run-policy/types';
import type { OrderReport, PlaceOrderRequest, PlaceOrderResult } from '../brokers/broker';
import type { BrokerAccountRef } from '../brokers/broker-sessions';
import type { Broker } from '../brokers/broker';
import type { EngineContext } from '../context';
import { isStorageUnavailable, UniqueViolation, type OrderPatch } from '../../db/repos';
import { OrderQueue } from './order-queue';
import { announceRun } from './run-ledger';
import { abandonUnsentEntry, applyReportToJournal, type AbandonedEntry, type ReportOutcome } from './apply-report';
import { Reconciler } from './reconciler';
import { GroupCommit } from './group-commit';
import { EmergencyExits } from './emergency-exit';
import { orderTarget } from './order-target';
import { followUp, placedOrderRow, stepRun, writeStep } from './apply-step';
import { BackstopExits, type ExitGo } from './backstop-exits';
import { HeldQty } from './held-qty';

/** A request to place one leg of one run; the engine decides whether it may go out. */
export interface OrderIntent {
  readonly strategyId: StrategyId;
  readonly runId: RunId;
  readonly leg: Leg;
  /** The run's leg it was submitted for: one for a leg since closed is stale, and the journal drops it. */
  readonly legNo: number;
  /** When the trigger was due (time legs) or the crossing tick's time (STOPLOSS). */
  readonly scheduledAt: number;
  /** A new attempt of an exit: what the broker says the exit can close (its signed netQty, closableQty; held-qty.ts). */
  readonly heldAtBroker?: number;
  /** The remainder under the venue's least order, in words (dustOf): the run is closed with it. */
  readonly dust?: string;
  /** A spot account's reading short of the position beyond the broker's fee (held-qty.ts): this much was not seen free, and stays the run's for the next attempt. */
  readonly notSeen?: number;
}

export interface ExecutionOptions {
  /** Orders being placed at once across all strategies. */
  readonly maxInFlight?: number;
  /** lock:runtime:{id} expiry; longer than any broker call should take. */
  readonly lockTtlMs?: number;
}

/** A placement answer as written to the journal, for what follows it. */
interface WrittenResult {
  readonly order: Order;
  readonly result: PlaceOrderResult;
  readonly ackedAt: number;
  /** When the placement request went out. */
  readonly dispatchedAt: number;
  /** The journal row before the answer was written. */
  readonly current: Order;
}

type Decision =
  | { readonly kind: 'send'; readonly order: Order; readonly before: Run; readonly after: Run }
  | { readonly kind: 'defer'; readonly run: Run }
  | { readonly kind: 'suppress'; readonly run: Run; readonly reason: string }
  /** Not sent, and the run moved (a new exit attempt finding nothing held at the broker). */
  | { readonly kind: 'halt'; readonly before: Run; readonly after: Run; readonly reason: string }
  | { readonly kind: 'drop'; readonly reason: string };

export class ExecutionEngine {
  private readonly queue = new OrderQueue<OrderIntent>();
  /** Strategies with an intent being processed in this process (until its broker answer is written). */
  private readonly busy = new Set<StrategyId>();
  /** Intents waiting for their strategy's current intent to finish. */
  private readonly parked = new Map<StrategyId, OrderIntent[]>();
  /** Exits asked for while the BUY was still in flight: sent as soon as it fills. */
  private readonly exitAfterFill = new Map<RunId, OrderIntent>();
  /** The next attempt of an exit whose last attempt left shares held, per run. */
  private readonly exitRetries = new Map<RunId, TimerHandle>();
  /**
   * Times in a row a run's exit could not be decided (againLater's backoff): kept across its
   * attempts until the journal decides the exit (placed, suppressed, halted) or the backstop's
   * fills end it, so the wait grows as EXIT_AGAIN_MS says.
   */
  private readonly exitTries = new Map<RunId, number>();
  /** What an exit may sell, asked of the broker before it is journaled (held-qty.ts). */
  private readonly held: HeldQty;
  /** Intents holding a slot: from leaving the queue until the broker answered (or the intent ended without an order). */
  private inFlight = 0;
  /** Bookkeeping put off while orders wait for a slot (whenOrdersOut), each with its deadline. */
  private afterOrders: AfterOrders[] = [];
  /** A deadline passed with orders still queued: nothing more is put off until the queue empties. */
  private overdue = false;
  /** Lock owners: this process's random prefix and a counter (unique without asking the OS for randomness per order). */
  private readonly ownerPrefix = randomToken();
  private ownerSeq = 0;
  /** When an order's journal step was last rehearsed. */
  private rehearsedAt: number | undefined;
  private idleWaiters: Array<() => void> = [];
  /** Intents whose order has no answer from its broker yet: queued, parked, on their way or placed. */
  private readonly unanswered = new Set<OrderIntent>();
  private answerWaiters: Array<() => void> = [];
  private readonly maxInFlight: number;
  private readonly lockTtlMs: number;
  private stopped = false;
  readonly reconciler: Reconciler;
  /** Group commit: intents decided in one event-loop turn share one journal transaction (one fsync). */
  private readonly journal: GroupCommit<OrderIntent, Decision>;
  /** Broker answers (acks, trade updates) of one turn share one commit that does not wait for the disk. */
  private readonly answers: GroupCommit<() => unknown, unknown>;
  private readonly emergency: EmergencyExits;
  /** Sets a run's next-leg timer (the strategy manager's, which keeps the run's jobs). */
  private reentryHandler: ReentryHandler | undefined;
  /** The backstop's part in the order flow: each run's plan and its broker say whether a leg gets one. */
  readonly backstops: BackstopExits;

  constructor(
    private readonly ctx: EngineContext,
    opts: ExecutionOptions = {},
  ) {
    this.maxInFlight = opts.maxInFlight ?? 64;
    this.lockTtlMs = opts.lockTtlMs ?? 30_000;
    this.reconciler = new Reconciler(ctx, {
      apply: (accountId, report) => this.applyReport(accountId, report),
      abandonEntry: (order, outcome) => this.abandonEntry(order, outcome),
    });
    this.backstops = new BackstopExits(ctx, { submit: (exit) => this.submit(exit), applyReport: (accountId, report) => this.applyReport(accountId, report) });
    this.held = new HeldQty(ctx, {
      plan: (intent) => {
        const run = ctx.repos.runs.getInternal(intent.runId);
        return (run && stepRun(ctx, run, journalEvent(intent))?.place) ?? null;
      },
      againLater: (intent) => this.againLater(intent),
    });
    this.journal = new GroupCommit(ctx.repos, (intent) => this.decide(intent));
    this.answers = new GroupCommit(ctx.repos, (write) => write(), { durable: false, maxBatch: ANSWERS_PER_COMMIT, defer: (flush) => this.whenOrdersOut(flush) });
    this.emergency = new EmergencyExits(ctx, {
      // As the journal would place it (the row written later must match): what the run holds, or
      // less where the broker was asked what is held (withHeldQty), as a sale of more is refused.
      plan: (run, intent) => stepRun(ctx, run, journalEvent(intent))?.place ?? null,
      journal: (intent) => {
        const d = this.decide(intent);
        return d.kind === 'send' ? { order: d.order, announce: () => announceRun(ctx, d.before, d.after) } : null;
      },
      place: async (where, clientOrderId, side, qty) => {
        const { broker, instrument } = await orderTarget(ctx, where.brokerAccountId, where.symbol, where.exchange);
        // An emergency only ever closes what the run holds.
        return placeSafely(broker, { clientOrderId, instrument, side, qty, opens: false });
      },
      record: (order, result, dispatchedAt) => {
        this.recordResult(order, result, dispatchedAt);
        // Updates that came while the order had no journal row were dropped: ask the broker now.
        this.reconciler.track(order.id, true);
      },
    });
  }

  /**
   * Who sets the timer of a run's next leg when an exit's fill, stepped here, leaves the run
   * waiting between legs (the run policy's 'reentry' timer): the strategy manager, which keeps
   * each run's jobs and cancels them together.
   */
  setReentryHandler(handler: ReentryHandler): void {
    this.reentryHandler = handler;
  }

  /** Wires a newly opened broker's order updates in: the updates of one turn are applied together. */
  attach(account: BrokerAccountRef, broker: Broker): void {
    broker.restingStops?.onUpdate?.((report) => this.backstops.onUpdate(account.id, report));
    broker.execution.onListening?.(() => this.reconciler.lookUpOnListening(account.id));
    broker.execution.onOrderUpdate((report) => {
      this.answers
        .write(() => applyReportToJournal(this.ctx, account.id, report, this.deferred))
        .then(
          (outcome) => this.afterReport(outcome as ReportOutcome | null),
          (err: unknown) => this.ctx.logger.error({ err, clientOrderId: report.clientOrderId, status: report.status }, 'order update could not be applied'),
        )
        // The update is in the journal; what follows it (events, the stop armed) failed: said, never
        // an unhandled rejection. Recovery redoes it from the journal at the next start.
        .catch((err: unknown) => this.ctx.logger.error({ err, clientOrderId: report.clientOrderId, status: report.status }, 'what follows an applied order update failed'));
    });
  }

  submit(intent: OrderIntent): void {
    if (this.stopped) return;
    this.unanswered.add(intent);
    this.queue.push(intent);
    this.pump();
  }

  /**
   * The journal step of an intent due in a few seconds, rolled back: nothing is written, but the
   * prepared statements, compiled code and SQLite pages the real one will need are ready, so the
   * day's first order does not pay for them on its way out (~1.3 ms at the bench's first BUY).
   * The broker warm-up calls it. One per instant for the whole process: what it warms is shared.
   * Synchronous, so no other write runs inside the transaction; it never waits for a write lock
   * another process holds (a backup, a sqlite3 shell).
   */
  rehearse(intent: OrderIntent): void {
    const now = this.ctx.clock.now();
    if (this.rehearsedAt !== undefined && Math.abs(now - this.rehearsedAt) < REHEARSALS_SHARED_MS) return;
    this.rehearsedAt = now;
    try {
      this.ctx.repos.transaction(
        () => {
          this.decide(intent);
          throw ROLLED_BACK;
        },
        { waitForLock: false },
      );
    } catch (err) {
      // What failed here will likely fail the real order in a few seconds: say so now.
      if (err !== ROLLED_BACK) this.ctx.logger.warn({ err, strategyId: intent.strategyId, leg: intent.leg }, 'order rehearsal failed: the journal may refuse the order when it is due');
    }
  }

  /** Resolves when nothing is queued, parked, being placed or waiting for its answer to be written. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Resolves once every intent submitted so far has its broker's answer (accepted, refused, or no
   * answer in time: unknown), or has ended without an order (suppressed, not sent, failed); the
   * answers' bookkeeping is not waited for. At start the daemon builds its API only after this,
   * so that recovery's exits reach the brokers first (idle() also waits for parked intents).
   */
  whenAnswered(): Promise<void> {
    if (this.unanswered.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.answerWaiters.push(resolve));
  }

  private answered(intent: OrderIntent): void {
    if (!this.unanswered.delete(intent) || this.unanswered.size > 0) return;
    for (const w of this.answerWaiters.splice(0)) w();
  }

  /** Stops taking intents; in-flight ones finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const intent of [...this.unanswered]) this.answered(intent);
    for (const t of this.exitRetries.values()) t.cancel();
    this.exitRetries.clear();
    this.exitTries.clear();
    this.held.clear();
    this.reconciler.stop();
    this.emergency.stop();
    this.backstops.keeper.stop();
    await this.idle();
  }

  /** Nothing queued, parked, being placed or waiting for its answer to be written. */
  isIdle(): boolean {
    return this.queue.size === 0 && this.busy.size === 0 && this.parked.size === 0;
  }

  /**
   * Runs `fn` in a later turn once no order waits for a slot, or after AFTER_ORDERS_MAX_WAIT_MS.
   * The broker answers' writes and the audit log wait so: in a burst (10 000 BUYs in one second)
   * the orders go out first, and the answers follow in commits of ANSWERS_PER_COMMIT. Each order's
   * slot frees when the broker answers it, so the burst is not held up by the answers; its strategy
   * stays busy (a later intent of it parked) until its answer is written.
   *
   * The wait is bounded for the whole backlog, not per commit: once a deadline passes with orders
   * still queued, nothing more waits until the queue empties, so fills (and the stop-losses they
   * arm) are written at full speed, between the orders, while a long burst or a rate-limited
   * broker drains the queue. With no queue, as on any ordinary second, `fn` runs in the next turn.
   */
  whenOrdersOut(fn: () => void): void {
    if (this.queue.size === 0 || this.overdue) {
      setImmediate(fn);
      return;
    }
    const entry: AfterOrders = {
      fn,
      deadline: this.ctx.clock.setTimer(AFTER_ORDERS_MAX_WAIT_MS, () => {
        this.overdue = true;
        this.releaseAfterOrders();
      }),
    };
    this.afterOrders.push(entry);
  }

  /** Runs everything whenOrdersOut put off, in the next turn. */
  private releaseAfterOrders(): void {
    if (this.afterOrders.length === 0) return;
    const released = this.afterOrders;
    this.afterOrders = [];
    for (const { fn, deadline } of released) {
      deadline.cancel();
      setImmediate(fn);
    }
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight) {
      const intent = this.queue.pop();
      if (!intent) break;
      if (this.busy.has(intent.strategyId)) {
        const waiting = this.parked.get(intent.strategyId) ?? [];
        waiting.push(intent);
        this.parked.set(intent.strategyId, waiting);
        continue;
      }
      this.busy.add(intent.strategyId);
      this.inFlight++;
      let holdsSlot = true;
      const freeSlot = () => {
        if (!holdsSlot) return;
        holdsSlot = false;
        this.inFlight--;
        this.pump();
      };
      void this.process(intent, freeSlot).finally(() => {
        this.answered(intent);
        freeSlot();
        this.busy.delete(intent.strategyId);
        const waiting = this.parked.get(intent.strategyId);
        if (waiting) {
          this.parked.delete(intent.strategyId);
          for (const w of waiting) this.queue.push(w);
        }
        this.pump();
        if (this.isIdle()) for (const w of this.idleWaiters.splice(0)) w();
      });
    }
    if (this.queue.size === 0) {
      this.overdue = false;
      this.releaseAfterOrders();
    }
  }

  /** `freeSlot` lets the next intent start: called once the broker has answered this one's order. */
  private async process(intent: OrderIntent, freeSlot: () => void): Promise<void> {
    const { runtime, logger } = this.ctx;
    const owner = `${this.ownerPrefix}.${++this.ownerSeq}`;
    try {
      if (!(await runtime.acquireLock(intent.strategyId, owner, this.lockTtlMs))) {
        // Another process holds the lock (a real Redis still holding a crashed process's lock for
        // its TTL): the data-dir lock should make a live one impossible, so say it loudly.
        logger.error({ strategyId: intent.strategyId, leg: intent.leg }, 'strategy lock held elsewhere; order not placed yet');
        this.againLater(intent);
        return;
      }
      try {
        await this.execute(intent, freeSlot);
      } finally {
        await runtime.releaseLock(intent.strategyId, owner);
      }
    } catch (err) {
      logger.error({ err, strategyId: intent.strategyId, leg: intent.leg }, 'order intent failed');
      this.againLater(intent);
    }
  }

  /**
   * An exit that could not be processed (the lock held elsewhere, the runtime store or a write
   * failing) is submitted again after a while, for as long as the engine runs: the journal decides
   * again then (an exit already out, or no position left, is suppressed). A BUY is not chased.
   */
  private againLater(intent: OrderIntent): void {
    if (slotOf(intent.leg) !== 'exit' || this.stopped) return;
    const tries = (this.exitTries.get(intent.runId) ?? 0) + 1;
    this.exitTries.set(intent.runId, tries);
    const wait = EXIT_AGAIN_MS[Math.min(tries, EXIT_AGAIN_MS.length) - 1]!;
    // A stop-loss (or the trader's STOP, the kill switch) is never held back longer than this between tries.
    const delay = protectiveExit(intent.leg) ? Math.min(wait, PROTECTIVE_EXIT_AGAIN_MAX_MS) : wait;
    this.retryExit({ id: intent.runId, strategyId: intent.strategyId, legNo: intent.legNo }, intent.leg, this.ctx.clock.now() + delay);
  }

  private async execute(queued: OrderIntent, freeSlot: () => void): Promise<void> {
    const { repos } = this.ctx;
    // The exit never goes while the leg's backstop rests and could fill: cancelled first, or its fills
    // are the exit. Before what is held is asked: a resting stop's fill empties the account (the
    // exit would read "nothing held" and halt), and its cancel is what unlocks the balance to sell.
    const cleared = slotOf(queued.leg) === 'exit' ? await this.clearBackstop(this.backstops, queued) : null;
    if (cleared?.kind === 'done') return;
    const intent = await this.held.withHeldQty(queued, cleared?.unlocked);
    // Not asked yet (the broker could not say what is held): submitted again later, the wait growing.
    if (!intent) return;
    let decision: Decision;
    try {
      decision =
        slotOf(intent.leg) === 'exit' && this.emergency.has(intent.runId)
          ? { kind: 'suppress', run: repos.runs.getInternal(intent.runId)!, reason: 'an exit already went out while the journal was unavailable' }
          : await this.journal.write(intent, protectiveExit(intent.leg));
    } catch (err) {
      // The journal's unique (run, slot) index is the last line of invariant 1.
      if (err instanceof UniqueViolation) {
        const run = repos.runs.getInternal(intent.runId);
        decision = run ? { kind: 'suppress', run, reason: 'an order for this slot is already in the journal' } : { kind: 'drop', reason: 'run gone' };
      } else if (await this.emergency.onJournalFailure(intent, err)) {
        // Sent the emergency way: decided, so nothing read for it (unlocked, tries) outlives it.
        this.exitDecided(intent.runId);
        return;
      } else throw err;
    }
    this.exitDecided(intent.runId);
    switch (decision.kind) {
      case 'drop':
        this.ctx.logger.info({ ...intent, reason: decision.reason }, 'order intent dropped');
        return;
      case 'defer':
        if (!this.exitAfterFill.has(intent.runId)) this.exitAfterFill.set(intent.runId, intent);
        return;
      case 'suppress':
        this.ctx.bus.publish({
          type: 'exit_suppressed',
          userId: decision.run.userId,
          strategyId: decision.run.strategyId,
          runId: decision.run.id,
          leg: intent.leg,
          reason: decision.reason,
          at: this.ctx.clock.now(),
        });
        return;
      case 'halt':
        announceRun(this.ctx, decision.before, decision.after);
        this.ctx.bus.publish({ type: 'exit_suppressed', userId: decision.after.userId, strategyId: decision.after.strategyId, runId: decision.after.id, leg: intent.leg, reason: decision.reason, at: this.ctx.clock.now() });
        return;
      case 'send':
        await this.send(decision.order, () => announceRun(this.ctx, decision.before, decision.after), freeSlot, () => this.answered(queued));
    }
  }

  /**
   * The leg's backstop before its exit (backstop-exits.ts). When the journal cannot be written,
   * it is cancelled unjournaled and the exit goes the emergency way, as it would without one; one
   * that fired meanwhile is the exit, journaled once storage is back (the exit is asked again).
   */
  private async clearBackstop(backstops: BackstopExits, intent: OrderIntent): Promise<ExitGo> {
    try {
      const go = await backstops.beforeExit({ ...intent, leg: asExitKind(intent.leg) }, journalEvent(intent));
      // The backstop's fills ended the leg (or there was nothing to send): the exit is settled.
      if (go.kind === 'done') this.exitDecided(intent.runId);
      return go;
    } catch (err) {
      if (!isStorageUnavailable(err)) throw err;
      const cleared = await backstops.keeper.clearUnjournaled(intent.runId, intent.legNo);
      if (cleared.kind === 'fired') {
        this.againLater(intent);
        return { kind: 'done' };
      }
      // Asked now that no stop locks or sells it: the emergency exit sells what is held.
      const held = await this.held.withHeldQty(intent, cleared.unlocked);
      if (!held) return { kind: 'done' };
      if (await this.emergency.onJournalFailure(held, err)) {
        this.exitDecided(intent.runId);
        return { kind: 'done' };
      }
      throw err;
    }
  }

  /**
   * The run's exit is decided (placed, suppressed, halted, dropped) or the backstop's fills ended
   * it: the next exit that cannot be processed waits from EXIT_AGAIN_MS's first step again, and
   * reads what is held afresh.
   */
  private exitDecided(runId: RunId): void {
    this.exitTries.delete(runId);
    this.held.forget(runId);
  }

  /**
   * Synchronous, inside a transaction the caller holds (a savepoint of the journal batch, the
   * emergency path's, or a rehearsal's that is rolled back): read the run, journal the order,
   * move the run. Touches SQLite only.
   */
  private decide(intent: OrderIntent): Decision {
    const { repos, clock, installId } = this.ctx;
    const run = repos.runs.getInternal(intent.runId);
    if (!run) return { kind: 'drop', reason: 'run not found' };
    const step = stepRun(this.ctx, run, journalEvent(intent), this.deferred(run.id));
    if (!step) return { kind: 'drop', reason: 'strategy not found' };
    const { outcome, place } = step;
    if (outcome === 'defer') return { kind: 'defer', run };
    if (outcome && 'drop' in outcome) return { kind: 'drop', reason: outcome.drop };
    if (outcome && 'suppress' in outcome) return { kind: 'suppress', run, reason: outcome.suppress };
    if (outcome && 'halt' in outcome) return { kind: 'halt', before: run, after: writeStep(this.ctx, run, step), reason: outcome.halt };
    if (!place) throw new Error(`the run policy answered ${intent.leg} with neither an order nor an outcome`);
    // A re-entry is the one entry a crash can meet twice in a day (the run waits between legs): the soak kills here.
    if (place.slot === 'entry' && place.legNo >= 1) this.ctx.crashPoints.hit('before-reentry-journal');
    const id = runOrderId(installId, run, place);
    const order = repos.orders.insert(placedOrderRow(run, place, { clientOrderId: id, brokerOrderId: null, status: 'pending', dispatchedAt: null, ackedAt: null }), clock.now());
    this.reconciler.journaledHere(order.id);
    return { kind: 'send', order, before: run, after: writeStep(this.ctx, run, step) };
  }

  /**
   * Hands the journaled order to the broker first and does the bookkeeping (`announce`, events)
   * once the request is on the wire: the journal row is already committed, so nothing is lost.
   * The slot is freed at the broker's answer, before the answer is written.
   */
  private async send(order: Order, announce: () => void, freeSlot: () => void, answered: () => void): Promise<void> {
    const { clock, bus } = this.ctx;
    let target: Awaited<ReturnType<typeof orderTarget>>;
    try {
      target = await orderTarget(this.ctx, order.brokerAccountId, order.symbol, order.exchange);
    } catch (err) {
      this.notSent(order, err, announce);
      return;
    }
    const { broker, instrument } = target;
    this.ctx.crashPoints.hit('after-journal');
    const dispatchedAt = clock.now();
    const placing = placeSafely(broker, {
      clientOrderId: order.clientOrderId,
      instrument,
      side: order.side,
      qty: order.qty,
      opens: order.slot === 'entry',
      // Written just before the request that may place it leaves: after a restart, whether it may be at the broker.
      sending: this.reconciler.sendingMark(order.id),
    });
    let announced = false;
    const announceOnce = () => {
      if (announced) return;
      announced = true;
      announce();
      bus.publish({
        type: 'order_submitted',
        ...orderScope(order, dispatchedAt),
        clientOrderId: order.clientOrderId,
        scheduledAt: order.scheduledAt,
        dispatchedAt,
      });
    };
    // The transport writes the request at the end of this turn's microtasks; the bookkeeping waits
    // for the next turn so it does not hold the order back (~0.25 ms), and never comes after the
    // broker's answer.
    setImmediate(announceOnce);
    const result = await placing;
    answered();
    freeSlot();
    announceOnce();
    this.ctx.crashPoints.hit('after-send');
    const written = await this.answers.write(() => this.writeResult(order, result, dispatchedAt));
    this.afterResult(written as WrittenResult);
  }

  /**
   * The order is journaled, but the broker or its instrument could not be had (no network at a
   * restart, a 5xx or a rate limit on the instrument lookup, a session that will not open), so
   * nothing was sent. It is not lost: the run stays on it (its slot is taken, so no second order
   * can be journaled for it), the trader is told, and the reconciler places it under the same
   * client order id once the broker can be had (a BUY only within its grace).
   */
  private notSent(order: Order, err: unknown, announce: () => void): void {
    const { bus, clock, logger } = this.ctx;
    announce();
    const reason = err instanceof Error ? err.message : String(err);
    logger.error({ err, orderId: order.id, leg: order.leg }, 'order journaled but not sent: the broker cannot be had; retrying');
    bus.publish({
      type: 'order_not_sent',
      ...orderScope(order, clock.now()),
      reason: `${reason}; Tradeclock keeps trying to send it under the same client order id`,
    });
    this.reconciler.retryUnsent(order.id);
  }

  /** Records the broker's answer to a placement on the journal row (status only moves forward). */
  private recordResult(order: Order, result: PlaceOrderResult, dispatchedAt: number): void {
    this.afterResult(this.ctx.repos.transaction(() => this.writeResult(order, result, dispatchedAt), { durable: false }));
  }

  /**
   * The journal half of recordResult: synchronous, for a transaction the caller holds (the answers'
   * group commit, or recordResult's own). The row is journaled (durably) already; losing this
   * answer to a power cut costs a lookup at the broker at restart, so it does not wait for the disk.
   */
  private writeResult(order: Order, result: PlaceOrderResult, dispatchedAt: number): WrittenResult {
    const { clock, repos } = this.ctx;
    const ackedAt = clock.now();
    const current = repos.orders.getInternal(order.id) ?? order;
    const answer = (patch: OrderPatch) => repos.orders.update(order.id, patch, ackedAt);
    switch (result.kind) {
      case 'accepted':
        answer({ dispatchedAt, ackedAt: current.ackedAt ?? ackedAt, brokerOrderId: result.brokerOrderId, status: current.status === 'pending' ? 'accepted' : current.status });
        break;
      case 'rejected':
        answer({ dispatchedAt });
        break;
      case 'unknown':
        answer({ dispatchedAt, status: current.status === 'pending' ? 'unknown' : current.status });
    }
    return { order, result, ackedAt, dispatchedAt, current };
  }

  /** What follows a placement answer once it is written: events, a rejection applied, a lookup. */
  private afterResult({ order, result, ackedAt, dispatchedAt, current }: WrittenResult): void {
    const { bus } = this.ctx;
    switch (result.kind) {
      case 'accepted':
        if (current.status === 'pending') {
          bus.publish({ type: 'order_accepted', ...orderScope(order, ackedAt), brokerOrderId: result.brokerOrderId });
        }
        // A market order fills within moments; one the broker's stream has not settled by then is
        // looked up (a stream not listening yet after a restart published its fill to no one). A
        // stream that began listening after the request went out may have missed it already: now.
        if (!this.reconciler.lookUpIfListenedSince(order, dispatchedAt)) this.reconciler.checkLater(order.id, SETTLE_CHECK_MS);
        return;
      case 'rejected':
        this.applyReport(order.brokerAccountId, {
          clientOrderId: order.clientOrderId,
          brokerOrderId: current.brokerOrderId ?? '',
          status: 'rejected',
          filledQty: 0,
          avgFillPrice: null,
          at: ackedAt,
          reason: result.reason,
          lasting: result.lasting,
        });
        return;
      case 'unknown':
        if (current.status !== 'pending') return;
        if (result.notPlaced) {
          // Not placed yet (a rate limit, a session that cannot be used now): the same order again
          // after the wait the broker named, with no lookup; a BUY within its grace, an exit until it is out.
          bus.publish({ type: 'order_not_sent', ...orderScope(order, ackedAt), reason: `${result.reason}; Tradeclock sends it again under the same client order id` });
          this.reconciler.retryUnsent(order.id, result.retryAfterMs);
          return;
        }
        bus.publish({ type: 'order_unknown', ...orderScope(order, ackedAt), reason: result.reason });
        this.reconciler.track(order.id, false, result.retryAfterMs);
    }
  }

  /**
   * Applies a broker's word on one of our orders: journal, run state, events, and what follows
   * (arm the stop-loss after a BUY fill, send a deferred exit).
   */
  applyReport(accountId: BrokerAccountId, report: OrderReport): void {
    this.afterReport(applyReportToJournal(this.ctx, accountId, report, this.deferred));
  }

  /** What follows a report once it is in the journal. */
  private afterReport(outcome: ReportOutcome | null): void {
    if (!outcome) return;
    if (outcome.runAfter && outcome.runAfter.state !== outcome.runBefore?.state) this.ctx.crashPoints.hit('after-fill');
    for (const e of outcome.events) this.ctx.bus.publish(e);
    if (outcome.runBefore && outcome.runAfter) announceRun(this.ctx, outcome.runBefore, outcome.runAfter);
    const run = outcome.runAfter;
    if (!run) return;
    // An entry done: its backstop is placed before anything that follows may submit an exit of the leg.
    if (outcome.order.slot === 'entry' && run.state === 'IN_POSITION' && outcome.runBefore?.state !== 'IN_POSITION') this.backstops.afterEntry(run);
    if (outcome.step) this.followUp(run, outcome.step, outcome.order);
    if (run.state !== 'BUYING') {
      // The BUY is settled either way: a deferred exit goes now or never.
      const deferred = this.exitAfterFill.get(run.id);
      this.exitAfterFill.delete(run.id);
      if (deferred && run.state === 'IN_POSITION') this.submit({ ...deferred, scheduledAt: deferred.scheduledAt });
    }
  }

  /**
   * The next attempt of an exit whose last attempt left shares held (the run policy's exit_retry
   * timer, after a report or at recovery): one timer per run, replaced by a later call. The
   * journal decides again when it fires (step(journal_exit)): an exit that went out meanwhile (a
   * SELL due, a stop) is the attempt, and this one is suppressed.
   */
  retryExit(run: Pick<Run, 'id' | 'strategyId' | 'legNo'>, leg: Leg, at: number): void {
    if (this.stopped) return;
    this.exitRetries.get(run.id)?.cancel();
    this.exitRetries.set(
      run.id,
      this.ctx.clock.setTimer(Math.max(0, at - this.ctx.clock.now()), () => {
        this.exitRetries.delete(run.id);
        this.submit({ strategyId: run.strategyId, runId: run.id, leg, legNo: run.legNo, scheduledAt: at });
      }),
    );
  }

  /** An entry known not to be at the broker, given up (grace over, or the run stopped). */
  abandonEntry(order: Order, outcome: AbandonedEntry): void {
    this.afterReport(abandonUnsentEntry(this.ctx, order, outcome));
  }

  /** Whether an exit of the run waits for its entry to settle. */
  private readonly deferred = (runId: RunId): boolean => this.exitAfterFill.has(runId);

  /**
   * What follows a report's Step: an entry fill's exit (STOP asked meanwhile, SELL time passed)
   * and its stop, armed where it was bought (invariant 8); or an exit's next attempt.
   */
  private followUp(run: Run, step: Step, order: Order): void {
    followUp(this.ctx.market, run, step, {
      submit: (leg, scheduledAt) => this.submit({ strategyId: run.strategyId, runId: run.id, leg, legNo: run.legNo, scheduledAt }),
      where: () => order,
      timer: (t) => {
        if ('set' in t && t.set === 'exit_retry') this.retryExit(run, t.leg, t.at);
        else if ('set' in t && t.set === 'reentry' && this.reentryHandler) this.reentryHandler(run, t.at);
        else throw new Error(`a report's step cannot set ${JSON.stringify(t)}`);
      },
    });
  }
}

/** Sets the timer of `run`'s next leg, due at `at`. */
export type ReentryHandler = (run: Run, at: number) => void;

/** The journal event of an intent. */
function journalEvent(intent: OrderIntent): RunEvent {
  if (slotOf(intent.leg) === 'entry') return { type: 'journal_entry', legNo: intent.legNo, scheduledAt: intent.scheduledAt };
  return {
    type: 'journal_exit',
    leg: asExitKind(intent.leg),
    legNo: intent.legNo,
    scheduledAt: intent.scheduledAt,
    ...(intent.heldAtBroker === undefined ? {} : { heldAtBroker: intent.heldAtBroker }),
    ...(intent.dust === undefined ? {} : { dust: intent.dust }),
    ...(intent.notSeen === undefined ? {} : { notSeen: intent.notSeen }),
  };
}

/**
 * Broker answers written per commit when a backlog of them waits (after a burst of orders): each
 * commit holds the event loop ~5 ms, so a stop-loss tick meanwhile waits no longer than that.
 */
const ANSWERS_PER_COMMIT = 64;

/** The longest the broker answers and the audit log wait for queued orders to go out (whenOrdersOut). */
const AFTER_ORDERS_MAX_WAIT_MS = 1_000;

/** A function whenOrdersOut put off, and the timer that runs it if the queue does not empty first. */
interface AfterOrders {
  readonly fn: () => void;
  readonly deadline: TimerHandle;
}

/**
 * How long after the broker accepted an order its final state may take to arrive on the broker's
 * stream before it is looked up instead (Reconciler.checkLater).
 */
export const SETTLE_CHECK_MS = 10_000;

/** Waits before an exit that could not be processed is submitted again; the last repeats. */
const EXIT_AGAIN_MS = [1_000, 2_000, 5_000, 10_000] as const;
/** The longest wait of EXIT_AGAIN_MS for a protective exit (protectiveExit): its position may be falling. */
const PROTECTIVE_EXIT_AGAIN_MAX_MS = 2_000;

/** An exit that protects against a loss or that the trader asked for now: a stop (ours or the broker's), the trader's STOP or the kill switch (MANUAL_EXIT). */
function protectiveExit(leg: Leg): boolean {
  return leg === 'STOPLOSS' || leg === 'TRAIL_STOP' || leg === 'BACKSTOP' || leg === 'MANUAL_EXIT';
}
/** Rehearsals closer together than this are one. */
const REHEARSALS_SHARED_MS = 1_000;

/** Thrown inside a rehearsal's transaction so that SQLite rolls it back. */
const ROLLED_BACK = Symbol('rehearsal rolled back');

/** placeOrder, with a throw (a bug or a transport error) turned into an unknown outcome. */
async function placeSafely(broker: Broker, req: PlaceOrderRequest): Promise<PlaceOrderResult> {
  try {
    return await broker.execution.placeOrder(req);
  } catch (err) {
    return { kind: 'unknown', reason: err instanceof Error ? err.message : String(err) };
  }
}
