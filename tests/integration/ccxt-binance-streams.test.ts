/**
 * The CCXT account's streams against the Binance fake (issue 22 slice 4): ticks from the trade
 * stream (`<symbol>@trade` through `watchTrades`), reconnect with our backoff on the fake clock
 * after a drop, a hung connection called stale then dialled again, a quiet pair found by the
 * stale-price watch's REST quote (`ticker/price`), order updates from the WebSocket API user data
 * stream (`watchOrders`) before any lookup, `onListening` after every (re)subscription, no stream
 * connection off the account's endpoints, and no key, secret or signature in any log line or detail.
 */
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { FakeClock } from '../../engine/core/fake-clock';
import { EventBus } from '../../engine/bus/event-bus';
import type { EngineEvent, FeedState } from '../../engine/core/events';
import { asBrokerAccountId, asRunId, asStrategyId, asUserId } from '../../engine/core/ids';
import type { Tick } from '../../engine/core/types';
import { createCcxtAccount, type CcxtAccount } from '../../engine/brokers/ccxt/ccxt-account';
import type { CcxtStreamTiming } from '../../engine/brokers/ccxt/ccxt-sockets';
import { BINANCE } from '../../engine/brokers/ccxt/ccxt-venues';
import { seededUniform } from '../../engine/brokers/alpaca/backoff';
import type { Instrument, OrderReport } from '../../engine/brokers/broker';
import { MarketListener, type Crossing } from '../../engine/market/market-listener';
import { StalePriceWatch } from '../../engine/market/stale-price-watch';
import { createTradingCalendar } from '../../engine/scheduler/trading-calendar';
import { startFakeBinance, type FakeBinance } from '../fakes/binance/fake-binance';
import { eventually } from '../fakes/alpaca/eventually';

// 03:00 UTC on a Sunday: crypto trades, and a request stamped by Date.now() would be refused -1021.
const START = Date.UTC(2026, 11, 6, 3, 0);

const TIMING: Partial<CcxtStreamTiming> = {
  reconnectBaseMs: 200,
  reconnectMaxMs: 2_000,
  handshakeTimeoutMs: 5_000,
  pingIntervalMs: 1_000,
  staleAfterMs: 3_000,
  deadAfterMs: 6_000,
};

let fake: FakeBinance | undefined;
let account: CcxtAccount | undefined;
let watch: StalePriceWatch | undefined;
afterEach(async () => {
  watch?.close();
  await account?.stop();
  await fake?.close();
  account = fake = watch = undefined;
});

interface Setup {
  clock: FakeClock;
  fake: FakeBinance;
  account: CcxtAccount;
  btc: Instrument;
  eth: Instrument;
  ticks: Tick[];
  feeds: { state: FeedState; detail: string | null }[];
  reports: OrderReport[];
  listening: number[];
  /** Every request and stream connection the account made ('WS <url>' for a connection). */
  requests: string[];
  /** Every log line the account wrote. */
  logs: string[];
}

async function setup(opts: { credentials?: { api_key: string; secret: string } } = {}): Promise<Setup> {
  const clock = new FakeClock(START);
  fake = await startFakeBinance({ now: () => clock.now(), prices: { BTCUSDT: '60000', ETHUSDT: '3000' } });
  const { apiKey, secret } = fake.credentials();
  const requests: string[] = [];
  const logs: string[] = [];
  const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (logs.push(chunk.toString('utf8')), done()) });
  account = createCcxtAccount({
    venue: BINANCE,
    clock,
    credentials: opts.credentials ?? { api_key: apiKey, secret },
    options: { rest_url: fake.url },
    onRequest: (m, u) => requests.push(`${m} ${u}`),
    logger: pino({ level: 'debug' }, sink),
    uniform: seededUniform(7),
    timing: TIMING,
  });
  const ticks: Tick[] = [];
  const feeds: Setup['feeds'] = [];
  const reports: OrderReport[] = [];
  const listening: number[] = [];
  account.data.onTick((t) => ticks.push(t));
  account.data.onFeedState((state, detail) => feeds.push({ state, detail }));
  account.execution.onOrderUpdate((r) => reports.push(r));
  account.execution.onListening(() => listening.push(clock.now()));
  const btc = (await account.instruments.resolve('BTC/USDT', 'CRYPTO'))!;
  const eth = (await account.instruments.resolve('ETH/USDT', 'CRYPTO'))!;
  return { clock, fake, account, btc, eth, ticks, feeds, reports, listening, requests, logs };
}

const lastFeed = (s: Setup) => s.feeds.at(-1)?.state;
const subscribed = (s: Setup, streams: string[]) => () => {
  const sessions = s.fake.streamSubscriptions();
  return sessions.length === 1 && JSON.stringify([...sessions[0]!].sort()) === JSON.stringify([...streams].sort());
};

