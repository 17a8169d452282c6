/**
 * Folds a broker's order report into the journal and the run, in one SQLite transaction. Reports
 * may arrive twice, out of order, or before placeOrder has returned: status only moves forward.
 */
import type { BrokerAccountId } from '../core/ids';
import { orderScope, type EngineEvent } from '../core/events';
import type { Order, OrderStatus, Run, RunState } from '../core/types';
import { FINAL_ORDER_STATUSES } from '../core/types';
import { MAX_EXIT_ATTEMPTS } from '../core/ids';
import { canTransition } from '../core/run-state';
import type { OrderReport } from '../brokers/broker';
import type { EngineContext } from '../context';
import { writeRunState, type RunPatch } from './run-ledger';

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
  /** An exit attempt ended with shares still held, for a reason that may pass: the next attempt is due then. */
  readonly retryExitAt?: number;
}

/**
 * Waits before an exit's attempt n+1, indexed by n-1 (attempt 1 refused: 1 s). Short at first (a
 * price band or an exchange hiccup often clears within seconds), then a minute, for about five
 * minutes in all before the run goes to ERROR and the trader is asked to act.
 */
export const EXIT_RETRY_MS = [1_000, 2_000, 5_000, 10_000, 30_000, 60_000, 60_000, 60_000] as const;

