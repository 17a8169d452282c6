/**
 * Whether Alpaca's refusal of an order will pass by trying again (the seam's `lasting`, see
 * PlaceOrderResult in ../broker.ts). A lasting refusal ends an exit's attempts and alerts the
 * trader, so only reasons that no retry can change are lasting; anything not recognised passes,
 * because a wrong "passing" costs a refused attempt while a wrong "lasting" leaves a position open.
 *
 * Alpaca's `code` is overloaded (40310000 is buying power, wash trades, PDT, …; PROTOCOLS.md
 * §1.8), so the `message` is what is read, as ccxt does.
 */
import type { AlpacaApiError } from './alpaca-wire';
import { readDecimal } from './alpaca-decimal';

/** Messages whose reason cannot pass today, with where each was seen. */
const LASTING: readonly RegExp[] = [
  // The account may not trade: alpaca-trade-api-csharp#330 (403 "account is not authorized to trade").
  /account is not authorized to trade/i,
  // The trader switched new orders off in the dashboard: Lumiwealth/lumibot#373 (40310000).
  /new orders are rejected by user request/i,
  // Ours: the account's trading_blocked / account_blocked flags (§1.3) in words; no text is documented.
  /\baccount (is )?blocked\b|\btrading (is )?blocked\b/i,
  // Nothing to sell: DELETE /v2/positions' 404 text, also seen on closing orders.
  /position (is )?not found/i,
  // The asset is not traded: `asset X is not tradable`, an inactive or unknown symbol (texts in the
  // fake are ours, SOURCES.md); a symbol Alpaca does not trade today will not trade on a retry.
  /\bnot tradable\b|asset .*\bis not active\b|asset .*\bnot found\b/i,
];

/** "insufficient qty available for order (requested: 10, available: 0)", 403 code 40310000. */
const INSUFFICIENT_QTY = /insufficient qty available for order/i;

/**
 * True when a refusal of POST /v2/orders will not pass by trying again.
 *
 * - 401, and the gateway's code-less 403 (§1.3): the key is refused; a retry sends the same key.
 * - "insufficient qty available for order": no shares to sell, unless the reply's
 *   `held_for_orders` (3rd-party captures of this body carry `existing_qty`, `held_for_orders`,
 *   `available`) says the shares exist but another open order holds them, or one of our resting
 *   stops rests on them (`restingStopHolds`, see heldByOpenOrder): that passes when the other
 *   order ends (a stuck `pending_cancel`, an order the trader placed, the stop cancelled), so it
 *   is not lasting.
 * - the messages in LASTING.
 *
 * @example refusalLasts(403, { code: 40310000, message: 'insufficient qty available for order (requested: 10, available: 0)' }) === true
 */
export function refusalLasts(status: number, error: AlpacaApiError | null, restingStopHolds = false): boolean {
  if (status === 401 || (status === 403 && error?.code === undefined)) return true;
  const message = error?.message ?? '';
  if (INSUFFICIENT_QTY.test(message)) return !heldByOpenOrder(error, restingStopHolds);
  return LASTING.some((re) => re.test(message));
}

/**
 * True when the refusal is Alpaca's reservation: "insufficient qty available for order" while the
 * shares exist but an open order holds them, told by the reply's `held_for_orders` above 0, or by
 * `restingStopHolds` (one of Tradeclock's resting stops rests on that symbol and side: Alpaca
 * holds the position for a resting sell, issue 20). It passes once that order is cancelled.
 *
 * @example heldByOpenOrder({ code: 40310000, message: 'insufficient qty available for order (requested: 10, available: 0)', held_for_orders: '10' }) === true
 */
export function heldByOpenOrder(error: AlpacaApiError | null, restingStopHolds = false): boolean {
  if (!INSUFFICIENT_QTY.test(error?.message ?? '')) return false;
  const held = readDecimal(error?.held_for_orders);
  return restingStopHolds || (held.ok && held.value.gt(0));
}
