/**
 * The fake Binance's matching side: accounts with balances, the orders each placed, the last
 * price of each symbol, and the checks a new order passes (filters, balance, a client order id
 * reused among open orders), each refusal as Binance words it (SOURCES.md).
 *
 * A MARKET order fills at once at the symbol's last price; a LIMIT order fills at once where the
 * last price is at its limit or better, else it rests NEW (its funds locked) until `setPrice`
 * crosses it. A STOP_LOSS or STOP_LOSS_LIMIT rests NEW, not working (its funds locked), until a
 * trade reaches its `stopPrice` (at or below for a SELL, at or above for a BUY); then it works as a
 * MARKET order (filled at that trade's price) or a LIMIT at its `price`. One whose stop the last
 * trade has already reached is refused "Order would trigger immediately.". The taker commission is
 * taken from the asset received, as Binance does without BNB.
 */
import Decimal from 'decimal.js';
import type { FakeSymbol } from './fake-symbols';

export interface FakeBinanceAccount {
  readonly apiKey: string;
  readonly secretKey: string;
  /** asset → free, locked */
  readonly balances: Map<string, { free: Decimal; locked: Decimal }>;
  /** Whether the account may trade (Binance's `canTrade`). */
  canTrade: boolean;
  /** The account's trading permissions (`permissions` of GET /api/v3/account); a symbol trades for it when it holds one of each of the symbol's `permissionSets`. */
  permissions: string[];
  /** What the API key itself may do (GET /sapi/v1/account/apiRestrictions). */
  key: FakeKeyRestrictions;
}

/** The key's permissions as GET /sapi/v1/account/apiRestrictions states them; default: may trade, IP-restricted, no end. */
export interface FakeKeyRestrictions {
  enableSpotAndMarginTrading: boolean;
  ipRestrict: boolean;
  /** When its spot and margin trading permission runs out (fake clock, ms); null: the field is left out. */
  tradingAuthorityExpirationTime: number | null;
}

export interface FakeFill {
  readonly price: string;
  readonly qty: string;
  readonly commission: string;
  readonly commissionAsset: string;
  readonly tradeId: number;
}

/** One trade on the market, as the `<symbol>@trade` stream sends it. */
export interface FakeTrade {
  readonly symbol: string;
  readonly price: string;
  readonly qty: string;
  readonly at: number;
  readonly tradeId: number;
  readonly buyerMaker: boolean;
}

/** One change of an order, as the user data stream's `executionReport` tells it. */
export interface FakeOrderEvent {
  readonly order: FakeOrder;
  /** Binance's execution type `x`. */
  readonly execution: 'NEW' | 'TRADE' | 'CANCELED' | 'EXPIRED';
  readonly fill: FakeFill | null;
  /** On CANCELED: the cancel request's own client id (`c`; the order's id is then in `C`). */
  readonly cancelClientId: string | null;
}

export type FakeOrderType = 'MARKET' | 'LIMIT' | 'STOP_LOSS' | 'STOP_LOSS_LIMIT';
const TYPES = new Set<string>(['MARKET', 'LIMIT', 'STOP_LOSS', 'STOP_LOSS_LIMIT']);
const isStop = (type: FakeOrderType) => type === 'STOP_LOSS' || type === 'STOP_LOSS_LIMIT';
/** Orders that carry a limit price. */
const hasPrice = (type: FakeOrderType) => type === 'LIMIT' || type === 'STOP_LOSS_LIMIT';

export interface FakeOrder {
  readonly apiKey: string;
  readonly symbol: string;
  readonly orderId: number;
  readonly clientOrderId: string;
  readonly side: 'BUY' | 'SELL';
  readonly type: FakeOrderType;
  readonly timeInForce: string | null;
  readonly price: Decimal;
  /** A stop's trigger (0 for MARKET and LIMIT). */
  readonly stopPrice: Decimal;
  /** A stop triggered (Binance's `isWorking`, `workingTime`); MARKET and LIMIT work from the start. */
  working: boolean;
  workingTime: number;
  readonly origQty: Decimal;
  executedQty: Decimal;
  cummulativeQuoteQty: Decimal;
  status: 'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'EXPIRED';
  readonly time: number;
  updateTime: number;
  readonly fills: FakeFill[];
}

