/**
 * The fake Kite's GTT triggers on the wire (kite.trade/docs/connect/v3/gtt; shapes of
 * kiteconnect-mocks c7a8123 gtt_*.json; tests/fakes/kite/SOURCES.md), checked with fetch and a raw
 * ticker socket rather than through the adapter: form-encoded place and modify answering
 * `{trigger_id}`, the trigger object, Kite's refusals, and a fire placing an untagged LIMIT order
 * that shows in GET /orders and on the ticker. Two-leg (OCO) GTTs against the documented facts:
 * `orders[i]` executes when `trigger_values[i]` is reached (docs), the lower value below the last
 * price and the upper above it (forum comment 45755's refusals), and a fired one `triggered` with
 * only that order's `result` (kiteconnect-mocks gtt_get_order.json, fired at its upper value).
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startKiteFake, type KiteFake } from '../fakes/kite/kite-fake';
import { waitFor } from '../fakes/kite/wait-for';

let fake: KiteFake;
let ws: WebSocket | undefined;
afterEach(async () => {
  ws?.terminate();
  await fake?.close();
});

async function call(method: string, path: string, form?: Record<string, string>): Promise<{ status: number; body: { status: string; data?: unknown; error_type?: string; message?: string } }> {
  const res = await fetch(`${fake.restUrl}${path}`, {
    method,
    headers: { 'X-Kite-Version': '3', Authorization: `token ${fake.apiKey}:${fake.accessToken}`, ...(form ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}) },
    ...(form ? { body: new URLSearchParams(form).toString() } : {}),
  });
  return { status: res.status, body: (await res.json()) as never };
}

const sellGtt = (trigger: number, over: Record<string, unknown> = {}) => ({
  type: 'single',
  condition: JSON.stringify({ exchange: 'NSE', tradingsymbol: 'INFY', trigger_values: [trigger], last_price: 100 }),
  orders: JSON.stringify([{ exchange: 'NSE', tradingsymbol: 'INFY', transaction_type: 'SELL', quantity: 5, order_type: 'LIMIT', product: 'MIS', price: 97, ...over }]),
});

/** A two-leg (OCO) GTT: `trigger_values` and their orders, index for index (kite.trade/docs/connect/v3/gtt). */
const ocoGtt = (side: 'SELL' | 'BUY', triggers: [number, number], prices: [number, number], lastPrice = 100) => ({
  type: 'two-leg',
  condition: JSON.stringify({ exchange: 'NSE', tradingsymbol: 'INFY', trigger_values: triggers, last_price: lastPrice }),
  orders: JSON.stringify(prices.map((price) => ({ exchange: 'NSE', tradingsymbol: 'INFY', transaction_type: side, quantity: 5, order_type: 'LIMIT', product: 'MIS', price }))),
});

type GttBody = { status: string; type: string; condition: { trigger_values: number[] }; orders: { price: number; result: null | { triggered_at: number; order_result: { status: string; order_id: string } } }[] };

