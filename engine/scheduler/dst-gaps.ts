/**
 * Times of day that a daylight-saving change skips. On New York's spring-forward Sunday the clock
 * goes from 01:59:59 to 03:00:00: 02:30 does not happen that day, and croner (like every timer)
 * runs such a job at 03:00. A BUY at 02:15 and a SELL at 02:45 then fall on one instant, and the
 * day ends MISSED_BUY with nothing traded.
 *
 * Decision: such a time is refused when the strategy is created or edited, with the gap named,
 * rather than shifted silently. It is refused when it falls in a gap on any day the strategy
 * could run in the coming year and a week (its exchange trades that day; weekends aside,
 * holidays are not consulted, so a gap on a holiday is refused too): a strategy can be started
 * any day and repeated daily, and DST rules repeat every year. A gap on a weekend of a weekday
 * exchange (New York's change is on a Sunday) never affects a run, so NYSE at 02:30 is accepted.
 */
import { DateTime } from 'luxon';
import type { FieldError } from '../core/errors';
import { validationError } from '../core/errors';
import { formatTimeOfDay, parseTimeOfDay, type TimeOfDay } from '../core/time-of-day';
import type { Exchange } from '../core/types';
import { addDays, type CivilDate } from './civil-date';
import { createTradingCalendar, defaultTimezone } from './trading-calendar';

export interface DstGap {
  /** The day the time does not exist, in the strategy's timezone. */
  readonly date: CivilDate;
  /** The last wall-clock minute before the jump, plus one ("02:00"), and the first after it ("03:00"). */
  readonly from: string;
  readonly to: string;
}

export interface StrategyClockTimes {
  readonly buyTime: string;
  readonly sellTime: string;
  readonly timezone: string;
  readonly exchange: Exchange;
}

/**
 * A year and a week: a yearly rule such as "the second Sunday of March" comes round again within
 * 371 days (2026-03-08, 2027-03-14), so it shows up whatever day the search starts.
 */
const SEARCH_DAYS = 372;
/** Weekends only: holidays change yearly and a refusal on one costs nothing. */
const weekdays = createTradingCalendar({});

/**
 * The first day from `fromDate` on which `time` is skipped in `timezone`, and the jump; null
 * when it always exists. `isRunDay` limits the search to days the strategy would run.
 *
 * @example gapOf(parseTimeOfDay('02:30')!, 'America/New_York', '2026-01-01') // { date: '2026-03-08', from: '02:00', to: '03:00' }
 */
export function gapOf(time: TimeOfDay, timezone: string, fromDate: CivilDate, isRunDay: (date: CivilDate) => boolean = () => true): DstGap | null {
  for (let i = 0, date = fromDate; i < SEARCH_DAYS; i++, date = addDays(date, 1)) {
    if (exists(date, time.hour * 60 + time.minute, timezone, time.second)) continue;
    if (!isRunDay(date)) continue;
    const minute = time.hour * 60 + time.minute;
    let first = minute;
    while (first > 0 && !exists(date, first - 1, timezone)) first--;
    let after = minute + 1;
    while (after < 24 * 60 && !exists(date, after, timezone)) after++;
    return { date, from: hhmm(first), to: after >= 24 * 60 ? '24:00' : hhmm(after) };
  }
  return null;
}

/**
 * Field errors for a BUY or SELL time that a DST change skips on a day the strategy could run;
 * empty when there is none.
 *
 * @example dstGapProblems({ buyTime: '02:15', sellTime: '02:45', timezone: 'America/New_York', exchange: 'CRYPTO' }, '2026-01-01')
 *   // [{ field: 'buy_time', message: 'buy_time 02:15:00 does not exist in America/New_York on 2026-03-08: …' }, { field: 'sell_time', … }]
 */
export function dstGapProblems(s: StrategyClockTimes, today: CivilDate): FieldError[] {
  const buy = parseTimeOfDay(s.buyTime);
  const sell = parseTimeOfDay(s.sellTime);
  if (!buy || !sell) return [];
  const exchangeZone = defaultTimezone(s.exchange);
  // A run's day is decided by its BUY: the exchange must trade on the BUY's date in its own zone.
  const isRunDay = (date: CivilDate) => {
    const buyAt = wallClock(date, buy.hour * 60 + buy.minute, s.timezone, buy.second);
    return weekdays.isTradingDay(s.exchange, buyAt.setZone(exchangeZone).toISODate()!);
  };
  const problems: FieldError[] = [];
  for (const [field, time] of [['buy_time', buy], ['sell_time', sell]] as const) {
    const gap = gapOf(time, s.timezone, today, isRunDay);
    if (!gap) continue;
    problems.push({
      field,
      message:
        `${field} ${formatTimeOfDay(time)} does not exist in ${s.timezone} on ${gap.date}: the clocks jump from ${gap.from} to ${gap.to} ` +
        `for daylight saving time, and that day the ${field === 'buy_time' ? 'BUY' : 'SELL'} would happen at ${gap.to} instead. Choose a time outside ${gap.from}–${gap.to}`,
    });
  }
  return problems;
}

/**
 * @throws DomainError validation_failed naming buy_time / sell_time when either is in a gap.
 * @example refuseDstGaps({ buyTime: '09:30', sellTime: '15:55', timezone: 'America/New_York', exchange: 'NYSE' }, clock.now())
 */
export function refuseDstGaps(s: StrategyClockTimes, now: number): void {
  const today = DateTime.fromMillis(now, { zone: s.timezone }).toISODate();
  if (today === null) return;
  const problems = dstGapProblems(s, today);
  if (problems.length > 0) throw validationError(problems);
}

function wallClock(date: CivilDate, minuteOfDay: number, timezone: string, second = 0): DateTime {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return DateTime.fromObject({ year, month, day, hour: Math.floor(minuteOfDay / 60), minute: minuteOfDay % 60, second }, { zone: timezone });
}

/** Whether the wall-clock time happens on `date` in `timezone` (luxon moves a skipped one forward). */
function exists(date: CivilDate, minuteOfDay: number, timezone: string, second = 0): boolean {
  const t = wallClock(date, minuteOfDay, timezone, second);
  return t.isValid && t.toISODate() === date && t.hour * 60 + t.minute === minuteOfDay && t.second === second;
}

function hhmm(minuteOfDay: number): string {
  return `${String(Math.floor(minuteOfDay / 60)).padStart(2, '0')}:${String(minuteOfDay % 60).padStart(2, '0')}`;
}
