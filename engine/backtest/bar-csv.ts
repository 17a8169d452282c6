/**
 * 1-minute bars from a CSV file, judged whole before anything is stored. The columns, named in a
 * header line in any order (more columns are ignored):
 *
 *   timestamp  the minute's start: ISO-8601 with its offset ("2026-03-02T09:15:00+05:30",
 *              "2026-03-02T14:30:00Z", Kite's "+0530" too) or epoch seconds ("1772442900");
 *              on a whole minute. A time without an offset is refused: its zone would be a guess.
 *   open, high, low, close   prices above 0, low ≤ open, close ≤ high
 *   volume     0 or more
 *
 * Each row is parsed with zod; the first bad one stops the import with a BarCsvError naming its
 * line and column, as does a minute given twice. Rows may come in any order; bars are returned
 * oldest first.
 */
import { DateTime } from 'luxon';
import { z } from 'zod';
import type { HistoricalBar } from '../../db/repos/historical-bars';
import { CsvReadError, csvRows } from '../csv/csv-rows';

export const BAR_COLUMNS = ['timestamp', 'open', 'high', 'low', 'close', 'volume'] as const;
type Column = (typeof BAR_COLUMNS)[number];

/** A file this large is not one instrument's minute bars (ten years are ~1 M rows). */
export const MAX_CSV_ROWS = 2_000_000;

/** The CSV cannot be imported: `line` (1-based) and `column` (a name from BAR_COLUMNS, or null for the whole line) say where. */
export class BarCsvError extends Error {
  constructor(
    readonly line: number,
    readonly column: Column | null,
    readonly detail: string,
  ) {
    super(`line ${line}${column ? `, column ${column}` : ''}: ${detail}`);
    this.name = 'BarCsvError';
  }
}

const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const number = (min: 'positive' | 'nonnegative') =>
  z
    .string()
    .regex(NUMBER_TEXT, { error: 'must be a number' })
    .transform(Number)
    .pipe(min === 'positive' ? z.number().finite().positive({ error: 'must be above 0' }) : z.number().finite().min(0, { error: 'must be 0 or more' }));

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
const EPOCH_SECONDS = /^\d{1,12}$/;

const timestamp = z.string().transform((text, ctx) => {
  let ms: number;
  if (EPOCH_SECONDS.test(text)) ms = Number(text) * 1000;
  else if (ISO_WITH_OFFSET.test(text)) ms = DateTime.fromISO(text.replace(' ', 'T'), { setZone: true }).toMillis();
  else ms = Number.NaN;
  if (!Number.isFinite(ms)) {
    ctx.addIssue({ code: 'custom', message: `must be ISO-8601 with an offset (2026-03-02T09:15:00+05:30) or epoch seconds, got ${JSON.stringify(text)}` });
    return z.NEVER;
  }
  if (ms % 60_000 !== 0) {
    ctx.addIssue({ code: 'custom', message: `must be the start of a minute (seconds 0), got ${JSON.stringify(text)}` });
    return z.NEVER;
  }
  return ms;
});

/** One row, by column name. */
export const barRow = z
  .object({ timestamp, open: number('positive'), high: number('positive'), low: number('positive'), close: number('positive'), volume: number('nonnegative') })
  .superRefine((b, ctx) => {
    if (b.low > Math.min(b.open, b.close)) ctx.addIssue({ code: 'custom', path: ['low'], message: `must be at most the open and the close (${b.low} > ${Math.min(b.open, b.close)})` });
    if (b.high < Math.max(b.open, b.close)) ctx.addIssue({ code: 'custom', path: ['high'], message: `must be at least the open and the close (${b.high} < ${Math.max(b.open, b.close)})` });
  })
  .transform((b): HistoricalBar => ({ minute: b.timestamp, open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume }));

/**
 * Every bar of the CSV in `chunks`, oldest first; throws a BarCsvError at the first fault.
 *
 * @example await parseBarCsv(['timestamp,open,high,low,close,volume\n', '1772442900,100,101,99,100.5,1200\n'])
 */
export async function parseBarCsv(chunks: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>): Promise<HistoricalBar[]> {
  let at: Record<Column, number> | null = null;
  const bars: HistoricalBar[] = [];
  const lineOf = new Map<number, number>();
  try {
    for await (const row of csvRows(chunks)) {
      if (at === null) {
        at = header(row.fields, row.line);
        continue;
      }
      if (bars.length >= MAX_CSV_ROWS) throw new BarCsvError(row.line, null, `more than ${MAX_CSV_ROWS} rows: split the file`);
      const fields = at;
      const parsed = barRow.safeParse(Object.fromEntries(BAR_COLUMNS.map((c) => [c, row.fields[fields[c]] ?? ''])));
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new BarCsvError(row.line, (issue.path[0] as Column | undefined) ?? null, issue.message);
      }
      const earlier = lineOf.get(parsed.data.minute);
      if (earlier !== undefined) throw new BarCsvError(row.line, 'timestamp', `the minute ${new Date(parsed.data.minute).toISOString()} is also on line ${earlier}`);
      lineOf.set(parsed.data.minute, row.line);
      bars.push(parsed.data);
    }
  } catch (err) {
    if (err instanceof CsvReadError) throw new BarCsvError(err.line, null, err.message);
    throw err;
  }
  if (at === null) throw new BarCsvError(1, null, `the file is empty: it needs a header line naming ${BAR_COLUMNS.join(', ')}`);
  return bars.sort((a, b) => a.minute - b.minute);
}

function header(fields: readonly string[], line: number): Record<Column, number> {
  const names = fields.map((f) => f.toLowerCase());
  const missing = BAR_COLUMNS.filter((c) => !names.includes(c));
  if (missing.length > 0) throw new BarCsvError(line, null, `the header must name the columns ${BAR_COLUMNS.join(', ')}; missing ${missing.join(', ')} (got ${fields.join(', ')})`);
  return Object.fromEntries(BAR_COLUMNS.map((c) => [c, names.indexOf(c)])) as Record<Column, number>;
}
