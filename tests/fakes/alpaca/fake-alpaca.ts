/**
 * A fake Alpaca on loopback: Trading API v2 over HTTP, the trade_updates stream and the
 * market-data stream v2 over WebSocket, speaking the documented protocol (SOURCES.md), with
 * faults to inject and a record of every order it received.
 *
 * @example
 *   const fake = await startFakeAlpaca();
 *   const broker = createAlpacaBroker({ clock, credentials: fake.credentials(), options: fake.connectOptions() });
 *   …
 *   expect(fake.received().filter((o) => o.side === 'buy')).toHaveLength(1);
 *   await fake.close();
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { FakeAlpacaOptions, OrderBehavior } from './fake-config';
import { FakeDataStream, type FakeTrade } from './fake-data-stream';
import { FakeDesk, type ReceivedOrder } from './fake-desk';
import type { FakeAccount } from './fake-entities';
import { FaultPlan, type FaultRule } from './fake-faults';
import { FakePrices, type RandomWalkOptions, type ScriptPoint } from './fake-prices';
import { FakeRest } from './fake-rest';
import { FakeBars, type FakeBar } from './fake-bars';
import { FakeTrades, type FakeHistoricalTrade } from './fake-trades';
import { FakeTradeStream } from './fake-trade-stream';
import { handleAdmin } from './fake-admin';

export interface FakeAlpaca {
  readonly restUrl: string;
  readonly tradeStreamUrl: string;
  /** The IEX feed's URL; `dataStreamUrlFor('sip')` for another. */
  readonly dataStreamUrl: string;
  readonly adminUrl: string;
  readonly accounts: readonly FakeAccount[];
  dataStreamUrlFor(feed: string): string;
  /** The first account's keys, as the adapter's credentials. */
  credentials(keyId?: string): { key_id: string; secret_key: string };
  /** The adapter's options pointing every endpoint at the fake. */
  connectOptions(feed?: string): { paper: true; rest_url: string; data_url: string; trade_stream_url: string; data_stream_url: string };
  /** Copies of the order requests that arrived, from index `from` on (all by default). */
  received(from?: number): readonly ReceivedOrder[];
  /** How many order requests arrived (received().length without copying them). */
  receivedCount(): number;
  orders(keyId?: string): Record<string, unknown>[];
  requests(): readonly { at: number; method: string; path: string; status: number }[];
  injectFault(rule: FaultRule): void;
  setBehavior(behavior: OrderBehavior, once?: boolean): void;
  fillOrder(clientOrderId: string): void;
  /** Alpaca replaces the order on its own (fake-desk.ts `replace`); returns the replacement's id and client order id. */
  replaceOrder(clientOrderId: string, opts?: { silence?: 'all' | 'replacement'; qty?: number }): { id: string; clientOrderId: string };
  /** Moves an order to a status such as `calculated` and sends that event. */
  restateOrder(clientOrderId: string, status: string): void;
  /** Decimals as JSON numbers (true) or strings (false, Alpaca's documented form). */
  setNumbers(numbers: boolean): void;
  /**
   * The trader sells `qty` shares of `symbol` by hand in Alpaca's app, outside Tradeclock: a sell
   * order with Alpaca's own client order id, filled at once at the current price (trade_updates
   * `new` and `fill`), listed by GET /v2/orders but not in `received()` (it never came through the
   * API). The position drops by `qty`; below 0 it is a short. Returns the order's ids.
   * @example fake.sellByHand('AAPL', 10)
   */
  sellByHand(symbol: string, qty: number, keyId?: string): { id: string; clientOrderId: string };
  /**
   * The trader buys `qty` shares of `symbol` by hand in Alpaca's app, as `sellByHand` sells: a
   * short is covered (the position rises by `qty`). Returns the order's ids.
   * @example fake.buyByHand('AAPL', 10)
   */
  buyByHand(symbol: string, qty: number, keyId?: string): { id: string; clientOrderId: string };
  /** The account's open positions, as GET /v2/positions lists them. */
  positions(keyId?: string): Record<string, unknown>[];
  /** The price trades at `price` (no data-stream frame): resting stop orders it crosses fire. */
  setPrice(symbol: string, price: number): void;
  /** The symbol's historical 1-minute bars, served by GET /v2/stocks/{symbol}/bars (fake-bars.ts). */
  setBars(symbol: string, bars: readonly FakeBar[]): void;
  /** The symbol's historical trades, served by GET /v2/stocks/trades?symbols= (fake-trades.ts); `tradePages` the queries asked. */
  setTrades(symbol: string, trades: readonly FakeHistoricalTrade[]): void;
  readonly tradePages: readonly URLSearchParams[];
  /** DELETE answers 204 but leaves the order `pending_cancel` (true) until `confirmCancels`. */
  holdCancels(hold: boolean): void;
  /** Every `pending_cancel` order turns `canceled`, with its trade_updates event. */
  confirmCancels(): void;
  pushTrade(symbol: string, price: number, opts?: { size?: number; at?: number }): void;
  pushTrades(trades: readonly FakeTrade[], batch?: boolean): void;
  sendDataFrame(text: string): void;
  sendDataError(code: number): void;
  dropDataStreams(): void;
  stallDataStreams(): void;
  resumeDataStreams(): void;
  dataSessions(): { keyId: string; feed: string; trades: string[] }[];
  dataConnections(): number;
  dropTradeStreams(): void;
  blockTradeStreams(blocked: boolean): void;
  sendTradeGarbage(text?: string): void;
  sendTradeHeartbeat(): void;
  tradeListeners(): string[];
  startRandomWalk(opts: RandomWalkOptions): void;
  stopRandomWalk(): void;
  playScript(symbol: string, points: readonly ScriptPoint[]): void;
  close(): Promise<void>;
}

