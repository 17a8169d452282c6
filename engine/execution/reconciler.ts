/**
 * Resolves orders whose outcome is unknown (timeout, dropped connection, ambiguous error) by
 * asking the broker by client order id, never by guessing. Lookups back off; if the broker has no
 * such order, it is placed again with the same client order id: at once where the broker refuses
 * a reused id, at the end of each round of lookups elsewhere (Kite, whose placement checks its
 * order book for the tag once more itself). What stays unresolved is reported, not assumed, and
 * still asked after now and then. One chain of steps per order: never two placements at once.
 *
 * A lookup the broker could not answer (no network, a 5xx, its rate limit, a session that will
 * not open) is never taken for "no such order": where the broker refuses a reused id, the resend
 * goes at once all the same (it is its own lookup); elsewhere the lookup is simply made again
 * later, for as long as the order is open. An order known never to have been handed to the
 * broker (`retryUnsent`) is placed as soon as the broker can be had.
 *
 * An order an earlier process journaled and whose answer it never wrote (killed before the broker
 * answered; status still pending) is not waited on with the backoff where the broker takes a reused
 * id: its journal row says whether the request may have left (`Order.sendingAt`, the mark written
 * just before it does). Unmarked, it never left: looked up once, placed again at once if the broker
 * has none. Marked, the broker lists it within `placedOrderListedWithinMs` of the mark if it took
 * it: looked up at once, and if the broker has none, once more when that has passed (at once if it
 * has), then placed again. This process's own orders whose answers are lost keep the backoff.
 */
import { orderScope } from '../core/events';
import type { OrderId, BrokerAccountId } from '../core/ids';
import type { TimerHandle } from '../core/clock';
import { FINAL_ORDER_STATUSES, type Order } from '../core/types';
import type { Broker, OrderReport } from '../brokers/broker';
import type { EngineContext } from '../context';
import { DomainError } from '../core/errors';
import { orderTarget } from './order-target';
import type { AbandonedEntry } from './apply-report';

/** Delays before each lookup of one order; the resend comes after the last of the first round. */
export const LOOKUP_BACKOFF_MS = [500, 1_000, 2_000, 4_000, 8_000] as const;

/** Delays before asking again while the broker cannot be asked, the last repeating until it can. */
export const RETRY_BACKOFF_MS = [1_000, 2_000, 5_000, 10_000] as const;

/** How often an order left unresolved after every lookup is still asked about. */
export const UNRESOLVED_RECHECK_MS = 30_000;

/** What the reconciler hands back to the execution engine. */
export interface ReconcilerHooks {
  /** A broker's word on an order (a lookup's answer, a resend's refusal). */
  readonly apply: (accountId: BrokerAccountId, report: OrderReport) => void;
  /** An entry known not to be at the broker, given up (its grace ran out, or the trader stopped the run). */
  readonly abandonEntry: (order: Order, outcome: AbandonedEntry) => void;
}

export class Reconciler {
  private readonly timers = new Map<OrderId, TimerHandle>();
  /** Orders placed again (after the broker said it had none, or when they never left), for the report. */
  private readonly resent = new Set<OrderId>();
  /** Orders with a lookup or a placement under way: one chain per order, never two at once. */
  private readonly busy = new Set<OrderId>();
  /** Orders journaled but never handed to the broker: placed, not looked up. */
  private readonly unsent = new Set<OrderId>();
  /** Attempts in a row on which the broker could not be asked, per order. */
  private readonly failures = new Map<OrderId, number>();
  /** Orders already reported unresolved (order_unknown) after every lookup. */
  private readonly reported = new Set<OrderId>();
  /** The lookups asked for one at a time (lookUpInTurn). */
  private inTurn: Promise<void> = Promise.resolve();
  /** When each account's order stream last began listening (lookUpOnListening). */
  private readonly listenedAt = new Map<BrokerAccountId, number>();
  /** Orders this process journaled or placed: an answer of theirs that never came is its own lost answer, not an earlier process's. */
  private readonly ownOrders = new Set<OrderId>();
  /** Earlier processes' marked orders the broker listed none of: when that "none" is final (orphanWaitMs). */
  private readonly orphanFinalAt = new Map<OrderId, number>();
  private stopped = false;

