/**
 * The tick store as a backtest reads it (run-backtest.ts `ticks`): a run's window walks trades only
 * when every trading session it touches is stored whole (historical_tick_days); a window with one
 * session missing walks the bars, so a run never mixes half its day in trades with the rest in
 * bars, and a day fetched once is read from SQLite ever after.
 */
import type { Repos } from '../../db/repos';
import type { HistoricalTick } from '../../db/repos/historical-ticks';
import type { Exchange } from '../core/types';
import { addDays, type CivilDate } from '../scheduler/civil-date';
import type { TradingCalendar } from '../scheduler/trading-calendar';
import { sessionHours } from './fill-bars';

const dateOf = (ms: number): CivilDate => new Date(ms).toISOString().slice(0, 10);

/**
 * The instrument's stored trades with from ≤ at < to in the tape's order, or null when a session
 * overlapping the window is not stored (or none is).
 * @example storedTicks(repos, calendar, { exchange: 'NYSE', symbol: 'AAPL' })(buyAt - LEAD_MS, sellAt + 60_000)
 */
export function storedTicks(repos: Pick<Repos, 'historicalTicks'>, calendar: TradingCalendar, instrument: { readonly exchange: Exchange; readonly symbol: string }) {
  const { exchange, symbol } = instrument;
  return (from: number, to: number): HistoricalTick[] | null => {
    const stored = new Set(repos.historicalTicks.days(exchange, symbol, from, to).map((d) => d.day));
    if (stored.size === 0) return null;
    const sessions: CivilDate[] = [];
    // The exchange's dates around the window's UTC dates: a superset, each kept when its session overlaps.
    for (let date = addDays(dateOf(from), -1); date <= addDays(dateOf(to), 1); date = addDays(date, 1)) {
      const hours = sessionHours(exchange, date, calendar);
      if (hours && hours.start < to && hours.end > from) sessions.push(date);
    }
    if (sessions.length === 0 || !sessions.every((d) => stored.has(d))) return null;
    return sessions.flatMap((d) => repos.historicalTicks.list(exchange, symbol, d, from, to));
  };
}

/** Whether the store holds any day of trades of the instrument from `from` to `to` (dates, both included). */
export function hasStoredTicks(repos: Pick<Repos, 'historicalTicks'>, instrument: { readonly exchange: Exchange; readonly symbol: string }, from: CivilDate, to: CivilDate): boolean {
  const start = Date.parse(`${addDays(from, -1)}T00:00:00Z`);
  const end = Date.parse(`${addDays(to, 2)}T00:00:00Z`);
  return repos.historicalTicks.days(instrument.exchange, instrument.symbol, start, end).length > 0;
}
