/**
 * Issue 22 through the API: a paper BTC/USDT strategy says which currency it buys and which it is
 * priced in, with the pair's step, least quantity and least order value, on create, on GET and in
 * the list; the form's quote of the pair says the same before anything is saved. An instrument
 * that is no pair (AAPL) says none of it. (crypto-paper.test.ts runs the same pair through a day.)
 *
 * Paper BTC/USDT: step 0.00001, least quantity 0.00001, least order value 5 USDT.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness } from '../support/api-harness';

let h: ApiHarness;
let token: string;
let account: number;
beforeAll(async () => {
  h = await startApiHarness({ at: '2026-12-06T02:50:00Z' });
  ({ token } = await h.register());
  account = await h.connectPaper(token);
});
afterAll(async () => h?.close());

const BTC_FACTS = { base: 'BTC', quote: 'USDT', qty_step: 0.00001, min_qty: 0.00001, min_notional: 5 };
const NO_FACTS = { base: null, quote: null, qty_step: null, min_qty: null, min_notional: null };

describe('a paper BTC/USDT strategy through the API', () => {
  it('carries its base and quote currency, step, least quantity and least order value', async () => {
    const created = await h.createStrategy(token, account, { symbol: 'btc/usdt', exchange: 'CRYPTO', qty: '0.0015', buy_time: '03:00', sell_time: '03:30', stop_loss: 59_000 });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ symbol: 'BTC/USDT', qty: 0.0015, ...BTC_FACTS });
    expect((await h.call('GET', `/strategy/${created.body.id}`, { token })).body).toMatchObject(BTC_FACTS);
    const listed = (await h.call('GET', '/strategy', { token })).body.strategies.find((s: { id: number }) => s.id === created.body.id);
    expect(listed).toMatchObject(BTC_FACTS);

    const aapl = await h.createStrategy(token, account);
    expect(aapl.status).toBe(201);
    expect(aapl.body).toMatchObject({ symbol: 'AAPL', ...NO_FACTS });
  });

  it("answers the form's quote of the pair with the same facts, before any strategy is saved", async () => {
    const res = await h.call('GET', `/broker/${account}/quote?symbol=eth%2Fusdt&exchange=CRYPTO`, { token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ symbol: 'ETH/USDT', exchange: 'CRYPTO', known: true, instrument: { base: 'ETH', quote: 'USDT', qty_step: 0.0001, min_qty: 0.0001, min_notional: 5 } });
    expect((await h.call('GET', `/broker/${account}/quote?symbol=DOGE%2FUSDT&exchange=CRYPTO`, { token })).body).toEqual({ symbol: 'DOGE/USDT', exchange: 'CRYPTO', known: false, price: null, at: null, instrument: null });
  });
});
