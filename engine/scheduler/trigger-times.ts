/**
 * When a strategy's BUY and SELL happen, as epoch ms: wall-clock times in the strategy's IANA
 * timezone, on the exchange's trading days.
 *
 * DST is croner's (v11) business, never ours. A fixed time that falls in a spring-forward gap runs
 * at the first valid time after the gap on the same day (02:30 New York on 2026-03-08 → 03:00 EDT);
 * one that falls in a fall-back overlap runs once, at its first occurrence (01:30 on 2026-11-01 →
 * 01:30 EDT). Using the library the timer layer would use keeps planning and firing in agreement.
 */
import { Cron } from 'croner';
import { DateTime } from 'luxon';
import { validationError } from '../core/errors';
import { isKnownTimezone } from './timezone';
import { formatTimeOfDay, parseTimeOfDay, secondsOfDay, type TimeOfDay } from '../core/time-of-day';
import type { StoredStrategySpec } from '../core/strategy-spec';
import { WEEKDAYS } from '../core/strategy-spec';
import { addDays, assertCivilDate, weekdayOf, type CivilDate } from './civil-date';
import { createTradingCalendar, defaultTimezone, type TradingCalendar } from './trading-calendar';
import type { Exchange } from '../core/types';

/**
 * The keys of a strategy's spec that decide its trigger times; a spec itself fits. `weekdays`
 * (a daily strategy's filter) are the days of its trading date, in its own timezone.
 */
export type StrategyTimes = Pick<StoredStrategySpec, 'buy_time' | 'sell_time' | 'timezone' | 'exchange'> &
  Partial<Pick<StoredStrategySpec, 'square_off_time' | 'reentry_cutoff' | 'weekdays'>>;

export interface PlannedRun {
  /** The run's date: the BUY's calendar date in the strategy's timezone. Each date has one run. */
  readonly tradingDate: CivilDate;
  /**
   * The BUY's calendar date in the exchange's timezone: the day checked against the exchange's
   * holidays. Differs from tradingDate only when the strategy's timezone is not the exchange's and
   * the BUY is near midnight (an NYSE strategy kept in Asia/Kolkata time buying at 01:00).
   */
  readonly exchangeDate: CivilDate;
  readonly buyAt: number;
  readonly sellAt: number;
  /** No re-entry at or after this instant (reentry_cutoff that day); null when the strategy has none. */
  readonly reentryCutoffAt: number | null;
  /** The square-off (square_off_time that day); null when the strategy has none. */
  readonly squareOffAt: number | null;
}

const HOUR_MS = 3_600_000;
/** A year and a bit: enough to cross any real closure, small enough to stop on a broken calendar. */
const MAX_SEARCH_DAYS = 370;

/**
 * The calendar date at `epochMs` in `timezone`.
 *
 * @example tradingDateAt(Date.parse('2026-03-10T03:00:00Z'), 'America/New_York') // '2026-03-09'
 */
export function tradingDateAt(epochMs: number, timezone: string): CivilDate {
  assertZone(timezone);
  const iso = DateTime.fromMillis(epochMs, { zone: timezone }).toISODate();
  if (iso === null) throw new RangeError(`not a representable instant: ${epochMs}`);
  return iso;
}

/**
 * The exchange's own calendar date at `epochMs`, in the zone it keeps its hours in (not a
 * strategy's): the day an option expiry is listed on, so the check of a saved expiry date and the
 * contract choice read the same "today" whatever zone the strategy's times are in.
 *
 * @example exchangeToday('NFO', Date.parse('2026-12-22T03:00:00Z')) // '2026-12-22' (still 21 December, 22:00, in New York)
 */
export function exchangeToday(exchange: Exchange, epochMs: number): CivilDate {
  return tradingDateAt(epochMs, defaultTimezone(exchange));
}

