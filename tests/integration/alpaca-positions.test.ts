/**
 * The fake Alpaca's positions (GET /v2/positions, GET /v2/positions/{symbol_or_asset_id}) follow
 * from its fills, and the trader's hand sale (`sellByHand`, POST /__fake/sell-by-hand) moves them,
 * checked with raw fetch against the documented shapes (SOURCES.md), not through the adapter.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeAlpaca, type FakeAlpaca } from '../fakes/alpaca/fake-alpaca';
import { eventually } from '../fakes/alpaca/eventually';

let fake: FakeAlpaca;
afterEach(async () => fake?.close());

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const { key_id, secret_key } = fake.credentials();
  const res = await fetch(`${fake.restUrl}${path}`, {
    method,
    headers: { 'APCA-API-KEY-ID': key_id, 'APCA-API-SECRET-KEY': secret_key, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text === '' ? null : (JSON.parse(text) as unknown) };
}

const buy = (symbol: string, qty: number, cid: string) => call('POST', '/v2/orders', { symbol, qty: String(qty), side: 'buy', type: 'market', time_in_force: 'day', client_order_id: cid });
const sell = (symbol: string, qty: number, cid: string) => call('POST', '/v2/orders', { symbol, qty: String(qty), side: 'sell', type: 'market', time_in_force: 'day', client_order_id: cid });

describe('fake Alpaca positions', () => {
  it('none held: 404 {"code":40410000,"message":"position does not exist"}, and an empty list', async () => {
    fake = await startFakeAlpaca();
    expect(await call('GET', '/v2/positions/AAPL')).toEqual({ status: 404, json: { code: 40410000, message: 'position does not exist' } });
    expect(await call('GET', '/v2/positions')).toEqual({ status: 200, json: [] });
  });

  it('a long position from fills: the documented fields, decimals as strings, by symbol or asset id', async () => {
    fake = await startFakeAlpaca({ prices: { AAPL: 100 } });
    await buy('AAPL', 10, 'b1');
    // The fake fills after it answers: the first fill must be in before the price moves.
    await eventually(() => fake.orders()[0]?.status === 'filled', { what: 'the first fill' });
    fake.setPrice('AAPL', 110);
    await buy('AAPL', 10, 'b2');
    await eventually(() => fake.orders().every((o) => o.status === 'filled'), { what: 'both fills' });
    fake.setPrice('AAPL', 120);
    const { status, json } = await call('GET', '/v2/positions/AAPL');
    expect(status).toBe(200);
    const assetId = (json as { asset_id: string }).asset_id;
    expect(json).toEqual({
      asset_id: assetId,
      symbol: 'AAPL',
      exchange: 'NASDAQ',
      asset_class: 'us_equity',
      asset_marginable: true,
      avg_entry_price: '105',
      qty: '20',
      qty_available: '20',
      side: 'long',
      market_value: '2400',
      cost_basis: '2100',
      unrealized_pl: '300',
      unrealized_plpc: '0.142857143',
      unrealized_intraday_pl: '300',
      unrealized_intraday_plpc: '0.142857143',
      current_price: '120',
      lastday_price: '120',
      change_today: '0',
    });
    expect((await call('GET', `/v2/positions/${assetId}`)).json).toEqual(json);
    expect((await call('GET', '/v2/positions')).json).toEqual([json]);
  });

  it('qty_available leaves out what an open sell order holds', async () => {
    fake = await startFakeAlpaca();
    await buy('AAPL', 10, 'b1');
    await eventually(() => fake.orders()[0]?.status === 'filled');
    fake.setBehavior('hold', true);
    await sell('AAPL', 4, 's1');
    expect((await call('GET', '/v2/positions/AAPL')).json).toMatchObject({ qty: '10', qty_available: '6', side: 'long' });
  });

  it('a hand sale in Alpaca\'s app (admin route): an order with Alpaca\'s own id, not among the API\'s requests; a full sale closes the position', async () => {
    fake = await startFakeAlpaca();
    await buy('AAPL', 10, 'b1');
    await eventually(() => fake.orders()[0]?.status === 'filled');
    const res = await fetch(`${fake.adminUrl}/sell-by-hand`, { method: 'POST', body: JSON.stringify({ symbol: 'AAPL', qty: 4 }) });
    const sold = (await res.json()) as { id: string; client_order_id: string };
    expect(sold.client_order_id).toMatch(/^[0-9a-f-]{36}$/);
    expect((await call('GET', '/v2/positions/AAPL')).json).toMatchObject({ qty: '6', side: 'long' });
    expect(fake.orders().map((o) => [o.client_order_id, o.side, o.status, o.filled_qty])).toEqual([
      ['b1', 'buy', 'filled', '10'],
      [sold.client_order_id, 'sell', 'filled', '4'],
    ]);
    expect(fake.received().map((r) => r.clientOrderId)).toEqual(['b1']);
    fake.sellByHand('AAPL', 6);
    expect((await call('GET', '/v2/positions/AAPL')).status).toBe(404);
  });

  it('selling more than held opens a short: negative qty, market value and cost basis, side "short"', async () => {
    fake = await startFakeAlpaca({ prices: { MSFT: 50 } });
    await buy('MSFT', 3, 'b1');
    await eventually(() => fake.orders()[0]?.status === 'filled');
    fake.sellByHand('MSFT', 5);
    expect((await call('GET', '/v2/positions/MSFT')).json).toMatchObject({ qty: '-2', qty_available: '-2', side: 'short', avg_entry_price: '50', market_value: '-100', cost_basis: '-100' });
  });

  it('a hand sale the fake cannot make is refused by the admin route with a reason', async () => {
    fake = await startFakeAlpaca();
    const res = await fetch(`${fake.adminUrl}/sell-by-hand`, { method: 'POST', body: JSON.stringify({ symbol: 'NOPE', qty: 1 }) });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'the fake has no asset NOPE' });
  });
});
