/**
 * Alpaca's REST and trade_updates payloads, parsed at the edge. Only the fields Tradeclock
 * reads are required; the rest pass through untouched, because Alpaca adds fields over time
 * (PROTOCOLS.md §1.3, §1.5 "later/newer additions"). Numbers arrive as strings (§1.2).
 */
import { z } from 'zod';

const nullableText = z.string().nullable().optional();

/** PROTOCOLS.md §1.3 (Account); the blocking flags decide whether the account can trade. */
export const accountSchema = z.looseObject({
  id: z.string(),
  status: z.string(),
  trading_blocked: z.boolean().optional(),
  account_blocked: z.boolean().optional(),
});
export type AlpacaAccount = z.output<typeof accountSchema>;

/** alpaca-docs data/webapi/entities/asset-v2.yaml (PROTOCOLS.md is silent on assets). */
export const assetSchema = z.looseObject({
  id: z.string(),
  class: z.string(),
  exchange: z.string(),
  symbol: z.string(),
  status: z.string(),
  tradable: z.boolean(),
});
export type AlpacaAsset = z.output<typeof assetSchema>;

/** PROTOCOLS.md §1.5 (Order object). */
export const orderSchema = z.looseObject({
  id: z.string().min(1),
  client_order_id: z.string(),
  symbol: z.string(),
  side: z.string(),
  status: z.string(),
  qty: nullableText,
  filled_qty: z.string(),
  filled_avg_price: nullableText,
  created_at: nullableText,
  updated_at: nullableText,
  submitted_at: nullableText,
  filled_at: nullableText,
  canceled_at: nullableText,
  expired_at: nullableText,
  failed_at: nullableText,
});
export type AlpacaOrder = z.output<typeof orderSchema>;

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

/** A decimal string (§1.2) as a finite number ≥ 0, or null. */
export function parseDecimal(text: string | null | undefined): number | null {
  if (typeof text !== 'string' || !/^\d+(\.\d+)?$/.test(text.trim())) return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

/** The human part of an error reply, for reasons and logs: "422 40010001 client_order_id must be unique". */
export function describeApiError(status: number, error: AlpacaApiError | null, raw: string): string {
  if (!error) return `HTTP ${status}${raw ? `: ${raw.slice(0, 200)}` : ''}`;
  return `HTTP ${status}${error.code === undefined ? '' : ` (code ${error.code})`}: ${error.message}`;
}
