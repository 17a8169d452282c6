/**
 * Calendar dates without a time or a zone ("YYYY-MM-DD"), the unit of trading days. The arithmetic
 * runs in UTC on purpose: a civil date has no DST, so adding a day is always exactly one step.
 */
import { DateTime } from 'luxon';

/** "YYYY-MM-DD". */
export type CivilDate = string;

const SHAPE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * True for a real calendar date in the exact "YYYY-MM-DD" form. luxon alone would also accept
 * "20260308" or "2026-W10", which would then be stored in a different form than they were typed.
 *
 * @example isCivilDate('2026-02-28') // true;  isCivilDate('2026-02-30') // false
 */
export function isCivilDate(text: string): boolean {
  return SHAPE.test(text) && DateTime.fromISO(text, { zone: 'utc' }).isValid;
}

/**
 * `date` plus `days` (negative goes back).
 *
 * @example addDays('2026-02-28', 1) // '2026-03-01'
 */
export function addDays(date: CivilDate, days: number): CivilDate {
  return format(parse(date).plus({ days }));
}

/**
 * ISO weekday: 1 = Monday … 7 = Sunday.
 *
 * @example weekdayOf('2026-03-07') // 6 (Saturday)
 */
export function weekdayOf(date: CivilDate): number {
  return parse(date).weekday;
}

/** Throws on anything but a real "YYYY-MM-DD"; inside the engine a bad date is a bug, not input. */
export function assertCivilDate(date: string, what = 'date'): asserts date is CivilDate {
  if (!isCivilDate(date)) throw new RangeError(`${what} must be a calendar date "YYYY-MM-DD", got ${JSON.stringify(date)}`);
}

function parse(date: CivilDate): DateTime {
  assertCivilDate(date);
  return DateTime.fromISO(date, { zone: 'utc' });
}

function format(dt: DateTime): CivilDate {
  const iso = dt.toISODate();
  // null only for an invalid DateTime, which parse() has already ruled out.
  if (iso === null) throw new RangeError(`invalid date: ${dt.invalidExplanation ?? 'unknown'}`);
  return iso;
}
