/**
 * Alpaca's order statuses mapped onto the broker seam's five. The seam's statuses only move
 * forward; Alpaca's many interim states (PROTOCOLS.md §1.5) all mean "the broker holds it and
 * it is not finished", so they become 'accepted' (or 'partially_filled' once shares filled),
 * unless every ordered share has filled (see `leg`).
 *
 * An order Alpaca replaced lives on in its replacement, so a report is made from a chain of
 * legs (order-chains.ts): our order first, then each replacement that followed it.
 */
import type Decimal from 'decimal.js';
import type { BrokerOrderStatus, OrderReport } from '../broker';
import { Dec, readDecimal } from './alpaca-decimal';
import { parseTimestamp, type AlpacaOrder } from './alpaca-wire';

/**
 * Statuses from PROTOCOLS.md §1.5 (alpaca-docs content/trading/orders.md "Order Lifecycle",
 * alpaca-py OrderStatus). `done_for_day` is not final for a day order: `expired` or `canceled`
 * follows. `calculated` is "completed for the day (either filled or done for day), but settlement
 * calculations are still pending": filled or not is told by its quantities, not its name.
 * `replaced` is not an end either: "replaced by another order, or updated due to a market event
 * such as corporate action" (orders.md), and the replacement may still fill; the chain follows it.
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
  replaced: 'accepted',
  partially_filled: 'partially_filled',
  filled: 'filled',
  canceled: 'cancelled',
  expired: 'cancelled',
  rejected: 'rejected',
};

/** One Alpaca order as read: a leg of a replacement chain (the only leg, when never replaced). */
export interface OrderLeg {
  /** Alpaca's order id. */
  readonly id: string;
  readonly clientOrderId: string;
  /** Alpaca's status as sent. */
  readonly alpacaStatus: string;
  /** This order's own status on the seam, before its chain is considered. */
  readonly status: BrokerOrderStatus;
  /** False for a status Tradeclock does not know (kept open; the caller logs it). */
  readonly knownStatus: boolean;
  /** Ordered shares; null on a notional order. */
  readonly qty: Decimal | null;
  readonly filledQty: Decimal;
  /** Null until a share filled. */
  readonly avgPrice: Decimal | null;
  /** Broker time of this state, epoch ms. */
  readonly at: number;
  /** The id of the order that replaces this one, when Alpaca named it. */
  readonly replacedBy: string | null;
  /** The id of the order this one replaces. */
  readonly replaces: string | null;
}

export type LegResult = { readonly ok: true; readonly leg: OrderLeg } | { readonly ok: false; readonly reason: string };

/**
 * Reads one Alpaca order. `eventAt` is the trade_updates event timestamp when there is one;
 * otherwise the order's own timestamps, then `fallbackAt` (our clock).
 *
 * Every share filled is a fill, whatever the status is called: once filled_qty reaches a known
 * qty > 0 nothing is left to execute, and the docs' `filled` is exactly that ("has been filled, and
 * no further updates will occur"). So a `calculated` order with all shares filled reports 'filled'
 * (its partly filled twin stays open, like `done_for_day`), and so do `pending_cancel`,
 * `pending_replace`, `done_for_day` and an unknown new status in the same case: a position that
 * exists must be known to exist, or its stop-loss is never armed. `replaced` is left to the chain
 * and the final `canceled`/`expired`/`rejected` keep their names (the engine reads their fills).
 */
