/**
 * A protocol-faithful Kite Connect on loopback: REST (login, profile, instruments, orders) and the
 * binary ticker, with fault injection and a record of every order. Start one per test:
 *
 *   const kite = await startKiteFake({ prices: { INFY: 100 } });
 *   createKiteBroker({ clock, credentials: kite.credentials(), options: kite.options() });
 *   kite.setPrice('INFY', 94.5);   // a binary tick to every subscriber
 *   kite.orders();                 // every order received
 *   kite.sellByHand('INFY', 10);   // the trader sells in Kite's own app (positions move)
 *   kite.buyByHand('INFY', 10);    // … or buys, covering an intraday short
 *   kite.gtts();                   // GTT triggers as GET /gtt/triggers lists them
 *   await kite.close();
 */
import { createHash, randomBytes } from 'node:crypto';
import { DEFAULT_INSTRUMENTS, instrumentsCsv, type FakeInstrument } from './fake-instruments';
import { FakeGttBook } from './fake-gtt';
import { fakeOptionChain } from './fake-option-chain';
import { FakeOrderBook, type FakeOrder } from './fake-orders';
import { KiteOrderFaults } from './fake-order-faults';
import { FakeMatching } from './fake-matching';
import { holdingsJson, positionsJson, type FakeHoldingSpec, type PriceBook } from './fake-portfolio';
import type { FakeQuote } from './fake-packets';
import { FakeRest, RATE_LIMITED, type RestFault, type RestReply, type RestRequest } from './fake-rest';
import { FakeTicker } from './fake-ticker';
import { DateTime } from 'luxon';
import { FakeCandles, type FakeCandle } from './fake-candles';

export interface KiteFakeOptions {
  readonly apiKey?: string;
  readonly apiSecret?: string;
  readonly userId?: string;
  /** Every row of every dump; by default the equities and indices plus an NFO/BFO chain for the fake's today. */
  readonly instruments?: readonly FakeInstrument[];
  /** Starting last prices by tradingsymbol (first match) or token. */
  readonly prices?: Readonly<Record<string, number>>;
  readonly heartbeatMs?: number;
  /** The fake's clock for order and login timestamps (IST strings); Date.now by default. */
  readonly now?: () => number;
  /** Real ms between an order's acceptance and its fill; null leaves orders OPEN. */
  readonly fillAfterMs?: number | null;
  /** Write order ids as bare JSON numbers (a payload variant an adapter must survive). */
  readonly orderIdsAsNumbers?: boolean;
  /** Enforce Kite's 10 orders/s with a 429. */
  readonly enforceOrderRate?: boolean;
  /** The demat's holdings at the start of the day (GET /portfolio/holdings); none by default. */
  readonly holdings?: readonly FakeHoldingSpec[];
  /** The equity segment's `net` in GET /user/margins (funds for new orders); margins.json's 99725.05 by default. */
  readonly equityNet?: number;
  /** How far Kite's clock (the `Date` header of its JSON replies) is from `now`, in ms; default 0. */
  readonly clockSkewMs?: number;
}

