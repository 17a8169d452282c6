/**
 * Kite's order objects (GET /orders rows, ticker `order` messages, postbacks) turned into the
 * seam's OrderReport. The client order id travels in `tag`; rows without one are not ours.
 */
import { z } from 'zod';
import type { BrokerOrderStatus, OrderReport } from '../broker';
import { namesPriceLimit, saysNothingToSell } from './kite-refusals';
import { parseKiteTimestamp } from './token-expiry';

const num = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/).transform(Number)]);

/** The fields we read; Kite sends many more, and they are ignored. */
export const kiteOrderSchema = z.looseObject({
  order_id: z.union([z.string().min(1), z.number().int().transform(String)]),
  status: z.string(),
  tag: z.string().nullish(),
  tags: z.array(z.string()).nullish(),
  tradingsymbol: z.string().nullish(),
  exchange: z.string().nullish(),
  transaction_type: z.string().nullish(),
  quantity: num.nullish(),
  filled_quantity: num.nullish(),
  average_price: num.nullish(),
  status_message: z.string().nullish(),
  /** The RMS's own text ("RMS:Rule: Check holdings"), behind the reworded `status_message`. */
  status_message_raw: z.string().nullish(),
  order_timestamp: z.string().nullish(),
  exchange_update_timestamp: z.string().nullish(),
  exchange_timestamp: z.string().nullish(),
});
export type KiteOrder = z.output<typeof kiteOrderSchema>;

/** The statuses after which a Kite order changes no more (upper case, as Kite writes them). */
export const FINAL_STATUSES: ReadonlySet<string> = new Set(['COMPLETE', 'CANCELLED', 'REJECTED']);

/** Our client order id on a Kite order: `tag`, or the first of `tags` (newer payloads carry both). */
export function tagOf(order: KiteOrder): string | null {
  return order.tag || order.tags?.[0] || null;
}

/**
 * Kite status → seam status. Only COMPLETE, REJECTED and CANCELLED are final; everything else
 * (OPEN, TRIGGER PENDING, both spellings of "PUT ORDER REQ(UEST) RECEIVED", statuses Kite adds
 * later) is a live order, partially filled once `filled_quantity` is above zero.
 */
export function kiteStatusToBroker(status: string, filledQty: number): BrokerOrderStatus {
  switch (status.toUpperCase()) {
    case 'COMPLETE':
      return 'filled';
    case 'REJECTED':
      return 'rejected';
    case 'CANCELLED':
      return 'cancelled';
    default:
      return filledQty > 0 ? 'partially_filled' : 'accepted';
  }
}

/**
 * The report of one Kite order; `fallbackAt` when the order carries no usable timestamp.
 *
 * @example toOrderReport(row, clock.now()) // { clientOrderId: row.tag, brokerOrderId: row.order_id, status: 'filled', ... }
 */
export function toOrderReport(order: KiteOrder, fallbackAt: number): OrderReport | null {
  const clientOrderId = tagOf(order);
  if (!clientOrderId) return null;
  const filledQty = Math.max(0, Math.trunc(order.filled_quantity ?? 0));
  const status = kiteStatusToBroker(order.status, filledQty);
  const avg = order.average_price ?? 0;
  const at = parseKiteTimestamp(order.exchange_update_timestamp) ?? parseKiteTimestamp(order.exchange_timestamp) ?? parseKiteTimestamp(order.order_timestamp) ?? fallbackAt;
  const text = order.status_message || order.status_message_raw;
  const why = text ? `Kite: ${text}` : null;
  const ended = status === 'rejected' || status === 'cancelled';
  return {
    clientOrderId,
    brokerOrderId: order.order_id,
    status,
    filledQty,
    avgFillPrice: filledQty > 0 && avg > 0 ? avg : null,
    at,
    reason: status === 'rejected' ? (why ?? 'Kite rejected the order (no reason given)') : status === 'cancelled' ? (why ?? 'cancelled at Kite') : null,
    // Only a clear "nothing to sell" ends the pursuit of an exit; margin or an unknown text may
    // pass (see kite-refusals.ts). A text naming a price limit (a circuit, a price band, the
    // exchange's LPP cancel) says the exchange ended it and it will pass: `lasting: false`, so the
    // engine tries even a cancel with nothing filled again (one it cannot tell from the trader's own).
    ...(ended && saysNothingToSell(order.status_message, order.status_message_raw)
      ? { lasting: true }
      : ended && namesPriceLimit(order.status_message, order.status_message_raw)
        ? { lasting: false }
        : {}),
  };
}

/**
 * Picks the order carrying `clientOrderId` among the day's orders. Normally there is one; if a
 * duplicate ever slipped through, the live or filled one wins over a rejected or cancelled one,
 * then the latest.
 */
export function findByTag(orders: readonly KiteOrder[], clientOrderId: string): KiteOrder | null {
  const matching = orders.filter((o) => o.tag === clientOrderId || (o.tags ?? []).includes(clientOrderId));
  if (matching.length === 0) return null;
  const dead = (o: KiteOrder) => ['REJECTED', 'CANCELLED'].includes(o.status.toUpperCase()) && (o.filled_quantity ?? 0) === 0;
  const live = matching.filter((o) => !dead(o));
  const pool = live.length > 0 ? live : matching;
  return pool[pool.length - 1]!;
}

/**
 * Parses GET /orders' data. One unreadable row fails the whole list: a lookup that might have
 * skipped our order must not be taken as "no such order" (that would invite a duplicate).
 */
export function parseOrderList(data: unknown): KiteOrder[] {
  if (!Array.isArray(data)) throw new Error('Kite GET /orders did not return a list');
  return data.map((row, i) => {
    const r = kiteOrderSchema.safeParse(row);
    if (!r.success) throw new Error(`Kite GET /orders row ${i} is not an order we can read (${r.error.issues[0]?.path.join('.')}: ${r.error.issues[0]?.message})`);
    return r.data;
  });
}
