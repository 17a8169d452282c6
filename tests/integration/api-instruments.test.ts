/**
 * What the strategy form asks while the trader types: the symbol search (GET
 * /broker/:id/instruments) and the last price (GET /broker/:id/quote), on the paper broker's list,
 * scoped to the user's own accounts, with bounded and validated queries.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness } from '../support/api-harness';

let h: ApiHarness;
let token: string;
let account: number;
beforeAll(async () => {
  h = await startApiHarness();
  ({ token } = await h.register());
  account = await h.connectPaper(token);
});
afterAll(async () => h?.close());

const get = (path: string, as = token) => h.call('GET', path, { token: as });

describe('GET /broker/:id/instruments', () => {
  it('finds symbols by prefix and by name, each with the exchange it is listed on', async () => {
    const res = await get(`/broker/${account}/instruments?q=inf`);
    expect(res.status).toBe(200);
    expect(res.body.instruments).toEqual([
      { symbol: 'INFY', exchange: 'NSE', name: 'Infosys', tick_size: 0.01 },
      { symbol: 'INFY', exchange: 'BSE', name: 'Infosys', tick_size: 0.01 },
    ]);
    expect((await get(`/broker/${account}/instruments?q=apple`)).body.instruments.map((m: { symbol: string; exchange: string }) => `${m.exchange}:${m.symbol}`)).toEqual(['NASDAQ:AAPL']);
  });

  it('narrows to one exchange and to the limit', async () => {
    expect((await get(`/broker/${account}/instruments?q=INFY&exchange=BSE`)).body.instruments.map((m: { exchange: string }) => m.exchange)).toEqual(['BSE']);
    expect((await get(`/broker/${account}/instruments?q=A&limit=2`)).body.instruments).toHaveLength(2);
    expect((await get(`/broker/${account}/instruments?q=ZZZZ`)).body.instruments).toEqual([]);
  });

  it.each([
    ['no q', '', 'q'],
    ['empty q', '?q=%20', 'q'],
    ['q too long', `?q=${'A'.repeat(31)}`, 'q'],
    ['limit 0', '?q=A&limit=0', 'limit'],
    ['limit 21', '?q=A&limit=21', 'limit'],
    ['unknown exchange', '?q=A&exchange=LSE', 'exchange'],
    ['unknown parameter', '?q=A&all=1', 'all'],
  ])('refuses %s, naming the parameter', async (_name, query, field) => {
    const res = await get(`/broker/${account}/instruments${query}`);
    expect(res.status).toBe(400);
    expect(res.body.error.fields.map((f: { field: string }) => f.field)).toEqual([field]);
  });

  it("is not found for another user's account", async () => {
    const other = await h.register();
    expect((await get(`/broker/${account}/instruments?q=A`, other.token)).status).toBe(404);
  });
});

describe('GET /broker/:id/quote', () => {
  it('gives the last price of a listed symbol', async () => {
    const res = await get(`/broker/${account}/quote?symbol=aapl&exchange=NASDAQ`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ symbol: 'AAPL', exchange: 'NASDAQ', known: true, price: expect.any(Number), at: h.clock.now(), instrument: { base: null, quote: null, qty_step: null, min_qty: null, min_notional: null } });
    expect(res.body.price).toBeGreaterThan(0);
  });

  it('says a symbol the broker does not list is unknown, with no price', async () => {
    expect((await get(`/broker/${account}/quote?symbol=APPL&exchange=NASDAQ`)).body).toEqual({ symbol: 'APPL', exchange: 'NASDAQ', known: false, price: null, at: null, instrument: null });
  });

  it('refuses a malformed symbol or a missing exchange, naming each', async () => {
    const res = await get(`/broker/${account}/quote?symbol=AA%20PL!`);
    expect(res.status).toBe(400);
    expect(res.body.error.fields.map((f: { field: string }) => f.field)).toEqual(['symbol', 'exchange']);
  });

  it('refuses a symbol not on the paper list at save, naming the symbol and the exchange', async () => {
    const res = await h.createStrategy(token, account, { symbol: 'APPL', exchange: 'NASDAQ' });
    expect(res.status).toBe(400);
    expect(res.body.error.fields).toEqual([{ field: 'symbol', message: 'symbol APPL is not a tradable instrument on NASDAQ at this broker' }]);
  });
});
