/**
 * Prepared statements for the repositories' hot paths. A drizzle query builder assembles its SQL
 * and SQLite compiles it again on every call (about 70 µs); a prepared query does neither again
 * (about 3 µs). The order path runs some 25 queries per order, so this is most of its cost.
 */
import type Database from 'better-sqlite3';
import { getTableColumns, getTableName, sql, type Placeholder, type Table } from 'drizzle-orm';

/** `{ key: sql.placeholder(key) }` for each key: the values of a prepared .set() or .values(). */
export function placeholders(keys: readonly string[]): Record<string, Placeholder> {
  return Object.fromEntries(keys.map((k) => [k, sql.placeholder(k)]));
}

/**
 * One prepared statement per shape of input, built on first use: an insert or update whose
 * optional fields come and go has a handful of shapes (which keys are given), each prepared once.
 * Undefined values do not count as given, as in drizzle's own .set() and .values().
 *
 * @example
 * const updateRun = byShape((keys) => orm.update(runs).set(placeholders(keys)).where(eq(runs.id, sql.placeholder(ID))).returning().prepare());
 * const row = updateRun(set).get({ ...set, [ID]: id });
 */
export function byShape<Q>(build: (keys: readonly string[]) => Q): (values: Readonly<Record<string, unknown>>) => Q {
  const cache = new Map<string, Q>();
  return (values) => {
    const keys = Object.keys(values)
      .filter((k) => values[k] !== undefined)
      .sort();
    const shape = keys.join(',');
    let query = cache.get(shape);
    if (!query) cache.set(shape, (query = build(keys)));
    return query;
  };
}

/**
 * A statement compiled on its first use, not when the repositories are made: a migration test
 * makes them on a database still at an older schema (migrate to N-1, seed, migrate to N), where a
 * statement naming a column that N adds cannot be compiled yet. One closure call more per query.
 */
export function lazyStatement(sqlite: Database.Database, text: string) {
  let statement: Database.Statement | undefined;
  const compiled = () => (statement ??= sqlite.prepare(text));
  return {
    get: (...params: unknown[]): unknown => compiled().get(...params),
    run: (...params: unknown[]): Database.RunResult => compiled().run(...params),
  };
}

/** The placeholder name of a row id next to column placeholders (no column is called this). */
export const ID = '__id';

/** Column types whose SQLite value is the JS value as it is, both ways. */
const PLAIN_COLUMNS = new Set(['SQLiteInteger', 'SQLiteReal', 'SQLiteText']);

/**
 * A table's hottest statements on better-sqlite3 itself, with rows keyed as drizzle keys them.
 * A drizzle prepared query still maps each result row in JS, column by column through generic
 * checks (~5 µs a row; with an insert's read-back, about half of an order's journal step);
 * better-sqlite3 builds the row object natively, keyed by the aliases in `columns`. Only columns
 * that are not plain (booleans) are converted, with drizzle's own mapping, so a row reads exactly
 * as through drizzle.
 *
 * @example
 * const t = rawTable(orm.$client, runs);
 * const byId = t.prepare(`SELECT ${t.columns} FROM ${t.name} WHERE "id" = ?`);
 * const row = t.row(byId.get(id));
 */
export function rawTable<T extends Table>(sqlite: Database.Database, table: T) {
  // Table and column names come from the schema (db/schema.ts), never from input: quoting is enough.
  const fields = Object.entries(getTableColumns(table));
  const columns = fields.map(([key, c]) => `"${c.name}" AS "${key}"`).join(', ');
  const sqlName = (key: string): string => {
    const column = fields.find(([k]) => k === key)?.[1];
    if (!column) throw new Error(`${getTableName(table)} has no column ${key}`);
    return `"${column.name}"`;
  };
  const mapped = fields.filter(([, c]) => !PLAIN_COLUMNS.has(c.columnType));
  const name = `"${getTableName(table)}"`;
  return {
    /** The quoted table name. */
    name,
    /** `"run_id" AS "runId", …`: every column, named as in drizzle's rows, for SELECT and RETURNING. */
    columns,
    /** The quoted column name of a field. */
    column: sqlName,
    prepare: (text: string) => lazyStatement(sqlite, text),
    /** `INSERT INTO … (…) VALUES (@a, …)` for the fields `keys`; bind it with `bind(values)`. */
    insert: (keys: readonly string[]) => lazyStatement(sqlite, `INSERT INTO ${name} (${keys.map(sqlName).join(', ')}) VALUES (${keys.map((k) => `@${k}`).join(', ')})`),
    /** A row better-sqlite3 read (or undefined), with non-plain columns mapped as drizzle maps them. */
    row(raw: unknown): T['$inferSelect'] | undefined {
      if (raw === undefined) return undefined;
      const row = raw as Record<string, unknown>;
      for (const [key, c] of mapped) if (row[key] !== null) row[key] = c.mapFromDriverValue(row[key]);
      return row as T['$inferSelect'];
    },
    /** Named parameters for a statement: non-plain values (booleans) as SQLite stores them. */
    bind<V extends Readonly<Record<string, unknown>>>(values: V): V {
      if (!mapped.some(([key]) => values[key] !== undefined && values[key] !== null)) return values;
      const out: Record<string, unknown> = { ...values };
      for (const [key, c] of mapped) if (out[key] !== undefined && out[key] !== null) out[key] = c.mapToDriverValue(out[key]);
      return out as V;
    },
    /**
     * `UPDATE … SET "a" = @a, … WHERE "id" = @__id RETURNING <columns>`, one statement per shape
     * of the patch (byShape); bind it with `{ ...bind(set), [ID]: id }`.
     */
    updateById: byShape((keys) => sqlite.prepare(`UPDATE ${name} SET ${keys.map((k) => `${sqlName(k)} = @${k}`).join(', ')} WHERE "id" = @${ID} RETURNING ${columns}`)),
  };
}
