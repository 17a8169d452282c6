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
import { DateTime, Info } from 'luxon';
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
const DAY_MS = 86_400_000;
/**
 * How far apart the zone's offset is sampled when looking for its changes. Two changes that undo
 * each other within one step would both be missed; the shortest such pair in the tz database
 * (Morocco's Ramadan suspensions of summer time) is about a month apart.
 */
const PROBE_STEP_MS = 7 * DAY_MS;
/** Weekends only: holidays change yearly and a refusal on one costs nothing. */
const weekdays = createTradingCalendar({});

/** A moment the zone's clocks jump forward: wall-clock [fromWall, toWall) does not happen. */
interface ForwardJump {
  /** The skipped wall-clock span, as epoch ms of that wall time read as UTC. */
  readonly fromWall: number;
  readonly toWall: number;
}

/**
 * The first day from `fromDate` on which `time` is skipped in `timezone`, and the jump; null
 * when it always exists. `isRunDay` limits the search to days the strategy would run.
 *
 * @example gapOf(parseTimeOfDay('02:30')!, 'America/New_York', '2026-01-01') // { date: '2026-03-08', from: '02:00', to: '03:00' }
 */
export function gapOf(time: TimeOfDay, timezone: string, fromDate: CivilDate, isRunDay: (date: CivilDate) => boolean = () => true): DstGap | null {
  return firstGap(forwardJumps(timezone, fromDate), time, timezone, fromDate, isRunDay);
}

/**
 * Only the days of the zone's forward jumps can skip a time: those few are checked, not every day
 * of the year (each check builds a luxon DateTime; 372 of them per time blocked the event loop
 * ~24 ms per create or edit).
 */
function firstGap(jumps: readonly ForwardJump[], time: TimeOfDay, timezone: string, fromDate: CivilDate, isRunDay: (date: CivilDate) => boolean): DstGap | null {
  const lastDate = addDays(fromDate, SEARCH_DAYS - 1);
  for (const jump of jumps) {
    for (const date of wallDates(jump)) {
      if (date < fromDate || date > lastDate) continue;
      // luxon decides whether the time exists that day; the jump only says which days to ask.
      if (exists(date, time.hour * 60 + time.minute, timezone, time.second)) continue;
      if (!isRunDay(date)) continue;
      const dayStart = Date.parse(`${date}T00:00:00Z`);
      const from = Math.max(jump.fromWall, dayStart) - dayStart;
      const to = Math.min(jump.toWall, dayStart + DAY_MS) - dayStart;
      return { date, from: hhmm(Math.floor(from / 60_000)), to: to >= DAY_MS ? '24:00' : hhmm(Math.ceil(to / 60_000)) };
    }
  }
  return null;
}

/**
 * Every moment in the search window (and a day either side, for zones far from UTC) at which the
 * zone's UTC offset grows, in order. The offsets are luxon's (the tz database through Intl):
 * sampled a week apart, and where two samples differ the change is found by bisection to the ms.
 */
function forwardJumps(timezone: string, fromDate: CivilDate): ForwardJump[] {
  const zone = Info.normalizeZone(timezone);
  if (!zone.isValid || zone.isUniversal) return [];
  const offsetMs = (t: number) => zone.offset(t) * 60_000;
  const start = Date.parse(`${fromDate}T00:00:00Z`) - DAY_MS;
  const end = start + (SEARCH_DAYS + 2) * DAY_MS;
  const jumps: ForwardJump[] = [];
  let t = start;
  let before = offsetMs(t);
  while (t < end) {
    const next = Math.min(t + PROBE_STEP_MS, end);
    if (offsetMs(next) === before) {
      t = next;
      continue;
    }
    // The first ms whose offset is not `before`: lo keeps it, hi has changed.
    let lo = t;
    let hi = next;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (offsetMs(mid) === before) lo = mid;
      else hi = mid;
    }
    const after = offsetMs(hi);
    if (after > before) jumps.push({ fromWall: hi + before, toWall: hi + after });
    t = hi;
    before = after;
  }
  return jumps;
}

/** The calendar days the skipped span touches (two when it crosses midnight). */
function wallDates(jump: ForwardJump): CivilDate[] {
  const first = new Date(jump.fromWall).toISOString().slice(0, 10);
  const last = new Date(jump.toWall - 1).toISOString().slice(0, 10);
  return first === last ? [first] : [first, last];
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
  const jumps = forwardJumps(s.timezone, today);
  const problems: FieldError[] = [];
  for (const [field, time] of [['buy_time', buy], ['sell_time', sell]] as const) {
    const gap = firstGap(jumps, time, s.timezone, today, isRunDay);
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
