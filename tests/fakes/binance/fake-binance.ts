/**
 * A fake Binance spot exchange on loopback: REST `/api/v3/…` and the WebSocket market streams,
 * speaking the documented protocol (SOURCES.md), with faults to inject and a record of every
 * order request it received; and the WebSocket API's user data stream
 * (`userDataStream.subscribe.signature`, then `executionReport` events), not its trading methods.
 *
 * Test controls (not Binance's protocol), also over HTTP for a fake in another process:
 *   GET  /__fake/record    {received: every POST /api/v3/order with its outcome, orders: every order}
 *   POST /__fake/faults    {route?, fault, times?, exitsOnly?}   see fake-faults.ts, ../fault-plan.ts
 *   POST /__fake/price     {symbol, price}           the market trades there (resting LIMITs fill)
 *   POST /__fake/depth     {symbol, qty}             the next MARKET order fills at most qty, the rest EXPIRED
 *   POST /__fake/status    {symbol, status}          the symbol's exchangeInfo status (END_OF_DAY, HALT, BREAK: no orders)
 *   GET  /__fake/balances  {ASSET: {free, locked}}   the first account's balances
 *   POST /__fake/stream/{drop|stall|hang|resume}
 *   POST /__fake/ws-api/{drop|terminate}
 *
 * @example
 *   const fake = await startFakeBinance({ prices: { BTCUSDT: '60000' } });
 *   const { apiKey, secret } = fake.credentials();
 *   …
 *   expect(fake.received().filter((r) => r.outcome.startsWith('placed'))).toHaveLength(1);
 *   await fake.close();
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Decimal from 'decimal.js';
import { WebSocketServer } from 'ws';
import { FakeBinanceBook, type FakeBinanceAccount, type FakeOrder } from './fake-book';
import { BinanceFaultPlan, type BinanceFaultRule } from './fake-faults';
import { FakeMarketStream } from './fake-market-stream';
import { FakeBinanceRest, type ReceivedBinanceOrder } from './fake-rest';
import { DEFAULT_SYMBOLS, type FakeSymbol } from './fake-symbols';
import { FakeWsApi } from './fake-ws-api';

export interface FakeBinanceOptions {
  /** The exchange's clock (serverTime, the recvWindow check, order times); default Date.now. */
  readonly now?: () => number;
  readonly symbols?: readonly FakeSymbol[];
  /** Last price of each symbol ('60000'); a MARKET order on a symbol without one is refused. */
  readonly prices?: Readonly<Record<string, string>>;
  /** The first account's balances; default 10 000 USDT and 1 BTC. */
  readonly balances?: Readonly<Record<string, string>>;
  /** Taker commission rate taken from the asset received; default 0.001 (Binance's 0.1 %). */
  readonly takerCommission?: string;
  /**
   * For this many ms of `now` after a cancel, GET /api/v3/account still counts what the cancel
   * unlocked as `locked`, while orders may already use it (SOURCES.md, **ours**); default 0.
   * `balance()` and /__fake/balances always give the matching engine's own figures.
   */
  readonly staleBalanceAfterCancelMs?: number;
  /** REQUEST_WEIGHT per minute before 429s; default 6000 as documented. */
  readonly weightLimit?: number;
  readonly port?: number;
}

/** The docs' example key pair (SIGNED endpoint examples): the fake's first account. */
export const DOCS_API_KEY = 'vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A';
export const DOCS_SECRET_KEY = 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j';

export interface FakeBinance {
  /** http://127.0.0.1:port (REST is under /api/v3). */
  readonly url: string;
  /** ws://127.0.0.1:port/ws, the raw market stream endpoint. */
  readonly streamUrl: string;
  /** ws://127.0.0.1:port/ws-api/v3, the WebSocket API. */
  readonly wsApiUrl: string;
  readonly account: FakeBinanceAccount;
  credentials(): { apiKey: string; secret: string };
  /** Every POST /api/v3/order that arrived (with a key), and what came of it. */
  received(): readonly ReceivedBinanceOrder[];
  /** Every order at the exchange, as GET /api/v3/order shows it. */
  orders(): Record<string, unknown>[];
  /** Every REST request answered: method, path, status (0: the connection was cut). */
  requests(): readonly { method: string; path: string; status: number }[];
  injectFault(rule: BinanceFaultRule): void;
  setPrice(symbol: string, price: string): void;
  /** The next MARKET order on `symbol` fills at most `qty`; its rest EXPIRES (the book ran out). */
  limitNextMarket(symbol: string, qty: string): void;
  /** The symbol's status as exchangeInfo lists it from now on ('HALT', 'BREAK', 'TRADING'); not TRADING: no orders. */
  setSymbolStatus(symbol: string, status: string): void;
  /** The account's free and locked amount of `asset`, as decimal strings. */
  balance(asset: string): { free: string; locked: string };
  /** Every asset the account has held, as `balance` gives it. */
  balances(): Record<string, { free: string; locked: string }>;
  dropStreams(): void;
  /** Trades stop on open connections, which stay alive (pongs answered): a quiet market. */
  stallStreams(): void;
  /** Open connections hang: no trades, no pongs (a half-open TCP connection). */
  hangStreams(): void;
  resumeStreams(): void;
  streamSubscriptions(): string[][];
  /** Cuts every WebSocket API connection. */
  dropWsApi(): void;
  /** Ends every user data subscription with `eventStreamTerminated`, connections kept. */
  terminateUserStreams(): void;
  /** Open user data stream subscriptions over all WebSocket API connections. */
  userDataSubscriptions(): number;
  close(): Promise<void>;
}

