/**
 * The fake's GTT triggers (kite.trade/docs/connect/v3/gtt; SOURCES.md has each rule's source):
 * POST /gtt/triggers, PUT and DELETE /gtt/triggers/{id} (active ones only), GET the list and one.
 * A single-leg GTT fires when the last price reaches its trigger from the side of the `last_price`
 * it was placed with, and places its one LIMIT order through the fake's order book, so the order
 * shows in GET /orders and on the ticker like any other; `orders[0].result` then names it.
 * A two-leg (OCO) GTT has a lower trigger below the last price and an upper one above it, with
 * `orders[i]` belonging to `trigger_values[i]`: the price falling to the lower places orders[0],
 * rising to the upper places orders[1]; the GTT is then `triggered`, only the fired order has a
 * `result`, and the other is never placed.
 */
import { DateTime } from 'luxon';
import type { FakeInstrument } from './fake-instruments';
import type { FakeOrder } from './fake-orders';
import type { RestReply } from './fake-rest';

export interface FakeGtt {
  id: number;
  status: string;
  createdAt: number;
  updatedAt: number;
  type: 'single' | 'two-leg';
  condition: { exchange: string; tradingsymbol: string; trigger_values: number[]; last_price: number; instrument_token: number };
  /** One per trigger value, at its index. */
  orders: GttOrder[];
  /** The fired order's placement, at its index; null for an order not placed. */
  results: (Record<string, unknown> | null)[];
}

type GttOrder = { exchange: string; tradingsymbol: string; product: string; order_type: string; transaction_type: string; quantity: number; price: number };

export interface GttDeps {
  readonly userId: string;
  readonly now: () => number;
  readonly instruments: readonly FakeInstrument[];
  readonly lastPrice: (token: number) => number | undefined;
  /** Places the triggered GTT's LIMIT order in the book (untagged); the refusal's message when it cannot. */
  readonly placeOrder: (form: URLSearchParams) => { ok: true; order: FakeOrder } | { ok: false; message: string };
}

const YEAR_MS = 365 * 86_400_000;

export class FakeGttBook {
  private readonly gtts: FakeGtt[] = [];
  private seq = 112_126;

  constructor(private readonly deps: GttDeps) {}

  all(): readonly FakeGtt[] {
    return this.gtts;
  }

  get(id: number): FakeGtt | undefined {
    return this.gtts.find((g) => g.id === id);
  }

  /** POST /gtt/triggers; `existing` for PUT /gtt/triggers/{id}. */
  save(form: URLSearchParams, existing?: FakeGtt): RestReply {
    const read = this.read(form);
    if (typeof read === 'string') return input(read);
    const now = this.deps.now();
    if (existing) {
      if (existing.status !== 'active') return input(`Trigger is not active (${existing.status}).`);
      Object.assign(existing, { ...read, results: read.orders.map(() => null), updatedAt: now });
      return { kind: 'data', data: { trigger_id: existing.id } };
    }
    const gtt: FakeGtt = { id: ++this.seq, status: 'active', createdAt: now, updatedAt: now, results: read.orders.map(() => null), ...read };
    this.gtts.push(gtt);
    return { kind: 'data', data: { trigger_id: gtt.id } };
  }

  /** DELETE /gtt/triggers/{id}: an active GTT turns `deleted`. */
  remove(gtt: FakeGtt): RestReply {
    if (gtt.status !== 'active') return input(`Trigger is not active (${gtt.status}).`);
    gtt.status = 'deleted';
    gtt.updatedAt = this.deps.now();
    return { kind: 'data', data: { trigger_id: gtt.id } };
  }

  /** The price of `token` traded at `price`: active GTTs it reaches fire. */
  onPrice(token: number, price: number): void {
    for (const g of this.gtts) {
      if (g.status !== 'active' || g.condition.instrument_token !== token) continue;
      const [first, second] = g.condition.trigger_values as [number, number | undefined];
      if (second !== undefined) {
        // Two-leg: the lower value is reached from above, the upper from below; one fires, the other never will.
        if (price <= first) this.fire(g, 0, price);
        else if (price >= second) this.fire(g, 1, price);
        continue;
      }
      const reached = first < g.condition.last_price ? price <= first : price >= first;
      if (reached) this.fire(g, 0, price);
    }
  }

  /** A test hook: Kite moves a GTT to `status` (expired after a year, disabled, rejected…). */
  setStatus(id: number, status: string): void {
    const g = this.get(id);
    if (!g) throw new Error(`the fake has no GTT ${id}`);
    g.status = status;
    g.updatedAt = this.deps.now();
  }

  /** The GTT as GET returns it, in the fields of kiteconnect-mocks' gtt_get_order(s).json. */
  json(g: FakeGtt): Record<string, unknown> {
    return {
      id: g.id,
      user_id: this.deps.userId,
      parent_trigger: null,
      type: g.type,
      created_at: ist(g.createdAt),
      updated_at: ist(g.updatedAt),
      expires_at: ist(g.createdAt + YEAR_MS),
      status: g.status,
      condition: g.condition,
      orders: g.orders.map((o, i) => ({ ...o, result: g.results[i] ?? null })),
      meta: g.status === 'active' ? {} : null,
    };
  }

