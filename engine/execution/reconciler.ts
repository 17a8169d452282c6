/**
 * Resolves orders whose outcome is unknown (timeout, dropped connection, ambiguous error) by
 * asking the broker by client order id, never by guessing. Lookups back off; if the broker still
 * has no such order, the order is placed again once with the same client order id (at once where
 * the broker refuses a reused id, after every lookup elsewhere); what stays unresolved is
 * reported, not assumed.
 */
import type { OrderId, BrokerAccountId } from '../core/ids';
import type { TimerHandle } from '../core/clock';
import { FINAL_ORDER_STATUSES } from '../core/types';
import type { Broker, OrderReport } from '../brokers/broker';
import type { EngineContext } from '../context';

/** Delays before each lookup of one order; the resend comes after the last of the first round. */
export const LOOKUP_BACKOFF_MS = [500, 1_000, 2_000, 4_000, 8_000] as const;

export class Reconciler {
  private readonly timers = new Map<OrderId, TimerHandle>();
  private readonly resent = new Set<OrderId>();
  private stopped = false;

  constructor(
    private readonly ctx: EngineContext,
    private readonly apply: (accountId: BrokerAccountId, report: OrderReport) => void,
  ) {}

  /** Starts resolving an order; `immediately` for recovery at start. */
  track(orderId: OrderId, immediately = false): void {
    if (this.stopped) return;
    const pending = this.timers.get(orderId);
    if (pending && !immediately) return;
    // After a restart or a resume, a lookup already waiting (its timer paused while asleep) goes now.
    pending?.cancel();
    this.schedule(orderId, 0, immediately ? 0 : LOOKUP_BACKOFF_MS[0]);
  }

  /** Looks up every order the journal has not settled, now (start-up, a clock jump); returns how many. */
  trackUnresolved(): number {
    const open = this.ctx.repos.orders.listUnresolvedInternal();
    for (const order of open) this.track(order.id, true);
    return open.length;
  }

  pending(): number {
    return this.timers.size;
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
  }

  private schedule(orderId: OrderId, attempt: number, delay: number): void {
    this.timers.set(
      orderId,
      this.ctx.clock.setTimer(delay, () => {
        this.timers.delete(orderId);
        void this.lookup(orderId, attempt);
      }),
    );
  }

  private async lookup(orderId: OrderId, attempt: number): Promise<void> {
    const { repos, brokers, logger, bus, clock } = this.ctx;
    const order = repos.orders.getInternal(orderId);
    if (!order || FINAL_ORDER_STATUSES.has(order.status) || this.stopped) return;
    let report: OrderReport | null = null;
    let broker: Broker | undefined;
    try {
      broker = await brokers.get(order.brokerAccountId);
      report = await broker.execution.lookupOrder(order.clientOrderId);
    } catch (err) {
      logger.warn({ err, orderId, attempt }, 'order lookup failed; will retry');
    }
    if (report) {
      this.apply(order.brokerAccountId, report);
      const after = repos.orders.getInternal(orderId);
      // Accepted but not yet filled: keep watching until the stream or a lookup settles it.
      if (after && !FINAL_ORDER_STATUSES.has(after.status)) this.schedule(orderId, 0, LOOKUP_BACKOFF_MS.at(-1)!);
      return;
    }
    const neverAnswered = order.status === 'unknown' || order.status === 'pending';
    // A broker that refuses a reused client order id dedups a resend itself: no need to wait out
    // the backoff. Elsewhere (Kite) the lookups run their course first.
    const dedups = broker?.capabilities.rejectsDuplicateClientOrderId ?? false;
    if (!this.resent.has(orderId) && neverAnswered && (dedups || attempt + 1 >= LOOKUP_BACKOFF_MS.length)) {
      this.resent.add(orderId);
      await this.resend(orderId);
      return;
    }
    if (attempt + 1 < LOOKUP_BACKOFF_MS.length) {
      this.schedule(orderId, attempt + 1, LOOKUP_BACKOFF_MS[attempt + 1]!);
      return;
    }
    logger.error({ orderId, clientOrderId: order.clientOrderId }, 'order outcome unresolved after every lookup');
    bus.publish({
      type: 'order_unknown',
      userId: order.userId,
      strategyId: order.strategyId,
      runId: order.runId,
      orderId: order.id,
      leg: order.leg,
      reason: `unresolved: the broker has no order ${order.clientOrderId} after ${LOOKUP_BACKOFF_MS.length} lookups and one resend; check the broker before acting`,
      at: clock.now(),
    });
  }

  /**
   * The broker has no trace of the order: place it again with the same client order id. A BUY
   * whose grace has run out is not chased; a refusal is believed only if a lookup still finds
   * nothing (a "duplicate id" refusal means the first attempt did arrive).
   */
  private async resend(orderId: OrderId): Promise<void> {
    const { repos, brokers, instruments, logger, clock } = this.ctx;
    const order = repos.orders.getInternal(orderId);
    if (!order) return;
    const refuse = (reason: string) =>
      this.apply(order.brokerAccountId, { clientOrderId: order.clientOrderId, brokerOrderId: '', status: 'rejected', filledQty: 0, avgFillPrice: null, at: clock.now(), reason });
    const strategy = repos.strategies.getInternal(order.strategyId);
    if (order.slot === 'entry' && strategy && clock.now() - order.scheduledAt > strategy.buyGraceMs) {
      refuse(`never reached the broker, and its ${strategy.buyGraceMs / 1000} s grace ran out before it could be sent again: not chased`);
      return;
    }
    try {
      const broker = await brokers.get(order.brokerAccountId);
      const instrument = await instruments.require(order.brokerAccountId, order.symbol, order.exchange);
      const result = await broker.execution.placeOrder({ clientOrderId: order.clientOrderId, instrument, side: order.side, qty: order.qty });
      logger.warn({ orderId, result: result.kind }, 'order placed again with the same client order id after a lookup found nothing');
      if (result.kind === 'rejected') {
        const found = await broker.execution.lookupOrder(order.clientOrderId);
        if (found) this.apply(order.brokerAccountId, found);
        else refuse(result.reason);
        if (found && !FINAL_ORDER_STATUSES.has(found.status)) this.schedule(orderId, 0, LOOKUP_BACKOFF_MS.at(-1)!);
        return;
      }
    } catch (err) {
      logger.warn({ err, orderId }, 'resend failed');
    }
    this.schedule(orderId, 0, LOOKUP_BACKOFF_MS[0]);
  }
}
