/**
 * Folds a broker's order report into the journal and the run, in one SQLite transaction. Reports
 * may arrive twice, out of order, or before placeOrder has returned: status only moves forward.
 */
import type { BrokerAccountId, RunId } from '../core/ids';
import { orderScope, type EngineEvent } from '../core/events';
import type { Order, OrderStatus, Run } from '../core/types';
import { FINAL_ORDER_STATUSES } from '../core/types';
import type { Step } from '../core/run-policy/types';
import type { OrderReport } from '../brokers/broker';
import type { EngineContext } from '../context';
import { stepRun, writeStep } from './apply-step';

export { EXIT_RETRY_MS } from '../core/run-policy/exit';

const RANK: Readonly<Record<OrderStatus, number>> = {
  pending: 0,
  sent: 1,
  unknown: 1,
  accepted: 2,
  partially_filled: 3,
  filled: 4,
  rejected: 4,
  cancelled: 4,
};

export interface ReportOutcome {
  readonly order: Order;
  readonly events: EngineEvent[];
  readonly runBefore?: Run;
  readonly runAfter?: Run;
  /** The run policy's answer, for its follow-ups (the next exit attempt, what follows an entry fill). */
  readonly step?: Step;
}

/** `deferredExit`: whether an exit of the run waits for its entry to settle (the engine's own record). */
export function applyReportToJournal(ctx: EngineContext, accountId: BrokerAccountId, report: OrderReport, deferredExit: (runId: RunId) => boolean): ReportOutcome | null {
  const { repos, clock, logger } = ctx;
  // Not waiting for the disk: the order is journaled already, and an answer lost to a power cut is
  // found again by recovery's lookup of every unsettled order (its status never went past it).
  return repos.transaction(() => {
    const order = repos.orders.findByClientOrderIdInternal(accountId, report.clientOrderId);
    if (!order) return null;
    if (FINAL_ORDER_STATUSES.has(order.status)) return lateFill(ctx, order, report);
    if (RANK[report.status] < RANK[order.status]) return null;
    if (report.status === order.status && report.filledQty <= order.filledQty) return null;
    const now = clock.now();
    const settledQty = Math.min(report.filledQty, order.qty);
    const updated = repos.orders.update(
      order.id,
      {
        status: report.status,
        brokerOrderId: order.brokerOrderId ?? (report.brokerOrderId || null),
        ackedAt: order.ackedAt ?? now,
        filledQty: settledQty,
        fillPrice: report.avgFillPrice ?? order.fillPrice,
        filledAt: report.status === 'filled' ? now : order.filledAt,
        rejectReason: report.status === 'rejected' || report.status === 'cancelled' ? report.reason ?? report.status : order.rejectReason,
      },
      now,
    );
    const base = orderScope(order, now);
    const events: EngineEvent[] = [];
    if (report.status === 'accepted') events.push({ ...base, type: 'order_accepted', brokerOrderId: updated.brokerOrderId ?? '' });
    const final = report.status === 'filled' || report.status === 'rejected' || report.status === 'cancelled';
    if (!final) return { order: updated, events };

    if (settledQty > 0) events.push({ ...base, type: 'order_filled', filledQty: settledQty, fillPrice: updated.fillPrice ?? 0 });
    else events.push({ ...base, type: 'order_rejected', reason: updated.rejectReason ?? report.status });

    const run = repos.runs.getInternal(order.runId);
    if (!run) return { order: updated, events };
    // An entry's levels are rounded to its instrument's price step (null: not known, not rounded).
    const tickSize = updated.slot === 'entry' ? ctx.instruments.knownTickSize(updated.brokerAccountId, updated.symbol, updated.exchange) : null;
    const step = stepRun(ctx, run, { type: 'order_final', order: updated, lasting: report.lasting ?? null, tickSize }, deferredExit(run.id));
    if (!step) return { order: updated, events };
    if (step.outcome !== undefined && typeof step.outcome === 'object' && 'drop' in step.outcome) {
      logger.error({ runId: run.id, from: run.state, order: order.id }, step.outcome.drop);
      return { order: updated, events };
    }
    events.push(...(step.events ?? []));
    return { order: updated, events, runBefore: run, runAfter: writeStep(ctx, run, step), step };
  }, { durable: false });
}

/** How an entry known not to be at the broker ends: its grace ran out, or the trader stopped the run. */
export interface AbandonedEntry {
  readonly to: 'MISSED_BUY' | 'STOPPED';
  readonly reason: string;
}

/**
 * An entry known not to be at the broker, given up: the order ends cancelled, and the run is
 * MISSED_BUY (its grace ran out) or STOPPED (the trader stopped it) with the reason; not an
 * ERROR: nothing was refused, and nothing is held.
 */
export function abandonUnsentEntry(ctx: EngineContext, order: Order, outcome: AbandonedEntry): ReportOutcome | null {
  const { repos, clock } = ctx;
  return repos.transaction(() => {
    const current = repos.orders.getInternal(order.id);
    if (!current || FINAL_ORDER_STATUSES.has(current.status) || current.slot !== 'entry') return null;
    const now = clock.now();
    const updated = repos.orders.update(order.id, { status: 'cancelled', rejectReason: outcome.reason }, now);
    const run = repos.runs.getInternal(order.runId);
    const step = run && stepRun(ctx, run, { type: 'entry_abandoned', to: outcome.to, reason: outcome.reason });
    if (!run || !step?.move) return { order: updated, events: [] };
    return { order: updated, events: [], runBefore: run, runAfter: writeStep(ctx, run, step) };
  }, { durable: false });
}

/**
 * A broker reports shares filled on an order the journal holds as final with fewer (an entry
 * given up as never placed that was placed after all; a refusal the broker reversed). The
 * journal cannot take it back on its own: the trader is told at once, loudly, to check the
 * position at the broker. Reported once per quantity.
 */
function lateFill(ctx: EngineContext, order: Order, report: OrderReport): ReportOutcome | null {
  if (report.filledQty <= order.filledQty) return null;
  ctx.logger.error({ orderId: order.id, clientOrderId: order.clientOrderId, status: order.status, reportedFilled: report.filledQty }, 'the broker reports a fill on an order the journal holds as final');
  const event: EngineEvent = {
    type: 'order_unknown',
    ...orderScope(order, ctx.clock.now()),
    reason: `the broker reports ${report.filledQty} ${order.side === 'buy' ? 'bought' : 'sold'} on ${order.clientOrderId}, which Tradeclock had ended as ${order.status}: check the position in ${order.symbol} at the broker and close it there`,
  };
  return { order, events: [event] };
}