export function applyReportToJournal(ctx: EngineContext, accountId: BrokerAccountId, report: OrderReport): ReportOutcome | null {
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

    const filled = settledQty > 0;
    if (filled) events.push({ ...base, type: 'order_filled', filledQty: settledQty, fillPrice: updated.fillPrice ?? 0 });
    else events.push({ ...base, type: 'order_rejected', reason: updated.rejectReason ?? report.status });

    const run = repos.runs.getInternal(order.runId);
    if (!run) return { order: updated, events };
    if (updated.slot === 'exit' && run.state === 'EXITING') {
      const retry = exitRetry(repos, run, updated, filled, report, now);
      if (retry) {
        const after = repos.runs.update(run.id, { ...retry.patch, lastAction: `${order.leg}_ATTEMPT_${order.attempt}_${updated.status.toUpperCase()}`, lastActionAt: now }, now);
        events.push({ ...base, type: 'exit_retry_scheduled', attempt: order.attempt, remainingQty: after.positionQty, nextAttemptAt: retry.at, reason: updated.rejectReason ?? updated.status });
        return { order: updated, events, runBefore: run, runAfter: after, retryExitAt: retry.at };
      }
    }
    const next = nextRunState(run, updated, filled, report.lasting === true);
    if (next.patch.exitPrice !== undefined) next.patch = { ...next.patch, exitPrice: averageExitPrice(repos, run, updated) };
    if (!canTransition(run.state, next.to)) {
      logger.error({ runId: run.id, from: run.state, to: next.to, order: order.id }, 'order report does not fit the run state; run left as is');
      return { order: updated, events };
    }
    const after = writeRunState(ctx, run, next.to, { ...next.patch, lastAction: `${order.leg}_${filled ? 'FILLED' : 'REJECTED'}`, lastActionAt: now });
    return { order: updated, events, runBefore: run, runAfter: after };
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
    if (!run || !canTransition(run.state, outcome.to)) return { order: updated, events: [] };
    const reason = outcome.to === 'MISSED_BUY' ? `BUY ${outcome.reason}` : outcome.reason;
    const after = writeRunState(ctx, run, outcome.to, { reason, lastAction: 'BUY_NOT_SENT', lastActionAt: now });
    return { order: updated, events: [], runBefore: run, runAfter: after };
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

/**
 * The next exit attempt, when this one left shares held for a reason that may pass and attempts
 * remain. A refusal may pass unless the broker says it will not (`lasting`). A cancel is tried
 * again only when the broker or exchange ended it: with a part filled (the rest cancelled by the
 * exchange) or marked passing by the broker (`lasting: false`, e.g. Kite's price protection). A
 * cancel with nothing filled and no word from the broker may be the trader's own, in the broker's
 * app, perhaps to sell by hand: selling again could sell what is no longer held.
 */
function exitRetry(repos: EngineContext['repos'], run: Run, order: Order, filled: boolean, report: OrderReport, now: number): { at: number; patch: RunPatch } | null {
  const remaining = Math.max(0, run.positionQty - order.filledQty);
  const mayPass = order.status === 'cancelled' ? filled || report.lasting === false : report.lasting !== true;
  if (remaining === 0 || !mayPass || order.attempt >= MAX_EXIT_ATTEMPTS) return null;
  const at = now + EXIT_RETRY_MS[Math.min(order.attempt, EXIT_RETRY_MS.length) - 1]!;
  const sold = filled ? `${order.filledQty} of ${run.positionQty} sold` : 'nothing sold';
  return {
    at,
    patch: {
      positionQty: remaining,
      exitPrice: averageExitPrice(repos, run, order),
      reason: `${order.leg} exit attempt ${order.attempt} ${order.status} (${sold}): ${order.rejectReason ?? 'no reason given'}. Attempt ${order.attempt + 1} sells the ${remaining} still held`,
    },
  };
}

/**
 * The average price of everything sold so far for this run, this attempt included: an exit that
 * took several attempts sold at several prices, and P&L needs their weighted average.
 */
function averageExitPrice(repos: EngineContext['repos'], run: Run, order: Order): number | null {
  if (order.fillPrice === null || order.filledQty === 0) return run.exitPrice;
  const bought = repos.orders.findBySlotInternal(run.id, 'entry')?.filledQty ?? run.positionQty;
  const soldBefore = Math.max(0, bought - run.positionQty);
  if (soldBefore === 0 || run.exitPrice === null) return order.fillPrice;
  return (run.exitPrice * soldBefore + order.fillPrice * order.filledQty) / (soldBefore + order.filledQty);
}

function nextRunState(run: Run, order: Order, filled: boolean, lasting: boolean): { to: RunState; patch: RunPatch } {
  const price = order.fillPrice;
  if (order.slot === 'entry') {
    if (filled) return { to: 'IN_POSITION', patch: { positionQty: order.filledQty, entryPrice: price } };
    const why = `BUY ${order.status}: ${order.rejectReason ?? 'no reason given'}`;
    return run.stopRequested ? { to: 'STOPPED', patch: { reason: `stopped by the trader; ${why}` } } : { to: 'ERROR', patch: { reason: why } };
  }
  const remaining = Math.max(0, run.positionQty - order.filledQty);
  if (!filled || remaining > 0) {
    const why = lasting
      ? 'the broker\'s reason will not pass by trying again'
      : order.attempt >= MAX_EXIT_ATTEMPTS
        ? `all ${MAX_EXIT_ATTEMPTS} attempts were refused`
        : order.status === 'cancelled' && !filled
          ? 'cancelled at the broker with nothing sold, perhaps from its own app; if that was not you, press STOP to sell'
          : 'not tried again';
    return {
      to: 'ERROR',
      patch: {
        positionQty: remaining,
        exitPrice: price,
        reason: `${order.leg} exit${order.attempt > 1 ? ` attempt ${order.attempt}` : ''} ${order.status} with ${order.filledQty} of ${run.positionQty} sold: ${order.rejectReason ?? 'no reason given'} (${why}). A position of ${remaining} is still open: close it at the broker, or press STOP to try again.`,
      },
    };
  }
  const to: RunState = order.leg === 'STOPLOSS' ? 'EXITED_BY_SL' : order.leg === 'MANUAL_EXIT' ? 'STOPPED' : 'SOLD';
  const reason = order.leg === 'MANUAL_EXIT' ? 'stopped by the trader; position closed' : null;
  return { to, patch: { positionQty: 0, exitPrice: price, exitLeg: order.leg, reason } };
}