/** A refusal in Binance's error JSON, with its HTTP status. */
export interface BinanceError {
  readonly status: number;
  readonly code: number;
  readonly msg: string;
}

export const err = (status: number, code: number, msg: string): BinanceError => ({ status, code, msg });

export const INSUFFICIENT = 'Account has insufficient balance for requested action.';
export const DUPLICATE = 'Duplicate order sent.';
export const WOULD_TRIGGER = 'Order would trigger immediately.';

const D8 = (d: Decimal) => d.toFixed(8);
const OPEN = new Set(['NEW', 'PARTIALLY_FILLED']);

export class FakeBinanceBook {
  readonly accounts = new Map<string, FakeBinanceAccount>();
  readonly symbols = new Map<string, FakeSymbol>();
  readonly orders: FakeOrder[] = [];
  private readonly prices = new Map<string, Decimal>();
  /** Test control (ours): how much the book holds for the next MARKET order on a symbol (limitNextMarket). */
  private readonly depth = new Map<string, Decimal>();
  private nextOrderId = 1;
  private nextTradeId = 1;
  /** Listeners of every trade (the market stream) and every order event (the user data stream). */
  private readonly tradeListeners: ((trade: FakeTrade) => void)[] = [];
  private readonly orderListeners: ((event: FakeOrderEvent) => void)[] = [];
  /** What a cancel unlocked, still shown locked by the account endpoint until `until` (staleAfterCancelMs). */
  private readonly staleUnlocks: { readonly apiKey: string; readonly asset: string; readonly qty: Decimal; readonly until: number }[] = [];

  constructor(
    symbols: readonly FakeSymbol[],
    readonly now: () => number,
    readonly takerCommission: Decimal,
    /**
     * For this many ms of the fake's clock after a cancel, GET /api/v3/account still shows what the
     * cancel unlocked as `locked`, not `free`, while the matching engine already trades it (SOURCES.md:
     * our model of a lag reported for Binance, CCXT #8507, Freqtrade). 0: the account is current.
     */
    readonly staleAfterCancelMs = 0,
  ) {
    for (const s of symbols) this.symbols.set(s.symbol, s);
  }

  /**
   * The balances GET /api/v3/account shows: the matching engine's, except that what a cancel
   * unlocked within `staleAfterCancelMs` is still counted locked, and not free (never below 0).
   */
  accountBalances(account: FakeBinanceAccount): Map<string, { free: Decimal; locked: Decimal }> {
    const now = this.now();
    const shown = new Map([...account.balances].map(([asset, b]) => [asset, { free: b.free, locked: b.locked }]));
    for (const u of this.staleUnlocks) {
      const b = shown.get(u.asset);
      if (u.apiKey !== account.apiKey || now >= u.until || !b) continue;
      shown.set(u.asset, { free: Decimal.max(0, b.free.sub(u.qty)), locked: b.locked.add(u.qty) });
    }
    return shown;
  }

  addAccount(apiKey: string, secretKey: string, balances: Record<string, string>): FakeBinanceAccount {
    const account: FakeBinanceAccount = { apiKey, secretKey, balances: new Map(), canTrade: true, permissions: ['SPOT'], key: { enableSpotAndMarginTrading: true, ipRestrict: true, tradingAuthorityExpirationTime: null } };
    for (const [asset, free] of Object.entries(balances)) account.balances.set(asset, { free: new Decimal(free), locked: new Decimal(0) });
    this.accounts.set(apiKey, account);
    return account;
  }

  onTrade(listener: (trade: FakeTrade) => void): void {
    this.tradeListeners.push(listener);
  }

  onOrderEvent(listener: (event: FakeOrderEvent) => void): void {
    this.orderListeners.push(listener);
  }

  lastPrice(symbol: string): Decimal | undefined {
    return this.prices.get(symbol);
  }

