/**
 * Kite's GTT ("good till triggered") triggers on the wire (kite.trade/docs/connect/v3/gtt;
 * pykiteconnect f5531bd `place_gtt`/`_get_gtt_payload`; kiteconnect-mocks c7a8123 `gtt_*.json`):
 * the form a single-leg GTT is placed and modified with, the trigger object GET returns, and what
 * it means for a resting stop.
 *
 * A single-leg GTT fires when the last price reaches its one trigger value from the side of the
 * `last_price` it was placed with, and then places its one LIMIT order; `orders[0].result` then
 * carries that order's placement (`order_result.order_id`, or `status: "failed"` and a
 * `rejection_reason`). Statuses: active, triggered, disabled, expired, cancelled, rejected, deleted.
 */
import { z } from 'zod';
import type { Instrument, RestingStopReport, RestingStopRef, RestingStopRequest } from '../broker';
import { parseKiteTimestamp } from './token-expiry';

const num = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/).transform(Number)]);
const id = z.union([z.number().int().nonnegative().transform(String), z.string().regex(/^\d+$/)]);

const gttOrderSchema = z.looseObject({
  exchange: z.string(),
  tradingsymbol: z.string(),
  transaction_type: z.string(),
  quantity: num,
  order_type: z.string(),
  product: z.string(),
  price: num,
  result: z
    .looseObject({
      order_result: z.looseObject({ status: z.string(), order_id: z.union([z.string(), z.number().transform(String)]).nullish(), rejection_reason: z.string().nullish() }).nullish(),
      timestamp: z.string().nullish(),
    })
    .nullish(),
});

/** One GTT as GET /gtt/triggers and GET /gtt/triggers/{id} return it; only the fields read are required. */
export const gttSchema = z.looseObject({
  id,
  type: z.string(),
  status: z.string(),
  created_at: z.string().nullish(),
  updated_at: z.string().nullish(),
  condition: z.looseObject({ exchange: z.string(), tradingsymbol: z.string(), trigger_values: z.array(num).min(1), last_price: num.nullish() }),
  orders: z.array(gttOrderSchema).min(1),
});
export type KiteGtt = z.output<typeof gttSchema>;

/** POST/PUT/DELETE /gtt/triggers answer `{"trigger_id": 123}` (gtt_place_order.json and its twins). */
export const triggerIdSchema = z.looseObject({ trigger_id: id });

/** Parses one GTT, naming the field that is wrong. */
export function readGtt(data: unknown): KiteGtt {
  const r = gttSchema.safeParse(data);
  if (!r.success) throw new Error(`Kite's GTT could not be read (${r.error.issues[0]?.path.join('.') || 'body'}: ${r.error.issues[0]?.message})`);
  return r.data;
}

/** Parses GET /gtt/triggers; one unreadable row fails the list, so a lookup never misses ours by skipping it. */
export function readGttList(data: unknown): KiteGtt[] {
  if (!Array.isArray(data)) throw new Error('Kite GET /gtt/triggers did not return a list');
  return data.map((row, i) => {
    const r = gttSchema.safeParse(row);
    if (!r.success) throw new Error(`Kite GET /gtt/triggers row ${i} could not be read (${r.error.issues[0]?.path.join('.')}: ${r.error.issues[0]?.message})`);
    return r.data;
  });
}

/**
 * The form of POST /gtt/triggers and PUT /gtt/triggers/{id}: `type`, and `condition` and `orders`
 * as JSON text (PROTOCOLS.md §2.3: GTT requests are form-encoded, their two fields JSON).
 * @example gttForm(req, 'MIS', 101.2) // { type: 'single', condition: '{"exchange":"NSE","tradingsymbol":"INFY","trigger_values":[98.5],"last_price":101.2}', orders: '[…LIMIT…]' }
 */
export function gttForm(req: RestingStopRequest & { readonly limitPrice: number }, product: string, lastPrice: number): Record<string, string> {
  const { exchange, symbol: tradingsymbol } = req.instrument;
  return {
    type: 'single',
    condition: JSON.stringify({ exchange, tradingsymbol, trigger_values: [req.triggerPrice], last_price: lastPrice }),
    orders: JSON.stringify([{ exchange, tradingsymbol, transaction_type: req.side === 'buy' ? 'BUY' : 'SELL', quantity: req.qty, order_type: 'LIMIT', product, price: req.limitPrice }]),
  };
}

/** What a GTT says of the stop before its order is read: the order to read, when it fired. */
export type GttState = { readonly kind: 'report'; readonly report: RestingStopReport } | { readonly kind: 'fired'; readonly orderId: string; readonly base: RestingStopReport };

const GONE: Readonly<Record<string, string>> = { cancelled: 'cancelled', deleted: 'deleted', disabled: 'disabled', expired: 'expired (a GTT lives a year)' };

