/**
 * Trades (ticks) from a CSV file into the tick store, judged whole before anything is stored. The
 * columns, named in a header line in any order (more columns are ignored):
 *
 *   timestamp   ISO-8601 with its offset, fractions of a second allowed
 *               ("2026-03-02T09:31:20.125-05:00", "2026-03-02T14:31:20.125Z"), or epoch seconds
 *               with an optional fraction ("1772461880.125"); kept to the millisecond
 *   price       above 0
 *   size        optional: 0 or more (empty or absent: 0)
 *   conditions  optional: the trade's US (CTA/UTP) sale conditions separated by spaces ("@ I"); a trade whose
 *               conditions set no last price (core/last-sale.ts: an odd lot …) is skipped, as the
 *               fetch from a broker skips it
 *
 * Each trade belongs to the trading day whose session holds it (the exchange's hours); one outside
 * every session is refused with its line. Rows may come in any order; equal times keep the file's
 * order (the tape's). Every day in the file is replaced whole, in one transaction: a bad line, or a
 * day larger than the store, leaves the store as it was.
 */
import { DateTime } from 'luxon';
import { z } from 'zod';
import type { Repos } from '../../db/repos';
import type { HistoricalTick } from '../../db/repos/historical-ticks';
import { setsLastPrice } from '../core/last-sale';
import type { Exchange } from '../core/types';
import { CsvReadError, csvRows } from '../csv/csv-rows';
import { addDays, type CivilDate } from '../scheduler/civil-date';
import type { TradingCalendar } from '../scheduler/trading-calendar';
import { sessionHours } from './fill-bars';

export const TICK_COLUMNS = ['timestamp', 'price', 'size', 'conditions'] as const;
type Column = (typeof TICK_COLUMNS)[number];
const REQUIRED: readonly Column[] = ['timestamp', 'price'];
/** A file this large is not one instrument's trades for a few days (the store holds 2 000 000). */
export const MAX_TICK_CSV_ROWS = 5_000_000;

/** The CSV cannot be imported: `line` (1-based) and `column` (null: the whole line) say where. */
export class TickCsvError extends Error {
  constructor(
    readonly line: number,
    readonly column: Column | null,
    readonly detail: string,
  ) {
    super(`line ${line}${column ? `, column ${column}` : ''}: ${detail}`);
    this.name = 'TickCsvError';
  }
}

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})$/;
const EPOCH_SECONDS = /^\d{1,12}(\.\d{1,9})?$/;
const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

const row = z.object({
  timestamp: z.string().transform((text, ctx) => {
    const ms = EPOCH_SECONDS.test(text) ? Math.floor(Number(text) * 1000) : ISO_WITH_OFFSET.test(text) ? DateTime.fromISO(text.replace(' ', 'T'), { setZone: true }).toMillis() : Number.NaN;
    if (Number.isFinite(ms)) return ms;
    ctx.addIssue({ code: 'custom', message: `must be ISO-8601 with an offset (2026-03-02T09:31:20.125-05:00) or epoch seconds, got ${JSON.stringify(text)}` });
    return z.NEVER;
  }),
  price: z.string().regex(NUMBER_TEXT, { error: 'must be a number' }).transform(Number).pipe(z.number().finite().positive({ error: 'must be above 0' })),
  size: z.string().refine((t) => t === '' || NUMBER_TEXT.test(t), { error: 'must be a number' }).transform((t) => (t === '' ? 0 : Number(t))).pipe(z.number().finite().min(0, { error: 'must be 0 or more' })),
  conditions: z.string().transform((t) => t.split(/\s+/).filter(Boolean)),
});

export interface TickImportResult {
  /** The trading days stored (each replaced whole), oldest first. */
  readonly days: readonly CivilDate[];
  readonly ticks: number;
  /** Trades skipped because their conditions set no last price. */
  readonly skipped: number;
  readonly evicted: number;
}