  constructor(
    private readonly ctx: EngineContext,
    private readonly hooks: ReconcilerHooks,
  ) {}

  private apply(accountId: BrokerAccountId, report: OrderReport): void {
    this.hooks.apply(accountId, report);
  }

  /**
   * Starts resolving an order; `immediately` for recovery at start. `afterMs`: the broker named a
   * wait (its rate window) before it can be asked again.
   */
  track(orderId: OrderId, immediately = false, afterMs?: number): void {
    if (this.stopped) return;
    const pending = this.timers.get(orderId);
    if (pending && !immediately) return;
    // After a restart or a resume, a lookup already waiting (its timer paused while asleep) goes now.
    pending?.cancel();
    this.schedule(orderId, 0, immediately ? 0 : Math.max(LOOKUP_BACKOFF_MS[0], afterMs ?? 0));
  }

  /**
   * An order known not to be at the broker: journaled but never handed to it (the broker or the
   * instrument could not be had), or refused with "not placed yet" (a rate limit, a session that
   * cannot be used now). It is placed, under its client order id, as soon as it can be, after
   * `afterMs` when the broker named a wait. Nothing to look up first.
   */
  retryUnsent(orderId: OrderId, afterMs?: number): void {
    if (this.stopped) return;
    this.unsent.add(orderId);
    this.timers.get(orderId)?.cancel();
    this.schedule(orderId, 0, this.withinGrace(orderId, afterMs ?? RETRY_BACKOFF_MS[0]));
  }

  /**
   * A wait before placing an entry again, cut to end just after its grace: a broker that names a
   * long wait (a day's order cap) must not leave the run BUYING for hours before it is missed.
   */
  private withinGrace(orderId: OrderId, delayMs: number): number {
    const order = this.ctx.repos.orders.getInternal(orderId);
    if (!order || order.slot !== 'entry') return delayMs;
    const graceMs = this.entryGraceMs(order);
    if (graceMs === null) return delayMs;
    const graceLeft = order.scheduledAt + graceMs - this.ctx.clock.now();
    return Math.min(delayMs, Math.max(0, graceLeft) + 1);
  }

  /**
   * An entry's grace, from its run's plan (what the run trades by, readable even when its
   * strategy's row is damaged); the strategy row only for a run from before plans. null: unknown.
   */
  private entryGraceMs(order: Order): number | null {
    const plan = this.ctx.repos.runs.getInternal(order.runId)?.plan;
    if (plan) return plan.buy_grace_seconds * 1000;
    const strategy = this.ctx.repos.strategies.getInternal(order.strategyId);
    return strategy ? strategy.spec.buy_grace_seconds * 1000 : null;
  }

  /** Looks up every order the journal has not settled, now (start-up, a clock jump); returns how many. */
  trackUnresolved(): number {
    const open = this.ctx.repos.orders.listUnresolvedInternal();
    for (const order of open) this.track(order.id, true);
    return open.length;
  }

  /**
   * An order the broker accepted, settled by its update stream as a rule: looked up after
   * `afterMs` if it is not final by then, then followed like any other. Never relies on a stream
   * alone: one that was not listening yet (after a restart), or dropped an update, misses a fill
   * for good, and the run waits on it for ever. Nothing happens when the order settled or is
   * followed already.
   */
  checkLater(orderId: OrderId, afterMs: number): void {
    if (this.stopped || this.timers.has(orderId) || this.busy.has(orderId)) return;
    this.schedule(orderId, 0, afterMs);
  }

