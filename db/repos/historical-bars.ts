/**
 * Historical 1-minute OHLCV bars for backtests (schema.ts `historical_bars`): market data kept
 * between backtests, keyed by instrument. Bounded: after a save, the oldest minutes (of any
 * instrument) beyond the cap are evicted, so a store fed year after year stays a known size.
 */
import type { Orm } from '../client';
import { historicalBars } from '../schema';
import { rawTable } from './prepared';

/**
 * The default cap: 1 000 000 bars, about ten instrument-years of one session a day (NYSE: 390
 * minutes × ~252 days ≈ 98 000 a year; NSE: 375 × ~250 ≈ 94 000), some 110 MB with the indexes
 * (measured: 116 bytes a bar).
 */
export const HISTORICAL_BARS_CAP = 1_000_000;

export interface HistoricalBar {
  /** Epoch ms of the minute's start (a multiple of 60 000). */
  readonly minute: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

export interface HistoricalBarsRepo {
  /**
   * Writes the instrument's bars, a minute already stored replaced by the new one, then evicts the
   * oldest bars beyond `cap`; returns how many were evicted. Call it inside `repos.transaction`
   * with everything else the import writes, so a failure leaves nothing half-written.
   */
  save(exchange: string, symbol: string, bars: readonly HistoricalBar[], cap?: number): { readonly evicted: number };
  /** The instrument's bars with from ≤ minute < to, oldest first. */
  list(exchange: string, symbol: string, from: number, to: number): HistoricalBar[];
  /** The symbols of `exchange` with a bar in from ≤ minute < to, sorted (the contracts a backtest's option chain has that day). */
  symbols(exchange: string, from: number, to: number): string[];
  /** The instrument's first and last minute and its number of bars; null when it has none. */
  coverage(exchange: string, symbol: string): { readonly first: number; readonly last: number; readonly bars: number } | null;
  /** Bars stored, of every instrument. */
  count(): number;
}

export function createHistoricalBarsRepo(orm: Orm): HistoricalBarsRepo {
  const t = rawTable(orm.$client, historicalBars);
  const fields = ['exchange', 'symbol', 'minute', 'open', 'high', 'low', 'close', 'volume'] as const;
  const upsert = t.prepare(`INSERT OR REPLACE INTO ${t.name} (${fields.map(t.column).join(', ')}) VALUES (${fields.map((f) => `@${f}`).join(', ')})`);
  const [exchange, symbol, minute] = (['exchange', 'symbol', 'minute'] as const).map(t.column);
  const bars = `${t.column('open')} AS open, ${t.column('high')} AS high, ${t.column('low')} AS low, ${t.column('close')} AS close, ${t.column('volume')} AS volume`;
  // Compiled on first use, as prepared.ts's lazyStatement (which has no .all()): a migration test makes the repos on an older schema.
  let range: ReturnType<typeof orm.$client.prepare> | undefined;
  const rangeText = `SELECT ${minute} AS minute, ${bars} FROM ${t.name} WHERE ${exchange} = ? AND ${symbol} = ? AND ${minute} >= ? AND ${minute} < ? ORDER BY ${minute}`;
  const coverage = t.prepare(`SELECT min(${minute}) AS first, max(${minute}) AS last, count(*) AS bars FROM ${t.name} WHERE ${exchange} = ? AND ${symbol} = ?`);
  const count = t.prepare(`SELECT count(*) AS n FROM ${t.name}`);
  let symbols: ReturnType<typeof orm.$client.prepare> | undefined;
  // The minute index bounds the scan to the range (a day is ~375 rows an instrument).
  const symbolsText = `SELECT DISTINCT ${symbol} AS symbol FROM ${t.name} WHERE ${minute} >= ? AND ${minute} < ? AND ${exchange} = ? ORDER BY ${symbol}`;
  // The oldest minutes first (the minute index); rowid breaks a tie between instruments.
  const evict = t.prepare(`DELETE FROM ${t.name} WHERE rowid IN (SELECT rowid FROM ${t.name} ORDER BY ${minute}, rowid LIMIT ?)`);
  return {
    save(ex, sym, rows, cap = HISTORICAL_BARS_CAP) {
      for (const b of rows) upsert.run({ exchange: ex, symbol: sym, minute: b.minute, open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume });
      const over = (count.get() as { n: number }).n - cap;
      return { evicted: over > 0 ? evict.run(over).changes : 0 };
    },
    list(ex, sym, from, to) {
      return (range ??= orm.$client.prepare(rangeText)).all(ex, sym, from, to) as HistoricalBar[];
    },
    symbols(ex, from, to) {
      return ((symbols ??= orm.$client.prepare(symbolsText)).all(from, to, ex) as { symbol: string }[]).map((r) => r.symbol);
    },
    coverage(ex, sym) {
      const row = coverage.get(ex, sym) as { first: number | null; last: number | null; bars: number };
      return row.first === null || row.last === null ? null : { first: row.first, last: row.last, bars: row.bars };
    },
    count() {
      return (count.get() as { n: number }).n;
    },
  };
}
