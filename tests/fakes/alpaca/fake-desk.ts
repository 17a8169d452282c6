/**
 * The fake's accounts, assets, prices and order desk: validates POST /v2/orders as Alpaca does
 * (client_order_id ≤ 48 and unique per account, known tradable asset, buying power), keeps each
 * order's lifecycle, and reports every step as a trade_updates event. It also records every
 * order request it received, accepted or not, so tests can count what reached "the broker".
 *
 * Test hooks beyond the protocol: `replace` (Alpaca replacing an order on its own, as on a
 * corporate action), `restate` (an order moved to a status such as `calculated`), `numbers`
 * (decimals sent as JSON numbers instead of strings), and `tradeByHand` (the trader selling or
 * buying in Alpaca's own app). Positions (GET /v2/positions) follow from the fills, hand trades included.
 *
 * Stop orders (`stop`, `stop_limit`, fake-stop-orders.ts) rest until their stop price trades
 * (`setPrice`, or a trade pushed on the data stream), then fill as market (or limit) orders. While
 * one rests on the closing side of a position it holds those shares: another order that would
 * close them is refused with Alpaca's "insufficient qty available for order". PATCH replaces an
 * open order (§1.6); `holdCancels` leaves a cancelled order `pending_cancel` until `confirmCancels`.
 */
import { randomUUID } from 'node:crypto';
import { DEFAULT_ACCOUNT, DEFAULT_ASSETS, type FakeAlpacaOptions, type OrderBehavior } from './fake-config';
import { apiError, decimal, orderJson, positionJson, type FakeAccount, type FakeAsset, type FakeOrder } from './fake-entities';
import { crosses, fillableAt, readPrice, readStopFields } from './fake-stop-orders';

/** One POST /v2/orders as the fake received it. */
export interface ReceivedOrder {
  readonly at: number;
  readonly keyId: string;
  readonly clientOrderId: string | null;
  readonly symbol: string | null;
  readonly side: string | null;
  readonly qty: string | null;
  /** HTTP status the desk decided (a fault may have hidden it from the client). */
  status: number;
  /** 'accepted', the refusal message, or 'not processed (<fault>)'. */
  outcome: string;
}

export interface DeskReply {
  readonly status: number;
  readonly body: Record<string, unknown> | null;
}

/** Where trade_updates events go: (account key id, the `data` of a trade_updates message). */
export type TradeUpdateSink = (keyId: string, data: Record<string, unknown>) => void;

