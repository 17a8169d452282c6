/**
 * The fake Binance's spot REST routes (`/api/v3/…`), in the order Binance's gateway takes a
 * request (SOURCES.md): the IP's request weight (429/418 with `Retry-After`), injected faults,
 * the API key (`X-MBX-APIKEY`), the HMAC-SHA256 `signature` over the query string followed by the
 * body, `timestamp` within `recvWindow`, then the route. Every answer carries
 * `X-MBX-USED-WEIGHT-1M`; an order placement also `X-MBX-ORDER-COUNT-10S` / `-1D`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { err, type BinanceError, type FakeBinanceAccount, type FakeBinanceBook } from './fake-book';
import { unprocessed, type BinanceFaultPlan } from './fake-faults';
import { RATE_LIMITS, symbolJson } from './fake-symbols';

/** Documented request weights of the routes the fake serves. */
const WEIGHT: Readonly<Record<string, number>> = {
  'GET /api/v3/exchangeInfo': 20,
  'GET /api/v3/time': 1,
  'GET /api/v3/ticker/price': 2,
  'POST /api/v3/order': 1,
  'GET /api/v3/order': 4,
  'DELETE /api/v3/order': 1,
  'GET /api/v3/openOrders': 6,
  'GET /api/v3/account': 20,
  'GET /sapi/v1/account/apiRestrictions': 1,
};
const SIGNED = new Set(['POST /api/v3/order', 'GET /api/v3/order', 'DELETE /api/v3/order', 'GET /api/v3/openOrders', 'GET /api/v3/account', 'GET /sapi/v1/account/apiRestrictions']);
const MINUTE_MS = 60_000;

/** One POST /api/v3/order that passed the key check, and what came of it. */
export interface ReceivedBinanceOrder {
  /** The fake's clock. */
  readonly at: number;
  /** Real epoch ms, for a judge in another process. */
  readonly atMs: number;
  readonly apiKey: string;
  readonly symbol: string | null;
  readonly side: string | null;
  readonly type: string | null;
  readonly quantity: string | null;
  readonly newClientOrderId: string | null;
  /** 'placed #N' | 'refused <code> <msg>' | 'not processed (<fault>)' */
  outcome: string;
}

type Reply = { readonly status: number; readonly body: unknown; readonly headers?: Record<string, string> };

export class FakeBinanceRest {
  /** Weight spent in the current minute (one IP: the tests' loopback). */
  private minute = -1;
  private weight = 0;
  private readonly orderTimes: number[] = [];
  readonly received: ReceivedBinanceOrder[] = [];
  /** Every request answered (method, path, status), for tests that count calls. */
  readonly log: { readonly method: string; readonly path: string; readonly status: number }[] = [];

