/**
 * fetchAlpacaBars against a loopback server speaking Alpaca's historical bars endpoint as
 * documented (docs.alpaca.markets/reference/stockbar: `{ bars, symbol, next_page_token }`, bars
 * `{ t, o, h, l, c, v, n, vw }`, keys in APCA-API-KEY-ID / APCA-API-SECRET-KEY, errors `{ message }`).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fetchAlpacaBars } from './alpaca-bars';
import { HistoricalFetchError } from './historical-fetch-error';

const T0 = Date.parse('2026-03-02T14:30:00Z');
const bar = (i: number, over: Record<string, unknown> = {}) => ({ t: new Date(T0 + i * 60_000).toISOString().replace('.000Z', 'Z'), o: 100 + i, h: 101 + i, l: 99 + i, c: 100.5 + i, v: 1000 + i, n: 12, vw: 100.2 + i, ...over });

let server: Server;
let url: string;
let seen: URL[];
let reply: (req: IncomingMessage, u: URL) => { status: number; body: unknown };
beforeEach(async () => {
  seen = [];
  server = createServer((req, res) => {
    const u = new URL(req.url!, 'http://x');
    seen.push(u);
    const auth = req.headers['apca-api-key-id'] === 'KEY' && req.headers['apca-api-secret-key'] === 'SECRET';
    const r = auth ? reply(req, u) : { status: 401, body: { message: 'unauthorized.' } };
    res.writeHead(r.status, { 'content-type': 'application/json' }).end(JSON.stringify(r.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

const deps = (over = {}) => ({ dataUrl: url, keyId: 'KEY', secretKey: 'SECRET', feed: 'iex' as const, ...over });

describe('Alpaca historical bars', () => {
  it('follows next_page_token to the last page and returns every bar oldest first', async () => {
    reply = (_req, u) => (u.searchParams.get('page_token') === 'p2' ? { status: 200, body: { bars: [bar(2)], symbol: 'AAPL', next_page_token: null } } : { status: 200, body: { bars: [bar(0), bar(1)], symbol: 'AAPL', next_page_token: 'p2' } });
    const bars = await fetchAlpacaBars(deps(), 'AAPL', T0, T0 + 3 * 60_000);
    expect(bars).toEqual([0, 1, 2].map((i) => ({ minute: T0 + i * 60_000, open: 100 + i, high: 101 + i, low: 99 + i, close: 100.5 + i, volume: 1000 + i })));
    expect(seen.map((u) => u.pathname)).toEqual(['/v2/stocks/AAPL/bars', '/v2/stocks/AAPL/bars']);
    expect(Object.fromEntries(seen[0]!.searchParams)).toEqual({ timeframe: '1Min', start: '2026-03-02T14:30:00.000Z', end: '2026-03-02T14:32:59.999Z', limit: '10000', adjustment: 'raw', feed: 'iex', sort: 'asc' });
    expect(seen[1]!.searchParams.get('page_token')).toBe('p2');
  });

  it('no bars (null) is an empty answer', async () => {
    reply = () => ({ status: 200, body: { bars: null, symbol: 'AAPL', next_page_token: null } });
    expect(await fetchAlpacaBars(deps(), 'AAPL', T0, T0 + 60_000)).toEqual([]);
  });

  it("a refusal says Alpaca's message and the status, never the keys; a bad bar names itself", async () => {
    reply = () => ({ status: 200, body: { bars: [] } });
    const refused = await fetchAlpacaBars(deps({ secretKey: 'WRONG' }), 'AAPL', T0, T0 + 60_000).catch((e: unknown) => e as Error);
    expect(refused).toBeInstanceOf(HistoricalFetchError);
    expect((refused as Error).message).toBe('Alpaca bars of AAPL: HTTP 401: unauthorized.');
    reply = () => ({ status: 200, body: { bars: [bar(0), bar(1, { l: 150 })], next_page_token: null } });
    await expect(fetchAlpacaBars(deps(), 'AAPL', T0, T0 + 2 * 60_000)).rejects.toThrow('Alpaca bars of AAPL, page 1, bar 1 (2026-03-02T14:31:00Z): low must be at most the open and the close (150 > 101)');
    reply = () => ({ status: 200, body: { bars: 'none' } });
    await expect(fetchAlpacaBars(deps(), 'AAPL', T0, T0 + 60_000)).rejects.toThrow(/^Alpaca bars of AAPL, page 1: bars /);
  });
});
