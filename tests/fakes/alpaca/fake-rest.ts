/**
 * The fake's Trading API v2 routes: auth headers checked as Alpaca's gateway does (PROTOCOLS.md
 * §1.2, §1.3), the per-key rate limit (§1.9), injected faults, then the route itself.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { apiError, accountJson, assetJson, clockJson } from './fake-entities';
import type { DeskReply, FakeDesk, ReceivedOrder } from './fake-desk';
import type { FaultPlan, RestFault } from './fake-faults';
import { FakeBars } from './fake-bars';
import { FakeTrades } from './fake-trades';

const WINDOW_MS = 60_000;
const NOT_PROCESSED: ReadonlySet<RestFault['kind']> = new Set(['status', 'rate-limit', 'drop', 'stall', 'garbage']);

export class FakeRest {
  /** Request times per key id inside the rate window. */
  private readonly seen = new Map<string, number[]>();
  /** Every request that reached a route (method + path), for tests that count calls. */
  readonly log: { readonly at: number; readonly method: string; readonly path: string; readonly status: number }[] = [];

  constructor(
    private readonly desk: FakeDesk,
    private readonly faults: FaultPlan,
    private readonly rateLimit: number,
    /** The fake's clock against `desk.now()`, as its `Date` header states it. */
    private readonly clockSkewMs = 0,
    /** The symbol's latest trade in the REST shape (the data stream keeps it). */
    private readonly latestTrade: (symbol: string) => Record<string, unknown> | undefined = () => undefined,
    /** The market-data host's historical bars (fake-bars.ts). */
    private readonly bars: FakeBars = new FakeBars(),
    /** The market-data host's historical trades (fake-trades.ts). */
    private readonly trades: FakeTrades = new FakeTrades(),
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = req.method ?? 'GET';
    const path = url.pathname;
    const raw = await readBody(req);
    const keyId = header(req, 'apca-api-key-id');
    const secret = header(req, 'apca-api-secret-key');
    // §1.3: missing headers → the gateway's code-less 403; a wrong key or secret → 401.
    if (!keyId || !secret) return this.reply(res, method, path, { status: 403, body: { message: 'forbidden.' } });
    const account = this.desk.account(keyId);
    if (!account || account.secretKey !== secret) return this.reply(res, method, path, { status: 401, body: apiError(40110000, 'request is not authorized') });

    const now = this.desk.now();
    let rateHeaders: Record<string, string> = {};
    // With the limit off (0) there is no window to keep: the bench sends tens of thousands of requests.
    if (this.rateLimit > 0) {
      const recent = (this.seen.get(keyId) ?? []).filter((t) => t > now - WINDOW_MS);
      const limited = recent.length >= this.rateLimit;
      if (!limited) recent.push(now);
      this.seen.set(keyId, recent);
      const reset = Math.ceil(((recent[0] ?? now) + WINDOW_MS) / 1000);
      rateHeaders = { 'X-RateLimit-Limit': String(this.rateLimit), 'X-RateLimit-Remaining': String(Math.max(0, this.rateLimit - recent.length)), 'X-RateLimit-Reset': String(reset) };
      if (limited) return this.reply(res, method, path, { status: 429, body: apiError(42910000, 'rate limit exceeded') }, rateHeaders);
    }

    const isPlace = method === 'POST' && path === '/v2/orders';
    const body = raw === '' ? undefined : safeJson(raw);
    const record: ReceivedOrder | undefined = isPlace ? this.record(keyId, body) : undefined;
    const fault = this.faults.take(method, path, record?.clientOrderId);
    if (fault && NOT_PROCESSED.has(fault.kind)) {
      if (record) record.outcome = `not processed (${fault.kind})`;
      switch (fault.kind) {
        case 'status':
          return this.reply(res, method, path, { status: fault.status, body: (fault.body as Record<string, unknown> | undefined) ?? apiError(fault.status * 100_000, 'internal server error') }, rateHeaders);
        case 'rate-limit': {
          const resetAt = Math.ceil((now + (fault.resetInMs ?? 1_000)) / 1000);
          return this.reply(res, method, path, { status: 429, body: apiError(42910000, 'rate limit exceeded') }, { ...rateHeaders, 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': String(resetAt) });
        }
        case 'drop':
          req.socket.destroy();
          return;
        case 'stall':
          return;
        case 'garbage':
          res.writeHead(200, { 'Content-Type': 'application/json' }).end('<html>502 Bad Gateway</html');
          return;
      }
    }

    const reply = this.route(method, path, url, account.keyId, body, raw, record);
    switch (fault?.kind) {
      case 'slow':
        await new Promise((r) => setTimeout(r, fault.delayMs));
        return this.reply(res, method, path, reply, rateHeaders);
      case 'drop-after-accept':
        req.socket.destroy();
        return;
      case 'stall-after-accept':
        return;
      case '422-but-accepted':
        // The body of this case is not documented; the §1.8 shape with Alpaca's usual 422 code.
        return this.reply(res, method, path, { status: 422, body: apiError(40010001, 'request could not be processed') }, rateHeaders);
      default:
        return this.reply(res, method, path, reply, rateHeaders);
    }
  }

  private route(method: string, path: string, url: URL, keyId: string, body: unknown, raw: string, record: ReceivedOrder | undefined): DeskReply {
    const desk = this.desk;
    const account = desk.account(keyId)!;
    const notFound = (what: string) => ({ status: 404, body: apiError(40410000, what) });
    if (method === 'GET' && path === '/v2/account') return { status: 200, body: accountJson(account, desk.positionsValue(keyId)) };
    if (method === 'GET' && path === '/v2/clock') return { status: 200, body: clockJson(desk.now()) };
    if (method === 'GET' && path === '/v2/assets') {
      const status = url.searchParams.get('status');
      const exchange = url.searchParams.get('exchange');
      const list = [...desk.assets.values()].filter((a) => (!status || a.status === status) && (!exchange || a.exchange === exchange));
      return { status: 200, body: list.map(assetJson) as unknown as Record<string, unknown> };
    }
    if (method === 'GET' && path.startsWith('/v2/assets/')) {
      const asset = desk.assets.get(decodeURIComponent(path.slice('/v2/assets/'.length)));
      return asset ? { status: 200, body: assetJson(asset) } : notFound('asset not found');
    }
    // The market-data host's latest trades (served here too: the adapter's data_url points at the fake).
    if (method === 'GET' && path === '/v2/stocks/trades/latest') {
      const symbols = (url.searchParams.get('symbols') ?? '').split(',').filter(Boolean);
      if (symbols.length === 0) return { status: 400, body: apiError(40010001, 'missing symbols') };
      const trades: Record<string, unknown> = {};
      for (const symbol of symbols) {
        const trade = this.latestTrade(symbol);
        if (trade) trades[symbol] = trade;
      }
      return { status: 200, body: { trades } };
    }
    const barsOf = /^\/v2\/stocks\/([^/]+)\/bars$/.exec(path);
    if (method === 'GET' && barsOf) return this.bars.page(decodeURIComponent(barsOf[1]!), url.searchParams, account.feeds);
    if (method === 'GET' && path === '/v2/stocks/trades') return this.trades.page(url.searchParams, account.feeds);
    if (method === 'GET' && path === '/v2/positions') return { status: 200, body: desk.positionsOf(keyId) as unknown as Record<string, unknown> };
    if (method === 'GET' && path.startsWith('/v2/positions/')) {
      const position = desk.position(keyId, decodeURIComponent(path.slice('/v2/positions/'.length)));
      // The 404 of a symbol the account holds none of: Alpaca-API#215, alpaca-trade-api-go#269.
      return position ? { status: 200, body: position } : notFound('position does not exist');
    }
    if (method === 'POST' && path === '/v2/orders') return desk.place(account, raw === '' ? undefined : body, record!);
    if (method === 'GET' && path === '/v2/orders') {
      const status = url.searchParams.get('status') ?? 'open';
      const open = (s: string) => !['filled', 'canceled', 'expired', 'rejected', 'replaced'].includes(s);
      const list = desk.ordersOf(keyId).filter((o) => status === 'all' || (status === 'open') === open(o.status));
      return { status: 200, body: list.map((o) => desk.json(o)) as unknown as Record<string, unknown> };
    }
    // §1.6: the path literally contains ":by_client_order_id".
    if (method === 'GET' && path === '/v2/orders:by_client_order_id') {
      const order = desk.byClientId(keyId, url.searchParams.get('client_order_id') ?? '');
      return order ? { status: 200, body: desk.json(order) } : notFound('order is not found.');
    }
    if (path.startsWith('/v2/orders/')) {
      const id = decodeURIComponent(path.slice('/v2/orders/'.length));
      if (method === 'DELETE') return desk.cancel(keyId, id);
      if (method === 'PATCH') return desk.patch(keyId, id, body);
      if (method === 'GET') {
        const order = desk.ordersOf(keyId).find((o) => o.id === id);
        return order ? { status: 200, body: desk.json(order) } : notFound('order is not found.');
      }
    }
    return notFound('endpoint not found');
  }

  private record(keyId: string, body: unknown): ReceivedOrder {
    const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const text = (v: unknown) => (typeof v === 'string' ? v : null);
    const record: ReceivedOrder = { at: this.desk.now(), keyId, clientOrderId: text(b.client_order_id), symbol: text(b.symbol), side: text(b.side), qty: text(b.qty), status: 0, outcome: 'pending' };
    this.desk.received.push(record);
    return record;
  }

  private reply(res: ServerResponse, method: string, path: string, reply: DeskReply, headers: Record<string, string> = {}): void {
    this.log.push({ at: this.desk.now(), method, path, status: reply.status });
    if (res.destroyed) return;
    // RFC 9110 §6.6.1: every reply dates itself, by the fake's clock (the test's), to the second.
    const dated = { ...headers, Date: new Date(this.desk.now() + this.clockSkewMs).toUTCString() };
    if (reply.body === null) {
      res.writeHead(reply.status, dated).end();
      return;
    }
    res.writeHead(reply.status, { ...dated, 'Content-Type': 'application/json; charset=utf-8' }).end(JSON.stringify(reply.body));
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return Symbol.for('invalid-json');
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(''));
  });
}