  /** The market trades at `price` (a trade of one step, sent on the stream); resting LIMIT orders it reaches fill. */
  setPrice(symbol: string, price: string, qty?: string): void {
    const s = this.symbols.get(symbol);
    if (!s) throw new Error(`the fake lists no symbol ${symbol}`);
    const p = new Decimal(price);
    this.prices.set(symbol, p);
    this.publishTrade(symbol, p, new Decimal(qty ?? s.stepSize), false);
    for (const o of this.orders) {
      if (o.symbol !== symbol || !OPEN.has(o.status)) continue;
      if (!o.working && this.triggers(o, p)) {
        o.working = true;
        o.workingTime = this.now();
        // A STOP_LOSS works as a MARKET order: it takes the trade's price.
        if (o.type === 'STOP_LOSS') {
          this.fill(o, p);
          continue;
        }
      }
      if (this.crosses(o, p)) this.fill(o, p);
    }
  }

  /**
   * Test control (ours): the next MARKET order on `symbol` finds only `qty` on the book; it fills
   * that much and the rest EXPIRES, as enums.md's order status EXPIRED says of "MARKET orders that
   * partially fill" (the book ran out).
   */
  limitNextMarket(symbol: string, qty: string): void {
    this.depth.set(symbol, new Decimal(qty));
  }

  /**
   * Test control (ours): the symbol's status from now on, as exchangeInfo lists it ('HALT', 'BREAK',
   * 'TRADING'); while it is not TRADING the symbol takes no orders.
   */
  setSymbolStatus(symbol: string, status: string): void {
    const s = this.symbols.get(symbol);
    if (!s) throw new Error(`the fake lists no symbol ${symbol}`);
    this.symbols.set(symbol, { ...s, status });
  }