/**
 * The instant `timeOfDay` ("HH:MM[:SS]") happens on `date` in `timezone`, with croner's DST rules.
 *
 * @example
 *   instantOf('2026-03-09', '09:30:00', 'America/New_York') // Date.parse('2026-03-09T13:30:00Z')
 *   instantOf('2026-03-08', '02:30:00', 'America/New_York') // Date.parse('2026-03-08T07:00:00Z'), 03:00 EDT
 */
export function instantOf(date: CivilDate, timeOfDay: string | TimeOfDay, timezone: string): number {
  assertCivilDate(date);
  assertZone(timezone);
  const t = typeof timeOfDay === 'string' ? parseTime(timeOfDay, 'timeOfDay') : timeOfDay;
  const day = DateTime.fromISO(date, { zone: 'utc' });
  // Single second, minute and hour make this a croner "fixed-time" job; pinned to this day of month.
  const cron = new Cron(`${t.second} ${t.minute} ${t.hour} ${day.day} ${day.month} *`, { timezone, paused: true });
  // 15 h before the date's UTC midnight is still the previous day in every zone (the furthest
  // ahead is +14:00), so the next match is on this date and not a year later.
  const from = day.toMillis() - 15 * HOUR_MS;
  // new Date(ms) converts a computed instant for croner's API; it reads no clock.
  const at = cron.nextRun(new Date(from))?.getTime();
  if (at === undefined || tradingDateAt(at, timezone) !== date) {
    throw new RangeError(`${formatTimeOfDay(t)} does not occur on ${date} in ${timezone}`);
  }
  return at;
}

/**
 * The run to arm for a strategy started (or recovered) at `now`: the first trading day whose BUY
 * instant is still >= now, on one of its `weekdays` when it names some. A strategy started after
 * today's BUY time arms for the next trading day.
 * Recovery that allows a grace window for a late BUY passes `now - graceMs`.
 *
 * A SELL time of day at or before the BUY's is an overnight hold: the SELL is on the next trading day.
 *
 * @example
 *   // Friday 2026-03-06 10:00 New York, after the 09:30 BUY: Monday, already in EDT.
 *   planRun(Date.parse('2026-03-06T15:00:00Z'),
 *     { buy_time: '09:30:00', sell_time: '15:55:00', timezone: 'America/New_York', exchange: 'NYSE' }, calendar)
 *   // → { tradingDate: '2026-03-09', exchangeDate: '2026-03-09',
 *   //     buyAt: Date.parse('2026-03-09T13:30:00Z'), sellAt: Date.parse('2026-03-09T19:55:00Z') }
 */
export function planRun(now: number, times: StrategyTimes, calendar: TradingCalendar): PlannedRun {
  return firstRunFrom(tradingDateAt(now, times.timezone), times, calendar, (buyAt) => buyAt >= now);
}

/**
 * The run after the one on `tradingDate`, for a daily strategy: the next trading day's BUY and
 * SELL, on one of its `weekdays` when it names some.
 *
 * @example
 *   nextRunAfter('2026-04-02', nyseTimes, calendar).tradingDate // '2026-04-06' (Good Friday closed)
 *   nextRunAfter('2026-04-01', { ...nyseTimes, weekdays: ['mon', 'wed', 'fri'] }, calendar).tradingDate // '2026-04-06'
 */
export function nextRunAfter(tradingDate: CivilDate, times: StrategyTimes, calendar: TradingCalendar): PlannedRun {
  assertCivilDate(tradingDate, 'tradingDate');
  return firstRunFrom(addDays(tradingDate, 1), times, calendar, () => true);
}

