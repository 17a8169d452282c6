/**
 * The fake Alpaca speaks the documented frames byte for byte (PROTOCOLS.md §1.3, §1.10, §1.11),
 * checked with a raw WebSocket and fetch rather than through the adapter.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startFakeAlpaca, type FakeAlpaca } from '../fakes/alpaca/fake-alpaca';
import { eventually } from '../fakes/alpaca/eventually';

let fake: FakeAlpaca;
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const s of sockets) s.terminate();
  await fake?.close();
});

function open(url: string): { ws: WebSocket; frames: { text: string; binary: boolean }[] } {
  const ws = new WebSocket(url);
  sockets.push(ws);
  const frames: { text: string; binary: boolean }[] = [];
  ws.on('message', (data, binary) => frames.push({ text: data.toString(), binary }));
  return { ws, frames };
}

describe('fake market-data stream', () => {
  it('connected → auth → subscribe, with the full subscription set, and the documented errors', async () => {
    fake = await startFakeAlpaca();
    const { key_id, secret_key } = fake.credentials();
    const { ws, frames } = open(fake.dataStreamUrl);
    await eventually(() => frames.length === 1);
    expect(frames[0]!.text).toBe('[{"T":"success","msg":"connected"}]');
    ws.send('{"action":"subscribe","trades":["AAPL"]}');
    ws.send('nonsense');
    ws.send(JSON.stringify({ action: 'auth', key: key_id, secret: secret_key }));
    ws.send(JSON.stringify({ action: 'subscribe', trades: ['AAPL'], quotes: ['AMD'] }));
    ws.send(JSON.stringify({ action: 'auth', key: key_id, secret: secret_key }));
    await eventually(() => frames.length === 6);
    expect(frames.slice(1).map((f) => f.text)).toEqual([
      '[{"T":"error","code":401,"msg":"not authenticated"}]',
      '[{"T":"error","code":400,"msg":"invalid syntax"}]',
      '[{"T":"success","msg":"authenticated"}]',
      '[{"T":"subscription","trades":["AAPL"],"quotes":["AMD"],"bars":[],"updatedBars":[],"dailyBars":[],"statuses":[],"lulds":[],"corrections":["AAPL"],"cancelErrors":["AAPL"]}]',
      '[{"T":"error","code":403,"msg":"already authenticated"}]',
    ]);
    fake.pushTrade('AAPL', 126.55, { size: 1, at: Date.parse('2021-02-22T15:51:44.208Z') });
    await eventually(() => frames.length === 7);
    expect(JSON.parse(frames[6]!.text)).toEqual([{ T: 't', i: expect.any(Number), S: 'AAPL', x: 'V', p: 126.55, s: 1, t: '2021-02-22T15:51:44.208000000Z', c: ['@'], z: 'C' }]);
    expect(frames.every((f) => !f.binary)).toBe(true);

    const second = open(fake.dataStreamUrl);
    second.ws.on('open', () => second.ws.send(JSON.stringify({ action: 'auth', key: key_id, secret: secret_key })));
    await eventually(() => second.frames.length === 2);
    expect(second.frames[1]!.text).toBe('[{"T":"error","code":406,"msg":"connection limit exceeded"}]');
  });
});

describe('fake trade_updates stream', () => {
  it('authorization, listening, then binary frames of one object each', async () => {
    fake = await startFakeAlpaca();
    const { key_id, secret_key } = fake.credentials();
    const { ws, frames } = open(fake.tradeStreamUrl);
    await new Promise((r) => ws.once('open', r));
    ws.send(JSON.stringify({ action: 'listen', data: { streams: ['trade_updates'] } }));
    ws.send(JSON.stringify({ action: 'authenticate', data: { key_id, secret_key } }));
    ws.send(JSON.stringify({ action: 'listen', data: { streams: ['trade_updates', 'account_updates'] } }));
    await eventually(() => frames.length === 3);
    expect(frames.map((f) => f.text)).toEqual([
      '{"stream":"authorization","data":{"status":"unauthorized","action":"listen"}}',
      '{"stream":"authorization","data":{"status":"authorized","action":"authenticate"}}',
      '{"stream":"listening","data":{"streams":["trade_updates"]}}',
    ]);
    const headers = { 'APCA-API-KEY-ID': key_id, 'APCA-API-SECRET-KEY': secret_key };
    await fetch(`${fake.restUrl}/v2/orders`, { method: 'POST', headers, body: JSON.stringify({ symbol: 'AAPL', qty: '3', side: 'buy', type: 'market', time_in_force: 'day', client_order_id: 'p-1' }) });
    await eventually(() => frames.length === 5);
    const [created, fill] = frames.slice(3).map((f) => JSON.parse(f.text) as { stream: string; data: Record<string, unknown> & { order: Record<string, unknown> } });
    expect(frames.slice(3).every((f) => f.binary)).toBe(true);
    expect(created).toMatchObject({ stream: 'trade_updates', data: { event: 'new', order: { client_order_id: 'p-1', status: 'new', filled_qty: '0', filled_avg_price: null } } });
    expect(fill!.data).toMatchObject({ event: 'fill', price: '100', qty: '3', position_qty: '3', timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/) });
    expect(fill!.data.order).toMatchObject({ status: 'filled', filled_qty: '3', filled_avg_price: '100', qty: '3', type: 'market', time_in_force: 'day' });
  });
});

describe('fake REST auth', () => {
  it('answers a wrong secret 401 with code 40110000 and missing headers with the gateway 403', async () => {
    fake = await startFakeAlpaca();
    const wrong = await fetch(`${fake.restUrl}/v2/account`, { headers: { 'APCA-API-KEY-ID': fake.credentials().key_id, 'APCA-API-SECRET-KEY': 'x' } });
    expect([wrong.status, await wrong.json()]).toEqual([401, { code: 40110000, message: 'request is not authorized' }]);
    const none = await fetch(`${fake.restUrl}/v2/account`);
    expect([none.status, await none.json()]).toEqual([403, { message: 'forbidden.' }]);
  });
});
