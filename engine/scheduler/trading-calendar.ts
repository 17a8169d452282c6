/**
 * Which calendar days an exchange trades: weekends and the exchange's holidays are closed, crypto
 * never is. Dates are the exchange's own calendar dates ("YYYY-MM-DD"); turning an instant into
 * one is trigger-times' job, because it needs a timezone.
 */
import type { Exchange } from '../core/types';
import { addDays, assertCivilDate, weekdayOf, type CivilDate } from './civil-date';
import {
  HOLIDAY_CALENDAR_OF,
  HOLIDAY_CALENDARS,
  loadHolidayData,
  type HolidayCalendarId,
  type HolidayData,
  type HolidayList,
} from './holiday-data';

const DEFAULT_TIMEZONES: Readonly<Record<Exchange, string>> = {
  NSE: 'Asia/Kolkata',
  BSE: 'Asia/Kolkata',
  NFO: 'Asia/Kolkata',
  BFO: 'Asia/Kolkata',
  NYSE: 'America/New_York',
  NASDAQ: 'America/New_York',
  CRYPTO: 'UTC',
};

/**
 * The IANA zone an exchange keeps its hours in, and a new strategy's default timezone.
 *
 * @example defaultTimezone('NSE') // 'Asia/Kolkata'
 */
export function defaultTimezone(exchange: Exchange): string {
  return DEFAULT_TIMEZONES[exchange];
}

/**
 * A search for the next open day gives up after this many days: no real exchange is closed for a
 * year, so reaching it means a holiday file that closes every day, and looping on would hang.
 */
const MAX_CLOSED_RUN_DAYS = 366;

export interface TradingCalendar {
  /** Whether `exchange` trades on `date` (its own calendar date). */
  isTradingDay(exchange: Exchange, date: CivilDate): boolean;
  /** The first trading day strictly after `date`. */
  nextTradingDay(exchange: Exchange, date: CivilDate): CivilDate;
  /** The holiday's name when `date` is one for `exchange`, else null (weekends are not holidays). */
  holidayName(exchange: Exchange, date: CivilDate): string | null;
  /** The list `exchange` follows (for "holidays known until …" in the UI); undefined for CRYPTO. */
  holidayList(exchange: Exchange): HolidayList | undefined;
}

/**
 * A calendar over the given holiday data (the bundled lists when omitted).
 *
 * @example
 *   const calendar = createTradingCalendar(loadHolidayData(userHolidayDir));
 *   calendar.isTradingDay('NYSE', '2026-07-03');   // false: Independence Day (observed)
 *   calendar.nextTradingDay('NYSE', '2026-07-02'); // '2026-07-06'
 *   calendar.isTradingDay('CRYPTO', '2026-07-04'); // true
 */
export function createTradingCalendar(holidays: HolidayData = loadHolidayData()): TradingCalendar {
  const byCalendar = new Map<HolidayCalendarId, ReadonlyMap<CivilDate, string>>();
  for (const calendar of HOLIDAY_CALENDARS) {
    const list = holidays[calendar];
    if (list) byCalendar.set(calendar, new Map(list.dates.map((h) => [h.date, h.name])));
  }

  const listOf = (exchange: Exchange): HolidayList | undefined => {
    const calendar = HOLIDAY_CALENDAR_OF[exchange];
    return calendar ? holidays[calendar] : undefined;
  };

  const holidayName = (exchange: Exchange, date: CivilDate): string | null => {
    assertCivilDate(date);
    const calendar = HOLIDAY_CALENDAR_OF[exchange];
    return (calendar && byCalendar.get(calendar)?.get(date)) ?? null;
  };

  const isTradingDay = (exchange: Exchange, date: CivilDate): boolean => {
    assertCivilDate(date);
    if (exchange === 'CRYPTO') return true;
    if (weekdayOf(date) >= 6) return false;
    return holidayName(exchange, date) === null;
  };

  const nextTradingDay = (exchange: Exchange, date: CivilDate): CivilDate => {
    let day = date;
    for (let i = 0; i < MAX_CLOSED_RUN_DAYS; i++) {
      day = addDays(day, 1);
      if (isTradingDay(exchange, day)) return day;
    }
    throw new RangeError(`${exchange} has no trading day in the ${MAX_CLOSED_RUN_DAYS} days after ${date}: check its holiday file`);
  };

  return { isTradingDay, nextTradingDay, holidayName, holidayList: listOf };
}

/**
 * Every day trades and has no holiday: for the crash soak only (started with test hooks), so it
 * exercises crashes on whatever day it runs rather than waiting for a weekday.
 */
export function alwaysOpenCalendar(): TradingCalendar {
  return {
    isTradingDay: () => true,
    nextTradingDay: (_exchange, date) => addDays(date, 1),
    holidayName: () => null,
    holidayList: () => undefined,
  };
}