  place(account: FakeBinanceAccount, p: URLSearchParams): BinanceError | FakeOrder {
    const symbol = p.get('symbol') ?? '';
    const s = this.symbols.get(symbol);
    if (!s) return err(400, -1121, 'Invalid symbol.');
    const side = p.get('side');
    if (side !== 'BUY' && side !== 'SELL') return err(400, -1117, 'Invalid side.');
    const type = p.get('type');
    if (type === null || !TYPES.has(type)) return err(400, -1116, 'Invalid orderType.');
    const kind = type as FakeOrderType;
    const qtyText = p.get('quantity');
    if (qtyText === null) return err(400, -1102, "Mandatory parameter 'quantity' was not sent, was empty/null, or malformed.");
    if (!/^\d+(\.\d+)?$/.test(qtyText)) return err(400, -1100, "Illegal characters found in parameter 'quantity'; legal range is '^([0-9]{1,20})(\\.[0-9]{1,20})?$'.");
    const qty = new Decimal(qtyText);
    let price = new Decimal(0);
    let stopPrice = new Decimal(0);
    if (isStop(kind)) {
      const stopText = p.get('stopPrice');
      if (stopText === null) return err(400, -1102, "Mandatory parameter 'stopPrice' was not sent, was empty/null, or malformed.");
      stopPrice = new Decimal(stopText);
      if (stopPrice.lt(s.minPrice) || stopPrice.gt(s.maxPrice) || !stopPrice.mod(s.tickSize).isZero()) return err(400, -1013, 'Filter failure: PRICE_FILTER');
    } else if (p.has('stopPrice')) return err(400, -1106, "Parameter 'stopPrice' sent when not required.");
    if (hasPrice(kind)) {
      const priceText = p.get('price');
      const tif = p.get('timeInForce');
      if (priceText === null) return err(400, -1102, "Mandatory parameter 'price' was not sent, was empty/null, or malformed.");
      if (tif === null) return err(400, -1102, "Mandatory parameter 'timeInForce' was not sent, was empty/null, or malformed.");
      price = new Decimal(priceText);
      if (price.lt(s.minPrice) || price.gt(s.maxPrice) || !price.mod(s.tickSize).isZero()) return err(400, -1013, 'Filter failure: PRICE_FILTER');
    } else if (p.has('price')) return err(400, -1106, "Parameter 'price' sent when not required.");
    if (qty.lt(s.minQty) || qty.gt(s.maxQty) || !qty.mod(s.stepSize).isZero()) return err(400, -1013, type === 'MARKET' ? 'Filter failure: MARKET_LOT_SIZE' : 'Filter failure: LOT_SIZE');
    const last = this.prices.get(symbol);
    // A STOP_LOSS's value at its stop (ours: Binance applies NOTIONAL to a market order at the average price).
    const notionalPrice = hasPrice(kind) ? price : kind === 'STOP_LOSS' ? stopPrice : last;
    if (notionalPrice === undefined) return err(400, -1013, 'Filter failure: NOTIONAL');
    if (qty.mul(notionalPrice).lt(s.minNotional)) return err(400, -1013, 'Filter failure: NOTIONAL');

    const clientOrderId = p.get('newClientOrderId') ?? `fake${this.nextOrderId}x${this.now()}`;
    if (!/^[a-zA-Z0-9-_]{1,36}$/.test(clientOrderId)) return err(400, -1100, "Illegal characters found in parameter 'newClientOrderId'; legal range is '^[a-zA-Z0-9-_]{1,36}$'.");
    // Unique among open orders only: the id of a filled or cancelled order can be used again.
    if (this.orders.some((o) => o.apiKey === account.apiKey && o.clientOrderId === clientOrderId && OPEN.has(o.status))) return err(400, -2010, DUPLICATE);
    if (!account.canTrade) return err(400, -2010, 'This account may not place or cancel orders.');
    // errors.md, messages of -2010: "This symbol is not permitted for this account."; permissionSets: one permission of each set.
    if (!(s.permissionSets ?? [['SPOT']]).every((set) => set.some((perm) => account.permissions.includes(perm)))) return err(400, -2010, 'This symbol is not permitted for this account.');
    // errors.md, messages of -2010 NEW_ORDER_REJECTED: "Market is closed." = "The symbol is not trading."
    if ((s.status ?? 'TRADING') !== 'TRADING') return err(400, -2010, 'Market is closed.');
    if (type === 'MARKET' && last === undefined) return err(400, -2010, 'No orders on book for symbol.');
    // rest-api "New order": a SELL stop's price below the market, a BUY stop's above (errors.md -2010).
    if (isStop(kind) && last !== undefined && (side === 'SELL' ? stopPrice.gte(last) : stopPrice.lte(last))) return err(400, -2010, WOULD_TRIGGER);

    // Funds: a buy spends the quote asset (at the limit, or the last price for MARKET), a sell the base.
    const spendAsset = side === 'BUY' ? s.quoteAsset : s.baseAsset;
    const spend = side === 'BUY' ? qty.mul(hasPrice(kind) ? price : kind === 'STOP_LOSS' ? stopPrice : last!) : qty;
    const bal = account.balances.get(spendAsset);
    if (!bal || bal.free.lt(spend)) return err(400, -2010, INSUFFICIENT);

    const at = this.now();
    const order: FakeOrder = {
      apiKey: account.apiKey,
      symbol,
      orderId: this.nextOrderId++,
      clientOrderId,
      side,
      type: kind,
      timeInForce: hasPrice(kind) ? p.get('timeInForce') : null,
      price,
      stopPrice,
      working: !isStop(kind),
      workingTime: isStop(kind) ? -1 : at,
      origQty: qty,
      executedQty: new Decimal(0),
      cummulativeQuoteQty: new Decimal(0),
      status: 'NEW',
      time: at,
      updateTime: at,
      fills: [],
    };
    this.orders.push(order);
    bal.free = bal.free.sub(spend);
    bal.locked = bal.locked.add(spend);
    this.emitOrder({ order, execution: 'NEW', fill: null, cancelClientId: null });
    if (type === 'MARKET') {
      const depth = this.depth.get(symbol);
      this.depth.delete(symbol);
      this.fill(order, last!, depth);
    }
    else if (last !== undefined && this.crosses(order, last)) this.fill(order, last);
    return order;
  }

  find(apiKey: string, symbol: string, p: URLSearchParams): FakeOrder | undefined {
    const orderId = p.get('orderId');
    const cid = p.get('origClientOrderId');
    // Of two orders with one client id (the first closed), Binance's lookup is documented for the
    // id alone; the fake answers the latest, the one a reused id names now.
    const mine = this.orders.filter((o) => o.apiKey === apiKey && o.symbol === symbol);
    if (orderId !== null) return mine.find((o) => String(o.orderId) === orderId);
    if (cid !== null) return mine.filter((o) => o.clientOrderId === cid).at(-1);
    return undefined;
  }

