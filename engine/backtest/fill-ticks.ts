/**
 * The tick store filled from a broker's historical trades for the trading days it lacks, a day at
 * a time: each day's session is fetched whole (its trades that set the last price) and written in
 * its own transaction, so the store holds whole days only, and a failure keeps the days already
 * written (each complete) and writes nothing of the day that failed. A day with no trade is not
 * stored (asked again next time, as a day without bars is). Holidays and weekends are never asked.
 */
import type { Repos } from '../../db/repos';
import { HISTORICAL_TICKS_CAP, type HistoricalTick } from '../../db/repos/historical-ticks';
import type { Exchange } from '../core/types';
import { addDays, type CivilDate } from '../scheduler/civil-date';
import type { TradingCalendar } from '../scheduler/trading-calendar';
import { sessionHours } from './fill-bars';

/** The instrument's trades that set the last price with start ≤ at < end, at most `max` (else it rejects): fetchAlpacaTrades bound to an account. */
export type TickFetcher = (start: number, end: number, max: number) => Promise<HistoricalTick[]>;

export interface TickFillResult {
  /** The trading days that were missing and were asked for. */
  readonly asked: readonly CivilDate[];
  /** Of those, the days stored (the broker had trades for them). */
  readonly stored: readonly CivilDate[];
  readonly ticks: number;
  /** Whole days of any instrument evicted to keep the store under its cap. */
  readonly evicted: number;
}

/**
 * @example await fillMissingTicks(repos, calendar, { exchange: 'NYSE', symbol: 'AAPL' }, '2026-03-02', '2026-03-06', (s, e, max) => fetchAlpacaTrades(deps, 'AAPL', s, e, max))
 */
export async function fillMissingTicks(
  repos: Pick<Repos, 'historicalTicks' | 'transaction'>,
  calendar: TradingCalendar,
  instrument: { readonly exchange: Exchange; readonly symbol: string },
  from: CivilDate,
  to: CivilDate,
  fetch: TickFetcher,
  cap = HISTORICAL_TICKS_CAP,
): Promise<TickFillResult> {
  const { exchange, symbol } = instrument;
  const asked: CivilDate[] = [];
  const stored: CivilDate[] = [];
  let ticks = 0;
  let evicted = 0;
  for (let date = from; date <= to; date = addDays(date, 1)) {
    const hours = sessionHours(exchange, date, calendar);
    if (hours === null || repos.historicalTicks.days(exchange, symbol, hours.start, hours.end).some((d) => d.day === date)) continue;
    asked.push(date);
    const day = await fetch(hours.start, hours.end, cap);
    if (day.length === 0) continue;
    evicted += repos.transaction(() => repos.historicalTicks.saveDay(exchange, symbol, { day: date, start: hours.start, end: hours.end, ticks: day }, cap)).evicted;
    stored.push(date);
    ticks += day.length;
  }
  return { asked, stored, ticks, evicted };
}
