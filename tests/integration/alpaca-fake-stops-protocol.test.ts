/**
 * The fake Alpaca's stop orders on the wire (PROTOCOLS.md §1.4–§1.7, §1.11), checked with fetch
 * and a raw WebSocket rather than through the adapter: a gtc `stop` rests, holds the shares
 * (a market sell of them is refused 403), fires when the price crosses, is replaced by PATCH
 * (a new order; the old one `replaced`), and is cancelled with 204 / 422.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { eventually } from '../fakes/alpaca/eventually';
import { startFakeAlpaca, type FakeAlpaca } from '../fakes/alpaca/fake-alpaca';

let fake: FakeAlpaca;
let ws: WebSocket | undefined;
afterEach(async () => {
  ws?.terminate();
  await fake?.close();
});

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; text: string; json: Record<string, unknown> }> {
  const { key_id, secret_key } = fake.credentials();
  const res = await fetch(`${fake.restUrl}${path}`, { method, headers: { 'APCA-API-KEY-ID': key_id, 'APCA-API-SECRET-KEY': secret_key }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await res.text();
  return { status: res.status, text, json: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

/** A long of 10 AAPL at 100, filled. */
async function long(): Promise<void> {
  fake = await startFakeAlpaca();
  expect((await call('POST', '/v2/orders', { symbol: 'AAPL', qty: '10', side: 'buy', type: 'market', time_in_force: 'day', client_order_id: 'buy-1' })).status).toBe(200);
  await eventually(() => fake.positions().length === 1);
}

const stopBody = { symbol: 'AAPL', qty: '10', side: 'sell', type: 'stop', time_in_force: 'gtc', stop_price: '98.5', client_order_id: 'stop-1' };

describe('fake stop orders', () => {
  it('a gtc stop rests as `new`, holds the shares, and a market sell of them gets the 403 reservation refusal', async () => {
    await long();
    const placed = await call('POST', '/v2/orders', stopBody);
    expect(placed.status).toBe(200);
    expect(placed.json).toMatchObject({ client_order_id: 'stop-1', status: 'accepted', type: 'stop', order_type: 'stop', time_in_force: 'gtc', stop_price: '98.5', limit_price: null, filled_qty: '0' });
    await eventually(async () => (await call('GET', '/v2/orders:by_client_order_id?client_order_id=stop-1')).json.status === 'new');
    const sell = await call('POST', '/v2/orders', { symbol: 'AAPL', qty: '10', side: 'sell', type: 'market', time_in_force: 'day', client_order_id: 'sell-1' });
    expect(sell.status).toBe(403);
    expect(sell.json).toEqual({ available: '0', existing_qty: '10', held_for_orders: '10', symbol: 'AAPL', code: 40310000, message: 'insufficient qty available for order (requested: 10, available: 0)' });
    expect((await call('GET', '/v2/positions/AAPL')).json).toMatchObject({ qty: '10', qty_available: '0' });
  });

  it('refuses a stop without stop_price and a stop_limit without limit_price (422)', async () => {
    await long();
    expect(await call('POST', '/v2/orders', { ...stopBody, stop_price: undefined })).toMatchObject({ status: 422, json: { code: 40010001, message: 'stop_price is required and must be a positive decimal given as a string' } });
    expect(await call('POST', '/v2/orders', { ...stopBody, type: 'stop_limit' })).toMatchObject({ status: 422, json: { message: 'limit_price is required and must be a positive decimal given as a string' } });
  });

  it('fires when a trade crosses the stop: new → fill on trade_updates, at the trade price', async () => {
    await long();
    const { key_id, secret_key } = fake.credentials();
    const frames: Record<string, unknown>[] = [];
    ws = new WebSocket(fake.tradeStreamUrl);
    ws.on('message', (data) => frames.push(JSON.parse(data.toString()) as Record<string, unknown>));
    await new Promise((r) => ws!.once('open', r));
    ws.send(JSON.stringify({ action: 'authenticate', data: { key_id, secret_key } }));
    ws.send(JSON.stringify({ action: 'listen', data: { streams: ['trade_updates'] } }));
    await eventually(() => frames.length === 2);
    await call('POST', '/v2/orders', stopBody);
    fake.pushTrade('AAPL', 98.6);
    fake.pushTrade('AAPL', 98.45);
    await eventually(() => frames.length === 4);
    expect(frames.slice(2)).toMatchObject([
      { stream: 'trade_updates', data: { event: 'new', order: { client_order_id: 'stop-1', status: 'new', type: 'stop' } } },
      { stream: 'trade_updates', data: { event: 'fill', price: '98.45', qty: '10', position_qty: '0', order: { status: 'filled', filled_qty: '10', filled_avg_price: '98.45', stop_price: '98.5' } } },
    ]);
  });

  it('PATCH answers a new order with the new client_order_id; the old one reads `replaced` with replaced_by', async () => {
    await long();
    const placed = await call('POST', '/v2/orders', stopBody);
    const patched = await call('PATCH', `/v2/orders/${String(placed.json.id)}`, { stop_price: '99.1', client_order_id: 'stop-1b' });
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({ client_order_id: 'stop-1b', replaces: placed.json.id, stop_price: '99.1', qty: '10', type: 'stop', time_in_force: 'gtc', status: 'accepted' });
    expect(patched.json.id).not.toBe(placed.json.id);
    expect((await call('GET', `/v2/orders/${String(placed.json.id)}`)).json).toMatchObject({ status: 'replaced', replaced_by: patched.json.id });
    expect(await call('PATCH', `/v2/orders/${String(placed.json.id)}`, { stop_price: '99.2' })).toMatchObject({ status: 422 });
    expect(await call('PATCH', `/v2/orders/${String(patched.json.id)}`, { stop_price: '99.2', client_order_id: 'stop-1' })).toMatchObject({ status: 422, json: { message: 'client_order_id must be unique' } });
  });

  it('DELETE: 204 with no body, then `canceled`; 422 once the stop filled', async () => {
    await long();
    const first = await call('POST', '/v2/orders', stopBody);
    const deleted = await call('DELETE', `/v2/orders/${String(first.json.id)}`);
    expect(deleted).toMatchObject({ status: 204, text: '' });
    await eventually(async () => (await call('GET', `/v2/orders/${String(first.json.id)}`)).json.status === 'canceled');
    const second = await call('POST', '/v2/orders', { ...stopBody, client_order_id: 'stop-2' });
    fake.setPrice('AAPL', 90);
    await eventually(async () => (await call('GET', `/v2/orders/${String(second.json.id)}`)).json.status === 'filled');
    expect(await call('DELETE', `/v2/orders/${String(second.json.id)}`)).toMatchObject({ status: 422, json: { code: 42210000, message: 'order is not cancelable' } });
  });
});