  /**
   * The account's order-update stream listens (again): every order of the account the broker took
   * and the journal has not settled is looked up now, not at its settle check. A restarting daemon
   * sends a due entry before its stream listens, and the fill the broker streamed then reached no
   * one: without this the entry is known filled (and its backstop placed) only SETTLE_CHECK_MS after
   * the broker took it. One pass, one lookup at a time (the broker's request budget), each order
   * then followed as after any lookup. Returns how many it looks up.
   */
  lookUpOnListening(accountId: BrokerAccountId): number {
    if (this.stopped) return 0;
    this.listenedAt.set(accountId, this.ctx.clock.now());
    const due = this.ctx.repos.orders
      .listUnresolvedInternal()
      .filter((o) => o.brokerAccountId === accountId && (o.status === 'accepted' || o.status === 'partially_filled') && !this.busy.has(o.id) && !this.unsent.has(o.id));
    for (const order of due) this.lookUpInTurn(order.id);
    return due.length;
  }

  /**
   * A lookup now, after those already asked for this way: one at a time (the broker's request
   * budget), the order then followed as after any lookup. Its settle check, if it has one, waits.
   */
  private lookUpInTurn(orderId: OrderId): void {
    this.inTurn = this.inTurn
      .then(async () => {
        if (this.stopped || this.busy.has(orderId)) return;
        this.timers.get(orderId)?.cancel();
        this.timers.delete(orderId);
        this.busy.add(orderId);
        try {
          await this.lookup(orderId, 0);
        } finally {
          this.busy.delete(orderId);
        }
      })
      .catch((err: unknown) => {
        this.ctx.logger.error({ err, orderId }, 'looking up an order once the order stream listened failed; it is looked up again shortly');
        this.track(orderId);
      });
  }

  /**
   * A placement the broker has just answered `accepted`: looked up now if the account's order
   * stream began listening after the request was sent. The broker may have streamed its fill before
   * the stream listened, and the listening pass (lookUpOnListening) took only orders answered by
   * then: without this the fill is learned at the order's settle check. Returns whether it is.
   */
  lookUpIfListenedSince(order: Order, dispatchedAt: number): boolean {
    const listened = this.listenedAt.get(order.brokerAccountId);
    if (this.stopped || listened === undefined || listened < dispatchedAt) return false;
    this.lookUpInTurn(order.id);
    return true;
  }

  /**
   * The execution engine journaled this order (inside its transaction, which may still roll back:
   * an id rolled back is only ever reused by this process's own next order, so it stays right).
   */
  journaledHere(orderId: OrderId): void {
    this.ownOrders.add(orderId);
  }

  /**
   * The hook a placement calls just before its request leaves (PlaceOrderRequest.sending): writes
   * the order's sending mark. Not waiting for the disk: it survives a killed process, and a power
   * cut that loses it is followed by a restart far later than any broker takes to list an order.
   * A mark that cannot be written is logged and the order sent all the same (an exit must go).
   */
  sendingMark(orderId: OrderId): () => void {
    return () => {
      const { repos, clock, logger } = this.ctx;
      const now = clock.now();
      try {
        repos.transaction(() => repos.orders.markSendingInternal(orderId, now), { durable: false });
      } catch (err) {
        logger.error({ err, orderId }, 'the order could not be marked as sending; it is sent all the same, and a restart before its answer is written may take it as never sent');
      }
    };
  }

  pending(): number {
    return this.timers.size;
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
  }

  /**
   * The order's next step, replacing any step already waiting. A step that comes due while another
   * of the same order is under way (a clock jump's `trackUnresolved`) is dropped: the one under way
   * schedules what follows it, so two chains can never place the same order twice.
   */
  private schedule(orderId: OrderId, attempt: number, delay: number): void {
    if (this.stopped) return;
    this.timers.get(orderId)?.cancel();
    this.timers.set(
      orderId,
      this.ctx.clock.setTimer(delay, () => {
        this.timers.delete(orderId);
        if (this.busy.has(orderId)) return;
        this.busy.add(orderId);
        void this.lookup(orderId, attempt).finally(() => this.busy.delete(orderId));
      }),
    );
  }

