/**
 * Historical trades (ticks) for backtests (schema.ts `historical_tick_days`, `historical_ticks`):
 * market data kept between backtests, keyed by instrument and trading day. A day is stored whole
 * or not at all (each save is one day, in the caller's transaction), and the store is bounded:
 * after a save, whole days of any instrument are evicted, oldest session first, until the trades
 * kept are within the cap, so a backtest never meets half a day of trades.
 */
import type { Orm } from '../client';
import { historicalTickDays, historicalTicks } from '../schema';
import { rawTable } from './prepared';

/**
 * The default cap: 2 000 000 trades, some 180 MB (measured: 89 bytes a trade with its key, a
 * 300 000-trade day in a file database). A liquid stock's SIP day is a few hundred thousand trades,
 * its IEX day a few tens of thousands: a handful of SIP days, or a few months of IEX days, of one
 * stock.
 */
export const HISTORICAL_TICKS_CAP = 2_000_000;

export interface HistoricalTick {
  /** Epoch ms. */
  readonly at: number;
  readonly price: number;
  readonly size: number;
}

/** One trading day's trades, oldest first (the tape's order among equal times), and the session it covers. */
export interface TickDay {
  /** The trading date in the exchange's zone, YYYY-MM-DD. */
  readonly day: string;
  /** The session fetched, [start, end) in epoch ms. */
  readonly start: number;
  readonly end: number;
  readonly ticks: readonly HistoricalTick[];
}

export interface StoredTickDay {
  readonly day: string;
  readonly start: number;
  readonly end: number;
  readonly ticks: number;
}

/** A day larger than the whole store, refused before anything is written. */
export class TickDayTooLargeError extends Error {
  constructor(
    readonly day: string,
    readonly ticks: number,
    readonly cap: number,
  ) {
    super(`${day} has ${ticks} trades, more than the tick store holds (${cap})`);
    this.name = 'TickDayTooLargeError';
  }
}

export interface HistoricalTicksRepo {
  /**
   * Writes the instrument's day, replacing a day stored before, then evicts whole days (oldest
   * session first, never this one) beyond `cap` trades; returns the days evicted. Call it inside
   * `repos.transaction`. Throws TickDayTooLargeError, writing nothing, for a day above the cap.
   */
  saveDay(exchange: string, symbol: string, day: TickDay, cap?: number): { readonly evicted: number };
  /** The instrument's stored days whose session overlaps [from, to), oldest first. */
  days(exchange: string, symbol: string, from: number, to: number): StoredTickDay[];
  /** A stored day's trades with from ≤ at < to, in the tape's order. */
  list(exchange: string, symbol: string, day: string, from: number, to: number): HistoricalTick[];
  /** Trades stored, of every instrument. */
  count(): number;
}

export function createHistoricalTicksRepo(orm: Orm): HistoricalTicksRepo {
  const db = orm.$client;
  const d = rawTable(db, historicalTickDays);
  const t = rawTable(db, historicalTicks);
  // Compiled on first use (prepared.ts lazyStatement's reason): a migration test makes the repos on an older schema.
  const lazy = (text: () => string) => {
    let s: ReturnType<typeof db.prepare> | undefined;
    return () => (s ??= db.prepare(text()));
  };
  const [dEx, dSym, dDay, dStart, dEnd, dTicks] = (['exchange', 'symbol', 'day', 'start', 'end', 'ticks'] as const).map(d.column);
  const [tEx, tSym, tDay, tSeq, tAt, tPrice, tSize] = (['exchange', 'symbol', 'day', 'seq', 'at', 'price', 'size'] as const).map(t.column);
  const insertTick = lazy(() => `INSERT INTO ${t.name} (${tEx}, ${tSym}, ${tDay}, ${tSeq}, ${tAt}, ${tPrice}, ${tSize}) VALUES (?, ?, ?, ?, ?, ?, ?)`);
  const deleteTicks = lazy(() => `DELETE FROM ${t.name} WHERE ${tEx} = ? AND ${tSym} = ? AND ${tDay} = ?`);
  const upsertDay = lazy(() => `INSERT OR REPLACE INTO ${d.name} (${dEx}, ${dSym}, ${dDay}, ${dStart}, ${dEnd}, ${dTicks}) VALUES (?, ?, ?, ?, ?, ?)`);
  const deleteDay = lazy(() => `DELETE FROM ${d.name} WHERE ${dEx} = ? AND ${dSym} = ? AND ${dDay} = ?`);
  const total = lazy(() => `SELECT coalesce(sum(${dTicks}), 0) AS n FROM ${d.name}`);
  // The oldest session first (the start index); rowid breaks a tie between instruments.
  const oldest = lazy(() => `SELECT ${dEx} AS exchange, ${dSym} AS symbol, ${dDay} AS day FROM ${d.name} WHERE NOT (${dEx} = ? AND ${dSym} = ? AND ${dDay} = ?) ORDER BY ${dStart}, rowid LIMIT 1`);
  const overlapping = lazy(() => `SELECT ${dDay} AS day, ${dStart} AS start, ${dEnd} AS "end", ${dTicks} AS ticks FROM ${d.name} WHERE ${dEx} = ? AND ${dSym} = ? AND ${dStart} < ? AND ${dEnd} > ? ORDER BY ${dStart}`);
  const range = lazy(() => `SELECT ${tAt} AS at, ${tPrice} AS price, ${tSize} AS size FROM ${t.name} WHERE ${tEx} = ? AND ${tSym} = ? AND ${tDay} = ? AND ${tAt} >= ? AND ${tAt} < ? ORDER BY ${tSeq}`);
  const remove = (ex: string, sym: string, day: string) => {
    deleteTicks().run(ex, sym, day);
    deleteDay().run(ex, sym, day);
  };
  return {
    saveDay(ex, sym, day, cap = HISTORICAL_TICKS_CAP) {
      if (day.ticks.length > cap) throw new TickDayTooLargeError(day.day, day.ticks.length, cap);
      remove(ex, sym, day.day);
      const insert = insertTick();
      day.ticks.forEach((k, seq) => insert.run(ex, sym, day.day, seq, k.at, k.price, k.size));
      upsertDay().run(ex, sym, day.day, day.start, day.end, day.ticks.length);
      let evicted = 0;
      while ((total().get() as { n: number }).n > cap) {
        const victim = oldest().get(ex, sym, day.day) as { exchange: string; symbol: string; day: string };
        remove(victim.exchange, victim.symbol, victim.day);
        evicted++;
      }
      return { evicted };
    },
    days(ex, sym, from, to) {
      return overlapping().all(ex, sym, to, from) as StoredTickDay[];
    },
    list(ex, sym, day, from, to) {
      return range().all(ex, sym, day, from, to) as HistoricalTick[];
    },
    count() {
      return (total().get() as { n: number }).n;
    },
  };
}
