/**
 * The fake's historical bars: `GET /v2/stocks/{symbol}/bars` of the market-data host as
 * documented (docs.alpaca.markets/reference/stockbars; PROTOCOLS.md §1.1 names the host):
 * `timeframe` required (only `1Min` here; another is a 422), `start` and `end` RFC-3339 with `end`
 * included, `limit` 1–10 000 (default 1 000), `sort` asc, `feed` one the account's plan includes
 * (else 403 "subscription does not permit querying …"), and `page_token` as given back in
 * `next_page_token`. The answer is `{ bars, symbol, next_page_token }`, each bar `{ t, o, h, l, c,
 * v, n, vw }` with `t` the minute's start in RFC-3339 UTC. Alpaca may answer fewer bars than
 * `limit` while more remain ("always check next_page_token"): `pageMax` makes the fake do so, so
 * a test sees several pages without ten thousand bars.
 */
import { apiError } from './fake-entities';
import type { DeskReply } from './fake-desk';

export interface FakeBar {
  /** The minute's start, epoch ms. */
  readonly minute: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

export class FakeBars {
  private readonly bySymbol = new Map<string, FakeBar[]>();

  constructor(private readonly pageMax = 10_000) {}

  /** Replaces the symbol's history (kept sorted by minute). */
  set(symbol: string, bars: readonly FakeBar[]): void {
    this.bySymbol.set(symbol, [...bars].sort((a, b) => a.minute - b.minute));
  }

  /** The answer to one page request; `feeds` is what the account's plan includes. */
  page(symbol: string, q: URLSearchParams, feeds: readonly string[]): DeskReply {
    if (q.get('timeframe') !== '1Min') return { status: 422, body: apiError(42210000, 'invalid timeframe') };
    const read = readPageQuery(q, feeds);
    if ('status' in read) return read;
    const { start, end, limit, from } = read;
    const inRange = (this.bySymbol.get(symbol) ?? []).filter((b) => b.minute >= start && b.minute <= end);
    const size = Math.min(limit, this.pageMax);
    const page = inRange.slice(from, from + size);
    const next = from + size < inRange.length ? Buffer.from(String(from + size)).toString('base64url') : null;
    return {
      status: 200,
      body: {
        // No bar in the range: null, which the client reads as no bars (alpaca-bars.ts takes null or a list).
        bars: page.length === 0 ? null : page.map((b) => ({ t: new Date(b.minute).toISOString().replace('.000Z', 'Z'), o: b.open, h: b.high, l: b.low, c: b.close, v: b.volume, n: 1, vw: b.close })),
        symbol,
        next_page_token: next,
      },
    };
  }
}

/**
 * The paging part of a historical request, checked as the market-data API checks it (the bars' and
 * the trades' alike): `start`/`end` RFC-3339, `limit` 1–10 000 (default 1 000), a `feed` the plan
 * includes (else 403), and `page_token` as given back (here: the next offset, base64url).
 */
export function readPageQuery(q: URLSearchParams, feeds: readonly string[]): { start: number; end: number; limit: number; from: number } | DeskReply {
  const bad = (message: string) => ({ status: 422, body: apiError(42210000, message) });
  const start = Date.parse(q.get('start') ?? '');
  const end = Date.parse(q.get('end') ?? '');
  if (!Number.isFinite(start) || !Number.isFinite(end)) return bad('invalid start or end');
  const limit = Number(q.get('limit') ?? '1000');
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) return bad('invalid limit');
  const feed = q.get('feed') ?? 'iex';
  if (!feeds.includes(feed)) return { status: 403, body: { message: `subscription does not permit querying ${feed} data` } };
  const token = q.get('page_token');
  const from = token === null ? 0 : Number(Buffer.from(token, 'base64url').toString('utf8'));
  if (!Number.isInteger(from) || from < 0) return bad('invalid page_token');
  return { start, end, limit, from };
}