describe('fake GTT triggers', () => {
  it('place → {trigger_id}; GET one and the list give the trigger object; PUT keeps the id; DELETE turns it deleted', async () => {
    fake = await startKiteFake({ prices: { INFY: 100 } });
    const placed = await call('POST', '/gtt/triggers', sellGtt(98));
    expect(placed).toEqual({ status: 200, body: { status: 'success', data: { trigger_id: expect.any(Number) } } });
    const id = (placed.body.data as { trigger_id: number }).trigger_id;
    const one = await call('GET', `/gtt/triggers/${id}`);
    expect(one.body.data).toEqual({
      id,
      user_id: 'ZF1234',
      parent_trigger: null,
      type: 'single',
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/),
      updated_at: expect.any(String),
      expires_at: expect.any(String),
      status: 'active',
      condition: { exchange: 'NSE', tradingsymbol: 'INFY', trigger_values: [98], last_price: 100, instrument_token: 408065 },
      orders: [{ exchange: 'NSE', tradingsymbol: 'INFY', product: 'MIS', order_type: 'LIMIT', transaction_type: 'SELL', quantity: 5, price: 97, result: null }],
      meta: {},
    });
    expect((await call('GET', '/gtt/triggers')).body.data).toEqual([one.body.data]);
    expect(await call('PUT', `/gtt/triggers/${id}`, sellGtt(99))).toEqual({ status: 200, body: { status: 'success', data: { trigger_id: id } } });
    expect(await call('DELETE', `/gtt/triggers/${id}`)).toEqual({ status: 200, body: { status: 'success', data: { trigger_id: id } } });
    expect((await call('GET', `/gtt/triggers/${id}`)).body.data).toMatchObject({ status: 'deleted', condition: { trigger_values: [99] } });
    expect(await call('DELETE', `/gtt/triggers/${id}`)).toMatchObject({ status: 400, body: { status: 'error', error_type: 'InputException', message: 'Trigger is not active (deleted).' } });
    expect(await call('GET', '/gtt/triggers/1')).toMatchObject({ status: 404, body: { error_type: 'GeneralException' } });
  });

  it('refuses a trigger too close to the last price, a MARKET order, and a body that is not a form', async () => {
    fake = await startKiteFake({ prices: { INFY: 100 } });
    expect(await call('POST', '/gtt/triggers', sellGtt(99.8))).toMatchObject({ status: 400, body: { error_type: 'InputException', message: 'Trigger price is too close to the last price.' } });
    expect(await call('POST', '/gtt/triggers', sellGtt(98, { order_type: 'MARKET' }))).toMatchObject({ status: 400, body: { message: 'Invalid `order_type`: a GTT places LIMIT orders.' } });
    const json = await fetch(`${fake.restUrl}/gtt/triggers`, { method: 'POST', headers: { 'X-Kite-Version': '3', Authorization: `token ${fake.apiKey}:${fake.accessToken}`, 'Content-Type': 'application/json' }, body: '{}' });
    expect(json.status).toBe(400);
    expect(fake.gtts()).toEqual([]);
  });

  it('GET /quote/ltp answers the last price keyed by EXCHANGE:TRADINGSYMBOL', async () => {
    fake = await startKiteFake({ prices: { INFY: 100 } });
    expect((await call('GET', '/quote/ltp?i=NSE:INFY&i=NSE:NOSUCH')).body).toEqual({ status: 'success', data: { 'NSE:INFY': { instrument_token: 408065, last_price: 100 } } });
  });

  it('a price reaching the trigger fires it: an untagged LIMIT order, in GET /orders and on the ticker, named by the result', async () => {
    fake = await startKiteFake({ prices: { INFY: 100 } });
    const frames: string[] = [];
    ws = new WebSocket(`${fake.tickerUrl}?api_key=${fake.apiKey}&access_token=${fake.accessToken}`);
    ws.on('message', (data, binary) => !binary && frames.push(data.toString()));
    await new Promise((r) => ws!.once('open', r));
    const id = ((await call('POST', '/gtt/triggers', sellGtt(98))).body.data as { trigger_id: number }).trigger_id;
    fake.setPrice('INFY', 98.5);
    expect((await call('GET', `/gtt/triggers/${id}`)).body.data).toMatchObject({ status: 'active' });
    fake.setPrice('INFY', 97.6);
    const gtt = (await call('GET', `/gtt/triggers/${id}`)).body.data as { status: string; orders: { result: { order_result: { order_id: string } } }[] };
    expect(gtt).toMatchObject({ status: 'triggered', orders: [{ result: { triggered_at: 97.6, order_result: { status: 'success', rejection_reason: '' }, meta: `{"app_id":12617,"gtt":${id}}` } }] });
    const orderId = gtt.orders[0]!.result.order_result.order_id;
    expect((await call('GET', '/orders')).body.data).toEqual([expect.objectContaining({ order_id: orderId, order_type: 'LIMIT', price: 97, quantity: 5, tag: null, status: 'COMPLETE', average_price: 97.6 })]);
    await waitFor('the order frames', () => frames.length >= 2);
    expect(frames.map((f) => JSON.parse(f) as { type: string; data: { order_id: string; status: string } })).toMatchObject([
      { type: 'order', data: { order_id: orderId, status: 'OPEN' } },
      { type: 'order', data: { order_id: orderId, status: 'COMPLETE' } },
    ]);
  });
});

