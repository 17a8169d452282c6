/**
 * Branded ids and the deterministic client order id. Pure: the renderer's types import this file
 * through the API contract. Random ids are in random-ids.ts.
 */

declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

export type UserId = Brand<number, 'UserId'>;
export type BrokerAccountId = Brand<number, 'BrokerAccountId'>;
export type StrategyId = Brand<number, 'StrategyId'>;
export type RunId = Brand<number, 'RunId'>;
export type OrderId = Brand<number, 'OrderId'>;

export const asUserId = (n: number) => n as UserId;
export const asBrokerAccountId = (n: number) => n as BrokerAccountId;
export const asStrategyId = (n: number) => n as StrategyId;
export const asRunId = (n: number) => n as RunId;
export const asOrderId = (n: number) => n as OrderId;

/** The most attempts an exit slot takes: attempt 1 is `X`, attempts 2–9 the digit itself. */
export const MAX_EXIT_ATTEMPTS = 9;

/**
 * The client order id of a leg: the same inputs always give the same id, so a retry after a
 * crash or a timeout carries the id of the first attempt, and the broker (or our lookup by id)
 * can tell it is the same order. Both exits share the slot letter `X`, so SELL and STOPLOSS on
 * one day can never be two different orders at a broker that rejects a reused id.
 *
 * An exit the broker refused for a reason that may pass is tried again as a new order: attempt
 * n (2–9) ends in the digit n instead of `X`, so each attempt is its own order at the broker and
 * the same attempt sent twice is still one. The last character is always the slot's, after the
 * six date digits, so no two (slot, attempt) pairs share an id.
 *
 * Fits Kite's 20-char tag and Alpaca's 48-char client_order_id: `tc` + install (6) +
 * strategy (base 36, up to 5) + yymmdd (6) + slot (1) ≤ 20.
 *
 * @example clientOrderId('k3x9a1', asStrategyId(42), '2026-03-09', 'entry') === 'tck3x9a116260309E'
 * @example clientOrderId('k3x9a1', asStrategyId(42), '2026-03-09', 'exit', 2) === 'tck3x9a1162603092'
 */
export function clientOrderId(
  installId: string,
  strategyId: StrategyId,
  tradingDate: string,
  slot: 'entry' | 'exit',
  attempt = 1,
): string {
  if (!/^[0-9a-z]{6}$/.test(installId)) throw new Error(`install id must be 6 base-36 chars, got "${installId}"`);
  const sid = strategyId.toString(36);
  if (sid.length > 5) throw new Error(`strategy id ${strategyId} too large for a 20-char client order id`);
  const m = /^\d{2}(\d{2})-(\d{2})-(\d{2})$/.exec(tradingDate);
  if (!m) throw new Error(`trading date must be YYYY-MM-DD, got "${tradingDate}"`);
  const maxAttempt = slot === 'entry' ? 1 : MAX_EXIT_ATTEMPTS;
  if (!Number.isInteger(attempt) || attempt < 1 || attempt > maxAttempt) throw new Error(`attempt of an ${slot} order must be 1..${maxAttempt}, got ${attempt}`);
  const last = slot === 'entry' ? 'E' : attempt === 1 ? 'X' : String(attempt);
  return `tc${installId}${sid}${m[1]}${m[2]}${m[3]}${last}`;
}
