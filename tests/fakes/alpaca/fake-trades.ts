/**
 * The fake's historical trades: `GET /v2/stocks/trades?symbols=…` of the market-data host, the
 * form alpaca-py's get_stock_trades and the Go SDK's GetMultiTrades call (PROTOCOLS.md §1.1 names
 * the host): `symbols` comma-separated (required, else 400), `start` and `end` RFC-3339 both
 * included, `limit` 1–10 000 (default 1 000) counting trades of all symbols together, `sort` asc,
 * `feed` one the account's plan includes (else 403 "subscription does not permit querying …"),
 * `page_token` as given back in `next_page_token` (opaque; null on the last page). The answer is
 * `{ trades: { SYMBOL: [trade …] }, next_page_token }`, `trades` `{}` when none, a symbol with no
 * trade left out; each trade `{ t, x, p, s, i, c, z }` with `t` RFC-3339 in nanoseconds and `u`
 * when the trade was later `canceled` or `incorrect` (or is the `corrected` one): Alpaca's
 * market-data OpenAPI `stock_trade`. Like the bars, `pageMax` makes a page hold fewer than
 * `limit` while more remain, so a test sees several pages without ten thousand trades.
 */
import { apiError } from './fake-entities';
import type { DeskReply } from './fake-desk';
import { readPageQuery } from './fake-bars';

export interface FakeHistoricalTrade {
  /** Epoch ms (served with nanoseconds, the sub-millisecond digits 0). */
  readonly at: number;
  readonly price: number;
  readonly size?: number;
  /** Sale conditions (default a regular UTP sale, ["@"]). */
  readonly conditions?: readonly string[];
  readonly update?: 'canceled' | 'incorrect' | 'corrected';
}

export class FakeTrades {
  private readonly bySymbol = new Map<string, FakeHistoricalTrade[]>();
  /** Every query asked, for tests that count pages. */
  readonly asked: URLSearchParams[] = [];

  constructor(private readonly pageMax = 10_000) {}

  /** Replaces the symbol's history (kept in time order, the given order among equal times). */
  set(symbol: string, trades: readonly FakeHistoricalTrade[]): void {
    this.bySymbol.set(symbol, [...trades].sort((a, b) => a.at - b.at));
  }

  /** The answer to one page request; `feeds` is what the account's plan includes. */
  page(q: URLSearchParams, feeds: readonly string[]): DeskReply {
    this.asked.push(new URLSearchParams(q));
    const symbols = (q.get('symbols') ?? '').split(',').filter(Boolean);
    if (symbols.length === 0) return { status: 400, body: apiError(40010001, 'missing symbols') };
    const read = readPageQuery(q, feeds);
    if ('status' in read) return read;
    const { start, end, limit, from } = read;
    const all = [...symbols].sort().flatMap((symbol) => (this.bySymbol.get(symbol) ?? []).filter((k) => k.at >= start && k.at <= end).map((k, i) => ({ symbol, k, i })));
    const size = Math.min(limit, this.pageMax);
    const trades: Record<string, unknown[]> = {};
    for (const { symbol, k, i } of all.slice(from, from + size)) {
      (trades[symbol] ??= []).push({ t: new Date(k.at).toISOString().replace('Z', '000000Z'), x: 'V', p: k.price, s: k.size ?? 100, i: i + 1, c: k.conditions ?? ['@'], z: 'C', ...(k.update ? { u: k.update } : {}) });
    }
    return { status: 200, body: { trades, next_page_token: from + size < all.length ? Buffer.from(String(from + size)).toString('base64url') : null } };
  }
}
