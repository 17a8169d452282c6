/**
 * Alpaca's historical trades of one US stock: `GET {data}/v2/stocks/trades?symbols={symbol}`, the
 * form alpaca-py (`StockHistoricalDataClient.get_stock_trades`) and the Go SDK (`GetMultiTrades`)
 * call, with `start`/`end` (RFC-3339, both included), `limit=10000` (its most per page), `feed`
 * (iex on a free plan, sip with a subscription), `sort=asc`, paged by `next_page_token` until it is
 * null. The answer is `{ trades: { SYMBOL: [trade …] }, next_page_token }` (`trades` may be `{}`),
 * each trade `{ t, x, p, s, i, c, z }` and `u` when it was later canceled or corrected: `t` RFC-3339
 * with nanoseconds, `p` price, `s` size, `c` sale conditions (alpaca-py tests/data
 * test_historical_stock_data.py; Alpaca's market-data OpenAPI `stock_trade`).
 *
 * Only the trades that set the last price are kept (core/last-sale.ts), in the tape's order: what
 * the live stream would have passed to the stops. Replies are parsed with zod; a trade that cannot
 * be read stops the fetch with its page, index and time named.
 */
import { z } from 'zod';
import type { HistoricalTick } from '../../db/repos/historical-ticks';
import { setsLastPrice } from '../core/last-sale';
import { HistoricalFetchError } from './historical-fetch-error';
import { alpacaMessage, type AlpacaBarsDeps } from './alpaca-bars';

/** Alpaca's largest page. */
const PAGE_LIMIT = 10_000;
/** Ten million trades in one fetch (a day); more pages means a token that never ends. */
const MAX_PAGES = 1_000;
/** RFC-3339 with its zone (Alpaca's `t` is UTC, "Z", with up to nine fraction digits). */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

const trade = z.object({
  t: z.string().regex(RFC3339, { error: 'must be an RFC-3339 time' }),
  p: z.number({ error: 'must be a number' }).finite().positive({ error: 'must be above 0' }),
  s: z.number({ error: 'must be a number' }).finite().min(0, { error: 'must be 0 or more' }),
  c: z.array(z.string()).nullable().optional(),
  u: z.string().optional(),
});
const page = z.object({
  trades: z.record(z.string(), z.array(z.unknown()).nullable()).nullable(),
  next_page_token: z.string().nullable().optional(),
});

/**
 * The symbol's trades that set the last price with start ≤ at < end (epoch ms), oldest first.
 * `max`: more kept trades than this is an error (the store's cap), so a fetch stays bounded.
 *
 * @example await fetchAlpacaTrades({ dataUrl: ALPACA_DATA_REST_URL, keyId, secretKey, feed: 'iex' }, 'AAPL', Date.parse('2026-03-02T14:30:00Z'), Date.parse('2026-03-02T21:00:00Z'))
 */
export async function fetchAlpacaTrades(deps: AlpacaBarsDeps, symbol: string, start: number, end: number, max = Number.POSITIVE_INFINITY): Promise<HistoricalTick[]> {
  const get = deps.fetch ?? fetch;
  const ticks: HistoricalTick[] = [];
  let token: string | null = null;
  for (let n = 1; n <= MAX_PAGES; n++) {
    const url = new URL('/v2/stocks/trades', deps.dataUrl);
    const query: Record<string, string> = { symbols: symbol, start: new Date(start).toISOString(), end: new Date(end - 1).toISOString(), limit: String(PAGE_LIMIT), feed: deps.feed, sort: 'asc' };
    if (token) query.page_token = token;
    url.search = new URLSearchParams(query).toString();
    const res = await get(url, { headers: { 'APCA-API-KEY-ID': deps.keyId, 'APCA-API-SECRET-KEY': deps.secretKey, Accept: 'application/json' }, signal: deps.signal });
    const text = await res.text();
    const where = `Alpaca trades of ${symbol}, page ${n}`;
    if (!res.ok) throw new HistoricalFetchError(`Alpaca trades of ${symbol}: HTTP ${res.status}: ${alpacaMessage(text)}`);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new HistoricalFetchError(`${where}: the reply is not JSON`);
    }
    const parsed = page.safeParse(body);
    if (!parsed.success) throw new HistoricalFetchError(`${where}: ${parsed.error.issues[0]!.path.join('.')} ${parsed.error.issues[0]!.message}`);
    for (const [i, raw] of (parsed.data.trades?.[symbol] ?? []).entries()) {
      const k = trade.safeParse(raw);
      if (!k.success) {
        const issue = k.error.issues[0]!;
        const t = typeof (raw as { t?: unknown } | null)?.t === 'string' ? ` (${(raw as { t: string }).t})` : '';
        throw new HistoricalFetchError(`${where}, trade ${i}${t}: ${issue.path.join('.') || 'the trade'} ${issue.message}`);
      }
      if (!setsLastPrice(k.data.c, k.data.u)) continue;
      const at = Date.parse(k.data.t);
      if (at < start || at >= end) continue;
      ticks.push({ at, price: k.data.p, size: k.data.s });
      if (ticks.length > max) throw new HistoricalFetchError(`Alpaca trades of ${symbol}: more than ${max} trades from ${new Date(start).toISOString()} to ${new Date(end).toISOString()}, more than the tick store holds`);
    }
    token = parsed.data.next_page_token ?? null;
    // Sorted by time, the tape's order kept among equal times (Array.prototype.sort is stable).
    if (token === null) return ticks.sort((a, b) => a.at - b.at);
  }
  throw new HistoricalFetchError(`Alpaca trades of ${symbol}: more than ${MAX_PAGES} pages`);
}
