/**
 * Alpaca's historical 1-minute bars of one US stock: `GET {data}/v2/stocks/{symbol}/bars` with
 * `timeframe=1Min`, `start`/`end` (RFC-3339), `limit=10000` (its most per page), `adjustment=raw`,
 * `feed` (iex on a free plan, sip with a subscription), `sort=asc`, paged by `next_page_token`
 * (PROTOCOLS.md; docs.alpaca.markets/reference/stockbar). Each bar is `{ t, o, h, l, c, v, n, vw }`,
 * `t` the minute's start in RFC-3339 UTC. Replies are parsed with zod; every bar is held to the
 * CSV import's rules (bar-csv.ts `barRow`), so a store fed from either holds the same bars.
 */
import { z } from 'zod';
import type { HistoricalBar } from '../../db/repos/historical-bars';
import { barRow } from './bar-csv';
import { HistoricalFetchError } from './historical-fetch-error';

/** Alpaca's largest page. */
const PAGE_LIMIT = 10_000;
/** Ten million bars: a century of one stock's minutes; more pages means a token that never ends. */
const MAX_PAGES = 1_000;

const page = z.object({
  bars: z.array(z.object({ t: z.string(), o: z.number(), h: z.number(), l: z.number(), c: z.number(), v: z.number() })).nullable(),
  next_page_token: z.string().nullable().optional(),
});

export interface AlpacaBarsDeps {
  /** The market-data REST base, https://data.alpaca.markets (alpaca-config.ts ALPACA_DATA_REST_URL). */
  readonly dataUrl: string;
  readonly keyId: string;
  readonly secretKey: string;
  readonly feed: 'iex' | 'sip';
  readonly fetch?: typeof fetch;
  /** Aborts the download (the caller's deadline). */
  readonly signal?: AbortSignal;
}

/**
 * The symbol's bars with start ≤ minute < end (epoch ms), oldest first.
 *
 * @example await fetchAlpacaBars({ dataUrl: ALPACA_DATA_REST_URL, keyId, secretKey, feed: 'iex' }, 'AAPL', Date.parse('2026-03-02T14:30:00Z'), Date.parse('2026-03-03T00:00:00Z'))
 */
export async function fetchAlpacaBars(deps: AlpacaBarsDeps, symbol: string, start: number, end: number): Promise<HistoricalBar[]> {
  const get = deps.fetch ?? fetch;
  const bars: HistoricalBar[] = [];
  let token: string | null = null;
  for (let n = 1; n <= MAX_PAGES; n++) {
    const url = new URL(`/v2/stocks/${encodeURIComponent(symbol)}/bars`, deps.dataUrl);
    const query: Record<string, string> = { timeframe: '1Min', start: new Date(start).toISOString(), end: new Date(end - 1).toISOString(), limit: String(PAGE_LIMIT), adjustment: 'raw', feed: deps.feed, sort: 'asc' };
    if (token) query.page_token = token;
    url.search = new URLSearchParams(query).toString();
    const res = await get(url, { headers: { 'APCA-API-KEY-ID': deps.keyId, 'APCA-API-SECRET-KEY': deps.secretKey, Accept: 'application/json' }, signal: deps.signal });
    const text = await res.text();
    if (!res.ok) throw new HistoricalFetchError(`Alpaca bars of ${symbol}: HTTP ${res.status}: ${alpacaMessage(text)}`);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new HistoricalFetchError(`Alpaca bars of ${symbol}, page ${n}: the reply is not JSON`);
    }
    const parsed = page.safeParse(body);
    if (!parsed.success) throw new HistoricalFetchError(`Alpaca bars of ${symbol}, page ${n}: ${parsed.error.issues[0]!.path.join('.')} ${parsed.error.issues[0]!.message}`);
    for (const [i, b] of (parsed.data.bars ?? []).entries()) {
      const bar = barRow.safeParse({ timestamp: b.t, open: String(b.o), high: String(b.h), low: String(b.l), close: String(b.c), volume: String(b.v) });
      if (!bar.success) throw new HistoricalFetchError(`Alpaca bars of ${symbol}, page ${n}, bar ${i} (${b.t}): ${String(bar.error.issues[0]!.path[0] ?? '')} ${bar.error.issues[0]!.message}`);
      bars.push(bar.data);
    }
    token = parsed.data.next_page_token ?? null;
    if (token === null) return bars.filter((b) => b.minute >= start && b.minute < end);
  }
  throw new HistoricalFetchError(`Alpaca bars of ${symbol}: more than ${MAX_PAGES} pages`);
}

/** Alpaca's error body is `{ "message": "…" }` (or `{ "code", "message" }`); anything else is shortened. */
export function alpacaMessage(text: string): string {
  try {
    const m = (JSON.parse(text) as { message?: unknown }).message;
    if (typeof m === 'string') return m;
  } catch {
    // not JSON
  }
  return text.slice(0, 200) || 'no message';
}