  constructor(
    private readonly book: FakeBinanceBook,
    private readonly faults: BinanceFaultPlan,
    private readonly weightLimit: number,
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = req.method ?? 'GET';
    const path = url.pathname;
    const route = `${method} ${path}`;
    const body = await readBody(req);
    const now = this.book.now();

    const minute = Math.floor(now / MINUTE_MS);
    if (minute !== this.minute) [this.minute, this.weight] = [minute, 0];
    this.weight += WEIGHT[route] ?? 1;
    const retryAfter = String(Math.max(1, Math.ceil(((minute + 1) * MINUTE_MS - now) / 1000)));
    if (this.weight > this.weightLimit) {
      return this.reply(res, route, { status: 429, body: { code: -1003, msg: `Too much request weight used; current limit is ${this.weightLimit} request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.` }, headers: { 'Retry-After': retryAfter } });
    }

    const params = new URLSearchParams(url.search);
    // Parameters may come in the query, the form body or both; the query's wins where both have one.
    for (const [k, v] of new URLSearchParams(body)) if (!params.has(k)) params.append(k, v);
    const record = route === 'POST /api/v3/order' ? this.record(req, params, now) : undefined;

    const fault = this.faults.take(method, path, record?.newClientOrderId);
    if (fault && unprocessed(fault)) {
      if (record) record.outcome = `not processed (${fault.kind})`;
      switch (fault.kind) {
        case 'rate-limit':
          return this.reply(res, route, { status: 429, body: { code: -1003, msg: `Too much request weight used; current limit is ${this.weightLimit} request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.` }, headers: { 'Retry-After': String(fault.retryAfterSec) } });
        case 'ban':
          return this.reply(res, route, { status: 418, body: { code: -1003, msg: `Way too much request weight used; IP banned until ${now + fault.retryAfterSec * 1000}. Please use WebSocket Streams for live updates to avoid bans.` }, headers: { 'Retry-After': String(fault.retryAfterSec) } });
        case 'error':
          return this.reply(res, route, { status: fault.status, body: { code: fault.code, msg: fault.msg } });
        case 'drop':
          req.socket.destroy();
          return;
        case 'stall':
          return;
        case 'garbage':
          res.writeHead(200, { 'Content-Type': 'application/json;charset=UTF-8' }).end('<html><body>502 Bad Gateway</body></html');
          return;
      }
    }

    const reply = this.route(req, route, url, body, params, now, record);
    switch (fault?.kind) {
      case 'drop-after-accept':
        this.log.push({ method, path, status: 0 });
        req.socket.destroy();
        return;
      case 'stall-after-accept':
        return;
      case 'error':
        return this.reply(res, route, { status: fault.status, body: { code: fault.code, msg: fault.msg } });
      default:
        return this.reply(res, route, reply);
    }
  }

