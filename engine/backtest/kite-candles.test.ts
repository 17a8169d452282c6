/**
 * fetchKiteCandles against a loopback server speaking Kite's historical candles endpoint as
 * documented (kite.trade/docs/connect/v3/historical; PROTOCOLS.md §2.11): `data.candles` rows
 * `[ts, o, h, l, c, v]` with ts "2026-03-02T09:15:00+0530", errors `{ status: "error", message }`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fetchKiteCandles, KITE_HISTORICAL_GAP_MS } from './kite-candles';

let server: Server;
let root: string;
let seen: URL[];
let waits: number[];
beforeEach(async () => {
  [seen, waits] = [[], []];
  server = createServer((req, res) => {
    const u = new URL(req.url!, 'http://x');
    seen.push(u);
    if (req.headers.authorization !== 'token K:T' || req.headers['x-kite-version'] !== '3') {
      res.writeHead(403, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'error', message: 'Incorrect `api_key` or `access_token`.', error_type: 'TokenException' }));
      return;
    }
    // One candle at each window's first minute: from is "yyyy-mm-dd hh:mm:ss" IST.
    const from = u.searchParams.get('from')!;
    const ts = `${from.replace(' ', 'T')}+0530`;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'success', data: { candles: [[ts, 100, 101, 99, 100.5, 1200]] } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  root = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

const deps = (over = {}) => ({ root, apiKey: 'K', accessToken: 'T', wait: async (ms: number) => void waits.push(ms), ...over });

describe('Kite historical candles', () => {
  it('asks for at most 60 days a request, paced at 3 a second, and keeps the candles in range', async () => {
    const start = Date.parse('2026-01-01T03:45:00Z'); // 09:15 IST
    const end = start + 130 * 86_400_000;
    const bars = await fetchKiteCandles(deps(), 408065, 'INFY', start, end);
    expect(seen.map((u) => [u.pathname, u.searchParams.get('from'), u.searchParams.get('to')])).toEqual([
      ['/instruments/historical/408065/minute', '2026-01-01 09:15:00', '2026-03-02 09:14:59'],
      ['/instruments/historical/408065/minute', '2026-03-02 09:15:00', '2026-05-01 09:14:59'],
      ['/instruments/historical/408065/minute', '2026-05-01 09:15:00', '2026-05-11 09:14:59'],
    ]);
    expect(waits).toEqual([KITE_HISTORICAL_GAP_MS, KITE_HISTORICAL_GAP_MS]);
    expect(bars.map((b) => b.minute)).toEqual([start, start + 60 * 86_400_000, start + 120 * 86_400_000]);
    expect(bars[0]).toEqual({ minute: start, open: 100, high: 101, low: 99, close: 100.5, volume: 1200 });
  });

  it("a refusal says Kite's message, never the token", async () => {
    const err = (await fetchKiteCandles(deps({ accessToken: 'WRONG' }), 408065, 'INFY', 0, 60_000).catch((e: unknown) => e)) as Error;
    expect(err.message).toBe('Kite candles of INFY, 1970-01-01 05:30:00 to 1970-01-01 05:30:59: HTTP 403: Incorrect `api_key` or `access_token`.');
    expect(err.message).not.toContain('WRONG');
  });
});