export async function startFakeAlpaca(opts: FakeAlpacaOptions = {}): Promise<FakeAlpaca> {
  const now = opts.now ?? (() => Date.now());
  // The desk reports to the trade stream, which authenticates against the desk: bound late.
  let tradeStream!: FakeTradeStream;
  const desk = new FakeDesk(opts, now, (keyId, data) => tradeStream.publish(keyId, data));
  const faults = new FaultPlan();
  const tradeWss = new WebSocketServer({ noServer: true });
  const dataWss = new WebSocketServer({ noServer: true });
  tradeStream = new FakeTradeStream(tradeWss, desk, opts.binaryTradeFrames ?? true);
  const dataStream = new FakeDataStream(dataWss, desk, { symbolLimit: opts.symbolLimit ?? 30, authTimeoutMs: opts.authTimeoutMs ?? 10_000 });
  const bars = new FakeBars(opts.barsPageMax);
  const trades = new FakeTrades(opts.tradesPageMax);
  const rest = new FakeRest(desk, faults, opts.rateLimit ?? 200, opts.clockSkewMs ?? 0, (symbol) => dataStream.latestTrade(symbol), bars, trades);
  const prices = new FakePrices(desk, dataStream);
  let fake: FakeAlpaca | undefined;

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const work = url.pathname.startsWith('/__fake/') ? handleAdmin(fake!, req, res, url.pathname) : rest.handle(req, res, url);
    work.catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' }).end(JSON.stringify({ code: 50010000, message: String(err) }));
    });
  });
  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    // §1.1/§1.11: /stream; §1.10: /v2/{iex|sip|delayed_sip|test}.
    const wss = path === '/stream' ? tradeWss : /^\/v2\/(iex|sip|delayed_sip|test)$/.test(path) ? dataWss : undefined;
    if (!wss) {
      socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const http = `http://127.0.0.1:${port}`;
  const ws = `ws://127.0.0.1:${port}`;
  const first = desk.accounts[0]!;

  fake = {
    restUrl: http,
    tradeStreamUrl: `${ws}/stream`,
    dataStreamUrl: `${ws}/v2/iex`,
    adminUrl: `${http}/__fake`,
    accounts: desk.accounts,
    dataStreamUrlFor: (feed) => `${ws}/v2/${feed}`,
    credentials: (keyId = first.keyId) => {
      const a = desk.account(keyId);
      if (!a) throw new Error(`the fake has no account ${keyId}`);
      return { key_id: a.keyId, secret_key: a.secretKey };
    },
    connectOptions: (feed = 'iex') => ({ paper: true, rest_url: http, data_url: http, trade_stream_url: `${ws}/stream`, data_stream_url: `${ws}/v2/${feed}` }),
    received: (from = 0) => desk.received.slice(from).map((r) => ({ ...r })),
    receivedCount: () => desk.received.length,
    orders: (keyId = first.keyId) => desk.ordersOf(keyId).map((o) => desk.json(o)),
    requests: () => [...rest.log],
    injectFault: (rule) => faults.add(rule),
    setBehavior: (behavior, once = false) => (once ? desk.queueBehavior(behavior) : (desk.behavior = behavior)),
    fillOrder: (cid) => desk.fill(cid),
    replaceOrder: (cid, o) => {
      const next = desk.replace(cid, o);
      return { id: next.id, clientOrderId: next.clientOrderId };
    },
    restateOrder: (cid, status) => desk.restate(cid, status),
    setNumbers: (numbers) => (desk.numbers = numbers),
    sellByHand: (symbol, qty, keyId = first.keyId) => {
      const order = desk.tradeByHand(keyId, symbol, 'sell', qty);
      return { id: order.id, clientOrderId: order.clientOrderId };
    },
    buyByHand: (symbol, qty, keyId = first.keyId) => {
      const order = desk.tradeByHand(keyId, symbol, 'buy', qty);
      return { id: order.id, clientOrderId: order.clientOrderId };
    },
    positions: (keyId = first.keyId) => desk.positionsOf(keyId),
    setPrice: (symbol, price) => desk.setPrice(symbol, price),
    setBars: (symbol, list) => bars.set(symbol, list),
    setTrades: (symbol, list) => trades.set(symbol, list),
    tradePages: trades.asked,
    holdCancels: (hold) => (desk.holdCancels = hold),
    confirmCancels: () => desk.confirmCancels(),
    pushTrade: (symbol, price, o = {}) => dataStream.trades([{ symbol, price, ...o }]),
    pushTrades: (trades, batch = true) => dataStream.trades(trades, batch),
    sendDataFrame: (text) => dataStream.raw(text),
    sendDataError: (code) => dataStream.error(code),
    dropDataStreams: () => dataStream.drop(),
    stallDataStreams: () => dataStream.stall(),
    resumeDataStreams: () => dataStream.resume(),
    dataSessions: () => dataStream.info(),
    dataConnections: () => dataStream.connections(),
    dropTradeStreams: () => tradeStream.drop(),
    blockTradeStreams: (blocked) => (tradeStream.blocked = blocked),
    sendTradeGarbage: (text) => tradeStream.garbage(text),
    sendTradeHeartbeat: () => tradeStream.heartbeat(),
    tradeListeners: () => tradeStream.listeners(),
    startRandomWalk: (o) => prices.startRandomWalk(o),
    stopRandomWalk: () => prices.stopRandomWalk(),
    playScript: (symbol, points) => prices.play(symbol, points),
    async close() {
      prices.close();
      desk.close();
      dataStream.resume();
      for (const c of [...tradeWss.clients, ...dataWss.clients]) c.terminate();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
}