/** Every stream connection went to the account's two stream endpoints on loopback, and nothing leaked. */
function expectClean(s: Setup): void {
  for (const r of s.requests) expect(new URL(r.split(' ')[1]!).hostname).toBe('127.0.0.1');
  for (const ws of s.requests.filter((r) => r.startsWith('WS '))) expect(ws).toMatch(/^WS ws:\/\/127\.0\.0\.1:\d+\/(ws\/\d+|ws-api\/v3)$/);
  const { apiKey, secret } = s.fake.credentials();
  const texts = [...s.logs, ...s.feeds.map((f) => f.detail ?? ''), ...s.reports.map((r) => r.reason ?? '')];
  for (const text of texts) {
    expect(text).not.toContain(apiKey);
    expect(text).not.toContain(secret);
    expect(text).not.toMatch(/signature=[0-9a-f]{64}|"signature":"[0-9a-f]{64}"/);
  }
}

async function upWith(s: Setup, instruments: Instrument[]): Promise<void> {
  s.account.data.subscribe(instruments);
  await s.account.start();
  await eventually(() => lastFeed(s) === 'up' && subscribed(s, instruments.map((i) => `${i.brokerRef.toLowerCase()}@trade`))(), { what: 'the trade stream up and subscribed' });
}

describe('CCXT trade stream on the Binance fake', () => {
  it('delivers a tick per trade with the trade time, every pair on one connection; an unsubscribed pair stops', async () => {
    const s = await setup();
    await upWith(s, [s.btc]);
    s.fake.setPrice('BTCUSDT', '60100.5');
    expect(await eventually(() => s.ticks[0])).toEqual({ symbol: 'BTC/USDT', exchange: 'CRYPTO', price: 60100.5, at: START });
    s.account.data.subscribe([s.eth]);
    await eventually(subscribed(s, ['btcusdt@trade', 'ethusdt@trade']), { what: 'ETH on the same connection' });
    await s.clock.advance(1_000);
    s.fake.setPrice('ETHUSDT', '3001');
    s.fake.setPrice('BTCUSDT', '60101');
    await eventually(() => s.ticks.length === 3);
    expect(s.ticks.slice(1).map((t) => [t.symbol, t.price, t.at])).toEqual([['ETH/USDT', 3001, START + 1_000], ['BTC/USDT', 60101, START + 1_000]]);
    s.account.data.unsubscribe([s.btc]);
    await eventually(subscribed(s, ['ethusdt@trade']), { what: 'BTC unsubscribed at the venue' });
    s.fake.setPrice('BTCUSDT', '60102');
    s.fake.setPrice('ETHUSDT', '3002');
    await eventually(() => s.ticks.length === 4);
    expect(s.ticks.at(-1)).toMatchObject({ symbol: 'ETH/USDT', price: 3002 });
    expect(s.feeds).toEqual([{ state: 'up', detail: null }]);
    expect(s.requests.filter((r) => r.startsWith('WS ')).filter((r) => r.includes('/ws/'))).toHaveLength(1);
    // CCXT's real-time timers are off on every connection (ccxt-sockets.ts does their work on the Clock).
    const clients = Object.values((await s.account.exchange()).clients) as unknown as { keepAlive: unknown; connectionTimeout: unknown; pingInterval: unknown; connectionTimer: unknown }[];
    expect(clients.length).toBeGreaterThan(0);
    for (const c of clients) expect([c.keepAlive, c.connectionTimeout, c.pingInterval, c.connectionTimer]).toEqual([false, false, undefined, undefined]);
    expectClean(s);
  });

  it('a dropped connection: down, dialled again after our backoff on the fake clock, up, subscribed again, ticks again', async () => {
    const s = await setup();
    await upWith(s, [s.btc, s.eth]);
    s.fake.dropStreams();
    await eventually(() => lastFeed(s) === 'down', { what: 'feed down' });
    expect(s.feeds.at(-1)).toEqual({ state: 'down', detail: 'connection lost' });
    // Real time alone does not bring it back: the backoff waits on the Clock.
    await new Promise((r) => setTimeout(r, 150));
    expect(s.fake.streamSubscriptions()).toEqual([]);
    await eventually(() => lastFeed(s) === 'up' && subscribed(s, ['btcusdt@trade', 'ethusdt@trade'])(), { clock: s.clock, stepMs: 50, what: 'up and subscribed again' });
    s.fake.setPrice('BTCUSDT', '59000');
    expect(await eventually(() => s.ticks.find((t) => t.price === 59000))).toMatchObject({ symbol: 'BTC/USDT' });
    expect(s.feeds.map((f) => f.state)).toEqual(['up', 'down', 'up']);
    expectClean(s);
  });

  it('a hung connection (no trades, no pongs): stale, then given up and dialled again, ticks again', async () => {
    const s = await setup();
    await upWith(s, [s.btc]);
    s.fake.hangStreams();
    await eventually(() => lastFeed(s) === 'stale', { clock: s.clock, stepMs: 250, what: 'stale' });
    expect(s.feeds.at(-1)?.detail).toMatch(/^no message from Binance spot's trade stream for \d+ s$/);
    await eventually(() => s.feeds.some((f) => f.state === 'down' && /nothing heard for \d+ s/.test(f.detail ?? '')), { clock: s.clock, stepMs: 250, what: 'given up' });
    await eventually(() => lastFeed(s) === 'up', { clock: s.clock, stepMs: 50, what: 'up again' });
    s.fake.setPrice('BTCUSDT', '61000');
    expect(await eventually(() => s.ticks.find((t) => t.price === 61000))).toMatchObject({ symbol: 'BTC/USDT' });
    expect(s.feeds.map((f) => f.state)).toEqual(['up', 'stale', 'down', 'up']);
    expectClean(s);
  });

  it('stop() during a hung connection returns at once rather than after a graceful close times out', async () => {
    const s = await setup();
    await upWith(s, [s.btc]);
    await eventually(() => s.fake.userDataSubscriptions() === 1, { what: 'the user stream too' });
    s.fake.hangStreams();
    const started = Date.now();
    await s.account.stop();
    // ws waits 30 s (real time) for a close frame the hung server never sends.
    expect(Date.now() - started).toBeLessThan(5_000);
    const feeds = s.feeds.length;
    await s.clock.advance(60_000);
    expect(s.feeds).toHaveLength(feeds);
    account = undefined;
  });

  it('a quiet pair on a live connection: the stale-price watch asks ticker/price, alerts, and the stop acts on the quote', async () => {
    const s = await setup();
    const bus = new EventBus();
    const events: EngineEvent[] = [];
    bus.onAny((e) => events.push(e));
    const logger = pino({ level: 'silent' });
    const market = new MarketListener({ bus, clock: s.clock, logger });
    const hits: Crossing[] = [];
    market.setCrossingHandler((hit) => hits.push(hit));
    const ACCOUNT = asBrokerAccountId(9);
    const S1 = asStrategyId(1);
    market.attach({ id: ACCOUNT, userId: asUserId(1) }, s.account);
    watch = new StalePriceWatch({ market, clock: s.clock, bus, calendar: createTradingCalendar(), logger, runOf: () => ({ userId: asUserId(1), runId: asRunId(10) }) });
    await s.account.start();
    market.watch(ACCOUNT, s.account, s.btc, S1);
    await eventually(() => lastFeed(s) === 'up' && subscribed(s, ['btcusdt@trade'])(), { what: 'subscribed' });
    s.fake.setPrice('BTCUSDT', '60000');
    await eventually(() => s.ticks.length === 1);
    market.setTriggers(ACCOUNT, 'CRYPTO:BTC/USDT', S1, 0, [{ kind: 'STOPLOSS', level: 59_000, dir: 'down' }]);
    // The market moves on under a stream that stays connected but sends nothing.
    s.fake.stallStreams();
    s.fake.setPrice('BTCUSDT', '58900');
    await eventually(() => hits.length === 1, { clock: s.clock, stepMs: 500, timeoutMs: 10_000, what: 'the stop crossed on the REST quote' });
    expect(hits[0]).toMatchObject({ strategyId: S1, kind: 'STOPLOSS', level: 59_000, price: 58_900, source: 'rest' });
    const stale = events.filter((e): e is Extract<EngineEvent, { type: 'price_stale' }> => e.type === 'price_stale');
    expect(stale.map((e) => [e.instrument, e.lastPrice, e.quotePrice])).toEqual([['CRYPTO:BTC/USDT', 60_000, 58_900]]);
    // One request for the quote, to the documented endpoint; the connection itself never went stale.
    expect(s.requests.filter((r) => r.includes('/ticker/price'))[0]).toMatch(/\/api\/v3\/ticker\/price\?symbols=%5B%22BTCUSDT%22%5D$/);
    expect(s.feeds.map((f) => f.state)).toEqual(['up']);
    expectClean(s);
  });
});

describe('CCXT order update stream on the Binance fake', () => {
  it("a MARKET order whose REST answer was lost: its fill arrives by watchOrders, before any lookup", async () => {
    const s = await setup();
    await s.account.start();
    await eventually(() => s.listening.length === 1 && s.fake.userDataSubscriptions() === 1, { what: 'listening' });
    s.fake.injectFault({ route: 'POST /api/v3/order', fault: { kind: 'drop-after-accept' } });
    const result = await s.account.execution.placeOrder({ clientOrderId: 'tck3x9a116261206E', instrument: s.btc, side: 'buy', qty: 0.0015, opens: true });
    expect(result.kind).toBe('unknown');
    const filled = await eventually(() => s.reports.find((r) => r.status === 'filled'));
    expect(filled).toEqual({ clientOrderId: 'tck3x9a116261206E', brokerOrderId: '1', status: 'filled', filledQty: 0.0015, avgFillPrice: 60000, at: START, reason: null });
    expect(s.fake.requests().filter((r) => r.path === '/api/v3/order' && r.method === 'GET')).toEqual([]);
    expect(s.fake.orders()).toHaveLength(1);
    expectClean(s);
  });

  it('a dropped user stream: subscribed again after our backoff, onListening again, and a resting order filled later is reported; the price feed never noticed', async () => {
    const s = await setup();
    await upWith(s, [s.btc]);
    await eventually(() => s.listening.length === 1 && s.fake.userDataSubscriptions() === 1, { what: 'listening' });
    const ex = await s.account.exchange();
    // A LIMIT order resting at the venue (not an order Tradeclock sends: only the stream can tell of its fill).
    await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 59_000, { newClientOrderId: 'tckResting' });
    await eventually(() => s.reports.find((r) => r.clientOrderId === 'tckResting' && r.status === 'accepted'));
    s.fake.dropWsApi();
    await eventually(() => s.fake.userDataSubscriptions() === 0);
    await eventually(() => s.listening.length === 2 && s.fake.userDataSubscriptions() === 1, { clock: s.clock, stepMs: 50, what: 'listening again' });
    s.fake.setPrice('BTCUSDT', '59000');
    const filled = await eventually(() => s.reports.find((r) => r.clientOrderId === 'tckResting' && r.status === 'filled'));
    expect(filled).toMatchObject({ filledQty: 0.001, avgFillPrice: 59_000 });
    // On one loopback origin the trade stream's `…/ws` is a string prefix of `…/ws-api/v3`: its events are not the feed's.
    expect(s.feeds).toEqual([{ state: 'up', detail: null }]);
    expectClean(s);
  });

  it('the venue ends the subscription on a live connection (eventStreamTerminated): dialled and subscribed again, not left deaf', async () => {
    const s = await setup();
    await s.account.start();
    await eventually(() => s.listening.length === 1 && s.fake.userDataSubscriptions() === 1, { what: 'listening' });
    s.fake.terminateUserStreams();
    await eventually(() => s.listening.length === 2 && s.fake.userDataSubscriptions() === 1, { clock: s.clock, stepMs: 50, what: 'listening again' });
    // A LIMIT order resting at the venue, sent past the adapter: only the new subscription can report it.
    await (await s.account.exchange()).createOrder('BTC/USDT', 'limit', 'buy', 0.001, 59_000, { newClientOrderId: 'tckAfter' });
    await eventually(() => s.reports.find((r) => r.clientOrderId === 'tckAfter' && r.status === 'accepted'), { what: 'the NEW event by the stream' });
    expect(s.logs.join('\n')).toContain('the venue ended the user data stream');
    expectClean(s);
  });

  it('a key the venue refuses: not listening, tried again with a growing backoff, and no key, secret or signature in any log line', async () => {
    const s = await setup({ credentials: { api_key: 'not-a-key-of-the-fake', secret: 'not-its-secret-either' } });
    await s.account.start();
    await eventually(() => s.logs.filter((l) => l.includes('order update stream down')).length >= 2, { clock: s.clock, stepMs: 100, what: 'two refusals' });
    expect(s.listening).toEqual([]);
    expect(s.logs.join('\n')).toContain('Invalid API-key, IP, or permissions for action.');
    for (const line of s.logs) {
      expect(line).not.toContain('not-a-key-of-the-fake');
      expect(line).not.toContain('not-its-secret-either');
    }
    expectClean(s);
  });

  it('refuses a stream connection to any URL that is not one of the account\'s two stream endpoints, before dialling', async () => {
    const s = await setup();
    const ex = (await s.account.exchange()) as unknown as { client(url: string): unknown; watchTrades(symbol: string, since?: number, limit?: number, params?: object): Promise<unknown> };
    expect(() => ex.client('wss://stream.binance.com:9443/ws')).toThrow(/refused to send a request to wss:\/\/stream.binance.com:9443\/ws/);
    const futures = `${new URL(s.fake.url).origin.replace('http', 'ws')}/ws-fapi/v1`;
    expect(() => ex.client(futures)).toThrow(/none of this account's endpoints/);
    expect(s.requests.filter((r) => r.startsWith('WS '))).toEqual([]);
    expectClean(s);
  });
});