  /**
   * The broker could not be asked, or did not take the order yet: the same step again later, with
   * a longer wait each time, and never sooner than the wait the broker named.
   */
  private retryLater(orderId: OrderId, attempt: number, atLeastMs = 0, notPlaced = false): void {
    const failures = (this.failures.get(orderId) ?? 0) + 1;
    this.failures.set(orderId, failures);
    const delay = Math.max(atLeastMs, RETRY_BACKOFF_MS[Math.min(failures, RETRY_BACKOFF_MS.length) - 1]!);
    // Known not to be at the broker: an entry is given up at the end of its grace, not after the wait.
    this.schedule(orderId, attempt, notPlaced ? this.withinGrace(orderId, delay) : delay);
  }

  /** The order, if it is still open and this reconciler still runs; forgets a settled one. */
  private open(orderId: OrderId): Order | null {
    const order = this.ctx.repos.orders.getInternal(orderId);
    if (order && !FINAL_ORDER_STATUSES.has(order.status) && !this.stopped) return order;
    this.forget(orderId);
    return null;
  }

  private forget(orderId: OrderId): void {
    this.unsent.delete(orderId);
    this.resent.delete(orderId);
    this.failures.delete(orderId);
    this.reported.delete(orderId);
    this.ownOrders.delete(orderId);
    this.orphanFinalAt.delete(orderId);
  }

  /**
   * The broker's report of the order by its client order id. A broker that names an order by its
   * instrument too (a CCXT venue: Binance asks symbol and `origClientOrderId`) gets the journal's
   * symbol and exchange: what the order was placed on, known even when the instrument no longer
   * trades (a halted pair must still be looked up: its exit is what matters then).
   */
  private lookupAt(broker: Broker, order: Order): Promise<OrderReport | null> {
    if (broker.capabilities.lookupNeedsInstrument !== true) return broker.execution.lookupOrder(order.clientOrderId);
    return broker.execution.lookupOrder(order.clientOrderId, { symbol: order.symbol, exchange: order.exchange });
  }

  private async lookup(orderId: OrderId, attempt: number): Promise<void> {
    const { brokers, logger, bus, clock } = this.ctx;
    const order = this.open(orderId);
    if (!order) return;
    if (this.unsent.has(orderId)) {
      await this.resend(order, attempt, true);
      return;
    }
    let broker: Broker | undefined;
    let report: OrderReport | null = null;
    let answered = false;
    try {
      broker = await brokers.get(order.brokerAccountId);
      report = await this.lookupAt(broker, order);
      answered = true;
    } catch (err) {
      logger.warn({ err, orderId, attempt }, 'order lookup failed; will retry');
    }
    const neverAnswered = order.status === 'unknown' || order.status === 'pending';
    // A broker that refuses a reused client order id dedups a resend itself: no need to wait out
    // the backoff, nor for a lookup that failed (the resend's "already exists" is an answer too,
    // and it costs one request where another lookup and then a resend cost two: after a restart
    // into a spent rate limit, that is what gets a BUY out within its grace). Elsewhere (Kite)
    // the lookups run their course first, and a lookup that failed taught nothing.
    const dedups = broker?.capabilities.rejectsDuplicateClientOrderId ?? false;
    if (!answered) {
      if (neverAnswered && dedups) await this.resend(order, attempt, false);
      else this.retryLater(orderId, attempt);
      return;
    }
    if (report) {
      this.failures.delete(orderId);
      this.apply(order.brokerAccountId, report);
      // Accepted but not yet filled: keep watching until the stream or a lookup settles it.
      if (this.open(orderId)) this.schedule(orderId, 0, LOOKUP_BACKOFF_MS.at(-1)!);
      return;
    }
    // The broker answered, and has no such order. One an earlier process left unanswered is placed
    // again once its sending mark says the broker would list it by now if it had taken it.
    const orphanWait = broker ? this.orphanWaitMs(order, broker) : null;
    if (orphanWait !== null) {
      if (orphanWait <= 0) await this.resend(order, attempt, true);
      else this.schedule(orderId, attempt, orphanWait);
      return;
    }
    // Others are placed again where the broker dedups, else at the end of each round of lookups
    // (Kite's placement looks its order book up once more itself): a placement that got no answer
    // must not use up the only resend, or the exit is lost.
    if (neverAnswered && (dedups || attempt + 1 >= LOOKUP_BACKOFF_MS.length)) {
      await this.resend(order, attempt, true);
      return;
    }
    if (attempt + 1 < LOOKUP_BACKOFF_MS.length) {
      this.schedule(orderId, attempt + 1, LOOKUP_BACKOFF_MS[attempt + 1]!);
      return;
    }
    if (!this.reported.has(orderId)) {
      this.reported.add(orderId);
      logger.error({ orderId, clientOrderId: order.clientOrderId }, 'order outcome unresolved after every lookup');
      bus.publish({
        type: 'order_unknown',
        ...orderScope(order, clock.now()),
        reason: `unresolved: the broker has no order ${order.clientOrderId} after ${LOOKUP_BACKOFF_MS.length} lookups${this.resent.has(orderId) ? ' and a resend' : ''}; check the broker before acting`,
      });
    }
    // Still asked now and then: the broker's record of it, appearing late, settles it.
    this.schedule(orderId, attempt, UNRESOLVED_RECHECK_MS);
  }