  private fire(g: FakeGtt, index: number, price: number): void {
    const order = g.orders[index]!;
    const form = new URLSearchParams({ tradingsymbol: order.tradingsymbol, exchange: order.exchange, transaction_type: order.transaction_type, order_type: 'LIMIT', quantity: String(order.quantity), product: order.product, price: String(order.price), validity: 'DAY' });
    const placed = this.deps.placeOrder(form);
    const now = this.deps.now();
    g.status = 'triggered';
    g.updatedAt = now;
    g.results[index] = {
      account_id: this.deps.userId,
      ...order,
      validity: 'DAY',
      meta: JSON.stringify({ app_id: 12617, gtt: g.id }),
      timestamp: ist(now),
      triggered_at: price,
      order_result: placed.ok ? { status: 'success', order_id: placed.order.order_id, rejection_reason: '' } : { status: 'failed', order_id: '', rejection_reason: placed.message },
    };
  }

  /** The form's `type`, `condition` and `orders`, or the InputException message (SOURCES.md). */
  private read(form: URLSearchParams): Pick<FakeGtt, 'type' | 'condition' | 'orders'> | string {
    const type = form.get('type');
    if (type !== 'single' && type !== 'two-leg') return 'Invalid `type`.';
    const legs = type === 'single' ? 1 : 2;
    const condition = json(form.get('condition'));
    const orders = json(form.get('orders'));
    if (typeof condition !== 'object' || condition === null || Array.isArray(condition)) return 'Invalid `condition`.';
    if (!Array.isArray(orders) || orders.length !== legs || orders.some((o) => typeof o !== 'object' || o === null)) return 'Invalid `orders`.';
    const c = condition as Record<string, unknown>;
    const instrument = this.deps.instruments.find((i) => i.tradingsymbol === c.tradingsymbol && i.exchange === c.exchange);
    if (!instrument || instrument.segment === 'INDICES') return 'Invalid `tradingsymbol`.';
    const triggers = c.trigger_values;
    if (!Array.isArray(triggers) || triggers.length !== legs || triggers.some((t) => typeof t !== 'number' || t <= 0)) return 'Invalid `trigger_values`.';
    if (typeof c.last_price !== 'number' || c.last_price <= 0) return 'Invalid `last_price`.';
    const values = triggers as number[];
    const read: GttOrder[] = [];
    for (const o of orders as Record<string, unknown>[]) {
      if (o.exchange !== c.exchange || o.tradingsymbol !== c.tradingsymbol) return 'The order must be for the instrument of the condition.';
      if (o.transaction_type !== 'BUY' && o.transaction_type !== 'SELL') return 'Invalid `transaction_type`.';
      if (typeof o.quantity !== 'number' || !Number.isInteger(o.quantity) || o.quantity <= 0) return 'Invalid `quantity`.';
      if (o.order_type !== 'LIMIT') return 'Invalid `order_type`: a GTT places LIMIT orders.';
      if (!['CNC', 'MIS', 'NRML'].includes(String(o.product))) return 'Invalid `product`.';
      if (typeof o.price !== 'number' || o.price <= 0) return 'Invalid `price`.';
      read.push({ exchange: instrument.exchange, tradingsymbol: instrument.tradingsymbol, product: String(o.product), order_type: 'LIMIT', transaction_type: o.transaction_type, quantity: o.quantity, price: o.price });
    }
    if (legs === 2) {
      // Kite's refusals of a two-leg trigger (forum comment 45755); the first sentence's wording is ours.
      if (values.includes(c.last_price)) return 'Trigger cannot be created with one of the trigger values equal to the last price.';
      if (values[1]! < c.last_price) return 'Trigger cannot be created with the second trigger price less than the last price.';
      if (values[0]! > c.last_price) return 'Trigger cannot be created with the first trigger price more than the last price.';
    }
    const ltp = this.deps.lastPrice(instrument.token) ?? c.last_price;
    for (const trigger of values) {
      const gap = Math.abs(ltp - trigger);
      if (ltp > 50 ? gap < ltp * 0.0025 - 1e-9 : gap < 0.09 - 1e-9) return 'Trigger price is too close to the last price.';
    }
    return {
      type,
      condition: { exchange: instrument.exchange, tradingsymbol: instrument.tradingsymbol, trigger_values: values, last_price: c.last_price, instrument_token: instrument.token },
      orders: read,
    };
  }
}

function input(message: string): RestReply {
  return { kind: 'error', status: 400, errorType: 'InputException', message };
}

function json(text: string | null): unknown {
  try {
    return text === null ? undefined : (JSON.parse(text) as unknown);
  } catch {
    return undefined;
  }
}

function ist(ms: number): string {
  return DateTime.fromMillis(ms, { zone: 'Asia/Kolkata' }).toFormat('yyyy-MM-dd HH:mm:ss');
}
