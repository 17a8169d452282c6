/**
 * Alpaca's order statuses mapped onto the broker seam's five. The seam's statuses only move
 * forward; Alpaca's many interim states (PROTOCOLS.md §1.5) all mean "the broker holds it and
 * it is not finished", so they become 'accepted' (or 'partially_filled' once shares filled).
 */
import type { BrokerOrderStatus, OrderReport } from '../broker';
import { parseDecimal, parseTimestamp, type AlpacaOrder } from './alpaca-wire';

/**
 * Statuses from PROTOCOLS.md §1.5 (alpaca-docs orders.md "Order Lifecycle", alpaca-py OrderStatus).
 * `done_for_day` is not final for a day order: `expired` or `canceled` follows. `replaced` is
 * final for this client order id (the replacement carries its own id); Tradeclock never replaces.
 */
const STATUS: Readonly<Record<string, BrokerOrderStatus>> = {
  new: 'accepted',
  accepted: 'accepted',
  pending_new: 'accepted',
  accepted_for_bidding: 'accepted',
  pending_cancel: 'accepted',
  pending_replace: 'accepted',
  done_for_day: 'accepted',
  stopped: 'accepted',
  suspended: 'accepted',
  calculated: 'accepted',
  held: 'accepted',
  pending_review: 'accepted',
  partially_filled: 'partially_filled',
  filled: 'filled',
  canceled: 'cancelled',
  expired: 'cancelled',
  replaced: 'cancelled',
  rejected: 'rejected',
};

export type ReportResult =
  | { readonly ok: true; readonly report: OrderReport; readonly knownStatus: boolean }
  | { readonly ok: false; readonly reason: string };

/**
 * The seam's view of an Alpaca order. `eventAt` is the trade_updates event timestamp when there
 * is one; otherwise the order's own timestamps, then `fallbackAt` (our clock).
 * An unknown status is kept as not-final ('accepted'), so a new Alpaca state can never end an
 * order early; `knownStatus` lets the caller log it.
 */
export function orderReport(order: AlpacaOrder, fallbackAt: number, eventAt?: string): ReportResult {
  const filledQty = parseDecimal(order.filled_qty);
  if (filledQty === null) return { ok: false, reason: `filled_qty "${order.filled_qty}" is not a decimal` };
  const avg = order.filled_avg_price === null || order.filled_avg_price === undefined ? null : parseDecimal(order.filled_avg_price);
  if (order.filled_avg_price != null && (avg === null || avg <= 0)) return { ok: false, reason: `filled_avg_price "${order.filled_avg_price}" is not a price` };
  if (filledQty > 0 && avg === null) return { ok: false, reason: 'filled_qty > 0 without filled_avg_price' };

  const mapped = STATUS[order.status];
  let status: BrokerOrderStatus = mapped ?? 'accepted';
  if (status === 'accepted' && filledQty > 0) status = 'partially_filled';

  const at =
    parseTimestamp(eventAt) ??
    parseTimestamp(order.filled_at) ??
    parseTimestamp(order.canceled_at) ??
    parseTimestamp(order.expired_at) ??
    parseTimestamp(order.failed_at) ??
    parseTimestamp(order.updated_at) ??
    parseTimestamp(order.submitted_at) ??
    fallbackAt;

  const final = status === 'rejected' || status === 'cancelled';
  return {
    ok: true,
    knownStatus: mapped !== undefined,
    report: {
      clientOrderId: order.client_order_id,
      brokerOrderId: order.id,
      status,
      filledQty,
      avgFillPrice: avg,
      at,
      // Alpaca's order object carries no rejection text (§1.5, §1.11); say what it did say.
      reason: final ? `Alpaca order ${order.status}` : null,
    },
  };
}

const RANK: Readonly<Record<BrokerOrderStatus, number>> = { accepted: 0, partially_filled: 1, filled: 2, rejected: 2, cancelled: 2 };

/** True when `next` tells more than `prev`: a later status, or the same one with more shares filled. */
export function movesForward(prev: OrderReport | null, next: OrderReport): boolean {
  if (!prev) return true;
  if (RANK[prev.status] === 2) return false;
  return RANK[next.status] > RANK[prev.status] || next.filledQty > prev.filledQty;
}

export function isFinal(report: OrderReport): boolean {
  return RANK[report.status] === 2;
}
