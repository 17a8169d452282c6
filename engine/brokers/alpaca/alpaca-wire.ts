/**
 * Alpaca's REST and trade_updates payloads, parsed at the edge. Only the fields Tradeclock
 * reads are required; the rest pass through untouched, because Alpaca adds fields over time
 * (PROTOCOLS.md §1.3, §1.5 "later/newer additions"). Numbers arrive as strings (§1.2), or as JSON
 * numbers (alpaca-py accepts both): the schema lets both through and alpaca-decimal.ts reads them,
 * so an unreadable number is dropped with a reason that names it.
 */
import { z } from 'zod';

const nullableText = z.string().nullable().optional();
/** A decimal as Alpaca sends it: a string, or a JSON number (read by readDecimal). */
const decimalValue = z.union([z.string(), z.number()]);

/** PROTOCOLS.md §1.3 (Account); the blocking flags decide whether the account can trade. */
export const accountSchema = z.looseObject({
  id: z.string(),
  status: z.string(),
  trading_blocked: z.boolean().optional(),
  account_blocked: z.boolean().optional(),
});
export type AlpacaAccount = z.output<typeof accountSchema>;

/**
 * alpaca-docs data/webapi/entities/asset-v2.yaml (PROTOCOLS.md is silent on assets). `shortable`
 * and `easy_to_borrow` are booleans there and required in alpaca-py bd1fa9e `Asset`; an asset
 * without them is still a tradable long (they are read as "not known"), one with another value in
 * them is a reply that cannot be read.
 */
export const assetSchema = z.looseObject({
  id: z.string(),
  class: z.string(),
  exchange: z.string(),
  symbol: z.string(),
  status: z.string(),
  tradable: z.boolean(),
  shortable: z.boolean().optional(),
  easy_to_borrow: z.boolean().optional(),
});
export type AlpacaAsset = z.output<typeof assetSchema>;

/**
 * PROTOCOLS.md §1.5 (Order object). `qty` is null on notional orders. `replaced_by` (the id of the
 * order that replaces this one) and `replaces` (the id of the order this one replaces) are order
 * ids (UUIDs) or null, `replaced_at` a timestamp or null: alpaca-py bd1fa9e
 * alpaca/trading/models.py `Order` (`Optional[UUID]`, `Optional[datetime]`).
 */
export const orderSchema = z.looseObject({
  id: z.string().min(1),
  client_order_id: z.string(),
  symbol: z.string(),
  side: z.string(),
  status: z.string(),
  /** `market`, `stop`, `stop_limit`, …: a resting stop (alpaca-resting-stops.ts) is a `stop` or `stop_limit`. */
  type: z.string().optional(),
  stop_price: decimalValue.nullable().optional(),
  limit_price: decimalValue.nullable().optional(),
  qty: decimalValue.nullable().optional(),
  filled_qty: decimalValue,
  filled_avg_price: decimalValue.nullable().optional(),
  created_at: nullableText,
  updated_at: nullableText,
  submitted_at: nullableText,
  filled_at: nullableText,
  canceled_at: nullableText,
  expired_at: nullableText,
  failed_at: nullableText,
  replaced_at: nullableText,
  replaced_by: nullableText,
  replaces: nullableText,
});
export type AlpacaOrder = z.output<typeof orderSchema>;

/**
 * GET /v2/positions/{symbol_or_asset_id}: one open position. Fields and types from alpaca-py
 * bd1fa9e alpaca/trading/models.py `Position` (`qty: str`, `side: PositionSide` "long" | "short",
 * `qty_available: Optional[str]`) and alpaca-docs 2080c5e data/webapi/entities/position.yaml. A
 * short's `qty` is negative ("-2478" with "side": "short", Alpaca-API#86), so `qty` is read by
 * alpaca-position.ts, not by readDecimal alone.
 */
export const positionSchema = z.looseObject({
  symbol: z.string(),
  qty: decimalValue,
  side: z.string(),
  qty_available: decimalValue.nullable().optional(),
});
export type AlpacaPosition = z.output<typeof positionSchema>;

/** PROTOCOLS.md §1.8: `{"code": <8-digit int>, "message": "…"}`; gateway errors carry no code. */
export const apiErrorSchema = z.looseObject({
  code: z.number().int().optional(),
  message: z.string(),
});
export type AlpacaApiError = z.output<typeof apiErrorSchema>;

/** PROTOCOLS.md §1.11: one object per frame, never an array. */
export const tradeStreamMessageSchema = z.discriminatedUnion('stream', [
  z.looseObject({ stream: z.literal('authorization'), data: z.looseObject({ status: z.string(), action: z.string().optional() }) }),
  z.looseObject({ stream: z.literal('listening'), data: z.looseObject({ streams: z.array(z.string()) }) }),
  z.looseObject({
    stream: z.literal('trade_updates'),
    data: z.looseObject({ event: z.string(), order: orderSchema, timestamp: z.string().optional() }),
  }),
]);
export type TradeStreamMessage = z.output<typeof tradeStreamMessageSchema>;

/** Parses a JSON text, or undefined when it is not JSON (the caller logs and drops it). */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * An RFC 3339 timestamp (Alpaca sends nanoseconds and offsets, §1.2) as epoch ms, or null.
 * @example parseTimestamp('2022-04-19T17:45:05.024916716Z') === 1650390305024
 */
export function parseTimestamp(text: string | null | undefined): number | null {
  if (typeof text !== 'string' || !/^\d{4}-\d{2}-\d{2}T/.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : null;
}

/** The human part of an error reply, for reasons and logs: "422 40010001 client_order_id must be unique". */
export function describeApiError(status: number, error: AlpacaApiError | null, raw: string): string {
  if (!error) return `HTTP ${status}${raw ? `: ${raw.slice(0, 200)}` : ''}`;
  return `HTTP ${status}${error.code === undefined ? '' : ` (code ${error.code})`}: ${error.message}`;
}
