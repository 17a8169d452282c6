/**
 * The Alpaca adapter's market-data stream against the fake: auth and subscribe, batched frames,
 * garbage and bad prices survived (never a NaN tick), reconnect after a drop with the
 * subscriptions restored and a tick after it, a hung connection, and the documented error codes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Instrument } from '../../engine/brokers/broker';
import { eventually } from '../fakes/alpaca/eventually';
import { startAdapterFixture, type AdapterFixture } from '../fakes/alpaca/adapter-fixture';

let f: AdapterFixture;
afterEach(async () => f?.close());

const inst = (symbol: string, exchange: 'NYSE' | 'NASDAQ' = 'NYSE'): Instrument => ({ symbol, exchange, brokerRef: symbol, tickSize: 0.01, shortable: null });
const lastFeed = () => f.feeds.at(-1);
const subscribedAtFake = (symbols: string[]) => () => f.fake.dataSessions().length === 1 && JSON.stringify(f.fake.dataSessions()[0]!.trades.sort()) === JSON.stringify([...symbols].sort());

async function upWith(symbols: string[]): Promise<void> {
  f.broker.data.subscribe(symbols.map((s) => inst(s)));
  await f.broker.start();
  await eventually(() => lastFeed()?.state === 'up' && subscribedAtFake(symbols)(), { what: `feed up with ${symbols.join(',')}` });
}

describe('the market-data stream', () => {
  it('authenticates, subscribes to trades, and delivers ticks with the trade time', async () => {
    f = await startAdapterFixture();
    await upWith(['AAPL']);
    expect(f.feeds).toEqual([{ state: 'up', detail: null }]);
    f.fake.pushTrade('AAPL', 187.31, { at: Date.parse('2026-03-09T14:00:01.250Z') });
    expect(await eventually(() => f.ticks[0])).toEqual({ symbol: 'AAPL', exchange: 'NYSE', price: 187.31, at: Date.parse('2026-03-09T14:00:01.250Z') });
  });

  it('delivers every trade of a batched frame, in order, for subscribed symbols only', async () => {
    f = await startAdapterFixture();
    await upWith(['AAPL', 'MSFT']);
    f.fake.pushTrades([
      { symbol: 'AAPL', price: 101 },
      { symbol: 'IBM', price: 150 },
      { symbol: 'MSFT', price: 50.5 },
      { symbol: 'AAPL', price: 102 },
    ]);
    await eventually(() => f.ticks.length === 3);
    expect(f.ticks.map((t) => [t.symbol, t.price])).toEqual([['AAPL', 101], ['MSFT', 50.5], ['AAPL', 102]]);
  });

  it('gives a tick per exchange the engine asked for, and subscribes and unsubscribes live', async () => {
    f = await startAdapterFixture();
    await upWith(['AAPL']);
    f.broker.data.subscribe([inst('AAPL', 'NASDAQ'), inst('MSFT', 'NASDAQ')]);
    await eventually(subscribedAtFake(['AAPL', 'MSFT']), { what: 'MSFT subscribed' });
    f.fake.pushTrade('AAPL', 120);
    await eventually(() => f.ticks.length === 2);
    expect(f.ticks.map((t) => t.exchange).sort()).toEqual(['NASDAQ', 'NYSE']);
    f.broker.data.unsubscribe([inst('AAPL', 'NYSE'), inst('AAPL', 'NASDAQ')]);
    await eventually(subscribedAtFake(['MSFT']), { what: 'AAPL unsubscribed' });
    expect(lastFeed()).toEqual({ state: 'up', detail: null });
  });

  it('drops garbage and bad prices with a log, keeps the connection, and never emits a NaN', async () => {
    f = await startAdapterFixture();
    await upWith(['AAPL']);
    const t = '"t":"2026-03-09T14:00:00.123456789Z"';
    for (const frame of [
      'not json {',
      '{"T":"t","S":"AAPL","p":1}',
      '[{"T":"t","S":"AAPL","p":"NaN",' + t + '}]',
      '[{"T":"t","S":"AAPL","p":-1,' + t + '}]',
      '[{"T":"t","S":"AAPL","p":0,' + t + '}]',
      '[{"T":"t","S":"AAPL",' + t + '}]',
      '[{"T":"t","S":"AAPL","p":100,"t":"yesterday"}]',
      '[null, 7, {"T":"q","S":"AAPL","bp":1,"ap":2}]',
      '[{"T":"t","S":"AAPL","p":1e400,' + t + '}]',
    ]) f.fake.sendDataFrame(frame);
    f.fake.pushTrade('AAPL', 99.5);
    await eventually(() => f.ticks.length > 0, { what: 'the good tick' });
    expect(f.ticks).toEqual([expect.objectContaining({ price: 99.5 })]);
    expect(f.fake.dataConnections()).toBe(1);
    expect(f.feeds).toEqual([{ state: 'up', detail: null }]);
  });

  it('reconnects after a drop, subscribes again, and the first tick after it arrives', async () => {
    f = await startAdapterFixture();
    await upWith(['AAPL', 'MSFT']);
    f.fake.dropDataStreams();
    await eventually(() => lastFeed()?.state === 'down', { what: 'feed down' });
    expect(f.fake.dataSessions()).toEqual([]);
    await eventually(() => lastFeed()?.state === 'up', { clock: f.clock, stepMs: 50, what: 'feed up again' });
    expect(subscribedAtFake(['AAPL', 'MSFT'])()).toBe(true);
    f.fake.pushTrade('AAPL', 94.5);
    expect(await eventually(() => f.ticks[0])).toMatchObject({ symbol: 'AAPL', price: 94.5 });
    expect(f.feeds.map((s) => s.state)).toEqual(['up', 'down', 'up']);
  });

  it('calls a silent connection stale, then reconnects; a half-open old session is waited out (406)', async () => {
    f = await startAdapterFixture();
    await upWith(['AAPL']);
    f.fake.stallDataStreams();
    await eventually(() => lastFeed()?.state === 'stale', { clock: f.clock, stepMs: 250, what: 'stale' });
    // The client gives the connection up; the fake, like a real server, still holds the session.
    await eventually(() => f.feeds.some((s) => s.state === 'down' && /connection limit exceeded/.test(s.detail ?? '')), { clock: f.clock, stepMs: 250, what: 'a 406 on reconnect' });
    f.fake.resumeDataStreams();
    await eventually(() => lastFeed()?.state === 'up', { clock: f.clock, stepMs: 250, what: 'up again' });
    f.fake.pushTrade('AAPL', 93);
    expect(await eventually(() => f.ticks.at(-1))).toMatchObject({ price: 93 });
  });
});

describe('documented error codes', () => {
  it('402 auth failed: down, saying the key was refused', async () => {
    f = await startAdapterFixture();
    const wrong = f.makeBroker({ credentials: { key_id: f.fake.credentials().key_id, secret_key: 'wrong' } });
    const feeds: (string | null)[] = [];
    wrong.data.onFeedState((state, detail) => feeds.push(`${state}: ${detail}`));
    await wrong.start();
    await eventually(() => feeds.length > 0, { what: 'a feed state' });
    expect(feeds[0]).toMatch(/^down: the market-data stream refused the API key \(auth failed\) \(Alpaca 402 "auth failed"\)/);
  });

  it('409 insufficient subscription: down, suggesting the iex feed', async () => {
    f = await startAdapterFixture({ fake: { accounts: [{ keyId: 'PKIEXONLY', secretKey: 's3cret', feeds: ['iex'] }] } });
    const sip = f.makeBroker({ credentials: { key_id: 'PKIEXONLY', secret_key: 's3cret' }, options: f.fake.connectOptions('sip') });
    const feeds: string[] = [];
    sip.data.onFeedState((state, detail) => feeds.push(`${state}: ${detail}`));
    await sip.start();
    await eventually(() => feeds.length > 0);
    expect(feeds[0]).toMatch(/^down: insufficient subscription.*try feed "iex"/);
  });

  it('405 symbol limit: the feed is stale and says which symbols get no prices; the others still tick', async () => {
    f = await startAdapterFixture({ fake: { symbolLimit: 1 } });
    await upWith(['AAPL']);
    f.broker.data.subscribe([inst('MSFT')]);
    await eventually(() => lastFeed()?.state === 'stale', { what: 'stale' });
    expect(lastFeed()?.detail).toMatch(/symbol limit exceeded/);
    f.fake.pushTrade('AAPL', 101);
    expect(await eventually(() => f.ticks[0])).toMatchObject({ symbol: 'AAPL' });
  });

  it('407 slow client: reconnects and resubscribes', async () => {
    f = await startAdapterFixture();
    await upWith(['AAPL']);
    f.fake.sendDataError(407);
    await eventually(() => lastFeed()?.state === 'down', { what: 'down' });
    expect(lastFeed()?.detail).toMatch(/slow client/);
    await eventually(() => lastFeed()?.state === 'up' && subscribedAtFake(['AAPL'])(), { clock: f.clock, stepMs: 50, what: 'up again' });
  });

  it('403 already authenticated is harmless', async () => {
    f = await startAdapterFixture();
    await upWith(['AAPL']);
    f.fake.sendDataFrame('[{"T":"error","code":403,"msg":"already authenticated"}]');
    f.fake.pushTrade('AAPL', 100.5);
    await eventually(() => f.ticks.length === 1);
    expect(f.feeds).toEqual([{ state: 'up', detail: null }]);
  });

  it('404 auth timeout: down, then connects and authenticates again', async () => {
    f = await startAdapterFixture();
    await upWith(['AAPL']);
    f.fake.sendDataError(404);
    await eventually(() => lastFeed()?.state === 'down', { what: 'down' });
    expect(lastFeed()?.detail).toMatch(/authentication timed out/);
    await eventually(() => lastFeed()?.state === 'up' && subscribedAtFake(['AAPL'])(), { clock: f.clock, stepMs: 50, what: 'up again' });
  });
});
