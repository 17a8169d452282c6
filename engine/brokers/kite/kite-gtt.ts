/**
 * Kite's GTT ("good till triggered") triggers on the wire (kite.trade/docs/connect/v3/gtt;
 * pykiteconnect f5531bd `place_gtt`/`_get_gtt_payload`; kiteconnect-mocks c7a8123 `gtt_*.json`):
 * the form a GTT is placed and modified with, the trigger object GET returns, and what it means
 * for a resting stop.
 *
 * A single-leg GTT fires when the last price reaches its one trigger value from the side of the
 * `last_price` it was placed with, and then places its one LIMIT order; `orders[0].result` then
 * carries that order's placement (`order_result.order_id`, or `status: "failed"` and a
 * `rejection_reason`). Statuses: active, triggered, disabled, expired, cancelled, rejected, deleted.
 *
 * A two-leg GTT (`type: "two-leg"`, OCO) has two trigger values, the lower below the last price
 * and the upper above it, and two orders: "the index of the order is used … to determine which
 * order is executed when a trigger value is reached" (docs), so `orders[i]` belongs to
 * `trigger_values[i]`. The first value reached places its order, and the GTT is `triggered` with
 * only that order's `result` set, the other's null (gtt_get_order.json: fired at the upper value
 * 103.7, `orders[1].result` set). Kite refuses a second value below the last price or a value equal
 * to it (forum comment 45755, staff). A long's backstop sells at [stop, target]; a short's buys
 * back at [target, stop]: ascending either way.
 */
import { z } from 'zod';
import type { Instrument, RestingStopReport, RestingStopRef, RestingStopRequest, RestingTarget } from '../broker';
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
 * as JSON text (PROTOCOLS.md §2.3: GTT requests are form-encoded, their two fields JSON). With a
 * `target` it is a two-leg GTT whose legs are in ascending order of trigger, each order at its
 * trigger's index.
 * @example gttForm(req, 'MIS', 101.2) // { type: 'single', condition: '{"exchange":"NSE","tradingsymbol":"INFY","trigger_values":[98.5],"last_price":101.2}', orders: '[…LIMIT…]' }
 * @example gttForm({ ...req, side: 'sell', triggerPrice: 95, target: { triggerPrice: 105, limitPrice: 103.95 } }, 'MIS', 100) // type 'two-leg', trigger_values [95, 105], orders [stop's, target's]
 */
export function gttForm(req: RestingStopRequest & { readonly limitPrice: number; readonly target?: (RestingTarget & { readonly limitPrice: number }) | null }, product: string, lastPrice: number): Record<string, string> {
  const { exchange, symbol: tradingsymbol } = req.instrument;
  const order = (price: number) => ({ exchange, tradingsymbol, transaction_type: req.side === 'buy' ? 'BUY' : 'SELL', quantity: req.qty, order_type: 'LIMIT', product, price });
  const legs = [{ trigger: req.triggerPrice, order: order(req.limitPrice) }];
  if (req.target) legs.push({ trigger: req.target.triggerPrice, order: order(req.target.limitPrice) });
  legs.sort((a, b) => a.trigger - b.trigger);
  return {
    type: req.target ? 'two-leg' : 'single',
    condition: JSON.stringify({ exchange, tradingsymbol, trigger_values: legs.map((l) => l.trigger), last_price: lastPrice }),
    orders: JSON.stringify(legs.map((l) => l.order)),
  };
}

/**
 * Which of a GTT's orders is the stop's and which the take-profit's: a single-leg GTT has only the
 * stop; of a two-leg one's ascending pair, a SELL's stop is the lower (a long's stop is below the
 * price), a BUY's the upper.
 */