export function readLeg(order: AlpacaOrder, fallbackAt: number, eventAt?: string): LegResult {
  const filled = readDecimal(order.filled_qty);
  if (!filled.ok) return { ok: false, reason: `filled_qty: ${filled.reason}` };
  const filledQty = filled.value;
  let qty: Decimal | null = null;
  if (order.qty !== null && order.qty !== undefined) {
    const q = readDecimal(order.qty);
    if (!q.ok) return { ok: false, reason: `qty: ${q.reason}` };
    qty = q.value;
  }
  let avgPrice: Decimal | null = null;
  if (order.filled_avg_price !== null && order.filled_avg_price !== undefined) {
    const a = readDecimal(order.filled_avg_price);
    if (!a.ok) return { ok: false, reason: `filled_avg_price: ${a.reason}` };
    // alpaca-py: filled_avg_price "can be 0 until order is processed"; with shares filled, 0 is no price.
    if (a.value.isZero() && filledQty.gt(0)) return { ok: false, reason: 'filled_avg_price: 0 with shares filled' };
    avgPrice = a.value.isZero() ? null : a.value;
  }
  if (filledQty.gt(0) && avgPrice === null) return { ok: false, reason: 'filled_qty > 0 without filled_avg_price' };

  const mapped = STATUS[order.status];
  let status: BrokerOrderStatus = mapped ?? 'accepted';
  const open = status === 'accepted' || status === 'partially_filled';
  if (open && order.status !== 'replaced' && qty !== null && qty.gt(0) && filledQty.gte(qty)) status = 'filled';
  else if (status === 'accepted' && filledQty.gt(0)) status = 'partially_filled';

  const at =
    parseTimestamp(eventAt) ??
    parseTimestamp(order.filled_at) ??
    parseTimestamp(order.canceled_at) ??
    parseTimestamp(order.expired_at) ??
    parseTimestamp(order.failed_at) ??
    parseTimestamp(order.replaced_at) ??
    parseTimestamp(order.updated_at) ??
    parseTimestamp(order.submitted_at) ??
    fallbackAt;

  return {
    ok: true,
    leg: {
      id: order.id,
      clientOrderId: order.client_order_id,
      alpacaStatus: order.status,
      status,
      knownStatus: mapped !== undefined,
      qty,
      filledQty,
      avgPrice,
      at,
      replacedBy: order.replaced_by || null,
      replaces: order.replaces || null,
    },
  };
}

/** True when this leg was replaced: its successor carries the order on. */
export function isReplaced(leg: OrderLeg): boolean {
  return leg.alpacaStatus === 'replaced';
}

/**
 * The seam's view of a chain: our order (the first leg, whose client order id the engine knows)
 * as the newest leg sees it. Shares filled and their value add up over the legs: a replacement
 * carries only its own fills (Alpaca-API#165: a partly filled order replaced with qty N went on to
 * fill N more, so the replacement's filled_qty started again from 0). While the newest leg is
 * itself `replaced` (its successor not read yet) the order is open, never final.
 *
 * @example
 *   // our order `replaced` with nothing filled, its replacement filled 10 at 187.23:
 *   chainReport([ours, replacement]) // → { clientOrderId: ours.clientOrderId, brokerOrderId: replacement.id, status: 'filled', filledQty: 10, avgFillPrice: 187.23, … }
 */
export function chainReport(chain: readonly [OrderLeg, ...OrderLeg[]]): OrderReport {
  const first = chain[0];
  const last = chain[chain.length - 1]!;
  let filled = new Dec(0);
  let value = new Dec(0);
  let at = first.at;
  for (const leg of chain) {
    filled = filled.plus(leg.filledQty);
    if (leg.avgPrice) value = value.plus(leg.filledQty.times(leg.avgPrice));
    at = Math.max(at, leg.at);
  }
  let status: BrokerOrderStatus = isReplaced(last) ? 'accepted' : last.status;
  if (status === 'accepted' && filled.gt(0)) status = 'partially_filled';
  const final = status === 'rejected' || status === 'cancelled';
  return {
    clientOrderId: first.clientOrderId,
    brokerOrderId: last.id,
    status,
    filledQty: filled.toNumber(),
    avgFillPrice: filled.gt(0) ? value.div(filled).toNumber() : null,
    at,
    // Alpaca's order object carries no rejection text (§1.5, §1.11); say what it did say.
    reason: final ? `Alpaca order ${last.alpacaStatus}${chain.length > 1 ? ` (replacement order ${last.id})` : ''}` : null,
  };
}

export type ReportResult =
  | { readonly ok: true; readonly report: OrderReport; readonly knownStatus: boolean }
  | { readonly ok: false; readonly reason: string };

/** The seam's view of one Alpaca order on its own (a chain of one leg). */
export function orderReport(order: AlpacaOrder, fallbackAt: number, eventAt?: string): ReportResult {
  const read = readLeg(order, fallbackAt, eventAt);
  if (!read.ok) return read;
  return { ok: true, knownStatus: read.leg.knownStatus, report: chainReport([read.leg]) };
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