/**
 * @example await importTicksCsv(repos, calendar, { exchange: 'NYSE', symbol: 'AAPL' }, createReadStream('aapl-trades.csv'))
 */
export async function importTicksCsv(
  repos: Pick<Repos, 'historicalTicks' | 'transaction'>,
  calendar: TradingCalendar,
  instrument: { readonly exchange: Exchange; readonly symbol: string },
  chunks: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  cap?: number,
): Promise<TickImportResult> {
  const byDay = new Map<CivilDate, { start: number; end: number; ticks: HistoricalTick[] }>();
  let at: Partial<Record<Column, number>> | null = null;
  let rows = 0;
  let skipped = 0;
  try {
    for await (const r of csvRows(chunks)) {
      if (at === null) {
        at = header(r.fields, r.line);
        continue;
      }
      if (++rows > MAX_TICK_CSV_ROWS) throw new TickCsvError(r.line, null, `more than ${MAX_TICK_CSV_ROWS} rows: split the file`);
      const fields = at;
      const parsed = row.safeParse(Object.fromEntries(TICK_COLUMNS.map((c) => [c, fields[c] === undefined ? '' : (r.fields[fields[c]] ?? '')])));
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new TickCsvError(r.line, (issue.path[0] as Column | undefined) ?? null, issue.message);
      }
      const k = parsed.data;
      if (!setsLastPrice(k.conditions)) {
        skipped++;
        continue;
      }
      const day = dayOf(instrument.exchange, k.timestamp, calendar);
      if (!day) throw new TickCsvError(r.line, 'timestamp', `${new Date(k.timestamp).toISOString()} is outside every ${instrument.exchange} trading session`);
      let entry = byDay.get(day.date);
      if (!entry) byDay.set(day.date, (entry = { start: day.start, end: day.end, ticks: [] }));
      entry.ticks.push({ at: k.timestamp, price: k.price, size: k.size });
    }
  } catch (err) {
    if (err instanceof CsvReadError) throw new TickCsvError(err.line, null, err.message);
    throw err;
  }
  if (at === null) throw new TickCsvError(1, null, `the file is empty: it needs a header line naming ${REQUIRED.join(', ')} (and optionally size, conditions)`);
  const days = [...byDay.keys()].sort();
  const { evicted } = repos.transaction(() => {
    let n = 0;
    // Sorted by time, the file's order kept among equal times (Array.prototype.sort is stable).
    for (const date of days) n += repos.historicalTicks.saveDay(instrument.exchange, instrument.symbol, { day: date, ...byDay.get(date)!, ticks: byDay.get(date)!.ticks.sort((a, b) => a.at - b.at) }, cap).evicted;
    return { evicted: n };
  });
  return { days, ticks: days.reduce((n, d) => n + byDay.get(d)!.ticks.length, 0), skipped, evicted };
}

/** The trading date whose session holds `at`, with that session; null when none does. */
function dayOf(exchange: Exchange, at: number, calendar: TradingCalendar): { date: CivilDate; start: number; end: number } | null {
  const utc = new Date(at).toISOString().slice(0, 10);
  for (const date of [addDays(utc, -1), utc, addDays(utc, 1)]) {
    const hours = sessionHours(exchange, date, calendar);
    if (hours && at >= hours.start && at < hours.end) return { date, ...hours };
  }
  return null;
}

function header(fields: readonly string[], line: number): Partial<Record<Column, number>> {
  const names = fields.map((f) => f.trim().toLowerCase());
  const missing = REQUIRED.filter((c) => !names.includes(c));
  if (missing.length > 0) throw new TickCsvError(line, null, `the header must name the columns ${REQUIRED.join(', ')} (size and conditions are optional); missing ${missing.join(', ')} (got ${fields.join(', ')})`);
  return Object.fromEntries(TICK_COLUMNS.filter((c) => names.includes(c)).map((c) => [c, names.indexOf(c)]));
}
