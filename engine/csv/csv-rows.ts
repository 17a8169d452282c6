/**
 * CSV read as it arrives, record by record: a download body goes in chunk by chunk and never sits
 * in memory whole. The parsing is csv-parse's stream parser (already a dependency for the equity
 * dump); callers see only `CsvRow`, so the parser can be swapped without touching them.
 *
 * What the reader tolerates and what it refuses: a UTF-8 BOM, CRLF or LF line ends, blank lines,
 * spaces around fields (Kite's documented header is comma-and-space separated), quoted fields, a
 * stray quote inside an unquoted field, and records with too few or too many fields (the caller
 * judges those). A quoting error it cannot resynchronise after (an unclosed quote swallows every
 * line after it) and a record over `maxRecordBytes` stop the reading with a `CsvReadError` naming
 * the line: a half-read file must never pass for a whole one.
 */
import { Readable } from 'node:stream';
import { CsvError, parse } from 'csv-parse';

/** One record: its fields as text (trimmed) and the line it ends on (1-based). */
export interface CsvRow {
  readonly fields: readonly string[];
  readonly line: number;
}

/** The CSV is malformed at `line`; nothing after it can be trusted. */
export class CsvReadError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
    this.name = 'CsvReadError';
  }
}

/** Kite's widest row is ~120 bytes; 64 KiB means a quote ran away, not a long name. */
export const MAX_RECORD_BYTES = 64 * 1024;

/**
 * Rows of the CSV text in `chunks` (bytes as downloaded, or strings), in order.
 *
 * @example for await (const row of csvRows(response.body)) console.log(row.line, row.fields[2]);
 */
export async function* csvRows(chunks: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>, maxRecordBytes = MAX_RECORD_BYTES): AsyncGenerator<CsvRow> {
  const parser = parse({
    bom: true,
    trim: true,
    skip_empty_lines: true,
    relax_column_count: true,
    relax_quotes: true,
    max_record_size: maxRecordBytes,
    // Each record comes with a snapshot of the parser's position: the line it ended on.
    info: true,
  });
  const source = Readable.from(chunks);
  // A failed download fails the reading with its own error (a timeout, a dropped connection).
  source.once('error', (err) => parser.destroy(err));
  source.pipe(parser);
  try {
    for await (const row of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) yield { fields: row.record, line: row.info.lines };
  } catch (err) {
    if (err instanceof CsvError) {
      const line = typeof err.lines === 'number' ? err.lines : 0;
      throw new CsvReadError(line, `the CSV cannot be read at line ${line}: ${err.message}`);
    }
    throw err;
  } finally {
    source.destroy();
  }
}