  private route(req: IncomingMessage, route: string, url: URL, body: string, params: URLSearchParams, now: number, record: ReceivedBinanceOrder | undefined): Reply {
    const book = this.book;
    if (route === 'GET /api/v3/time') return { status: 200, body: { serverTime: now } };
    if (route === 'GET /api/v3/exchangeInfo') return { status: 200, body: { timezone: 'UTC', serverTime: now, rateLimits: RATE_LIMITS, exchangeFilters: [], symbols: this.listed(params).map(symbolJson) } };
    if (route === 'GET /api/v3/ticker/price') return this.ticker(params);
    if (!SIGNED.has(route)) return failure(err(404, -1000, `no route ${route}`));

    const auth = this.authenticate(req, url, body, params, now);
    if ('code' in auth) {
      if (record) record.outcome = `refused ${auth.code} ${auth.msg}`;
      return { status: auth.status, body: { code: auth.code, msg: auth.msg } };
    }
    const account = auth;
    // A TRADE request with a key whose trading is off (or ran out) is refused as one without the permission (errors.md -2015).
    const key = account.key;
    if ((route === 'POST /api/v3/order' || route === 'DELETE /api/v3/order') && (!key.enableSpotAndMarginTrading || (key.tradingAuthorityExpirationTime !== null && now >= key.tradingAuthorityExpirationTime))) {
      if (record) record.outcome = 'refused -2015 Invalid API-key, IP, or permissions for action.';
      return failure(err(401, -2015, 'Invalid API-key, IP, or permissions for action.'));
    }
    const symbol = params.get('symbol');
    const needSymbol = () => err(400, -1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.");

    if (route === 'GET /sapi/v1/account/apiRestrictions') return { status: 200, body: keyJson(account) };
    if (route === 'GET /api/v3/account') return { status: 200, body: this.accountJson(account, params.get('omitZeroBalances') === 'true', now) };
    if (route === 'GET /api/v3/openOrders') {
      if (symbol !== null && !book.symbols.has(symbol)) return failure(err(400, -1121, 'Invalid symbol.'));
      return { status: 200, body: book.openOrders(account.apiKey, symbol).map((o) => book.orderJson(o)) };
    }
    if (route === 'POST /api/v3/order') {
      const placed = book.place(account, params);
      if ('code' in placed) {
        record!.outcome = `refused ${placed.code} ${placed.msg}`;
        return failure(placed);
      }
      record!.outcome = `placed #${placed.orderId}`;
      this.orderTimes.push(now);
      // rest-api "New order": MARKET and LIMIT default to FULL, every other type to ACK.
      const respType = params.get('newOrderRespType') ?? (placed.type === 'MARKET' || placed.type === 'LIMIT' ? 'FULL' : 'ACK');
      return { status: 200, body: book.placedJson(placed, respType), headers: this.orderCountHeaders(now) };
    }
    if (symbol === null) return failure(needSymbol());
    if (!book.symbols.has(symbol)) return failure(err(400, -1121, 'Invalid symbol.'));
    if (!params.has('orderId') && !params.has('origClientOrderId')) return failure(err(400, -1102, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!"));
    const order = book.find(account.apiKey, symbol, params);
    if (route === 'GET /api/v3/order') return order ? { status: 200, body: book.orderJson(order) } : failure(err(400, -2013, 'Order does not exist.'));
    // DELETE /api/v3/order
    if (!order) return failure(err(400, -2011, 'Unknown order sent.'));
    const cancelId = params.get('newClientOrderId') ?? `cancel${order.orderId}x${now}`;
    const cancelled = book.cancel(order, cancelId);
    if ('code' in cancelled) return failure(cancelled);
    return { status: 200, body: book.cancelledJson(cancelled, cancelId) };
  }

  /** X-MBX-APIKEY, then the signature, then the timestamp: Binance's order of checks (SOURCES.md). */
  private authenticate(req: IncomingMessage, url: URL, body: string, params: URLSearchParams, now: number): FakeBinanceAccount | BinanceError {
    const key = req.headers['x-mbx-apikey'];
    if (typeof key !== 'string' || key === '') return err(401, -2014, 'API-key format invalid.');
    const account = this.book.accounts.get(key);
    if (!account) return err(401, -2015, 'Invalid API-key, IP, or permissions for action.');
    const query = url.search.replace(/^\?/, '');
    // totalParams: the query string concatenated with the body, `signature` (their last part) left out.
    const refused = checkSigned(account, stripSignature(query) + stripSignature(body), params.get('signature'), params.get('timestamp'), params.get('recvWindow'), now);
    return refused ?? account;
  }

  private listed(params: URLSearchParams) {
    const one = params.get('symbol');
    const many = params.get('symbols');
    const wanted = one !== null ? [one] : many !== null ? (JSON.parse(many) as string[]) : null;
    return [...this.book.symbols.values()].filter((s) => wanted === null || wanted.includes(s.symbol));
  }

  private ticker(params: URLSearchParams): Reply {
    const price = (symbol: string) => ({ symbol, price: (this.book.lastPrice(symbol) ?? 0).toFixed(8) });
    const one = params.get('symbol');
    if (one !== null) return this.book.symbols.has(one) ? { status: 200, body: price(one) } : failure(err(400, -1121, 'Invalid symbol.'));
    const many = params.get('symbols');
    const list = many !== null ? (JSON.parse(many) as string[]) : [...this.book.symbols.keys()];
    if (list.some((s) => !this.book.symbols.has(s))) return failure(err(400, -1121, 'Invalid symbol.'));
    return { status: 200, body: list.map(price) };
  }

  private accountJson(a: FakeBinanceAccount, omitZero: boolean, now: number): Record<string, unknown> {
    const rate = this.book.takerCommission.toFixed(8);
    const bps = this.book.takerCommission.mul(10_000).toNumber();
    const balances = [...this.book.accountBalances(a).entries()]
      .filter(([, b]) => !omitZero || !b.free.add(b.locked).isZero())
      .map(([asset, b]) => ({ asset, free: b.free.toFixed(8), locked: b.locked.toFixed(8) }));
    return {
      makerCommission: bps,
      takerCommission: bps,
      buyerCommission: 0,
      sellerCommission: 0,
      commissionRates: { maker: rate, taker: rate, buyer: '0.00000000', seller: '0.00000000' },
      canTrade: a.canTrade,
      canWithdraw: true,
      canDeposit: true,
      brokered: false,
      requireSelfTradePrevention: false,
      preventSor: false,
      updateTime: now,
      accountType: 'SPOT',
      balances,
      permissions: a.permissions,
      uid: 354937868,
    };
  }

  private orderCountHeaders(now: number): Record<string, string> {
    const tenS = this.orderTimes.filter((t) => t > now - 10_000).length;
    const day = Math.floor(now / 86_400_000);
    const oneD = this.orderTimes.filter((t) => Math.floor(t / 86_400_000) === day).length;
    return { 'X-MBX-ORDER-COUNT-10S': String(tenS), 'X-MBX-ORDER-COUNT-1D': String(oneD) };
  }

  private record(req: IncomingMessage, p: URLSearchParams, now: number): ReceivedBinanceOrder {
    const key = req.headers['x-mbx-apikey'];
    const r: ReceivedBinanceOrder = { at: now, atMs: Date.now(), apiKey: typeof key === 'string' ? key : '', symbol: p.get('symbol'), side: p.get('side'), type: p.get('type'), quantity: p.get('quantity'), newClientOrderId: p.get('newClientOrderId'), outcome: 'pending' };
    this.received.push(r);
    return r;
  }

  private reply(res: ServerResponse, route: string, reply: Reply): void {
    const [method, path] = route.split(' ') as [string, string];
    this.log.push({ method, path, status: reply.status });
    if (res.destroyed) return;
    res
      .writeHead(reply.status, { 'Content-Type': 'application/json;charset=UTF-8', 'X-MBX-USED-WEIGHT-1M': String(this.weight), ...reply.headers })
      .end(JSON.stringify(reply.body));
  }
}

/**
 * The checks of a SIGNED request once its key is known: the HMAC-SHA256 of `payload` under the
 * account's secret, then `timestamp` within `recvWindow` (rest-api "Timing security"). Null: it passes.
 */
export function checkSigned(account: FakeBinanceAccount, payload: string, signature: string | null, timestampText: string | null, recvWindowText: string | null, now: number): BinanceError | null {
  if (signature === null) return err(400, -1102, "Mandatory parameter 'signature' was not sent, was empty/null, or malformed.");
  const want = createHmac('sha256', account.secretKey).update(payload).digest('hex');
  if (!/^[0-9a-fA-F]{64}$/.test(signature) || !timingSafeEqual(Buffer.from(want), Buffer.from(signature.toLowerCase()))) return err(400, -1022, 'Signature for this request is not valid.');
  const timestamp = Number(timestampText);
  if (timestampText === null || !Number.isSafeInteger(timestamp)) return err(400, -1102, "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.");
  const recvWindow = recvWindowText !== null ? Number(recvWindowText) : 5000;
  if (!(recvWindow >= 0) || recvWindow > 60_000) return err(400, -1131, 'recvWindow must be less than 60000');
  if (timestamp >= now + 1000) return err(400, -1021, "Timestamp for this request was 1000ms ahead of the server's time.");
  if (now - timestamp > recvWindow) return err(400, -1021, 'Timestamp for this request is outside of the recvWindow.');
  return null;
}

/** wallet "Get API Key Permission" (GET /sapi/v1/account/apiRestrictions): the docs' example fields. */
function keyJson(a: FakeBinanceAccount): Record<string, unknown> {
  const k = a.key;
  return {
    ipRestrict: k.ipRestrict,
    createTime: 1698645219000,
    enableInternalTransfer: false,
    enableFutures: false,
    enablePortfolioMarginTrading: false,
    enableVanillaOptions: false,
    permitsUniversalTransfer: false,
    enableReading: true,
    enableSpotAndMarginTrading: k.enableSpotAndMarginTrading,
    enableWithdrawals: false,
    enableMargin: false,
    ...(k.tradingAuthorityExpirationTime !== null ? { tradingAuthorityExpirationTime: k.tradingAuthorityExpirationTime } : {}),
  };
}

function failure(e: BinanceError): Reply {
  return { status: e.status, body: { code: e.code, msg: e.msg } };
}

function stripSignature(part: string): string {
  return part.replace(/&?signature=[^&]*$/, '');
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(''));
  });
}