export interface KiteFake {
  readonly restUrl: string;
  readonly tickerUrl: string;
  readonly loginUrl: string;
  readonly apiKey: string;
  readonly apiSecret: string;
  /** A token valid from the start (as if the trader logged in). */
  readonly accessToken: string;
  credentials(): { api_key: string; api_secret: string; access_token: string };
  options(): { rest_url: string; ticker_url: string; login_url: string };
  orders(): readonly FakeOrder[];
  /** Every REST request (method, path, content type, form) in order. */
  requests(): readonly RestRequest[];
  failNext(route: string, fault: RestFault, times?: number): void;
  /** Sets the last price and ticks it to subscribers; returns how many connections got it. */
  setPrice(symbolOrToken: string | number, price: number, extra?: Partial<FakeQuote>): number;
  /** The instrument's minute candles, served by GET /instruments/historical/{token}/minute (fake-candles.ts). */
  setCandles(symbolOrToken: string | number, bars: readonly FakeCandle[]): void;
  priceOf(symbolOrToken: string | number): number | undefined;
  /** The day's circuit (GET /quote's lower/upper_circuit_limit); a LIMIT or SL price outside it is refused (fake-matching.ts). */
  setCircuit(symbolOrToken: string | number, lower: number, upper: number): void;
  /**
   * The next placed order is accepted, then REJECTED by "RMS" with this message (`status_message`)
   * and, if given, the RMS's raw text (`status_message_raw`).
   */
  rejectNextAfterAccept(message: string, raw?: string): void;
  fill(orderId: string, price?: number): void;
  /** Part of an OPEN order trades at `price`; the rest stays OPEN (fake-matching.ts). */
  fillPart(orderId: string, qty: number, price: number): void;
  /** The trader cancels an OPEN order in Kite's own app: CANCELLED ("Cancelled by user"), not among `requests()`. */
  cancelByHand(orderId: string): void;
  /**
   * The trader sells `qty` of `tradingsymbol` by hand in Kite's own app, outside Tradeclock: an
   * untagged MARKET SELL (product MIS and exchange NSE unless given) that fills at once at the
   * last price (or `price`), listed by GET /orders and pushed on the ticker like any order of the
   * user's, but not among `requests()` (it never came through the API). Positions move with it;
   * selling more than held leaves a short. Returns the order.
   * @example kite.sellByHand('INFY', 10, { product: 'CNC' })
   */
  sellByHand(tradingsymbol: string, qty: number, opts?: { exchange?: string; product?: string; price?: number }): FakeOrder;
  /**
   * The trader buys `qty` by hand in Kite's own app, as `sellByHand` sells (an untagged MARKET
   * BUY): an intraday (MIS) short is covered. Returns the order.
   * @example kite.buyByHand('INFY', 10)
   */
  buyByHand(tradingsymbol: string, qty: number, opts?: { exchange?: string; product?: string; price?: number }): FakeOrder;
  /** GTT triggers as GET /gtt/triggers lists them (fake-gtt.ts); a price reaching one fires it. */
  gtts(): Record<string, unknown>[];
  /** Kite moves a GTT to `status` on its own (expired after a year, disabled, rejected). */
  setGttStatus(id: number, status: string): void;
  /** GET /portfolio/positions' data right now: `{net, day}`. */
  positions(): { net: Record<string, unknown>[]; day: Record<string, unknown>[] };
  /** GET /portfolio/holdings' data right now. */
  holdings(): Record<string, unknown>[];
  readonly ticker: FakeTicker;
  /** Faults on the next order placements, each recorded (fake-order-faults.ts); POST /__fake/order-faults arms them too. */
  readonly orderFaults: KiteOrderFaults;
  /** Invalidates every access token: REST answers TokenException, the ticker 403. */
  revokeTokens(): void;
  /** A fresh request token, as the login page would put on the redirect. */
  issueRequestToken(): string;
  /** Where the fake login page redirects (the daemon's loopback route). */
  setRedirectUrl(url: string): void;
  close(): Promise<void>;
}

