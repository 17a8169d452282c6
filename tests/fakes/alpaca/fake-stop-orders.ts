/**
 * The fake desk's stop orders (issue 20's backstop): the order fields a `stop` or `stop_limit`
 * order carries (PROTOCOLS.md §1.4: `stop_price` required for both, `limit_price` for
 * `stop_limit`), when a resting stop fires, and when a fired stop-limit may fill.
 *
 * A sell stop fires once the price trades at or below its stop price, a buy stop at or above
 * (alpaca-docs content/trading/orders.md "Stop Orders"); a `stop` then becomes a market order, a
 * `stop_limit` a limit order at `limit_price`.
 */
import type { FakeOrder } from './fake-entities';

export type OrderKind = 'market' | 'stop' | 'stop_limit';

export type StopFields =
  | { readonly ok: true; readonly type: OrderKind; readonly stopPrice: number | null; readonly limitPrice: number | null }
  | { readonly ok: false; readonly message: string };

const PLAIN_DECIMAL = /^\d+(\.\d+)?$/;

/** The type and prices of a POST /v2/orders body; the messages are ours (§1.8 shape, 422). */
export function readStopFields(b: Record<string, unknown>): StopFields {
  if (b.type === 'market') return { ok: true, type: 'market', stopPrice: null, limitPrice: null };
  if (b.type !== 'stop' && b.type !== 'stop_limit') return { ok: false, message: 'this fake accepts market, stop and stop_limit orders only' };
  const stop = readPrice(b.stop_price, 'stop_price');
  if (typeof stop === 'string') return { ok: false, message: stop };
  if (b.type === 'stop') return b.limit_price === undefined ? { ok: true, type: 'stop', stopPrice: stop, limitPrice: null } : { ok: false, message: 'limit_price is not allowed for a stop order' };
  const limit = readPrice(b.limit_price, 'limit_price');
  if (typeof limit === 'string') return { ok: false, message: limit };
  return { ok: true, type: 'stop_limit', stopPrice: stop, limitPrice: limit };
}

/** A price field as Alpaca takes it (a string decimal above 0, §1.2), or the refusal's message. */
export function readPrice(value: unknown, field: string): number | string {
  if (typeof value !== 'string' || !PLAIN_DECIMAL.test(value) || Number(value) <= 0) return `${field} is required and must be a positive decimal given as a string`;
  return Number(value);
}

/** True when `price` trading fires the resting stop. */
export function crosses(order: FakeOrder, price: number): boolean {
  if (order.stopPrice === null || order.stopPrice === undefined) return false;
  return order.side === 'sell' ? price <= order.stopPrice : price >= order.stopPrice;
}

/** True when a fired stop may fill at `price`: always for a stop, within the limit for a stop-limit. */
export function fillableAt(order: FakeOrder, price: number): boolean {
  if (order.limitPrice === null || order.limitPrice === undefined) return true;
  return order.side === 'sell' ? price >= order.limitPrice : price <= order.limitPrice;
}
