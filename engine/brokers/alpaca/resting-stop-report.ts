/**
 * An Alpaca stop order read as a resting stop (the seam's RestingStopReport, ../broker.ts). The
 * statuses are Alpaca's (PROTOCOLS.md §1.5); what each means for a stop that rests:
 * - `new`, `accepted`, `pending_new`, `held`, and every other status that is not an end: it rests
 *   (it can still fire, so the engine must still cancel it before its own exit). Once shares
 *   filled it has fired.
 * - `partially_filled`: fired, not done; `filled`: fired and done.
 * - `canceled`, `expired`: cancelled when nothing filled, else fired and done.
 * - `rejected`: rejected (fired and done when shares filled first).
 * - `replaced`: a PATCH gave it a successor (`replaced_by`), which carries the stop on; the caller follows it.
 */
import type { RestingStopReport, RestingStopStatus } from '../broker';
import { readDecimal } from './alpaca-decimal';
import { parseTimestamp, type AlpacaOrder } from './alpaca-wire';

export type StopRead =
  | { readonly kind: 'report'; readonly report: RestingStopReport }
  /** The order was replaced; `by` is its successor's id (null when Alpaca did not name it yet). */
  | { readonly kind: 'replaced'; readonly by: string | null }
  | { readonly kind: 'unreadable'; readonly reason: string };

const ENDS: Readonly<Record<string, RestingStopStatus>> = { canceled: 'cancelled', expired: 'cancelled', rejected: 'rejected' };

/**
 * Reads one Alpaca order as a resting stop; `fallbackAt` (our clock) when it carries no time.
 * @example readStop({ status: 'filled', type: 'stop', stop_price: '98.5', qty: '10', filled_qty: '10', filled_avg_price: '98.4', … }, now)
 *   // → { kind: 'report', report: { status: 'fired', done: true, filledQty: 10, avgFillPrice: 98.4, triggerPrice: 98.5, … } }
 */
export function readStop(order: AlpacaOrder, fallbackAt: number): StopRead {
  if (order.status === 'replaced') return { kind: 'replaced', by: order.replaced_by || null };
  const fields: Record<string, unknown> = { qty: order.qty, filled_qty: order.filled_qty, stop_price: order.stop_price };
  const read: Record<string, number> = {};
  for (const [name, value] of Object.entries(fields)) {
    const d = readDecimal(value);
    if (!d.ok) return { kind: 'unreadable', reason: `${name}: ${d.reason}` };
    read[name] = d.value.toNumber();
  }
  let limitPrice: number | null = null;
  if (order.limit_price !== null && order.limit_price !== undefined) {
    const d = readDecimal(order.limit_price);
    if (!d.ok) return { kind: 'unreadable', reason: `limit_price: ${d.reason}` };
    limitPrice = d.value.toNumber();
  }
  const filledQty = read.filled_qty!;
  let avgFillPrice: number | null = null;
  if (filledQty > 0) {
    const d = readDecimal(order.filled_avg_price);
    if (!d.ok || d.value.isZero()) return { kind: 'unreadable', reason: `filled_avg_price: ${d.ok ? '0' : d.reason} with shares filled` };
    avgFillPrice = d.value.toNumber();
  }
  const qty = read.qty!;
  const end = ENDS[order.status];
  let status: RestingStopStatus;
  let done: boolean;
  if (filledQty > 0) {
    status = 'fired';
    done = end !== undefined || order.status === 'filled' || filledQty >= qty;
  } else {
    status = end ?? (order.status === 'filled' ? 'fired' : 'resting');
    done = status !== 'resting';
  }
  const at =
    parseTimestamp(order.filled_at) ?? parseTimestamp(order.canceled_at) ?? parseTimestamp(order.expired_at) ?? parseTimestamp(order.failed_at) ?? parseTimestamp(order.updated_at) ?? parseTimestamp(order.submitted_at) ?? fallbackAt;
  return {
    kind: 'report',
    report: {
      clientOrderId: order.client_order_id,
      brokerRef: order.id,
      status,
      triggerPrice: read.stop_price!,
      limitPrice,
      qty,
      filledQty,
      avgFillPrice,
      done: status === 'resting' ? false : done,
      at,
      reason: status === 'cancelled' || status === 'rejected' ? `Alpaca stop order ${order.status}` : null,
    },
  };
}