export async function startKiteFake(opts: KiteFakeOptions = {}): Promise<KiteFake> {
  const apiKey = opts.apiKey ?? 'kitefakeapikey01';
  const apiSecret = opts.apiSecret ?? 'kitefakeapisecret0000000000000001';
  const userId = opts.userId ?? 'ZF1234';
  const now = opts.now ?? (() => Date.now());
  const instruments = opts.instruments ?? [...DEFAULT_INSTRUMENTS, ...fakeOptionChain({ today: DateTime.fromMillis(now(), { zone: 'Asia/Kolkata' }).toISODate()! })];
  const tokens = new Set<string>([hex(16)]);
  const requestTokens = new Set<string>();
  const quotes = new Map<number, FakeQuote>();
  const candles = new FakeCandles();
  let redirectUrl = 'http://127.0.0.1:9/kite/callback';
  let rejectNext: { message: string; raw?: string } | null = null;
  const orderStamps: number[] = [];
  const accessToken = [...tokens][0]!;

  const tokenOf = (s: string | number) => (typeof s === 'number' ? s : instruments.find((i) => i.tradingsymbol === s)?.token ?? Number(s));
  for (const [k, p] of Object.entries(opts.prices ?? {})) quotes.set(tokenOf(k), { token: tokenOf(k), lastPrice: p, close: p });

  const ticker = new FakeTicker({
    isValid: (key, token) => key === apiKey && token !== null && tokens.has(token),
    quoteOf: (t) => quotes.get(t),
    heartbeatMs: opts.heartbeatMs ?? 1000,
  });
  // Kite pushes every status change of the user's orders to every open ticker connection.
  const pushOrder = (order: FakeOrder) => {
    stampOrder(order);
    ticker.broadcastText({ type: 'order', data: { ...order, user_id: userId, unfilled_quantity: order.pending_quantity } });
  };
  // Real epoch ms of each order's acceptance and end (Kite writes whole seconds, in IST, on `now`'s
  // clock), for the crash soak's judge: GET /__fake/record.
  const orderTimes = new Map<string, { acceptedAtMs: number; doneAtMs: number | null }>();
  /** Real epoch ms of each accepted PUT /gtt/triggers/{id}, by trigger id. */
  const gttModified = new Map<number, number[]>();
  const stampOrder = (order: FakeOrder) => {
    const t = orderTimes.get(order.order_id) ?? { acceptedAtMs: Date.now(), doneAtMs: null };
    if (t.doneAtMs === null && ['COMPLETE', 'REJECTED', 'CANCELLED'].includes(order.status)) t.doneAtMs = Date.now();
    orderTimes.set(order.order_id, t);
  };
  const book = new FakeOrderBook(userId, now, pushOrder);
  const orderFaults = new KiteOrderFaults();
  // LIMIT, SL, modify, the circuit and the derivatives' market protection (fake-matching.ts).
  const matching = new FakeMatching({ book, instruments, lastPrice: (t) => quotes.get(t)?.lastPrice, close: (t) => quotes.get(t)?.close, push: pushOrder, now });
  const fillAfterMs = opts.fillAfterMs === undefined ? 0 : opts.fillAfterMs;
  // A GTT's LIMIT order: untagged, OPEN, filled at the price once the price is at its limit or better.
  const limitFills = (token: number, price: number) => {
    for (const o of book.all()) {
      if (o.status !== 'OPEN' || o.order_type !== 'LIMIT' || o.instrument_token !== token) continue;
      if (o.transaction_type === 'SELL' ? price >= o.price : price <= o.price) book.settle(o.order_id, { status: 'COMPLETE', price });
    }
  };
  const gtts = new FakeGttBook({
    userId,
    now,
    instruments,
    lastPrice: (t) => quotes.get(t)?.lastPrice,
    placeOrder: (form) => {
      const r = book.place('regular', form, instruments);
      if (!r.ok) return { ok: false, message: r.message };
      pushOrder(r.order);
      limitFills(r.order.instrument_token, quotes.get(r.order.instrument_token)?.lastPrice ?? r.order.price);
      return { ok: true, order: r.order };
    },
  });
  const priceBook: PriceBook = { lastPrice: (t) => quotes.get(t)?.lastPrice, close: (t) => quotes.get(t)?.close };
  const holdings: FakeHoldingSpec[] = (opts.holdings ?? []).map((h) => ({
    ...h,
    instrumentToken: h.instrumentToken ?? instruments.find((i) => i.tradingsymbol === h.tradingsymbol && i.exchange === (h.exchange ?? 'NSE'))?.token ?? 0,
  }));
  const byHand = (side: 'BUY' | 'SELL', tradingsymbol: string, qty: number, o: { exchange?: string; product?: string; price?: number } = {}): FakeOrder => {
    const form = new URLSearchParams({ tradingsymbol, exchange: o.exchange ?? 'NSE', transaction_type: side, order_type: 'MARKET', quantity: String(qty), product: o.product ?? 'MIS', validity: 'DAY', market_protection: '-1' });
    const r = book.place('regular', form, instruments);
    if (!r.ok) throw new Error(`the fake cannot ${side.toLowerCase()} ${qty} ${tradingsymbol} by hand: ${r.message}`);
    pushOrder(r.order);
    return book.settle(r.order.order_id, { status: 'COMPLETE', price: o.price ?? quotes.get(r.order.instrument_token)?.lastPrice ?? 100 })!;
  };

  /**
   * A CNC sell of more than the demat can deliver (holdings plus today's CNC trades, every
   * exchange): equity shorts are intraday only, so the RMS rejects it (SOURCES.md).
   */
  const cncShortRefusal = (order: FakeOrder): { message: string; raw: string } | null => {
    if (order.transaction_type !== 'SELL' || order.product !== 'CNC') return null;
    const held = holdings.filter((h) => h.tradingsymbol === order.tradingsymbol).reduce((n, h) => n + h.quantity + (h.t1Quantity ?? 0), 0);
    const today = book
      .all()
      .filter((o) => o.tradingsymbol === order.tradingsymbol && o.product === 'CNC' && o.order_id !== order.order_id)
      .reduce((n, o) => n + (o.transaction_type === 'BUY' ? o.filled_quantity : -o.filled_quantity), 0);
    return order.quantity > held + today ? { message: `Insufficient holdings to sell ${order.tradingsymbol}.`, raw: 'RMS:Rule: Check holdings' } : null;
  };

  const authed = (req: RestRequest): RestReply | null => {
    const m = /^token ([^:]+):(.+)$/.exec(String(req.headers.authorization ?? ''));
    if (!m || m[1] !== apiKey || !tokens.has(m[2]!)) return { kind: 'error', status: 403, errorType: 'TokenException', message: 'Incorrect `api_key` or `access_token`.' };
    return null;
  };
  const settleLater = (order: FakeOrder, form: URLSearchParams) => {
    const reject = rejectNext ?? cncShortRefusal(order);
    rejectNext = null;
    if (reject === null && matching.accept(order, form, fillAfterMs)) return;
    pushOrder(order); // OPEN; may reach the client before the REST reply, as on the real ticker
    if (reject !== null) return void setImmediate(() => book.settle(order.order_id, { status: 'REJECTED', ...reject }));
    if (opts.fillAfterMs === null) return;
    setTimeout(() => book.settle(order.order_id, { status: 'COMPLETE', price: quotes.get(order.instrument_token)?.lastPrice ?? 100 }), opts.fillAfterMs ?? 0);
  };

  const handle = (req: RestRequest): RestReply => {
    const { method, path } = req;
    if (path.startsWith('/__fake/')) return adminRoute(req) ?? { kind: 'error', status: 404, errorType: 'GeneralException', message: `no fake control ${method} ${path}` };
    if (req.headers['x-kite-version'] !== '3' && !path.startsWith('/connect/')) {
      return { kind: 'error', status: 400, errorType: 'InputException', message: 'Missing or unsupported X-Kite-Version header.' };
    }
    if (method === 'GET' && path === '/connect/login') {
      if (req.query.get('api_key') !== apiKey) return { kind: 'error', status: 400, errorType: 'InputException', message: 'Invalid `api_key`.' };
      const back = new URL(redirectUrl);
      for (const [k, v] of new URLSearchParams(req.query.get('redirect_params') ?? '')) back.searchParams.set(k, v);
      back.searchParams.set('request_token', issueRequestToken());
      back.searchParams.set('action', 'login');
      back.searchParams.set('type', 'login');
      back.searchParams.set('status', 'success');
      return { kind: 'redirect', location: back.toString() };
    }
    if (method === 'POST' && path === '/session/token') {
      const f = req.form;
      const rt = f.get('request_token') ?? '';
      if (f.get('api_key') !== apiKey) return { kind: 'error', status: 403, errorType: 'InputException', message: 'Invalid `api_key`.' };
      if (!requestTokens.has(rt)) return { kind: 'error', status: 403, errorType: 'TokenException', message: 'Token is invalid or has expired.' };
      const expected = createHash('sha256').update(apiKey + rt + apiSecret).digest('hex');
      if (f.get('checksum') !== expected) return { kind: 'error', status: 403, errorType: 'TokenException', message: 'Invalid `checksum`.' };
      requestTokens.delete(rt);
      const token = hex(16);
      tokens.add(token);
      return { kind: 'data', data: { user_type: 'individual', email: 'trader@example.com', user_name: 'Fake Trader', user_shortname: 'Fake', broker: 'ZERODHA', exchanges: ['NSE', 'BSE'], products: ['CNC', 'MIS', 'NRML'], order_types: ['MARKET', 'LIMIT', 'SL', 'SL-M'], avatar_url: null, user_id: userId, api_key: apiKey, access_token: token, public_token: hex(8), enctoken: hex(8), refresh_token: '', silo: '', login_time: ist(now()), meta: { demat_consent: 'physical' } } };
    }
    // The instruments dump does not check the token (forum comment 48095).
    const dump = /^\/instruments(?:\/([A-Z]+))?$/.exec(path);
    if (method === 'GET' && dump) return { kind: 'csv', text: instrumentsCsv(instruments, dump[1]) };
    const denied = authed(req);
    if (denied) return denied;
    const historical = /^\/instruments\/historical\/(\d+)\/([a-z0-9]+)$/.exec(path);
    if (method === 'GET' && historical) return candles.answer(Number(historical[1]), historical[2]!, req.query);
    if (method === 'DELETE' && path === '/session/token') {
      tokens.delete(req.query.get('access_token') ?? '');
      return { kind: 'data', data: true };
    }
    if (method === 'GET' && path === '/user/margins') return { kind: 'data', data: marginsOf(opts.equityNet ?? 99725.05) };
    if (method === 'GET' && path === '/user/profile') return { kind: 'data', data: { user_id: userId, user_type: 'individual', email: 'trader@example.com', user_name: 'Fake Trader', user_shortname: 'Fake', broker: 'ZERODHA', exchanges: ['NSE', 'BSE'], products: ['CNC', 'MIS'], order_types: ['MARKET', 'LIMIT'], avatar_url: null, meta: { demat_consent: 'physical' } } };
    if (method === 'GET' && path === '/orders') return { kind: 'data', data: book.all() };
    if (method === 'GET' && path === '/quote/ltp') {
      const asked = req.query.getAll('i');
      if (asked.length === 0) return { kind: 'error', status: 400, errorType: 'InputException', message: 'No instruments given: `i`.' };
      // Keyed by what was asked ("NSE:INFY"); an instrument the fake does not list, or that never traded, is left out.
      const data: Record<string, { instrument_token: number; last_price: number }> = {};
      for (const key of asked) {
        const [exchange, tradingsymbol] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
        const instrument = instruments.find((i) => i.exchange === exchange && i.tradingsymbol === tradingsymbol);
        const quote = instrument && quotes.get(instrument.token);
        if (instrument && quote) data[key] = { instrument_token: instrument.token, last_price: quote.lastPrice };
      }
      return { kind: 'data', data };
    }
    if (method === 'GET' && path === '/quote') return matching.quote(req.query.getAll('i'));
    if (method === 'GET' && path === '/portfolio/positions') return { kind: 'data', data: positionsJson(book.all(), priceBook) };
    if (method === 'GET' && path === '/portfolio/holdings') return { kind: 'data', data: holdingsJson(holdings, book.all(), priceBook) };
    if (path === '/gtt/triggers') {
      if (method === 'GET') return { kind: 'data', data: gtts.all().map((g) => gtts.json(g)) };
      if (method === 'POST') return req.contentType === 'application/x-www-form-urlencoded' ? gtts.save(req.form) : { kind: 'error', status: 400, errorType: 'InputException', message: 'Request body must be form-encoded.' };
    }
    const trigger = /^\/gtt\/triggers\/(\d+)$/.exec(path);
    if (trigger) {
      const g = gtts.get(Number(trigger[1]));
      if (!g) return { kind: 'error', status: 404, errorType: 'GeneralException', message: 'Trigger not found.' };
      if (method === 'GET') return { kind: 'data', data: gtts.json(g) };
      if (method === 'PUT') {
        const saved = gtts.save(req.form, g);
        if (saved.kind === 'data') gttModified.set(g.id, [...(gttModified.get(g.id) ?? []), Date.now()]);
        return saved;
      }
      if (method === 'DELETE') return gtts.remove(g);
    }
    const one = /^\/orders\/(\d+)$/.exec(path);
    if (method === 'GET' && one) return book.get(one[1]!) ? { kind: 'data', data: book.historyOf(one[1]!) } : { kind: 'error', status: 400, errorType: 'InputException', message: "Couldn't find that `order_id`." };
    const place = /^\/orders\/([a-z]+)$/.exec(path);
    if (method === 'POST' && place) {
      if (req.contentType !== 'application/x-www-form-urlencoded') return { kind: 'error', status: 400, errorType: 'InputException', message: 'Request body must be form-encoded.' };
      const fault = orderFaults.take(req.form, book.all());
      if (fault && 'reply' in fault) return fault.reply;
      if (opts.enforceOrderRate ?? true) {
        const t = Date.now();
        while (orderStamps.length > 0 && orderStamps[0]! <= t - 1000) orderStamps.shift();
        if (orderStamps.length >= 10) return RATE_LIMITED;
        orderStamps.push(t);
      }
      const refusal = matching.refusal(req.form);
      if (refusal !== null) return { kind: 'error', status: 400, errorType: 'InputException', message: refusal };
      const r = book.place(place[1]!, req.form, instruments);
      if (!r.ok) return { kind: 'error', status: 400, errorType: r.errorType, message: r.message };
      if (fault) rejectNext = fault.rejectAfterAccept;
      settleLater(r.order, req.form);
      return { kind: 'data', data: { order_id: r.order.order_id } };
    }
    const cancel = /^\/orders\/([a-z]+)\/(\d+)$/.exec(path);
    if (method === 'PUT' && cancel) {
      if (req.contentType !== 'application/x-www-form-urlencoded') return { kind: 'error', status: 400, errorType: 'InputException', message: 'Request body must be form-encoded.' };
      return matching.modify(cancel[2]!, req.form, fillAfterMs);
    }
    if (method === 'DELETE' && cancel) {
      const o = book.get(cancel[2]!);
      if (!o) return { kind: 'error', status: 400, errorType: 'InputException', message: "Couldn't find that `order_id`." };
      if (o.status !== 'OPEN' && o.status !== 'TRIGGER PENDING') return { kind: 'error', status: 400, errorType: 'OrderException', message: `Order cannot be cancelled as it is being processed or is ${o.status}.` };
      book.settle(o.order_id, { status: 'CANCELLED', message: 'Cancelled by user' });
      return { kind: 'data', data: { order_id: o.order_id } };
    }
    return { kind: 'error', status: 404, errorType: 'GeneralException', message: `Route not found: ${method} ${path}` };
  };

  // A tiny control surface for the crash-soak, where the fake runs as its own process.
  const adminRoute = (req: RestRequest): RestReply | null => {
    if (req.method === 'GET' && req.path === '/__fake/orders') return { kind: 'data', data: book.all() };
    if (req.method === 'GET' && req.path === '/__fake/gtts') return { kind: 'data', data: gtts.all().map((g) => gtts.json(g)) };
    // Every order and GTT with real epoch ms (a GTT's creation and last change), and every placement an injected fault met: the soak's judge reads these.
    if (req.method === 'GET' && req.path === '/__fake/record') {
      const orders = book.all().map((o) => ({ ...o, accepted_at_ms: orderTimes.get(o.order_id)?.acceptedAtMs ?? null, done_at_ms: orderTimes.get(o.order_id)?.doneAtMs ?? null }));
      // The GTT book keeps `now`'s ms; `now` runs a steady offset from the real clock in the soak.
      const shift = now() - Date.now();
      const triggers = gtts.all().map((g) => ({ ...gtts.json(g), created_at_ms: g.createdAt - shift, updated_at_ms: g.updatedAt - shift, modified_at_ms: gttModified.get(g.id) ?? [] }));
      return { kind: 'data', data: { orders, gtts: triggers, faulted: orderFaults.record() } };
    }
    if (req.method === 'GET' && req.path === '/__fake/positions') return { kind: 'data', data: positionsJson(book.all(), priceBook) };
    if (req.method === 'GET' && req.path === '/__fake/requests') return { kind: 'data', data: rest.log.map((r) => ({ method: r.method, path: r.path, form: Object.fromEntries(r.form) })) };
    if (req.method === 'POST' && req.path === '/__fake/price') return { kind: 'data', data: { sent: fake.setPrice(req.query.get('symbol') ?? '', Number(req.query.get('price'))) } };
    if (req.method === 'POST' && req.path === '/__fake/fault') {
      fake.failNext(req.query.get('route') ?? '', JSON.parse(req.rawBody) as RestFault, Number(req.query.get('times') ?? 1));
      return { kind: 'data', data: true };
    }
    const faults = orderFaults.adminRoute(req.method, req.path, req.rawBody);
    if (faults) return faults;
    if (req.method === 'POST' && req.path === '/__fake/ticker/drop') return ticker.drop(), { kind: 'data', data: true };
    // ?symbol=INFY&qty=10[&exchange=NSE][&product=MIS]: the trader sells in Kite's app.
    if (req.method === 'POST' && req.path === '/__fake/sell-by-hand') {
      const q = req.query;
      try {
        const order = byHand('SELL', q.get('symbol') ?? '', Number(q.get('qty')), { ...(q.has('exchange') ? { exchange: q.get('exchange')! } : {}), ...(q.has('product') ? { product: q.get('product')! } : {}) });
        return { kind: 'data', data: { order_id: order.order_id } };
      } catch (err) {
        return { kind: 'error', status: 400, errorType: 'InputException', message: err instanceof Error ? err.message : String(err) };
      }
    }
    return null;
  };

  const encode = (value: unknown) => {
    const text = JSON.stringify(value);
    return opts.orderIdsAsNumbers ? text.replace(/"(order_id|exchange_order_id)":"(\d+)"/g, '"$1":$2') : text;
  };
  const rest = new FakeRest(handle, encode, () => now() + (opts.clockSkewMs ?? 0));
  const restUrl = await rest.listen();
  const tickerUrl = await ticker.listen();
  function issueRequestToken(): string {
    const t = hex(16);
    requestTokens.add(t);
    return t;
  }

  const fake: KiteFake = {
    restUrl,
    tickerUrl,
    loginUrl: `${restUrl}/connect/login`,
    apiKey,
    apiSecret,
    accessToken,
    credentials: () => ({ api_key: apiKey, api_secret: apiSecret, access_token: accessToken }),
    setCandles: (s, bars) => candles.set(tokenOf(s), bars),
    options: () => ({ rest_url: restUrl, ticker_url: tickerUrl, login_url: `${restUrl}/connect/login` }),
    orders: () => book.all(),
    requests: () => rest.log,
    failNext: (route, fault, times) => rest.failNext(route, fault, times),
    setPrice(s, price, extra = {}) {
      const token = tokenOf(s);
      const q: FakeQuote = { ...quotes.get(token), ...extra, token, lastPrice: price };
      quotes.set(token, q);
      const sent = ticker.tick(q);
      gtts.onPrice(token, price);
      matching.onPrice(token, price);
      limitFills(token, price);
      return sent;
    },
    priceOf: (s) => quotes.get(tokenOf(s))?.lastPrice,
    setCircuit: (s, lower, upper) => matching.setCircuit(tokenOf(s), { lower, upper }),
    rejectNextAfterAccept: (message, raw) => void (rejectNext = { message, raw }),
    fill: (orderId, price) => void book.settle(orderId, { status: 'COMPLETE', price: price ?? quotes.get(book.get(orderId)?.instrument_token ?? 0)?.lastPrice ?? 100 }),
    fillPart: (orderId, qty, price) => matching.fillPart(orderId, qty, price),
    cancelByHand: (orderId) => void book.settle(orderId, { status: 'CANCELLED', message: 'Cancelled by user' }),
    sellByHand: (tradingsymbol, qty, o) => byHand('SELL', tradingsymbol, qty, o),
    buyByHand: (tradingsymbol, qty, o) => byHand('BUY', tradingsymbol, qty, o),
    gtts: () => gtts.all().map((g) => gtts.json(g)),
    setGttStatus: (id, status) => gtts.setStatus(id, status),
    positions: () => positionsJson(book.all(), priceBook),
    holdings: () => holdingsJson(holdings, book.all(), priceBook),
    ticker,
    orderFaults,
    revokeTokens: () => tokens.clear(),
    issueRequestToken,
    setRedirectUrl: (url) => void (redirectUrl = url),
    async close() {
      await Promise.all([rest.close(), ticker.close()]);
    },
  };
  return fake;
}

function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

function ist(ms: number): string {
  return DateTime.fromMillis(ms, { zone: 'Asia/Kolkata' }).toFormat('yyyy-MM-dd HH:mm:ss');
}

/** GET /user/margins in kiteconnect-mocks `margins.json`'s shape (c7a8123), the equity `net` and `live_balance` set to `net`. */
function marginsOf(net: number): Record<string, unknown> {
  const segment = (n: number) => ({
    enabled: true,
    net: n,
    available: { adhoc_margin: 0, cash: 245431.6, opening_balance: 245431.6, live_balance: n, collateral: 0, intraday_payin: 0 },
    utilised: { debits: 0, exposure: 0, m2m_realised: 0, m2m_unrealised: 0, option_premium: 0, payout: 0, span: 0, holding_sales: 0, turnover: 0, liquid_collateral: 0, stock_collateral: 0, delivery: 0 },
  });
  return { equity: segment(net), commodity: segment(100661.7) };
}