  cancel(order: FakeOrder, cancelClientId: string): BinanceError | FakeOrder {
    if (!OPEN.has(order.status)) return err(400, -2011, 'Unknown order sent.');
    const account = this.accounts.get(order.apiKey)!;
    const s = this.symbols.get(order.symbol)!;
    const left = order.origQty.sub(order.executedQty);
    const asset = order.side === 'BUY' ? s.quoteAsset : s.baseAsset;
    const held = order.side === 'BUY' ? left.mul(lockPrice(order) ?? order.price) : left;
    const bal = account.balances.get(asset)!;
    bal.locked = bal.locked.sub(held);
    bal.free = bal.free.add(held);
    if (this.staleAfterCancelMs > 0) this.staleUnlocks.push({ apiKey: order.apiKey, asset, qty: held, until: this.now() + this.staleAfterCancelMs });
    order.status = 'CANCELED';
    order.updateTime = this.now();
    this.emitOrder({ order, execution: 'CANCELED', fill: null, cancelClientId });
    return order;
  }

  openOrders(apiKey: string, symbol: string | null): FakeOrder[] {
    return this.orders.filter((o) => o.apiKey === apiKey && OPEN.has(o.status) && (symbol === null || o.symbol === symbol));
  }

  /** GET /api/v3/order and openOrders' shape. */
  orderJson(o: FakeOrder): Record<string, unknown> {
    return {
      symbol: o.symbol,
      orderId: o.orderId,
      orderListId: -1,
      clientOrderId: o.clientOrderId,
      price: D8(o.price),
      origQty: D8(o.origQty),
      executedQty: D8(o.executedQty),
      cummulativeQuoteQty: D8(o.cummulativeQuoteQty),
      status: o.status,
      timeInForce: o.timeInForce ?? 'GTC',
      type: o.type,
      side: o.side,
      stopPrice: D8(o.stopPrice),
      icebergQty: D8(new Decimal(0)),
      time: o.time,
      updateTime: o.updateTime,
      isWorking: o.working,
      workingTime: o.workingTime,
      origQuoteOrderQty: D8(new Decimal(0)),
      selfTradePreventionMode: 'EXPIRE_MAKER',
    };
  }

  /** POST /api/v3/order's answer in `newOrderRespType` ACK, RESULT or FULL (MARKET and LIMIT default to FULL). */
  placedJson(o: FakeOrder, respType: string): Record<string, unknown> {
    const ack = { symbol: o.symbol, orderId: o.orderId, orderListId: -1, clientOrderId: o.clientOrderId, transactTime: o.time };
    if (respType === 'ACK') return ack;
    const result = {
      ...ack,
      price: D8(o.price),
      origQty: D8(o.origQty),
      executedQty: D8(o.executedQty),
      origQuoteOrderQty: D8(new Decimal(0)),
      cummulativeQuoteQty: D8(o.cummulativeQuoteQty),
      status: o.status,
      timeInForce: o.timeInForce ?? 'GTC',
      type: o.type,
      side: o.side,
      ...(isStop(o.type) ? { stopPrice: D8(o.stopPrice) } : {}),
      workingTime: o.workingTime,
      selfTradePreventionMode: 'EXPIRE_MAKER',
    };
    return respType === 'RESULT' ? result : { ...result, fills: o.fills.map((f) => ({ ...f })) };
  }

  /** DELETE /api/v3/order's answer: `clientOrderId` is the cancel request's own id, `origClientOrderId` the order's. */
  cancelledJson(o: FakeOrder, cancelClientId: string): Record<string, unknown> {
    return {
      symbol: o.symbol,
      origClientOrderId: o.clientOrderId,
      orderId: o.orderId,
      orderListId: -1,
      clientOrderId: cancelClientId,
      transactTime: o.updateTime,
      price: D8(o.price),
      origQty: D8(o.origQty),
      executedQty: D8(o.executedQty),
      origQuoteOrderQty: D8(new Decimal(0)),
      cummulativeQuoteQty: D8(o.cummulativeQuoteQty),
      status: o.status,
      timeInForce: o.timeInForce ?? 'GTC',
      type: o.type,
      side: o.side,
      ...(isStop(o.type) ? { stopPrice: D8(o.stopPrice) } : {}),
      selfTradePreventionMode: 'EXPIRE_MAKER',
    };
  }

  /** A working order with a limit that this price reaches. */
  private crosses(o: FakeOrder, price: Decimal): boolean {
    return o.working && hasPrice(o.type) && (o.side === 'BUY' ? price.lte(o.price) : price.gte(o.price));
  }

