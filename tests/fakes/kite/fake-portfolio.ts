/**
 * The fake's portfolio: GET /portfolio/positions and GET /portfolio/holdings, derived from the
 * day's filled orders (Tradeclock's and the trader's hand sales alike) and the holdings the fake
 * was started with. Shapes follow kiteconnect-mocks `positions.json` and `holdings.json` field for
 * field; the values are computed here (SOURCES.md says which rules are Kite's and which ours).
 */
import type { FakeOrder } from './fake-orders';

/** A holding in the demat at the start of the day (the fake's `holdings` option). */
export interface FakeHoldingSpec {
  readonly tradingsymbol: string;
  /** Where its price is taken from; default NSE. */
  readonly exchange?: string;
  /** Delivered (settled) shares. */
  readonly quantity: number;
  /** Bought on the previous trading day, not yet delivered. */
  readonly t1Quantity?: number;
  readonly averagePrice?: number;
  readonly instrumentToken?: number;
}

export interface PriceBook {
  lastPrice(token: number): number | undefined;
  close(token: number): number | undefined;
}

interface Aggregate {
  tradingsymbol: string;
  exchange: string;
  product: string;
  token: number;
  buyQty: number;
  buyValue: number;
  sellQty: number;
  sellValue: number;
}

/**
 * Today's positions, one row per (tradingsymbol, exchange, product) with a fill today. The fake
 * keeps no overnight positions, so `net` and `day` are the same rows (an equity position's net
 * equals its day figures when nothing was carried over). `value` = sell value − buy value and
 * `pnl` = value + quantity × last price × multiplier, as positions.json's rows add up.
 */
export function positionsJson(orders: readonly FakeOrder[], prices: PriceBook): { net: Record<string, unknown>[]; day: Record<string, unknown>[] } {
  const rows = [...aggregate(orders).values()].map((a) => positionRow(a, prices));
  return { net: rows, day: rows.map((r) => ({ ...r })) };
}

/**
 * The start-of-day holdings as Kite lists them during the day: `quantity` and `t1_quantity` stay
 * as they were until the demat is debited at the end of the day; `used_quantity` is what today's
 * CNC sells took from the holding, beyond today's CNC buys (which they close first), on any
 * exchange.
 */
export function holdingsJson(holdings: readonly FakeHoldingSpec[], orders: readonly FakeOrder[], prices: PriceBook): Record<string, unknown>[] {
  const cnc = [...aggregate(orders).values()].filter((a) => a.product === 'CNC');
  return holdings.map((h) => {
    const t1 = h.t1Quantity ?? 0;
    const total = h.quantity + t1;
    const sold = cnc.filter((a) => a.tradingsymbol === h.tradingsymbol).reduce((n, a) => n + a.sellQty - a.buyQty, 0);
    const token = h.instrumentToken ?? 0;
    const last = prices.lastPrice(token) ?? h.averagePrice ?? 0;
    const close = prices.close(token) ?? last;
    const avg = h.averagePrice ?? last;
    return {
      tradingsymbol: h.tradingsymbol,
      exchange: h.exchange ?? 'NSE',
      instrument_token: token,
      isin: `INE${String(token).padStart(9, '0').slice(-9)}`,
      product: 'CNC',
      price: 0,
      quantity: h.quantity,
      used_quantity: Math.min(total, Math.max(0, sold)),
      t1_quantity: t1,
      realised_quantity: h.quantity,
      authorised_quantity: 0,
      authorised_date: '2026-03-09 00:00:00',
      authorisation: {},
      opening_quantity: total,
      short_quantity: 0,
      collateral_quantity: 0,
      collateral_type: '',
      discrepancy: false,
      average_price: avg,
      last_price: last,
      close_price: close,
      pnl: round((last - avg) * total),
      day_change: round(last - close),
      day_change_percentage: close === 0 ? 0 : round(((last - close) * 100) / close),
      mtf: { quantity: 0, used_quantity: 0, average_price: 0, value: 0, initial_margin: 0 },
    };
  });
}

function aggregate(orders: readonly FakeOrder[]): Map<string, Aggregate> {
  const out = new Map<string, Aggregate>();
  for (const o of orders) {
    if (o.filled_quantity <= 0) continue;
    const key = `${o.tradingsymbol}|${o.exchange}|${o.product}`;
    const a = out.get(key) ?? { tradingsymbol: o.tradingsymbol, exchange: o.exchange, product: o.product, token: o.instrument_token, buyQty: 0, buyValue: 0, sellQty: 0, sellValue: 0 };
    if (o.transaction_type === 'BUY') {
      a.buyQty += o.filled_quantity;
      a.buyValue += o.filled_quantity * o.average_price;
    } else {
      a.sellQty += o.filled_quantity;
      a.sellValue += o.filled_quantity * o.average_price;
    }
    out.set(key, a);
  }
  return out;
}

function positionRow(a: Aggregate, prices: PriceBook): Record<string, unknown> {
  const quantity = a.buyQty - a.sellQty;
  const buyPrice = a.buyQty > 0 ? a.buyValue / a.buyQty : 0;
  const sellPrice = a.sellQty > 0 ? a.sellValue / a.sellQty : 0;
  const last = prices.lastPrice(a.token) ?? (quantity >= 0 ? buyPrice : sellPrice);
  const value = a.sellValue - a.buyValue;
  const pnl = value + quantity * last;
  return {
    tradingsymbol: a.tradingsymbol,
    exchange: a.exchange,
    instrument_token: a.token,
    product: a.product,
    quantity,
    overnight_quantity: 0,
    multiplier: 1,
    average_price: round(quantity > 0 ? buyPrice : quantity < 0 ? sellPrice : 0),
    close_price: prices.close(a.token) ?? 0,
    last_price: last,
    value: round(value),
    pnl: round(pnl),
    m2m: round(pnl),
    unrealised: round(pnl),
    realised: 0,
    buy_quantity: a.buyQty,
    buy_price: round(buyPrice),
    buy_value: round(a.buyValue),
    buy_m2m: round(a.buyValue),
    sell_quantity: a.sellQty,
    sell_price: round(sellPrice),
    sell_value: round(a.sellValue),
    sell_m2m: round(a.sellValue),
    day_buy_quantity: a.buyQty,
    day_buy_price: round(buyPrice),
    day_buy_value: round(a.buyValue),
    day_sell_quantity: a.sellQty,
    day_sell_price: round(sellPrice),
    day_sell_value: round(a.sellValue),
  };
}

function round(n: number): number {
  return Number(n.toFixed(6));
}
