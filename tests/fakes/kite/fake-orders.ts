/**
 * The fake's order book: validates a placed order's form fields as Kite's docs list them, keeps
 * every order of the "day" with its history, fills market orders at the instrument's price, and
 * tells the ticker about each status change (as Kite pushes `order` messages).
 */
import { DateTime } from 'luxon';
import type { FakeInstrument } from './fake-instruments';

/** An order row, in GET /orders' field names. */
export interface FakeOrder {
  order_id: string;
  exchange_order_id: string | null;
  parent_order_id: null;
  placed_by: string;
  status: string;
  status_message: string | null;
  /** The RMS's own text behind the reworded `status_message` ("RMS:Rule: Check holdings"). */
  status_message_raw: string | null;
  order_timestamp: string;
  exchange_update_timestamp: string | null;
  exchange_timestamp: string | null;
  variety: string;
  exchange: string;
  tradingsymbol: string;
  instrument_token: number;
  order_type: string;
  transaction_type: string;
  validity: string;
  product: string;
  quantity: number;
  disclosed_quantity: number;
  price: number;
  trigger_price: number;
  average_price: number;
  filled_quantity: number;
  pending_quantity: number;
  cancelled_quantity: number;
  market_protection: number;
  meta: Record<string, never>;
  tag: string | null;
  tags: string[] | null;
  guid: string;
}

export type OrderCheck = { ok: true; order: FakeOrder } | { ok: false; errorType: string; message: string };

const FIELDS = ['tradingsymbol', 'exchange', 'transaction_type', 'order_type', 'quantity', 'product'] as const;

export class FakeOrderBook {
  private readonly orders: FakeOrder[] = [];
  private readonly history = new Map<string, FakeOrder[]>();
  private seq = 0n;

  constructor(
    private readonly userId: string,
    private readonly now: () => number,
    private readonly onChange: (order: FakeOrder) => void,
  ) {}

  /** Every order the fake received and accepted as an order, oldest first. */
  all(): readonly FakeOrder[] {
    return this.orders;
  }

  get(orderId: string): FakeOrder | undefined {
    return this.orders.find((o) => o.order_id === orderId);
  }

  historyOf(orderId: string): readonly FakeOrder[] {
    return this.history.get(orderId) ?? [];
  }

  /** Adds a row to an order's history (GET /orders/{order_id}), as a modify's steps. */
  record(row: FakeOrder): void {
    this.history.get(row.order_id)?.push({ ...row });
  }

  /** Validates a POST /orders/{variety} form and, if good, books the order as OPEN. */
  place(variety: string, form: URLSearchParams, instruments: readonly FakeInstrument[]): OrderCheck {
    if (!['regular', 'amo', 'co', 'iceberg', 'auction'].includes(variety)) return bad(`Invalid variety \`${variety}\`.`);
    for (const f of FIELDS) if (!form.get(f)) return bad(`Missing \`${f}\`.`);
    const instrument = instruments.find((i) => i.tradingsymbol === form.get('tradingsymbol') && i.exchange === form.get('exchange'));
    if (!instrument || instrument.segment === 'INDICES') return bad('Invalid `tradingsymbol`.');
    const side = form.get('transaction_type')!;
    if (side !== 'BUY' && side !== 'SELL') return bad('Invalid `transaction_type`.');
    const type = form.get('order_type')!;
    if (!['MARKET', 'LIMIT', 'SL', 'SL-M'].includes(type)) return bad('Invalid `order_type`.');
    const qty = Number(form.get('quantity'));
    if (!Number.isInteger(qty) || qty <= 0) return bad('Invalid `quantity`.');
    if (!['CNC', 'NRML', 'MIS', 'MTF'].includes(form.get('product')!)) return bad('Invalid `product`.');
    const price = form.has('price') ? Number(form.get('price')) : 0;
    if ((type === 'LIMIT' || type === 'SL') && !(Number.isFinite(price) && price > 0)) return bad('Invalid `price`.');
    const validity = form.get('validity') ?? 'DAY';
    if (!['DAY', 'IOC', 'TTL'].includes(validity)) return bad('Invalid `validity`.');
    const protection = form.has('market_protection') ? Number(form.get('market_protection')) : 0;
    if (type === 'MARKET' && !(protection === -1 || (protection >= 1 && protection <= 100))) {
      return bad('Market orders without market protection are not allowed via API. Please set market protection or use a Limit order.');
    }
    const tag = form.get('tag');
    if (tag !== null && !/^[0-9A-Za-z]{1,20}$/.test(tag)) return bad('Invalid `tag`: up to 20 alphanumeric characters.');

    this.seq++;
    const order: FakeOrder = {
      order_id: String(2_603_090_000_000_000_000n + this.seq),
      exchange_order_id: null,
      parent_order_id: null,
      placed_by: this.userId,
      status: 'OPEN',
      status_message: null,
      status_message_raw: null,
      order_timestamp: this.stamp(),
      exchange_update_timestamp: null,
      exchange_timestamp: null,
      variety,
      exchange: instrument.exchange,
      tradingsymbol: instrument.tradingsymbol,
      instrument_token: instrument.token,
      order_type: type,
      transaction_type: side,
      validity,
      product: form.get('product')!,
      quantity: qty,
      disclosed_quantity: 0,
      price: type === 'LIMIT' || type === 'SL' ? price : 0,
      trigger_price: 0,
      average_price: 0,
      filled_quantity: 0,
      pending_quantity: qty,
      cancelled_quantity: 0,
      market_protection: protection,
      meta: {},
      tag,
      tags: tag ? [tag] : null,
      guid: `fake-${this.seq}`,
    };
    this.orders.push(order);
    this.history.set(order.order_id, [{ ...order, status: 'PUT ORDER REQ RECEIVED' }, { ...order, status: 'VALIDATION PENDING' }, { ...order, status: 'OPEN PENDING' }, { ...order }]);
    return { ok: true, order };
  }

  /**
   * Moves an order to a final state (COMPLETE at `price`, REJECTED or CANCELLED, with the shown
   * message and optionally the RMS's raw text) and tells the ticker.
   */
  settle(orderId: string, how: { status: 'COMPLETE'; price: number } | { status: 'REJECTED' | 'CANCELLED'; message: string; raw?: string }): FakeOrder | undefined {
    const order = this.get(orderId);
    if (!order || ['COMPLETE', 'REJECTED', 'CANCELLED'].includes(order.status)) return order;
    const at = this.stamp();
    order.status = how.status;
    order.exchange_update_timestamp = at;
    if (how.status === 'COMPLETE') {
      order.exchange_order_id = `1100000${order.order_id.slice(-9)}`;
      order.exchange_timestamp = at;
      // The rest fills at `price`; a part filled before keeps its own price in the average.
      order.average_price = (order.average_price * order.filled_quantity + how.price * (order.quantity - order.filled_quantity)) / order.quantity;
      order.filled_quantity = order.quantity;
      order.pending_quantity = 0;
    } else {
      order.status_message = how.message;
      order.status_message_raw = how.raw ?? null;
      order.cancelled_quantity = how.status === 'CANCELLED' ? order.pending_quantity : 0;
      order.pending_quantity = 0;
    }
    this.history.get(orderId)?.push({ ...order });
    this.onChange(order);
    return order;
  }

  /** "YYYY-MM-DD HH:MM:SS" in IST, as Kite writes timestamps. */
  private stamp(): string {
    return DateTime.fromMillis(this.now(), { zone: 'Asia/Kolkata' }).toFormat('yyyy-MM-dd HH:mm:ss');
  }
}

function bad(message: string): OrderCheck {
  return { ok: false, errorType: 'InputException', message };
}
