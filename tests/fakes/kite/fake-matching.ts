/**
 * The fake's matching beyond "a market order fills": the day's circuit and GET /quote, LIMIT
 * orders that rest until a price crosses them, MARKET orders on the derivatives segments bounded
 * by their market protection, SL (stop-loss limit) orders that wait for their trigger, SL-M refused
 * on options, and PUT /orders/{variety}/{order_id} (modify). Equity MARKET orders are not touched:
 * they fill as kite-fake.ts always filled them. Sources in SOURCES.md.
 */
import { DateTime } from 'luxon';
import type { FakeInstrument } from './fake-instruments';
import type { FakeOrder, FakeOrderBook } from './fake-orders';
import type { RestReply } from './fake-rest';

export interface FakeCircuit {
  readonly lower: number;
  readonly upper: number;
}

export interface FakeMatchingDeps {
  readonly book: FakeOrderBook;
  readonly instruments: readonly FakeInstrument[];
  lastPrice(token: number): number | undefined;
  /** The previous close (the circuit's default is drawn around it). */
  close(token: number): number | undefined;
  /** An order changed without reaching a final state (a modify, a trigger): Kite pushes it on the ticker. */
  push(order: FakeOrder): void;
  now(): number;
}

/** Kite's words for a price outside the day's range (a trader's report on tradingqna.com/t/…/193460). */
export const CIRCUIT_REFUSAL = 'Price exceeds circuit limits for the instrument. Place an order within the daily range.';
/** Ours: Kite's wording for SL-M on an option is not documented (NSE answers "16052: Function not available"). */
export const SL_M_REFUSAL = 'SL-M orders are not allowed for index and stock options. Place an SL (stop-loss limit) order instead.';
/** Kite's words (kite.trade forum discussions 9201, 9212). */
export const MODIFY_LIMIT_REFUSAL = 'Maximum allowed order modifications exceeded.';
/** Kite allows 25 modifications an order (PROTOCOLS.md §2.9). */
export const MAX_MODIFICATIONS = 25;
/** market_protection -1 ("automatic") on an option: ~3% as a trader reports it (tradingqna.com/t/…/193460); ours otherwise. */
export const AUTO_PROTECTION_PCT = 3;

const DERIVATIVES = new Set(['NFO', 'BFO']);

export class FakeMatching {
  private readonly circuits = new Map<number, FakeCircuit>();
  private readonly modifications = new Map<string, number>();

  constructor(private readonly deps: FakeMatchingDeps) {}

  setCircuit(token: number, circuit: FakeCircuit): void {
    this.circuits.set(token, circuit);
  }

  /** The day's band: the one set, else ±20% of the close for equity and 0.05 to 5× the close for a contract (ours). */
  circuitOf(token: number): FakeCircuit {
    const set = this.circuits.get(token);
    if (set) return set;
    const ref = this.deps.close(token) ?? this.deps.lastPrice(token) ?? 100;
    const derivative = DERIVATIVES.has(this.instrument(token)?.exchange ?? '');
    return derivative ? { lower: 0.05, upper: round2(ref * 5) } : { lower: round2(ref * 0.8), upper: round2(ref * 1.2) };
  }

  /** GET /quote?i=EXCHANGE:SYMBOL&…: the full quote of each instrument asked that has a price, in quote.json's shape. */
  quote(asked: readonly string[]): RestReply {
    if (asked.length === 0) return { kind: 'error', status: 400, errorType: 'InputException', message: 'No instruments given: `i`.' };
    const data: Record<string, unknown> = {};
    for (const key of asked) {
      const at = key.indexOf(':');
      const instrument = this.deps.instruments.find((i) => i.exchange === key.slice(0, at) && i.tradingsymbol === key.slice(at + 1));
      const last = instrument && this.deps.lastPrice(instrument.token);
      if (!instrument || last === undefined) continue;
      const c = this.circuitOf(instrument.token);
      const close = this.deps.close(instrument.token) ?? last;
      const stamp = DateTime.fromMillis(this.deps.now(), { zone: 'Asia/Kolkata' }).toFormat('yyyy-MM-dd HH:mm:ss');
      const level = { price: 0, quantity: 0, orders: 0 };
      data[key] = {
        instrument_token: instrument.token,
        timestamp: stamp,
        last_trade_time: stamp,
        last_price: last,
        last_quantity: 0,
        buy_quantity: 0,
        sell_quantity: 0,
        volume: 0,
        average_price: last,
        oi: 0,
        oi_day_high: 0,
        oi_day_low: 0,
        net_change: round2(last - close),
        lower_circuit_limit: c.lower,
        upper_circuit_limit: c.upper,
        ohlc: { open: close, high: Math.max(close, last), low: Math.min(close, last), close },
        depth: { buy: Array.from({ length: 5 }, () => ({ ...level })), sell: Array.from({ length: 5 }, () => ({ ...level })) },
      };
    }
    return { kind: 'data', data };
  }