describe('fake two-leg (OCO) GTT triggers', () => {
  it('place → {trigger_id}; GET shows type two-leg, both trigger values ascending and both orders, index for index, result null', async () => {
    fake = await startKiteFake({ prices: { INFY: 100 } });
    const placed = await call('POST', '/gtt/triggers', ocoGtt('SELL', [95, 105], [94, 104]));
    expect(placed).toEqual({ status: 200, body: { status: 'success', data: { trigger_id: expect.any(Number) } } });
    const id = (placed.body.data as { trigger_id: number }).trigger_id;
    expect((await call('GET', `/gtt/triggers/${id}`)).body.data).toMatchObject({
      id,
      type: 'two-leg',
      status: 'active',
      condition: { trigger_values: [95, 105], last_price: 100 },
      orders: [
        { transaction_type: 'SELL', quantity: 5, order_type: 'LIMIT', price: 94, result: null },
        { transaction_type: 'SELL', quantity: 5, order_type: 'LIMIT', price: 104, result: null },
      ],
      meta: {},
    });
    // PUT keeps the id and may move a value (a trailing stop); DELETE turns it deleted, as a single-leg one.
    expect(await call('PUT', `/gtt/triggers/${id}`, ocoGtt('SELL', [97, 105], [96, 104]))).toEqual({ status: 200, body: { status: 'success', data: { trigger_id: id } } });
    expect((await call('GET', `/gtt/triggers/${id}`)).body.data).toMatchObject({ condition: { trigger_values: [97, 105] }, orders: [{ price: 96 }, { price: 104 }] });
    expect(await call('DELETE', `/gtt/triggers/${id}`)).toEqual({ status: 200, body: { status: 'success', data: { trigger_id: id } } });
    expect((await call('GET', `/gtt/triggers/${id}`)).body.data).toMatchObject({ type: 'two-leg', status: 'deleted' });
  });

  it('refuses what Kite refuses: a value equal to the last price, the second below it, the first above it, too close, or one order for two values', async () => {
    fake = await startKiteFake({ prices: { INFY: 100 } });
    expect(await call('POST', '/gtt/triggers', ocoGtt('SELL', [95, 100], [94, 99]))).toMatchObject({ status: 400, body: { error_type: 'InputException', message: 'Trigger cannot be created with one of the trigger values equal to the last price.' } });
    expect(await call('POST', '/gtt/triggers', ocoGtt('SELL', [95, 99], [94, 98]))).toMatchObject({ status: 400, body: { message: 'Trigger cannot be created with the second trigger price less than the last price.' } });
    expect(await call('POST', '/gtt/triggers', ocoGtt('SELL', [101, 105], [100, 104]))).toMatchObject({ status: 400, body: { error_type: 'InputException' } });
    expect(await call('POST', '/gtt/triggers', ocoGtt('SELL', [95, 100.1], [94, 99]))).toMatchObject({ status: 400, body: { message: 'Trigger price is too close to the last price.' } });
    const oneOrder = { ...ocoGtt('SELL', [95, 105], [94, 104]), orders: JSON.stringify([{ exchange: 'NSE', tradingsymbol: 'INFY', transaction_type: 'SELL', quantity: 5, order_type: 'LIMIT', product: 'MIS', price: 94 }]) };
    expect(await call('POST', '/gtt/triggers', oneOrder)).toMatchObject({ status: 400, body: { message: 'Invalid `orders`.' } });
    expect(fake.gtts()).toEqual([]);
  });

  it('the price rising to the upper value places orders[1] only: triggered, orders[0].result null, one LIMIT order in the book', async () => {
    fake = await startKiteFake({ prices: { INFY: 100 } });
    const id = ((await call('POST', '/gtt/triggers', ocoGtt('SELL', [95, 105], [94, 104]))).body.data as { trigger_id: number }).trigger_id;
    fake.setPrice('INFY', 104.9);
    expect(((await call('GET', `/gtt/triggers/${id}`)).body.data as GttBody).status).toBe('active');
    fake.setPrice('INFY', 105.1);
    const gtt = (await call('GET', `/gtt/triggers/${id}`)).body.data as GttBody;
    expect(gtt).toMatchObject({ status: 'triggered', orders: [{ result: null }, { result: { triggered_at: 105.1, order_result: { status: 'success' } } }] });
    // The other value is never reached as a trigger again: the price falling through it places nothing.
    fake.setPrice('INFY', 94);
    expect((await call('GET', '/orders')).body.data).toEqual([expect.objectContaining({ order_id: gtt.orders[1]!.result!.order_result.order_id, transaction_type: 'SELL', order_type: 'LIMIT', price: 104, quantity: 5, status: 'COMPLETE', average_price: 105.1 })]);
  });

  it('the price falling to the lower value places orders[0] only', async () => {
    fake = await startKiteFake({ prices: { INFY: 100 } });
    const id = ((await call('POST', '/gtt/triggers', ocoGtt('SELL', [95, 105], [94, 104]))).body.data as { trigger_id: number }).trigger_id;
    fake.setPrice('INFY', 94.8);
    const gtt = (await call('GET', `/gtt/triggers/${id}`)).body.data as GttBody;
    expect(gtt).toMatchObject({ status: 'triggered', orders: [{ result: { triggered_at: 94.8 } }, { result: null }] });
    fake.setPrice('INFY', 106);
    expect(((await call('GET', '/orders')).body.data as { price: number }[]).map((o) => o.price)).toEqual([94]);
  });

  it('a BUY OCO (a short\'s): the lower value is the take-profit, the upper the stop, each placing its own order', async () => {
    fake = await startKiteFake({ prices: { INFY: 100 } });
    const id = ((await call('POST', '/gtt/triggers', ocoGtt('BUY', [95, 105], [96, 106]))).body.data as { trigger_id: number }).trigger_id;
    fake.setPrice('INFY', 105.2);
    const gtt = (await call('GET', `/gtt/triggers/${id}`)).body.data as GttBody;
    expect(gtt).toMatchObject({ status: 'triggered', orders: [{ result: null }, { result: { triggered_at: 105.2 } }] });
    expect((await call('GET', '/orders')).body.data).toEqual([expect.objectContaining({ transaction_type: 'BUY', price: 106, status: 'COMPLETE' })]);
  });
});