/** Statuses after which nothing happens to an order (§1.5). */
const FINAL: readonly string[] = ['filled', 'canceled', 'expired', 'rejected', 'replaced'];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class FakeDesk {
  readonly accounts: FakeAccount[];
  readonly assets = new Map<string, FakeAsset>();
  readonly received: ReceivedOrder[] = [];
  private readonly orders = new Map<string, FakeOrder[]>();
  /** key id → client order id → order: a lookup per POST stays O(1) when the bench sends 10 000. */
  private readonly byClient = new Map<string, Map<string, FakeOrder>>();
  /** "keyId|symbol" → net shares (negative: short). */
  private readonly positions = new Map<string, number>();
  /** "keyId|symbol" → average entry price of the open position. */
  private readonly entryPrices = new Map<string, number>();
  private readonly prices = new Map<string, number>();
  /** Stop orders not known to be finished (pruned as setPrice meets them). */
  private readonly stops = new Set<FakeOrder>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly nextBehaviors: OrderBehavior[] = [];
  behavior: OrderBehavior;
  /** DELETE answers 204 but the order stays `pending_cancel` until `confirmCancels()`. */
  holdCancels = false;
  /** Send qty, filled_qty and filled_avg_price as JSON numbers (orderJson). */
  numbers: boolean;

  constructor(
    private readonly opts: FakeAlpacaOptions,
    readonly now: () => number,
    private readonly sink: TradeUpdateSink,
  ) {
    this.behavior = opts.behavior ?? 'fill';
    this.numbers = opts.numbers ?? false;
    this.accounts = (opts.accounts ?? [DEFAULT_ACCOUNT]).map((a, i) => ({
      id: randomUUID(),
      keyId: a.keyId,
      secretKey: a.secretKey,
      accountNumber: `PA${String(1000000 + i)}`,
      cash: a.cash ?? 100_000,
      feeds: a.feeds ?? ['iex', 'sip', 'delayed_sip', 'test'],
      blocked: a.blocked ?? false,
      createdAt: now(),
      dayTradeCount: a.dayTradeCount ?? 0,
      patternDayTrader: a.patternDayTrader ?? false,
    }));
    for (const a of opts.assets ?? DEFAULT_ASSETS) {
      const tradable = a.tradable ?? true;
      const shortable = a.shortable ?? tradable;
      this.assets.set(a.symbol, { id: randomUUID(), symbol: a.symbol, exchange: a.exchange ?? 'NYSE', class: a.class ?? 'us_equity', status: a.status ?? 'active', tradable, name: a.name ?? a.symbol, shortable, easyToBorrow: a.easyToBorrow ?? shortable });
    }
    for (const [symbol, price] of Object.entries(opts.prices ?? {})) this.prices.set(symbol, price);
  }

  account(keyId: string): FakeAccount | undefined {
    return this.accounts.find((a) => a.keyId === keyId);
  }

  price(symbol: string): number {
    return this.prices.get(symbol) ?? 100;
  }

  /** The price trades at `price`: resting stops it crosses fire, fired ones within their limit fill. */
  setPrice(symbol: string, price: number): void {
    this.prices.set(symbol, price);
    // Only the open stop orders are looked at: the bench trades thousands of market orders.
    for (const order of this.stops) {
      if (FINAL.includes(order.status)) this.stops.delete(order);
      else if (order.asset.symbol !== symbol || (order.status !== 'new' && order.status !== 'partially_filled')) continue;
      else {
        if (!order.triggered && crosses(order, price)) order.triggered = true;
        if (order.triggered && fillableAt(order, price)) this.execute(order, order.qty - order.filledQty);
      }
    }
  }

  /** The next order gets `behavior`; queued, one per order. */
  queueBehavior(behavior: OrderBehavior): void {
    this.nextBehaviors.push(behavior);
  }

  ordersOf(keyId: string): readonly FakeOrder[] {
    return this.orders.get(keyId) ?? [];
  }

  byClientId(keyId: string, clientOrderId: string): FakeOrder | undefined {
    return this.byClient.get(keyId)?.get(clientOrderId);
  }

  /** The order as Alpaca's JSON, in the number format the desk is set to. */
  json(order: FakeOrder): Record<string, unknown> {
    return orderJson(order, this.numbers);
  }

  positionsValue(keyId: string): number {
    let total = 0;
    for (const [key, qty] of this.positions) if (key.startsWith(`${keyId}|`)) total += qty * this.price(key.slice(keyId.length + 1));
    return total;
  }

  /**
   * The account's open positions as Alpaca lists them (GET /v2/positions), or the one of a symbol
   * or asset id (GET /v2/positions/{symbol_or_asset_id}); a flat position is not listed.
   */
  positionsOf(keyId: string): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    for (const [key, qty] of this.positions) {
      if (!key.startsWith(`${keyId}|`) || qty === 0) continue;
      const symbol = key.slice(keyId.length + 1);
      out.push(this.positionJson(keyId, symbol, qty));
    }
    return out;
  }

  position(keyId: string, symbolOrAssetId: string): Record<string, unknown> | undefined {
    const asset = this.assets.get(symbolOrAssetId) ?? [...this.assets.values()].find((a) => a.id === symbolOrAssetId);
    const qty = asset ? (this.positions.get(`${keyId}|${asset.symbol}`) ?? 0) : 0;
    return asset && qty !== 0 ? this.positionJson(keyId, asset.symbol, qty) : undefined;
  }

  /**
   * The trader sells (or buys) `qty` shares of `symbol` by hand in Alpaca's app (not through the
   * API, so not in `received`): a market order with Alpaca's own client order id (a UUID), filled
   * at once at the current price, with its `new` and `fill` trade_updates events. Selling more than
   * held opens a short, as a margin account allows; buying covers a short. Returns the order.
   */
  tradeByHand(keyId: string, symbol: string, side: 'buy' | 'sell', qty: number): FakeOrder {
    const account = this.account(keyId);
    if (!account) throw new Error(`the fake has no account ${keyId}`);
    const asset = this.assets.get(symbol);
    if (!asset) throw new Error(`the fake has no asset ${symbol}`);
    if (!Number.isSafeInteger(qty) || qty <= 0) throw new Error(`a hand ${side} needs a whole number of shares above 0, got ${qty}`);
    const now = this.now();
    const order: FakeOrder = { id: randomUUID(), clientOrderId: randomUUID(), keyId, asset, qty, side, createdAt: now, status: 'new', updatedAt: now, filledQty: 0, filledValue: 0, filledAt: null, canceledAt: null, failedAt: null };
    const list = this.orders.get(keyId) ?? [];
    list.push(order);
    this.orders.set(keyId, list);
    const index = this.byClient.get(keyId) ?? new Map<string, FakeOrder>();
    index.set(order.clientOrderId, order);
    this.byClient.set(keyId, index);
    this.emit(order, 'new');
    this.execute(order, qty);
    return order;
  }

  /** POST /v2/orders. `record` is the request's entry in `received`, updated with the outcome. */
  place(account: FakeAccount, body: unknown, record: ReceivedOrder): DeskReply & { order?: FakeOrder } {
    const refuse = (status: number, code: number, message: string, extra?: Record<string, unknown>) => {
      record.status = status;
      record.outcome = message;
      return { status, body: apiError(code, message, extra) };
    };
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return refuse(400, 40010000, 'request body format is invalid');
    const b = body as Record<string, unknown>;
    const cid = b.client_order_id === undefined ? randomUUID() : b.client_order_id;
    if (typeof cid !== 'string' || cid.length === 0 || cid.length > 48) return refuse(422, 40010001, 'client_order_id must be no more than 48 characters');
    if (this.byClientId(account.keyId, cid)) return refuse(422, 40010001, 'client_order_id must be unique');
    if (typeof b.symbol !== 'string' || b.symbol === '') return refuse(422, 40010001, 'symbol is required');
    const asset = this.assets.get(b.symbol);
    if (!asset) return refuse(422, 40010001, `asset "${b.symbol}" not found`);
    if (!asset.tradable || asset.status !== 'active') return refuse(422, 40010001, `asset ${asset.symbol} is not tradable`);
    if (b.notional !== undefined) return refuse(422, 40010001, 'notional orders are not supported by this fake');
    if (typeof b.qty !== 'string' || !/^\d+$/.test(b.qty) || Number(b.qty) <= 0) return refuse(422, 40010001, 'qty must be a positive whole number given as a string');
    if (b.side !== 'buy' && b.side !== 'sell') return refuse(422, 40010001, 'side must be buy or sell');
    const fields = readStopFields(b);
    if (!fields.ok) return refuse(422, 40010001, fields.message);
    if (!['day', 'gtc', 'opg', 'cls', 'ioc', 'fok'].includes(String(b.time_in_force))) return refuse(422, 40010001, 'invalid time_in_force');
    if (account.blocked) return refuse(403, 40310000, 'account is not authorized to trade');
    const qty = Number(b.qty);
    const held = this.heldByStops(account.keyId, asset.symbol, b.side);
    if (held) {
      const available = Math.max(0, held.position - held.shares);
      // The reply's context fields as third-party captures of this 403 carry them (placement-refusal.ts).
      if (qty > available) return refuse(403, 40310000, `insufficient qty available for order (requested: ${qty}, available: ${available})`, { available: String(available), existing_qty: String(held.position), held_for_orders: String(held.shares), symbol: asset.symbol });
    }
    const cost = qty * this.price(asset.symbol);
    if (b.side === 'buy' && cost > account.cash) return refuse(403, 40310000, 'insufficient buying power', { buying_power: decimal(account.cash), cost_basis: decimal(cost) });
    // A sell from flat or short is a short sale, refused with 403 unless the asset is shortable and easy to borrow (SOURCES.md).
    if (b.side === 'sell' && (this.positions.get(`${account.keyId}|${asset.symbol}`) ?? 0) <= 0 && !(asset.shortable && asset.easyToBorrow)) {
      return refuse(403, 40310000, `asset ${asset.symbol} cannot be sold short`);
    }

    const now = this.now();
    const order: FakeOrder = { id: randomUUID(), clientOrderId: cid, keyId: account.keyId, asset, qty, side: b.side, createdAt: now, status: 'accepted', updatedAt: now, filledQty: 0, filledValue: 0, filledAt: null, canceledAt: null, failedAt: null, timeInForce: String(b.time_in_force) };
    if (fields.type !== 'market') Object.assign(order, { type: fields.type, stopPrice: fields.stopPrice, limitPrice: fields.limitPrice, triggered: false });
    const list = this.orders.get(account.keyId) ?? [];
    list.push(order);
    this.orders.set(account.keyId, list);
    const index = this.byClient.get(account.keyId) ?? new Map<string, FakeOrder>();
    index.set(cid, order);
    this.byClient.set(account.keyId, index);
    record.status = 200;
    record.outcome = 'accepted';
    if (order.type === undefined) this.run(order, this.nextBehaviors.shift() ?? this.behavior);
    else this.rest(order);
    return { status: 200, body: this.json(order), order };
  }

  /**
   * PATCH /v2/orders/{id} (§1.6): a NEW order with a new id carries on the old one (which turns
   * `replaced`, with `replaced_by`), taking `qty`, `stop_price`, `limit_price`, `time_in_force` and
   * `client_order_id` from the body and the rest from the old order; events `replaced` (old) and
   * `new` (the new one). 422 when the order is final or a cancel is pending (the messages are ours).
   */
  patch(keyId: string, id: string, body: unknown): DeskReply {
    if (!UUID.test(id)) return { status: 422, body: apiError(40010001, 'order_id is missing') };
    const old = this.ordersOf(keyId).find((o) => o.id === id);
    if (!old) return { status: 404, body: apiError(40410000, 'order is not found.') };
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return { status: 400, body: apiError(40010000, 'request body format is invalid') };
    const b = body as Record<string, unknown>;
    if (FINAL.includes(old.status) || old.status === 'pending_cancel' || old.triggered) return { status: 422, body: apiError(42210000, `order is not replaceable (status ${old.status})`) };
    const cid = b.client_order_id === undefined ? randomUUID() : b.client_order_id;
    if (typeof cid !== 'string' || cid.length === 0 || cid.length > 48) return { status: 422, body: apiError(40010001, 'client_order_id must be no more than 48 characters') };
    if (this.byClientId(keyId, cid)) return { status: 422, body: apiError(40010001, 'client_order_id must be unique') };
    if (b.qty !== undefined && (typeof b.qty !== 'string' || !/^\d+$/.test(b.qty) || Number(b.qty) <= 0)) return { status: 422, body: apiError(40010001, 'qty must be a positive whole number given as a string') };
    const price = (field: string, current: number | null | undefined) => (b[field] === undefined ? current ?? null : readPrice(b[field], field));
    const stopPrice = price('stop_price', old.stopPrice);
    const limitPrice = price('limit_price', old.limitPrice);
    if (typeof stopPrice === 'string' || typeof limitPrice === 'string') return { status: 422, body: apiError(40010001, String(typeof stopPrice === 'string' ? stopPrice : limitPrice)) };
    const now = this.now();
    const next: FakeOrder = { ...old, id: randomUUID(), clientOrderId: cid, qty: b.qty === undefined ? old.qty : Number(b.qty), createdAt: now, status: 'accepted', updatedAt: now, filledQty: 0, filledValue: 0, filledAt: null, canceledAt: null, failedAt: null, replacedAt: null, replacedBy: null, replaces: old.id, stopPrice, limitPrice, timeInForce: typeof b.time_in_force === 'string' ? b.time_in_force : old.timeInForce ?? 'day', triggered: false };
    Object.assign(old, { status: 'replaced', updatedAt: now, replacedAt: now, replacedBy: next.id });
    this.orders.get(keyId)!.push(next);
    this.byClient.get(keyId)!.set(cid, next);
    this.emit(old, 'replaced', {});
    if (next.type === undefined) this.run(next, this.nextBehaviors.shift() ?? this.behavior);
    else this.rest(next);
    return { status: 200, body: this.json(next) };
  }

  /** Cancels held with `holdCancels` reach `canceled` now (the venue confirmed them). */
  confirmCancels(): void {
    for (const list of this.orders.values()) for (const order of list) if (order.status === 'pending_cancel') this.finish(order, 'canceled', 'canceled');
  }

  /** DELETE /v2/orders/{id} (§1.7): 204, 404, or 422 when no longer cancelable. */
  cancel(keyId: string, id: string): DeskReply {
    if (!UUID.test(id)) return { status: 422, body: apiError(40010001, 'order_id is missing') };
    const order = this.ordersOf(keyId).find((o) => o.id === id);
    if (!order) return { status: 404, body: apiError(40410000, 'order is not found.') };
    if (FINAL.includes(order.status)) return { status: 422, body: apiError(42210000, 'order is not cancelable') };
    if (this.holdCancels) {
      order.status = 'pending_cancel';
      order.updatedAt = this.now();
      this.emit(order, 'pending_cancel', {});
      return { status: 204, body: null };
    }
    this.later(0, () => this.finish(order, 'canceled', 'canceled'));
    return { status: 204, body: null };
  }

  /** Fills a held order in full at the current price; a replaced order's replacement fills instead. */
  fill(clientOrderId: string): void {
    const order = this.live(this.find(clientOrderId));
    this.execute(order, order.qty - order.filledQty);
  }

  /**
   * Alpaca replaces an open order on its own (orders.md: "updated due to a market event such as
   * corporate action"): the old order turns `replaced` with `replaced_at` and `replaced_by`, the
   * new one gets a new id, Alpaca's own client order id, `replaces`, the shares still unfilled, and
   * the desk's next behaviour. Events: `replaced` for the old order, then the new one's lifecycle
   * (§1.11 lists `replaced`). `silence`: 'all' sends none of them, so only GET /v2/orders/{id} finds
   * the new order; 'replacement' sends the old order's `replaced` but none of the new one's (its
   * events lost). The new order's fills start from 0 (Alpaca-API#165). Returns the new order.
   */
  replace(clientOrderId: string, opts: { readonly silence?: 'all' | 'replacement'; readonly qty?: number } = {}): FakeOrder {
    const old = this.live(this.find(clientOrderId));
    if (FINAL.includes(old.status)) throw new Error(`order ${old.clientOrderId} is ${old.status}: nothing to replace`);
    const now = this.now();
    const next: FakeOrder = { id: randomUUID(), clientOrderId: randomUUID(), keyId: old.keyId, asset: old.asset, qty: opts.qty ?? old.qty - old.filledQty, side: old.side, createdAt: now, status: 'accepted', updatedAt: now, filledQty: 0, filledValue: 0, filledAt: null, canceledAt: null, failedAt: null, replaces: old.id, silent: opts.silence !== undefined };
    // A stop order's replacement is a stop order too, resting until its stop price trades.
    if (old.type !== undefined) Object.assign(next, { type: old.type, stopPrice: old.stopPrice, limitPrice: old.limitPrice, timeInForce: old.timeInForce, triggered: false });
    Object.assign(old, { status: 'replaced', updatedAt: now, replacedAt: now, replacedBy: next.id });
    this.orders.get(old.keyId)!.push(next);
    this.byClient.get(old.keyId)!.set(next.clientOrderId, next);
    if (opts.silence !== 'all') this.emit(old, 'replaced', {});
    if (next.type === undefined) this.run(next, this.nextBehaviors.shift() ?? this.behavior);
    else this.rest(next);
    return next;
  }

  /** Moves an order to `status` (e.g. `calculated`, `done_for_day`) and sends the event of that name. */
  restate(clientOrderId: string, status: string): void {
    const order = this.find(clientOrderId);
    order.status = status;
    order.updatedAt = this.now();
    this.emit(order, status, {});
  }

  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private find(clientOrderId: string): FakeOrder {
    const order = this.accounts.map((a) => this.byClientId(a.keyId, clientOrderId)).find(Boolean);
    if (!order) throw new Error(`the fake has no order ${clientOrderId}`);
    return order;
  }

  /** The order that carries `order` on: itself, or its latest replacement. */
  private live(order: FakeOrder): FakeOrder {
    let cur = order;
    for (;;) {
      const by = cur.status === 'replaced' ? cur.replacedBy : null;
      const next = by ? this.ordersOf(cur.keyId).find((o) => o.id === by) : undefined;
      if (!next) return cur;
      cur = next;
    }
  }

  private run(order: FakeOrder, behavior: OrderBehavior): void {
    this.later(this.opts.fillDelayMs ?? 0, () => {
      if (order.status !== 'accepted') return; // cancelled before it reached the market
      order.status = 'new';
      order.updatedAt = this.now();
      this.emit(order, 'new');
      const half = Math.max(1, Math.floor(order.qty / 2));
      switch (behavior) {
        case 'fill':
          return this.execute(order, order.qty);
        case 'partial':
          this.execute(order, Math.min(half, order.qty));
          if (order.filledQty < order.qty) this.execute(order, order.qty - order.filledQty);
          return;
        case 'partial-then-cancel':
          this.execute(order, order.qty > 1 ? half : 0);
          return this.finish(order, 'canceled', 'canceled');
        case 'reject':
          return this.finish(order, 'rejected', 'rejected');
        case 'hold':
          return;
      }
    });
  }

  /** A stop order goes `new` and rests; it fires at once if the price already crossed its stop. */
  private rest(order: FakeOrder): void {
    this.stops.add(order);
    this.later(this.opts.fillDelayMs ?? 0, () => {
      if (order.status !== 'accepted') return;
      order.status = 'new';
      order.updatedAt = this.now();
      this.emit(order, 'new');
      this.setPrice(order.asset.symbol, this.price(order.asset.symbol));
    });
  }

  /**
   * The shares open stop orders hold on the side that closes the account's position in `symbol`
   * (a sell holds a long's shares, a buy a short's), when `side` closes it and some are held.
   */
  private heldByStops(keyId: string, symbol: string, side: 'buy' | 'sell'): { position: number; shares: number } | null {
    const net = this.positions.get(`${keyId}|${symbol}`) ?? 0;
    if ((side === 'sell' && net <= 0) || (side === 'buy' && net >= 0)) return null;
    const holding = [...this.stops].filter((o) => o.keyId === keyId && o.asset.symbol === symbol && o.side === side && !FINAL.includes(o.status));
    if (holding.length === 0) return null;
    return { position: Math.abs(net), shares: holding.reduce((sum, o) => sum + (o.qty - o.filledQty), 0) };
  }

  private execute(order: FakeOrder, shares: number): void {
    if (shares <= 0 || order.filledQty >= order.qty) return;
    const now = this.now();
    const price = this.price(order.asset.symbol);
    order.filledQty += shares;
    order.filledValue += shares * price;
    order.updatedAt = now;
    const full = order.filledQty >= order.qty;
    order.status = full ? 'filled' : 'partially_filled';
    if (full) order.filledAt = now;
    const key = `${order.keyId}|${order.asset.symbol}`;
    const before = this.positions.get(key) ?? 0;
    const position = before + (order.side === 'buy' ? shares : -shares);
    this.positions.set(key, position);
    // Average entry: a fill that opens or adds to a position averages in; one that reduces it
    // leaves it; one that crosses zero opens the other side at this price.
    if (position === 0) this.entryPrices.delete(key);
    else if (before === 0 || Math.sign(before) !== Math.sign(position)) this.entryPrices.set(key, price);
    else if (Math.abs(position) > Math.abs(before)) this.entryPrices.set(key, ((this.entryPrices.get(key) ?? price) * Math.abs(before) + price * shares) / Math.abs(position));
    const account = this.account(order.keyId)!;
    account.cash += order.side === 'buy' ? -shares * price : shares * price;
    // §1.11: fill/partial_fill carry timestamp, price, qty, position_qty and an execution id.
    this.emit(order, full ? 'fill' : 'partial_fill', { execution_id: randomUUID(), position_qty: String(position), price: decimal(price), qty: String(shares) });
  }

  private positionJson(keyId: string, symbol: string, qty: number): Record<string, unknown> {
    const asset = this.assets.get(symbol)!;
    // qty_available: the position less what open orders on its closing side hold.
    const closing = qty > 0 ? 'sell' : 'buy';
    const held = this.ordersOf(keyId)
      .filter((o) => o.asset.symbol === symbol && o.side === closing && !FINAL.includes(o.status))
      .reduce((sum, o) => sum + (o.qty - o.filledQty), 0);
    const available = Math.sign(qty) * Math.max(0, Math.abs(qty) - held);
    const key = `${keyId}|${symbol}`;
    return positionJson(asset, qty, available, this.entryPrices.get(key) ?? this.price(symbol), this.price(symbol));
  }

  private finish(order: FakeOrder, status: 'canceled' | 'rejected', event: string): void {
    if (['filled', 'canceled', 'rejected'].includes(order.status)) return;
    const now = this.now();
    order.status = status;
    order.updatedAt = now;
    if (status === 'canceled') order.canceledAt = now;
    else order.failedAt = now;
    this.emit(order, event, {});
  }

  private emit(order: FakeOrder, event: string, extra?: Record<string, unknown>): void {
    if (order.silent) return;
    const json = this.json(order);
    const data: Record<string, unknown> = { event, ...extra, order: json };
    if (extra) data.timestamp = json.updated_at;
    this.sink(order.keyId, data);
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }
}