export function gttLegs(gtt: KiteGtt): { readonly stop: number; readonly target: number | null } {
  if (gtt.type !== 'two-leg' || gtt.orders.length < 2 || gtt.condition.trigger_values.length < 2) return { stop: 0, target: null };
  return gtt.orders[0]!.transaction_type === 'SELL' ? { stop: 0, target: 1 } : { stop: 1, target: 0 };
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
  const legs = gttLegs(gtt);
  const stop = gtt.orders[legs.stop]!;
  const target: RestingTarget | null = legs.target === null ? null : { triggerPrice: gtt.condition.trigger_values[legs.target]!, limitPrice: gtt.orders[legs.target]!.price };
  // The leg that fired is the one whose order has a result (only one has, on a two-leg GTT).
  const firedIndex = legs.target !== null && gtt.orders[legs.target]!.result ? legs.target : legs.stop;
  const leg = gtt.orders[firedIndex]!;
  const at = parseKiteTimestamp(leg.result?.timestamp) ?? parseKiteTimestamp(gtt.updated_at) ?? parseKiteTimestamp(gtt.created_at) ?? fallbackAt;
  const base: RestingStopReport = { clientOrderId, brokerRef: gtt.id, status: 'resting', triggerPrice: gtt.condition.trigger_values[legs.stop]!, limitPrice: stop.price, qty: stop.quantity, filledQty: 0, avgFillPrice: null, done: false, at, reason: null, target };
  const status = gtt.status.toLowerCase();
  const placed = leg.result?.order_result;
  // A GTT that placed its order fired, whatever its status reads since (deleted or expired after
  // the fire): that order is the stop's, and may still fill. Never read as gone with nothing filled.
  const placedOrder = placed != null && placed.status.toLowerCase() !== 'failed' && Boolean(placed.order_id);
  if (!placedOrder) {
    if (status === 'rejected') return { kind: 'report', report: { ...base, status: 'rejected', done: true, reason: 'Kite rejected the GTT' } };
    const gone = GONE[status];
    if (gone) return { kind: 'report', report: { ...base, status: 'cancelled', done: true, reason: `Kite GTT ${gone}` } };
    if (status !== 'triggered') return { kind: 'report', report: base };
  }
  const fired = { ...base, status: 'fired' as const, qty: leg.quantity, ...(target ? { firedLeg: firedIndex === legs.target ? ('target' as const) : ('stop' as const) } : {}) };
  if (!placed) return { kind: 'report', report: { ...fired, reason: 'Kite triggered the GTT; its order is not known yet' } };
  if (placed.status.toLowerCase() === 'failed' || !placed.order_id) {
    return { kind: 'report', report: { ...fired, status: 'rejected', done: true, reason: `Kite triggered the GTT but could not place its order: ${placed.rejection_reason || 'no reason given'}` } };
  }
  return { kind: 'fired', orderId: placed.order_id, base: fired };
}

/**
 * The GTT that is this stop when Kite's id for it is not known (a crash before the answer). Kite
 * keeps no client id, so the rule is: a single-leg GTT with the stop's trigger, or, when a
 * take-profit was asked for (`targetPrice`), also a two-leg one with both values (the adapter
 * leaves a take-profit out where Kite would refuse it, so either may be the one placed); active or
 * triggered, on the same exchange and tradingsymbol, whose orders have the stop's side and
 * quantity, not among `exclude` (other stops' GTTs), and not created before the stop's row was
 * journaled (`ref.notBefore`, less GTT_MATCH_CLOCK_SLACK_MS for Kite's clock and its whole
 * seconds): a triggered GTT of an earlier run with the same stop would otherwise be taken for this
 * one, its fill for this leg's exit; of several, the newest (latest created_at,
 * then highest id).
 */
/** How far Kite's clock (GTT created_at, whole seconds) may be behind ours for `matchGtt`: far past readiness's 2 s skew bound, far short of a day. */
export const GTT_MATCH_CLOCK_SLACK_MS = 60_000;

export function matchGtt(gtts: readonly KiteGtt[], ref: RestingStopRef, exclude: ReadonlySet<string>): KiteGtt | null {
  const side = ref.side === 'buy' ? 'BUY' : 'SELL';
  const targetPrice = ref.targetPrice ?? null;
  const same = (a: number | undefined, b: number) => a !== undefined && Math.abs(a - b) < 1e-6;
  const found = gtts.filter((g) => {
    const legs = gttLegs(g);
    const shape = g.type === 'single' || (targetPrice !== null && g.type === 'two-leg' && legs.target !== null && same(g.condition.trigger_values[legs.target], targetPrice));
    return (
      shape &&
      ['active', 'triggered'].includes(g.status.toLowerCase()) &&
      sameInstrument(g, ref.instrument) &&
      g.orders.every((o) => o.transaction_type === side && o.quantity === ref.qty) &&
      same(g.condition.trigger_values[legs.stop], ref.triggerPrice) &&
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
