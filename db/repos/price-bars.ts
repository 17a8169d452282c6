/**
 * 1-minute price bars of watched instruments (schema.ts `price_bars`). Broker market data keyed
 * by account, so every method is `Internal`: a request reaches bars only through a strategy the
 * user owns (engine/api/routes/bars.ts).
 */
import { and, asc, eq, gte, lt, lte } from 'drizzle-orm';
import type { Orm } from '../client';
import { priceBars } from '../schema';
import { rawTable } from './prepared';

export interface PriceBar {
  readonly brokerAccountId: number;
  readonly exchange: string;
  readonly symbol: string;
  /** Epoch ms of the minute's start. */
  readonly minute: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly ticks: number;
}

export interface PriceBarsRepo {
  /**
   * Writes each bar; a minute already stored (a part flushed before a restart) is merged: its
   * open kept, high and low widened, the new close, the ticks added.
   */
  saveInternal(bars: readonly PriceBar[]): void;
  /** The instrument's bars with from ≤ minute ≤ to, oldest first, at most `limit`. */
  listInternal(brokerAccountId: number, exchange: string, symbol: string, from: number, to: number, limit: number): PriceBar[];
  /**
   * The highest high of the instrument's bars whose minute starts at or after `from` (only
   * prices from then on); null when there is none.
   */
  highestSinceInternal(brokerAccountId: number, exchange: string, symbol: string, from: number): number | null;
  /** Deletes every bar older than `minute`; how many. */
  pruneBeforeInternal(minute: number): number;
}

export function createPriceBarsRepo(orm: Orm): PriceBarsRepo {
  // Every watched instrument's bar each minute: one statement prepared once (prepared.ts, rawTable).
  const t = rawTable(orm.$client, priceBars);
  const [high, low, close, ticks] = (['high', 'low', 'close', 'ticks'] as const).map(t.column);
  const fields = ['brokerAccountId', 'exchange', 'symbol', 'minute', 'open', 'high', 'low', 'close', 'ticks'] as const;
  const upsert = t.prepare(
    `INSERT INTO ${t.name} (${fields.map(t.column).join(', ')}) VALUES (${fields.map((f) => `@${f}`).join(', ')}) ` +
      `ON CONFLICT (${fields.slice(0, 4).map(t.column).join(', ')}) DO UPDATE SET ` +
      `${high} = max(${high}, excluded.${high}), ${low} = min(${low}, excluded.${low}), ${close} = excluded.${close}, ${ticks} = ${ticks} + excluded.${ticks}`,
  );
  const minute = t.column('minute');
  const highest = t.prepare(
    `SELECT max(${high}) AS high FROM ${t.name} WHERE ${t.column('brokerAccountId')} = ? AND ${t.column('exchange')} = ? AND ${t.column('symbol')} = ? AND ${minute} >= ?`,
  );
  return {
    saveInternal(bars) {
      for (const bar of bars) {
        upsert.run({ brokerAccountId: bar.brokerAccountId, exchange: bar.exchange, symbol: bar.symbol, minute: bar.minute, open: bar.open, high: bar.high, low: bar.low, close: bar.close, ticks: bar.ticks });
      }
    },
    listInternal(brokerAccountId, exchange, symbol, from, to, limit) {
      return orm
        .select()
        .from(priceBars)
        .where(and(eq(priceBars.brokerAccountId, brokerAccountId), eq(priceBars.exchange, exchange), eq(priceBars.symbol, symbol), gte(priceBars.minute, from), lte(priceBars.minute, to)))
        .orderBy(asc(priceBars.minute))
        .limit(Math.max(0, Math.floor(limit)))
        .all();
    },
    highestSinceInternal(brokerAccountId, exchange, symbol, from) {
      return (highest.get(brokerAccountId, exchange, symbol, from) as { high: number | null }).high;
    },
    pruneBeforeInternal(minute) {
      return orm.delete(priceBars).where(lt(priceBars.minute, minute)).run().changes;
    },
  };
}