  /**
   * An order an earlier process journaled and whose answer it never wrote, at a broker that takes a
   * reused id and says how soon it lists an order it took (`placedOrderListedWithinMs`), which has
   * just answered that it has none: how long until that "none" is final. 0 for one never marked as
   * sending (it never left), else until the bound has passed since its mark, fixed at the first
   * "none" (a mark ahead of this clock, which went back across the restart, waits the bound from
   * then, not until the mark comes round). null: not such an order; the backoff applies.
   */
  private orphanWaitMs(order: Order, broker: Broker): number | null {
    if (order.status !== 'pending' || this.ownOrders.has(order.id)) return null;
    const listedWithinMs = broker.capabilities.placedOrderListedWithinMs;
    if (listedWithinMs === null) return null;
    if (order.sendingAt === null) return 0;
    const now = this.ctx.clock.now();
    let finalAt = this.orphanFinalAt.get(order.id);
    if (finalAt === undefined) {
      finalAt = Math.min(order.sendingAt, now) + listedWithinMs;
      this.orphanFinalAt.set(order.id, finalAt);
    }
    return finalAt - now;
  }

  /**
   * Places the order (again) with the same client order id: the broker has no trace of it, or it
   * never left. A refusal is believed only if a lookup still finds nothing (a "duplicate id"
   * refusal means the first attempt did arrive).
   *
   * An entry whose grace ran out, or whose run the trader stopped, is not placed again. It is given
   * up (MISSED_BUY, or STOPPED) only when it is known not to be at the broker: it never left
   * (`unsent`), or the broker has just answered a lookup with "no such order" (`brokerHasNone`).
   * One that may be there (an answer that never came, lookups that failed) is looked up until the
   * broker says: a BUY that filled after all is a position, and its exit must follow.
   */
  private async resend(order: Order, attempt: number, brokerHasNone: boolean): Promise<void> {
    const { repos, logger, clock, bus } = this.ctx;
    const orderId = order.id;
    const refuse = (reason: string, lasting?: boolean) =>
      this.apply(order.brokerAccountId, { clientOrderId: order.clientOrderId, brokerOrderId: '', status: 'rejected', filledQty: 0, avgFillPrice: null, at: clock.now(), reason, lasting });
    // Only an entry needs its grace: an exit is resent whatever is known of its strategy.
    const graceMs = order.slot === 'entry' ? this.entryGraceMs(order) : null;
    /** True when the entry is not to be placed again (and what follows is arranged). */
    const entryGivenUp = (): boolean => {
      if (order.slot !== 'entry' || graceMs === null) return false;
      const stopped = repos.runs.getInternal(order.runId)?.stopRequested === true;
      if (!stopped && clock.now() - order.scheduledAt <= graceMs) return false;
      if (!this.unsent.has(orderId) && !brokerHasNone) {
        this.retryLater(orderId, attempt);
        return true;
      }
      this.forget(orderId);
      this.hooks.abandonEntry(
        order,
        stopped
          ? { to: 'STOPPED', reason: 'stopped by the trader before the BUY reached the broker; nothing was bought' }
          : { to: 'MISSED_BUY', reason: `not sent: it never reached the broker, and its ${graceMs / 1000} s grace ran out before it could be sent again, so it was not chased` },
      );
      return true;
    };
    if (entryGivenUp()) return;
    let target: Awaited<ReturnType<typeof orderTarget>>;
    try {
      target = await orderTarget(this.ctx, order.brokerAccountId, order.symbol, order.exchange);
    } catch (err) {
      if (err instanceof DomainError && err.code === 'validation_failed') {
        // The broker answered: it no longer knows the symbol. Final, and the trader is told (for an exit: close it at the broker).
        refuse(`not sent: ${err.message}`, true);
        return;
      }
      // Nothing was sent: only a broker that cannot be had yet.
      logger.warn({ err, orderId, leg: order.leg }, 'order not sent: the broker or the instrument cannot be had yet; will retry');
      this.retryLater(orderId, attempt);
      return;
    }
    // The waits above (a session opening, the rate budget) take time: the order (settled meanwhile?),
    // the grace and a stop are checked again.
    if (!this.open(orderId) || entryGivenUp()) return;
    const { broker, instrument } = target;
    const wasUnsent = this.unsent.delete(orderId);
    this.resent.add(orderId);
    // Placed by this process from now: an answer lost from here is its own.
    this.ownOrders.add(orderId);
    const dispatchedAt = clock.now();
    try {
      const result = await broker.execution.placeOrder({
        clientOrderId: order.clientOrderId,
        instrument,
        side: order.side,
        qty: order.qty,
        opens: order.slot === 'entry',
        sending: this.sendingMark(orderId),
      });
      logger.warn({ orderId, result: result.kind, wasUnsent }, wasUnsent ? 'order placed once the broker could be had' : 'order placed again with the same client order id after a lookup found nothing');
      if (wasUnsent) {
        repos.orders.update(orderId, { dispatchedAt }, clock.now());
        bus.publish({ type: 'order_submitted', ...orderScope(order, dispatchedAt), clientOrderId: order.clientOrderId, scheduledAt: order.scheduledAt, dispatchedAt });
      }
      if (result.kind === 'unknown') {
        // Not placed yet (a rate limit, a session): placed again after the broker's wait, no lookup.
        // Not placed by this request. Known absent only if it never left before: one whose first
        // answer never came may still be at the broker, and is looked up again first.
        if (result.notPlaced) {
          if (wasUnsent) this.unsent.add(orderId);
          this.retryLater(orderId, 0, result.retryAfterMs, wasUnsent);
          return;
        }
        // No answer again (the outage goes on): looked up, and placed again, with backoff.
        this.retryLater(orderId, 0, result.retryAfterMs);
        return;
      }
      this.failures.delete(orderId);
      if (result.kind === 'accepted') {
        this.apply(order.brokerAccountId, { clientOrderId: order.clientOrderId, brokerOrderId: result.brokerOrderId, status: 'accepted', filledQty: 0, avgFillPrice: null, at: result.at, reason: null });
      } else {
        const found = await broker.execution.lookupOrder(order.clientOrderId, instrument);
        if (found) this.apply(order.brokerAccountId, found);
        else refuse(result.reason, result.lasting);
        if (this.open(orderId)) this.schedule(orderId, 0, LOOKUP_BACKOFF_MS.at(-1)!);
        return;
      }
    } catch (err) {
      logger.warn({ err, orderId }, 'resend failed');
      this.retryLater(orderId, 0);
      return;
    }
    if (this.open(orderId)) this.schedule(orderId, 0, LOOKUP_BACKOFF_MS[0]);
  }
}
