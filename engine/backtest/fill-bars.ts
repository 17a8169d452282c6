/**
 * The store filled from a broker's historical bars for the trading days it lacks, so a range
 * fetched once is read from SQLite ever after. A day counts as present when the store holds any
 * bar inside its session (market-hours.ts; crypto: its UTC day); the missing days are asked in
 * runs of consecutive trading days (one fetch each; the fetchers page and window themselves), and
 * everything fetched is written in one transaction at the end, so a failed fetch writes nothing.
 * Holidays and weekends are never asked. A day the broker has no bars for is asked again next time.
 */
import type { HistoricalBar } from '../../db/repos/historical-bars';
import type { Repos } from '../../db/repos';
import type { Exchange } from '../core/types';
import { addDays, type CivilDate } from '../scheduler/civil-date';
import { sessionOn } from '../scheduler/market-hours';
import type { TradingCalendar } from '../scheduler/trading-calendar';
import { instantOf } from '../scheduler/trigger-times';

/** The instrument's bars with start ≤ minute < end: fetchAlpacaBars or fetchKiteCandles, bound to an account. */
export type BarFetcher = (start: number, end: number) => Promise<HistoricalBar[]>;

export interface FillResult {
  /** The trading days that were missing and were asked for. */
  readonly asked: readonly CivilDate[];
  readonly bars: number;
  readonly evicted: number;
}

/**
 * @example await fillMissingBars(repos, calendar, { exchange: 'NYSE', symbol: 'AAPL' }, '2026-01-02', '2026-06-30', (s, e) => fetchAlpacaBars(deps, 'AAPL', s, e))
 */
export async function fillMissingBars(
  repos: Pick<Repos, 'historicalBars' | 'transaction'>,
  calendar: TradingCalendar,
  instrument: { readonly exchange: Exchange; readonly symbol: string },
  from: CivilDate,
  to: CivilDate,
  fetch: BarFetcher,
  cap?: number,
): Promise<FillResult> {
  const ranges: { start: number; end: number; days: CivilDate[] }[] = [];
  let open: { start: number; end: number; days: CivilDate[] } | null = null;
  for (let date = from; date <= to; date = addDays(date, 1)) {
    const hours = sessionHours(instrument.exchange, date, calendar);
    if (hours === null) continue; // closed: neither present nor missing, and no break in a run of missing days
    const present = repos.historicalBars.list(instrument.exchange, instrument.symbol, hours.start, hours.end).length > 0;
    if (present) {
      open = null;
      continue;
    }
    if (open) {
      open.end = hours.end;
      open.days.push(date);
    } else ranges.push((open = { start: hours.start, end: hours.end, days: [date] }));
  }
  const fetched: HistoricalBar[] = [];
  for (const r of ranges) fetched.push(...(await fetch(r.start, r.end)));
  const { evicted } = fetched.length > 0 ? repos.transaction(() => repos.historicalBars.save(instrument.exchange, instrument.symbol, fetched, cap)) : { evicted: 0 };
  return { asked: ranges.flatMap((r) => r.days), bars: fetched.length, evicted };
}

/** A trading date's session as epoch ms [start, end): the exchange's hours (market-hours.ts), crypto's UTC day; null when closed. */
export function sessionHours(exchange: Exchange, date: CivilDate, calendar: TradingCalendar): { start: number; end: number } | null {
  const s = sessionOn(exchange, date, calendar);
  if (s.kind === 'closed') return null;
  if (s.kind === 'always') return { start: instantOf(date, '00:00:00', 'UTC'), end: instantOf(addDays(date, 1), '00:00:00', 'UTC') };
  return { start: instantOf(date, s.open, s.timezone), end: instantOf(date, s.close, s.timezone) };
}