/**
 * The stop a GTT is. `clientOrderId` is ours: Kite keeps none. A triggered GTT whose order Kite
 * could not place (`order_result.status` "failed") is rejected: nothing rests and nothing filled.
 * A status Tradeclock does not know reads as resting: the engine then cancels it before its own
 * exit, and a refused cancel is looked up again, never taken as gone.
 */
export function gttState(gtt: KiteGtt, clientOrderId: string, fallbackAt: number): GttState {
  const leg = gtt.orders[0]!;
  const at = parseKiteTimestamp(leg.result?.timestamp) ?? parseKiteTimestamp(gtt.updated_at) ?? parseKiteTimestamp(gtt.created_at) ?? fallbackAt;
  const base: RestingStopReport = { clientOrderId, brokerRef: gtt.id, status: 'resting', triggerPrice: gtt.condition.trigger_values[0]!, limitPrice: leg.price, qty: leg.quantity, filledQty: 0, avgFillPrice: null, done: false, at, reason: null };
  const status = gtt.status.toLowerCase();
  if (status === 'rejected') return { kind: 'report', report: { ...base, status: 'rejected', done: true, reason: 'Kite rejected the GTT' } };
  const gone = GONE[status];
  if (gone) return { kind: 'report', report: { ...base, status: 'cancelled', done: true, reason: `Kite GTT ${gone}` } };
  if (status !== 'triggered') return { kind: 'report', report: base };
  const placed = leg.result?.order_result;
  if (!placed) return { kind: 'report', report: { ...base, status: 'fired', reason: 'Kite triggered the GTT; its order is not known yet' } };
  if (placed.status.toLowerCase() === 'failed' || !placed.order_id) {
    return { kind: 'report', report: { ...base, status: 'rejected', done: true, reason: `Kite triggered the GTT but could not place its order: ${placed.rejection_reason || 'no reason given'}` } };
  }
  return { kind: 'fired', orderId: placed.order_id, base: { ...base, status: 'fired' } };
}

/**
 * The GTT that is this stop when Kite's id for it is not known (a crash before the answer). Kite
 * keeps no client id, so the rule is: a single-leg GTT, active or triggered, on the same exchange
 * and tradingsymbol, whose one order has the stop's side and quantity and whose trigger value is
 * the stop's trigger, that is not among `exclude` (other stops' GTTs) and was not created before
 * the stop's row was journaled (`ref.notBefore`, less GTT_MATCH_CLOCK_SLACK_MS for Kite's clock
 * and its whole seconds): a triggered GTT of an earlier run with the same stop would otherwise be
 * taken for this one, its fill for this leg's exit; of several, the newest (latest created_at,
 * then highest id).
 */
/** How far Kite's clock (GTT created_at, whole seconds) may be behind ours for `matchGtt`: far past readiness's 2 s skew bound, far short of a day. */
export const GTT_MATCH_CLOCK_SLACK_MS = 60_000;

export function matchGtt(gtts: readonly KiteGtt[], ref: RestingStopRef, exclude: ReadonlySet<string>): KiteGtt | null {
  const side = ref.side === 'buy' ? 'BUY' : 'SELL';
  const found = gtts.filter((g) => {
    const leg = g.orders[0]!;
    return (
      g.type === 'single' &&
      ['active', 'triggered'].includes(g.status.toLowerCase()) &&
      sameInstrument(g, ref.instrument) &&
      leg.transaction_type === side &&
      leg.quantity === ref.qty &&
      Math.abs(g.condition.trigger_values[0]! - ref.triggerPrice) < 1e-6 &&
      !exclude.has(g.id) &&
      (ref.notBefore === undefined || (parseKiteTimestamp(g.created_at) ?? 0) >= ref.notBefore - GTT_MATCH_CLOCK_SLACK_MS)
    );
  });
  found.sort((a, b) => (parseKiteTimestamp(a.created_at) ?? 0) - (parseKiteTimestamp(b.created_at) ?? 0) || Number(BigInt(a.id) - BigInt(b.id)));
  return found.at(-1) ?? null;
}

function sameInstrument(g: KiteGtt, instrument: Instrument): boolean {
  return g.condition.exchange === instrument.exchange && g.condition.tradingsymbol === instrument.symbol;
}

/**
 * Kite's rule for a GTT's trigger (support.zerodha.com, "Why was my buy GTT order rejected in
 * Kite?"): at least 0.25% away from the last price above ₹50, at least ₹0.09 at or below it.
 * @example triggerTooClose(100, 99.8) === true // 0.2% away
 */
export function triggerTooClose(lastPrice: number, trigger: number): boolean {
  const gap = Math.abs(lastPrice - trigger);
  return lastPrice > 50 ? gap < lastPrice * 0.0025 - 1e-9 : gap < 0.09 - 1e-9;
}
