/**
 * Exchange holiday lists: bundled JSON files (engine/scheduler/holidays/) that a user can override
 * per exchange by dropping a file of the same name in their own folder — exchanges publish next
 * year's list, or add a closure at a week's notice (NSE did for 2026-01-15), long after a release.
 *
 * Every file is validated at load: a wrong date would make the daemon BUY on a closed market or
 * skip a trading day, so a bad file stops startup with an error naming the file and the entry.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { DomainError, type FieldError } from '../core/errors';
import type { Exchange } from '../core/types';
import { isCivilDate, type CivilDate } from './civil-date';
// Imported rather than read from disk so that a bundled or packaged engine still carries them.
import bundledNse from './holidays/nse.json' with { type: 'json' };
import bundledNyse from './holidays/nyse.json' with { type: 'json' };

/** The holiday lists that exist; several exchanges can share one. */
export const HOLIDAY_CALENDARS = ['NYSE', 'NSE'] as const;
export type HolidayCalendarId = (typeof HOLIDAY_CALENDARS)[number];

/**
 * Which list an exchange closes on. NASDAQ observes NYSE's holidays, BSE, NFO and BFO observe NSE's;
 * CRYPTO has none (it trades every day).
 */
export const HOLIDAY_CALENDAR_OF: Readonly<Record<Exchange, HolidayCalendarId | null>> = {
  NYSE: 'NYSE',
  NASDAQ: 'NYSE',
  NSE: 'NSE',
  BSE: 'NSE',
  // The derivatives segments close with their exchange (NSE's list serves BSE's too).
  NFO: 'NSE',
  BFO: 'NSE',
  CRYPTO: null,
};

export interface Holiday {
  readonly date: CivilDate;
  readonly name: string;
}

/** One validated holiday file. `file` says where it came from, for logs and the settings page. */
export interface HolidayList {
  readonly exchange: HolidayCalendarId;
  readonly source: string;
  readonly updated: CivilDate;
  readonly note?: string;
  readonly dates: readonly Holiday[];
  readonly file: string;
}

export type HolidayData = Readonly<Partial<Record<HolidayCalendarId, HolidayList>>>;

const civilDate = z.string().refine(isCivilDate, { message: 'must be a calendar date "YYYY-MM-DD"' });

const holidayFileSchema = z
  .object({
    exchange: z.enum(HOLIDAY_CALENDARS),
    source: z.string().trim().min(1, 'must say where the list comes from'),
    updated: civilDate,
    note: z.string().optional(),
    dates: z.array(z.object({ date: civilDate, name: z.string().trim().min(1, 'must not be empty') })),
  })
  .superRefine((file, ctx) => {
    // A duplicate is harmless to the lookup but usually a typo for a different date.
    const seen = new Set<string>();
    file.dates.forEach((d, i) => {
      if (seen.has(d.date)) ctx.addIssue({ code: 'custom', path: ['dates', i, 'date'], message: `duplicates an earlier entry for ${d.date}` });
      seen.add(d.date);
    });
  });

/** The file name a calendar's list lives under, in the bundled folder and in a user's folder. */
export function holidayFileName(calendar: HolidayCalendarId): string {
  return `${calendar.toLowerCase()}.json`;
}

/**
 * Validates parsed JSON as a holiday file. `file` only labels errors; `expected` guards against a
 * list saved under another exchange's name.
 *
 * @example
 *   parseHolidayFile({ exchange: 'NYSE', source: 'nyse.com', updated: '2026-01-02',
 *     dates: [{ date: '2026-07-03', name: 'Independence Day (observed)' }] }, 'nyse.json', 'NYSE');
 * @throws DomainError `validation_failed`, e.g. `holiday file nyse.json is invalid: dates[1].date must
 *   be a calendar date "YYYY-MM-DD" (entry {"date":"2026-02-30","name":"X"})`
 */
export function parseHolidayFile(json: unknown, file: string, expected?: HolidayCalendarId): HolidayList {
  const parsed = holidayFileSchema.safeParse(json);
  if (!parsed.success) {
    const fields: FieldError[] = parsed.error.issues.map((issue) => ({
      field: pathText(issue.path),
      message: issue.message + entryHint(json, issue.path),
    }));
    throw invalid(file, fields);
  }
  const data = parsed.data;
  if (expected && data.exchange !== expected) {
    throw invalid(file, [{ field: 'exchange', message: `is "${data.exchange}" but this file must hold the ${expected} list` }]);
  }
  return {
    exchange: data.exchange,
    source: data.source,
    updated: data.updated,
    ...(data.note === undefined ? {} : { note: data.note }),
    dates: data.dates,
    file,
  };
}

/**
 * Reads and validates one holiday file from disk.
 *
 * @example readHolidayFile('/home/ana/.config/tradeclock/holidays/nse.json', 'NSE')
 */
export function readHolidayFile(path: string, expected?: HolidayCalendarId): HolidayList {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw invalid(path, [{ field: '(file)', message: `cannot be read as JSON: ${err instanceof Error ? err.message : String(err)}` }]);
  }
  return parseHolidayFile(json, path, expected);
}

/**
 * The bundled holiday lists, each replaced by the user's file of the same name (nyse.json, nse.json)
 * when `userDir` has one. A missing folder or file just means "use the bundled list"; a present but
 * invalid file throws, because silently falling back would trade on the days the user closed.
 *
 * @example
 *   const calendar = createTradingCalendar(loadHolidayData(join(dataDir, 'holidays')));
 */
export function loadHolidayData(userDir?: string): HolidayData {
  const data: Partial<Record<HolidayCalendarId, HolidayList>> = {
    NYSE: parseHolidayFile(bundledNyse, 'engine/scheduler/holidays/nyse.json (bundled)', 'NYSE'),
    NSE: parseHolidayFile(bundledNse, 'engine/scheduler/holidays/nse.json (bundled)', 'NSE'),
  };
  if (userDir) {
    for (const calendar of HOLIDAY_CALENDARS) {
      const path = join(userDir, holidayFileName(calendar));
      if (existsSync(path)) data[calendar] = readHolidayFile(path, calendar);
    }
  }
  return data;
}

function invalid(file: string, fields: FieldError[]): DomainError {
  const detail = fields.map((f) => `${f.field} ${f.message}`).join('; ');
  return new DomainError('validation_failed', `holiday file ${file} is invalid: ${detail}`, fields);
}

/** ['dates', 3, 'date'] → "dates[3].date", the way the user will look for it in the file. */
function pathText(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(file)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}

/** Quotes the offending entry, so the user can find it even when the index is hard to count. */
function entryHint(json: unknown, path: readonly PropertyKey[]): string {
  if (path[0] !== 'dates' || typeof path[1] !== 'number') return '';
  const dates = typeof json === 'object' && json !== null && 'dates' in json ? json.dates : undefined;
  const entry = Array.isArray(dates) ? dates[path[1]] : undefined;
  return entry === undefined ? '' : ` (entry ${JSON.stringify(entry)})`;
}
