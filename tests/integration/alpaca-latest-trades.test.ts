/**
 * The Alpaca adapter's REST quote (the cross-check of a silent stream) against the fake:
 * `GET /v2/stocks/trades/latest` for several symbols in one request, a symbol without a trade
 * left out, a trade the stalled stream never delivered, and bad replies refused with a clear
 * error, never a NaN price.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Instrument } from '../../engine/brokers/broker';
import { startAdapterFixture, type AdapterFixture } from '../fakes/alpaca/adapter-fixture';

let f: AdapterFixture;
afterEach(async () => f?.close());

const inst = (symbol: string, exchange: 'NYSE' | 'NASDAQ' = 'NASDAQ'): Instrument => ({ symbol, exchange, brokerRef: symbol, tickSize: 0.01, shortable: null });
const LATEST = 'GET /v2/stocks/trades/latest';

describe('the latest-trades quote', () => {
  it('asks for every symbol in one request and answers with each traded one, its price and trade time', async () => {
    f = await startAdapterFixture();
    f.fake.pushTrade('AAPL', 187.25, { at: Date.parse('2026-03-09T14:00:01.250Z') });
    f.fake.pushTrade('IBM', 150.1, { at: Date.parse('2026-03-09T14:00:02Z') });
    const quotes = await f.broker.data.quote([inst('AAPL'), inst('IBM', 'NYSE'), inst('MSFT')]);
    expect(quotes).toEqual([
      { symbol: 'AAPL', exchange: 'NASDAQ', price: 187.25, at: Date.parse('2026-03-09T14:00:01.250Z') },
      { symbol: 'IBM', exchange: 'NYSE', price: 150.1, at: Date.parse('2026-03-09T14:00:02Z') },
    ]);
    expect(f.fake.requests().filter((r) => `${r.method} ${r.path}` === LATEST).map((r) => r.status)).toEqual([200]);
  });

  it('shows a trade the market-data stream never delivered (the stream stalled)', async () => {
    f = await startAdapterFixture();
    f.broker.data.subscribe([inst('AAPL')]);
    await f.broker.start();
    f.fake.stallDataStreams();
    f.fake.pushTrade('AAPL', 181.5, { at: Date.parse('2026-03-09T14:00:30Z') });
    expect(f.ticks).toEqual([]);
    expect(await f.broker.data.quote([inst('AAPL')])).toEqual([{ symbol: 'AAPL', exchange: 'NASDAQ', price: 181.5, at: Date.parse('2026-03-09T14:00:30Z') }]);
  });

  it('refuses a reply it cannot read, naming what was wrong, and an error status or garbage, without crashing', async () => {
    f = await startAdapterFixture();
    const quote = () => f.broker.data.quote([inst('AAPL')]);
    const reply = (status: number, body: unknown) => f.fake.injectFault({ route: LATEST, fault: { kind: 'status', status, body } });
    reply(200, { trades: { AAPL: { t: '2026-03-09T14:00:01Z', p: '187.25' } } });
    await expect(quote()).rejects.toThrow("Alpaca's latest-trades answer cannot be read: trades.AAPL.p must be a number");
    reply(200, { trades: { AAPL: { t: '2026-03-09T14:00:01Z', p: -1 } } });
    await expect(quote()).rejects.toThrow('trades.AAPL.p must be a price above 0');
    reply(200, { trades: { AAPL: { t: 'yesterday', p: 187.25 } } });
    await expect(quote()).rejects.toThrow('trades.AAPL.t must be an RFC 3339 timestamp');
    reply(200, { trade: {} });
    await expect(quote()).rejects.toThrow("Alpaca's latest-trades answer cannot be read: trades must be an object of trades by symbol");
    reply(500, { code: 50010000, message: 'internal server error' });
    await expect(quote()).rejects.toThrow('Alpaca refused the latest-trades request: HTTP 500 (code 50010000): internal server error');
    f.fake.injectFault({ route: LATEST, fault: { kind: 'garbage' } });
    await expect(quote()).rejects.toThrow("no answer from Alpaca's market-data host (HTTP 200 with a body that is not JSON)");
    // After all that, a good answer is read as ever.
    f.fake.pushTrade('AAPL', 187.3);
    expect((await quote()).map((q) => q.price)).toEqual([187.3]);
  });
});