function firstRunFrom(
  firstDate: CivilDate,
  times: StrategyTimes,
  calendar: TradingCalendar,
  accept: (buyAt: number) => boolean,
): PlannedRun {
  const buy = parseTime(times.buy_time, 'buy_time');
  const sell = parseTime(times.sell_time, 'sell_time');
  const exchangeZone = defaultTimezone(times.exchange);
  const onDay = weekdayFilter(times.weekdays);
  let date = firstDate;
  for (let i = 0; i < MAX_SEARCH_DAYS; i++, date = addDays(date, 1)) {
    if (!onDay(date)) continue;
    const buyAt = instantOf(date, buy, times.timezone);
    if (!accept(buyAt)) continue;
    const exchangeDate = tradingDateAt(buyAt, exchangeZone);
    if (!calendar.isTradingDay(times.exchange, exchangeDate)) continue;
    const sellAt =
      secondsOfDay(sell) > secondsOfDay(buy)
        ? instantOf(date, sell, times.timezone)
        : nextTradingInstant(date, sell, times, calendar);
    // The spec keeps both within the BUY's day (after the BUY, around the SELL).
    const sameDay = (key: 'reentry_cutoff' | 'square_off_time') => {
      const time = times[key];
      return time ? instantOf(date, parseTime(time, key), times.timezone) : null;
    };
    return { tradingDate: date, exchangeDate, buyAt, sellAt, reentryCutoffAt: sameDay('reentry_cutoff'), squareOffAt: sameDay('square_off_time') };
  }
  if (times.weekdays) {
    // Every week of a year came round: the weekdays fall only where the exchange is closed (its
    // weekend, or a zone far from the exchange's, where a Monday is still the exchange's Sunday).
    throw validationError([
      {
        field: 'weekdays',
        message: `weekdays (${times.weekdays.join(', ')}) never fall on a day ${times.exchange} trades: with the BUY at ${times.buy_time} ${times.timezone}, no such day within ${MAX_SEARCH_DAYS} days of ${firstDate} is a trading day of the exchange`,
      },
    ]);
  }
  throw new RangeError(`${times.exchange} has no trading day within ${MAX_SEARCH_DAYS} days of ${firstDate}`);
}

/** Whether a strategy's trading date is one of its weekdays; every day when it names none. */
function weekdayFilter(weekdays: StrategyTimes['weekdays']): (date: CivilDate) => boolean {
  if (!weekdays) return () => true;
  // ISO weekday 1 (Monday) … 7 (Sunday), the order of WEEKDAYS.
  const days = new Set(weekdays.map((d) => WEEKDAYS.indexOf(d) + 1));
  return (date) => days.has(weekdayOf(date));
}

/** Weekends only, no holidays: what a strategy's weekdays are held to when it is saved. */
const WEEKENDS_ONLY = createTradingCalendar({});

/**
 * Refuses, naming `weekdays`, a strategy whose weekdays never fall on a day its exchange trades
 * (weekends aside; holidays move every year and are not held against it): it would be saved,
 * and started, and never trade.
 *
 * @example refuseIdleWeekdays({ ...nyseTimes, weekdays: ['sat', 'sun'] }, now) // throws: weekdays …
 */
export function refuseIdleWeekdays(times: StrategyTimes, now: number): void {
  if (times.weekdays) planRun(now, times, WEEKENDS_ONLY);
}

/** `time` on the first day after `date` that the exchange trades (the SELL of an overnight hold). */
function nextTradingInstant(date: CivilDate, time: TimeOfDay, times: StrategyTimes, calendar: TradingCalendar): number {
  let day = date;
  for (let i = 0; i < MAX_SEARCH_DAYS; i++) {
    day = addDays(day, 1);
    const at = instantOf(day, time, times.timezone);
    if (calendar.isTradingDay(times.exchange, tradingDateAt(at, defaultTimezone(times.exchange)))) return at;
  }
  throw new RangeError(`${times.exchange} has no trading day within ${MAX_SEARCH_DAYS} days after ${date}`);
}

function parseTime(text: string, field: string): TimeOfDay {
  const t = parseTimeOfDay(text);
  if (!t) throw validationError([{ field, message: `must be "HH:MM" or "HH:MM:SS" (24-hour), got ${JSON.stringify(text)}` }]);
  return t;
}

function assertZone(timezone: string): void {
  if (!isKnownTimezone(timezone)) throw validationError([{ field: 'timezone', message: `unknown IANA timezone ${JSON.stringify(timezone)}` }]);
}