export async function startFakeBinance(opts: FakeBinanceOptions = {}): Promise<FakeBinance> {
  const now = opts.now ?? (() => Date.now());
  const book = new FakeBinanceBook(opts.symbols ?? DEFAULT_SYMBOLS, now, new Decimal(opts.takerCommission ?? '0.001'), opts.staleBalanceAfterCancelMs ?? 0);
  const account = book.addAccount(DOCS_API_KEY, DOCS_SECRET_KEY, opts.balances ?? { USDT: '10000', BTC: '1' });
  const faults = new BinanceFaultPlan();
  const rest = new FakeBinanceRest(book, faults, opts.weightLimit ?? 6000);
  const wss = new WebSocketServer({ noServer: true });
  const stream = new FakeMarketStream(wss);
  const wsApiServer = new WebSocketServer({ noServer: true });
  const wsApi = new FakeWsApi(wsApiServer, book);
  book.onTrade((t) => stream.publish(t));
  for (const [symbol, price] of Object.entries(opts.prices ?? {})) book.setPrice(symbol, price);

  let fake!: FakeBinance;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const work = url.pathname.startsWith('/__fake/') ? admin(fake, req, res, url.pathname) : rest.handle(req, res, url);
    work.catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' }).end(JSON.stringify({ code: -1000, msg: String(e) }));
    });
  });
  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const to = FakeMarketStream.serves(path) ? wss : FakeWsApi.serves(path) ? wsApiServer : undefined;
    if (!to) return void socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
    to.handleUpgrade(req, socket, head, (ws) => to.emit('connection', ws, req));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const orderRecord = (o: FakeOrder) => ({ ...book.orderJson(o), fills: o.fills });
  fake = {
    url: `http://127.0.0.1:${port}`,
    streamUrl: `ws://127.0.0.1:${port}/ws`,
    wsApiUrl: `ws://127.0.0.1:${port}/ws-api/v3`,
    account,
    credentials: () => ({ apiKey: account.apiKey, secret: account.secretKey }),
    received: () => rest.received.map((r) => ({ ...r })),
    orders: () => book.orders.map(orderRecord),
    requests: () => [...rest.log],
    injectFault: (rule) => faults.add(rule),
    setPrice: (symbol, price) => book.setPrice(symbol, price),
    limitNextMarket: (symbol, qty) => book.limitNextMarket(symbol, qty),
    setSymbolStatus: (symbol, status) => book.setSymbolStatus(symbol, status),
    balance: (asset) => {
      const b = account.balances.get(asset);
      return { free: (b?.free ?? new Decimal(0)).toFixed(8), locked: (b?.locked ?? new Decimal(0)).toFixed(8) };
    },
    balances: () => Object.fromEntries([...account.balances.keys()].map((asset) => [asset, fake.balance(asset)])),
    dropStreams: () => stream.drop(),
    stallStreams: () => stream.stall(),
    hangStreams: () => stream.hang(),
    resumeStreams: () => stream.resume(),
    streamSubscriptions: () => stream.subscriptions(),
    dropWsApi: () => wsApi.drop(),
    terminateUserStreams: () => wsApi.terminate(),
    userDataSubscriptions: () => wsApi.subscriptionCount(),
    async close() {
      stream.close();
      wsApi.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
}

async function admin(fake: FakeBinance, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  const ok = (value: unknown = { ok: true }) => void res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(value));
  try {
    const body = (text.trim() === '' ? {} : JSON.parse(text)) as Record<string, unknown>;
    switch (`${req.method} ${path}`) {
      case 'GET /__fake/record':
        return ok({ received: fake.received(), orders: fake.orders() });
      case 'GET /__fake/balances':
        return ok(fake.balances());
      case 'POST /__fake/faults':
        fake.injectFault(body as unknown as BinanceFaultRule);
        return ok();
      case 'POST /__fake/price':
        fake.setPrice(String(body.symbol), String(body.price));
        return ok();
      case 'POST /__fake/depth':
        fake.limitNextMarket(String(body.symbol), String(body.qty));
        return ok();
      case 'POST /__fake/status':
        fake.setSymbolStatus(String(body.symbol), String(body.status));
        return ok();
      case 'POST /__fake/stream/drop':
        fake.dropStreams();
        return ok();
      case 'POST /__fake/stream/stall':
        fake.stallStreams();
        return ok();
      case 'POST /__fake/stream/hang':
        fake.hangStreams();
        return ok();
      case 'POST /__fake/stream/resume':
        fake.resumeStreams();
        return ok();
      case 'POST /__fake/ws-api/drop':
        fake.dropWsApi();
        return ok();
      case 'POST /__fake/ws-api/terminate':
        fake.terminateUserStreams();
        return ok();
      default:
        res.writeHead(404, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: `no fake control ${req.method} ${path}` }));
    }
  } catch (e) {
    res.writeHead(400, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: e instanceof Error ? e.message : String(e) }));
  }
}