  /** A stop this trade triggers: a SELL's at or below its stop, a BUY's at or above. */
  private triggers(o: FakeOrder, price: Decimal): boolean {
    return isStop(o.type) && (o.side === 'SELL' ? price.lte(o.stopPrice) : price.gte(o.stopPrice));
  }

  /**
   * Fills the rest of `o` at `price`, or at most `upTo` of it (the rest then EXPIRES): funds move,
   * the commission is taken from what was received.
   */
  private fill(o: FakeOrder, price: Decimal, upTo?: Decimal): void {
    const s = this.symbols.get(o.symbol)!;
    const account = this.accounts.get(o.apiKey)!;
    const rest = o.origQty.sub(o.executedQty);
    const qty = upTo === undefined ? rest : Decimal.min(rest, upTo);
    if (qty.isZero()) return this.expire(o, price);
    const quote = qty.mul(price);
    const got = o.side === 'BUY' ? qty : quote;
    const gotAsset = o.side === 'BUY' ? s.baseAsset : s.quoteAsset;
    const commission = got.mul(this.takerCommission).toDecimalPlaces(8, Decimal.ROUND_UP);
    const spentAsset = o.side === 'BUY' ? s.quoteAsset : s.baseAsset;
    const spent = account.balances.get(spentAsset)!;
    // What was locked: the limit's value (a LIMIT buy) or the last price's (MARKET); any change comes back free.
    const locked = o.side === 'BUY' ? qty.mul(lockPrice(o) ?? price) : qty;
    const used = o.side === 'BUY' ? quote : qty;
    spent.locked = spent.locked.sub(locked);
    spent.free = spent.free.add(locked.sub(used));
    const into = account.balances.get(gotAsset) ?? { free: new Decimal(0), locked: new Decimal(0) };
    into.free = into.free.add(got.sub(commission));
    account.balances.set(gotAsset, into);
    const tradeId = this.publishTrade(o.symbol, price, qty, o.side === 'SELL');
    const fill: FakeFill = { price: D8(price), qty: D8(qty), commission: D8(commission), commissionAsset: gotAsset, tradeId };
    o.fills.push(fill);
    o.executedQty = o.executedQty.add(qty);
    o.cummulativeQuoteQty = o.cummulativeQuoteQty.add(quote);
    o.status = o.executedQty.eq(o.origQty) ? 'FILLED' : 'PARTIALLY_FILLED';
    o.updateTime = this.now();
    this.emitOrder({ order: o, execution: 'TRADE', fill, cancelClientId: null });
    if (o.status === 'PARTIALLY_FILLED') this.expire(o, price);
  }

  /** A MARKET order's unfilled rest expires (the book ran out): what it locked for that rest comes back free. */
  private expire(o: FakeOrder, price: Decimal): void {
    const s = this.symbols.get(o.symbol)!;
    const rest = o.origQty.sub(o.executedQty);
    const bal = this.accounts.get(o.apiKey)!.balances.get(o.side === 'BUY' ? s.quoteAsset : s.baseAsset)!;
    const locked = o.side === 'BUY' ? rest.mul(price) : rest;
    bal.locked = bal.locked.sub(locked);
    bal.free = bal.free.add(locked);
    o.status = 'EXPIRED';
    o.updateTime = this.now();
    this.emitOrder({ order: o, execution: 'EXPIRED', fill: null, cancelClientId: null });
  }

  private emitOrder(event: FakeOrderEvent): void {
    for (const l of this.orderListeners) l(event);
  }

  /** Sends a trade to the stream's listeners; returns its trade id. */
  private publishTrade(symbol: string, price: Decimal, qty: Decimal, buyerMaker: boolean): number {
    const trade: FakeTrade = { symbol, price: D8(price), qty: D8(qty), at: this.now(), tradeId: this.nextTradeId++, buyerMaker };
    for (const l of this.tradeListeners) l(trade);
    return trade.tradeId;
  }
}

/** The price a BUY's quote was locked at: its limit, a STOP_LOSS's stop; null for MARKET (the fill's). */
function lockPrice(o: FakeOrder): Decimal | null {
  return hasPrice(o.type) ? o.price : o.type === 'STOP_LOSS' ? o.stopPrice : null;
}