  /** A placement this module refuses before booking it (Kite's validation layer answers 400), or null. */
  refusal(form: URLSearchParams): string | null {
    const instrument = this.deps.instruments.find((i) => i.tradingsymbol === form.get('tradingsymbol') && i.exchange === form.get('exchange'));
    if (!instrument) return null; // the book refuses it by its own checks
    const type = form.get('order_type');
    if (type === 'SL-M' && /-OPT$/.test(instrument.segment)) return SL_M_REFUSAL;
    if ((type === 'LIMIT' || type === 'SL') && this.outside(instrument.token, Number(form.get('price')))) return CIRCUIT_REFUSAL;
    if (type === 'SL' && !(Number(form.get('trigger_price')) > 0)) return 'Invalid `trigger_price`.';
    return null;
  }

  /**
   * Takes over an order just booked OPEN, when it is one this module matches, and pushes it on the
   * ticker: returns false for an equity MARKET (or SL-M) order, which kite-fake.ts fills as before.
   */
  accept(order: FakeOrder, form: URLSearchParams, fillAfterMs: number | null): boolean {
    const last = this.deps.lastPrice(order.instrument_token);
    if (order.order_type === 'SL') {
      order.trigger_price = Number(form.get('trigger_price'));
      order.status = 'TRIGGER PENDING';
      this.deps.book.record(order);
      this.deps.push(order);
      return true;
    }
    if (order.order_type === 'MARKET' && DERIVATIVES.has(order.exchange) && last !== undefined) {
      // Kite turns it into a LIMIT at the protection price (kite.trade forum comment 52940).
      const pct = order.market_protection === -1 ? AUTO_PROTECTION_PCT : order.market_protection;
      const tick = this.instrument(order.instrument_token)?.tickSize ?? 0.05;
      const raw = order.transaction_type === 'BUY' ? last * (1 + pct / 100) : last * (1 - pct / 100);
      order.order_type = 'LIMIT';
      order.price = onTick(raw, tick, order.transaction_type === 'BUY' ? 'down' : 'up');
      this.deps.book.record(order);
      this.deps.push(order);
      this.fillIfMarketable(order, fillAfterMs);
      return true;
    }
    if (order.order_type !== 'LIMIT') return false;
    this.deps.push(order);
    this.fillIfMarketable(order, fillAfterMs);
    return true;
  }

  /** A new last price: SL orders whose trigger it touches become LIMIT orders (then fill if it crosses them). */
  onPrice(token: number, price: number): void {
    for (const o of this.deps.book.all()) {
      if (o.instrument_token !== token || o.status !== 'TRIGGER PENDING') continue;
      if (o.transaction_type === 'SELL' ? price <= o.trigger_price : price >= o.trigger_price) {
        o.status = 'OPEN';
        o.order_type = 'LIMIT';
        this.deps.book.record(o);
        this.deps.push(o);
      }
    }
  }

