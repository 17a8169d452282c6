/**
 * fetchAlpacaTrades against a loopback server speaking Alpaca's historical trades endpoint as the
 * SDKs call it (alpaca-py get_stock_trades, Go GetMultiTrades: GET /v2/stocks/trades?symbols=…,
 * `{ trades: { SYMBOL: [{ t, x, p, s, i, c, z, u? }] }, next_page_token }`, `trades` `{}` when
 * none; keys in APCA-API-KEY-ID / APCA-API-SECRET-KEY; errors `{ message }`). The trades below
 * are written for these tests from those facts.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fetchAlpacaTrades } from './alpaca-trades';
import { HistoricalFetchError } from './historical-fetch-error';

const T0 = Date.parse('2026-03-02T14:30:00Z');
/** A trade `ms` after T0, with nanoseconds as Alpaca sends them. */
const trade = (ms: number, p: number, over: Record<string, unknown> = {}) => ({ t: new Date(T0 + ms).toISOString().replace('Z', '123456Z'), x: 'V', p, s: 100, i: ms, c: ['@'], z: 'C', ...over });

let server: Server;
let url: string;
let seen: URL[];
let reply: (u: URL) => { status: number; body: unknown };
beforeEach(async () => {
  seen = [];
  server = createServer((req, res) => {
    const u = new URL(req.url!, 'http://x');
    seen.push(u);
    const auth = req.headers['apca-api-key-id'] === 'KEY' && req.headers['apca-api-secret-key'] === 'SECRET';
    const r = auth ? reply(u) : { status: 401, body: { message: 'unauthorized.' } };
    res.writeHead(r.status, { 'content-type': 'application/json' }).end(JSON.stringify(r.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

const deps = (over = {}) => ({ dataUrl: url, keyId: 'KEY', secretKey: 'SECRET', feed: 'sip' as const, ...over });

describe('Alpaca historical trades', () => {
  it('follows next_page_token to the last page; keeps the trades that set the last price, in order, to the millisecond', async () => {
    reply = (u) =>
      u.searchParams.get('page_token') === 'p2'
        ? { status: 200, body: { trades: { AAPL: [trade(2000, 100.4), trade(2000, 100.3, { c: ['@', 'F'] })] }, next_page_token: null } }
        : { status: 200, body: { trades: { AAPL: [trade(0, 100), trade(500, 99, { c: ['@', 'I'] }), trade(900, 98, { c: ['@', 'Z'] }), trade(1000, 100.2, { u: 'canceled' }), trade(1500, 100.1, { c: [' ', 'E'] })] }, next_page_token: 'p2' } };
    const ticks = await fetchAlpacaTrades(deps(), 'AAPL', T0, T0 + 60_000);
    expect(ticks).toEqual([
      { at: T0, price: 100, size: 100 },
      { at: T0 + 1500, price: 100.1, size: 100 },
      { at: T0 + 2000, price: 100.4, size: 100 },
      { at: T0 + 2000, price: 100.3, size: 100 },
    ]);
    expect(seen.map((u) => u.pathname)).toEqual(['/v2/stocks/trades', '/v2/stocks/trades']);
    expect(Object.fromEntries(seen[0]!.searchParams)).toEqual({ symbols: 'AAPL', start: '2026-03-02T14:30:00.000Z', end: '2026-03-02T14:30:59.999Z', limit: '10000', feed: 'sip', sort: 'asc' });
    expect(seen[1]!.searchParams.get('page_token')).toBe('p2');
  });

  it('no trades ({} or the symbol missing) is an empty answer', async () => {
    reply = () => ({ status: 200, body: { trades: {}, next_page_token: null } });
    expect(await fetchAlpacaTrades(deps(), 'AAPL', T0, T0 + 60_000)).toEqual([]);
  });

  it("a refusal says Alpaca's message and the status, never the keys; a bad trade names its page, index, time and field", async () => {
    reply = () => ({ status: 200, body: { trades: {} } });
    const refused = await fetchAlpacaTrades(deps({ secretKey: 'WRONG' }), 'AAPL', T0, T0 + 60_000).catch((e: unknown) => e as Error);
    expect(refused).toBeInstanceOf(HistoricalFetchError);
    expect((refused as Error).message).toBe('Alpaca trades of AAPL: HTTP 401: unauthorized.');
    expect((refused as Error).message).not.toContain('WRONG');
    reply = () => ({ status: 200, body: { trades: { AAPL: [trade(0, 100), trade(10, -1)] }, next_page_token: null } });
    await expect(fetchAlpacaTrades(deps(), 'AAPL', T0, T0 + 60_000)).rejects.toThrow('Alpaca trades of AAPL, page 1, trade 1 (2026-03-02T14:30:00.010123456Z): p must be above 0');
    reply = () => ({ status: 200, body: { trades: { AAPL: [trade(0, 100, { t: '2026-03-02 14:30' })] }, next_page_token: null } });
    await expect(fetchAlpacaTrades(deps(), 'AAPL', T0, T0 + 60_000)).rejects.toThrow('Alpaca trades of AAPL, page 1, trade 0 (2026-03-02 14:30): t must be an RFC-3339 time');
    reply = () => ({ status: 200, body: { trades: 'none' } });
    await expect(fetchAlpacaTrades(deps(), 'AAPL', T0, T0 + 60_000)).rejects.toThrow(/^Alpaca trades of AAPL, page 1: trades /);
  });

  it('stops at `max` kept trades with an error naming the range', async () => {
    reply = () => ({ status: 200, body: { trades: { AAPL: [trade(0, 100), trade(1, 100), trade(2, 100)] }, next_page_token: null } });
    await expect(fetchAlpacaTrades(deps(), 'AAPL', T0, T0 + 60_000, 2)).rejects.toThrow('Alpaca trades of AAPL: more than 2 trades from 2026-03-02T14:30:00.000Z to 2026-03-02T14:31:00.000Z, more than the tick store holds');
  });
});