  /** PUT /orders/{variety}/{order_id}: answered `{order_id}` as order_modify.json; the order keeps its id and tag. */
  modify(orderId: string, form: URLSearchParams, fillAfterMs: number | null): RestReply {
    const o = this.deps.book.get(orderId);
    if (!o) return refused("Couldn't find that `order_id`.");
    if (o.status !== 'OPEN' && o.status !== 'TRIGGER PENDING') return refused(`Order cannot be modified as it is being processed or is ${o.status}.`, 'OrderException');
    const used = this.modifications.get(orderId) ?? 0;
    if (used >= MAX_MODIFICATIONS) return refused(MODIFY_LIMIT_REFUSAL, 'NetworkException');
    const type = form.get('order_type') ?? o.order_type;
    if (!['MARKET', 'LIMIT', 'SL', 'SL-M'].includes(type)) return refused('Invalid `order_type`.');
    // Modifying to MARKET needs market protection anew (kite.trade forum comment 52331).
    if (type === 'MARKET' && o.order_type !== 'MARKET' && !form.has('market_protection')) {
      return refused('Market orders without market protection are not allowed via API. Please set market protection or use a Limit order.');
    }
    const price = form.has('price') ? Number(form.get('price')) : o.price;
    if ((type === 'LIMIT' || type === 'SL') && !(Number.isFinite(price) && price > 0)) return refused('Invalid `price`.');
    if ((type === 'LIMIT' || type === 'SL') && this.outside(o.instrument_token, price)) return refused(CIRCUIT_REFUSAL);
    const qty = form.has('quantity') ? Number(form.get('quantity')) : o.quantity;
    if (!Number.isInteger(qty) || qty < o.filled_quantity || qty <= 0) return refused('Invalid `quantity`.');
    this.modifications.set(orderId, used + 1);
    o.order_type = type;
    o.price = type === 'LIMIT' || type === 'SL' ? price : 0;
    if (form.has('trigger_price')) o.trigger_price = Number(form.get('trigger_price'));
    o.quantity = qty;
    o.pending_quantity = qty - o.filled_quantity;
    // As order_info.json walks a modify: MODIFY VALIDATION PENDING → MODIFY PENDING → MODIFIED → OPEN.
    const back = o.status;
    for (const s of ['MODIFY VALIDATION PENDING', 'MODIFY PENDING', 'MODIFIED']) this.deps.book.record({ ...o, status: s });
    o.status = back;
    this.deps.book.record({ ...o });
    this.deps.push(o);
    if (o.status === 'OPEN' && o.order_type === 'LIMIT') this.fillIfMarketable(o, fillAfterMs);
    return { kind: 'data', data: { order_id: o.order_id } };
  }

  /** Part of an OPEN order trades at `price`: it stays OPEN with the rest pending (kite.trade forum comment 52991). */
  fillPart(orderId: string, qty: number, price: number): void {
    const o = this.deps.book.get(orderId);
    if (!o || o.status !== 'OPEN' || !(qty > 0 && qty < o.pending_quantity)) throw new Error(`the fake cannot fill ${qty} of order ${orderId} (${o ? `${o.status}, ${o.pending_quantity} pending` : 'no such order'})`);
    o.average_price = (o.average_price * o.filled_quantity + price * qty) / (o.filled_quantity + qty);
    o.filled_quantity += qty;
    o.pending_quantity -= qty;
    this.deps.book.record(o);
    this.deps.push(o);
  }

  /** A LIMIT at or through the last price fills (after the fake's fill delay) at the last price then, if it is still through. */
  private fillIfMarketable(order: FakeOrder, fillAfterMs: number | null): void {
    if (fillAfterMs === null) return;
    setTimeout(() => {
      const last = this.deps.lastPrice(order.instrument_token);
      if (order.status !== 'OPEN' || order.order_type !== 'LIMIT' || last === undefined) return;
      if (order.transaction_type === 'BUY' ? last <= order.price : last >= order.price) this.deps.book.settle(order.order_id, { status: 'COMPLETE', price: last });
    }, fillAfterMs);
  }

  private outside(token: number, price: number): boolean {
    const c = this.circuitOf(token);
    return price < c.lower - 1e-9 || price > c.upper + 1e-9;
  }

  private instrument(token: number): FakeInstrument | undefined {
    return this.deps.instruments.find((i) => i.token === token);
  }
}

function refused(message: string, errorType = 'InputException'): RestReply {
  return { kind: 'error', status: 400, errorType, message };
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

function onTick(price: number, tick: number, way: 'up' | 'down'): number {
  const n = way === 'up' ? Math.ceil(price / tick - 1e-9) : Math.floor(price / tick + 1e-9);
  return Number((n * tick).toFixed(4));
}
