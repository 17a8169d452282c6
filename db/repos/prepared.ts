/**
 * Prepared statements for the repositories' hot paths. A drizzle query builder assembles its SQL
 * and SQLite compiles it again on every call (about 70 µs); a prepared query does neither again
 * (about 3 µs). The order path runs some 25 queries per order, so this is most of its cost.
 */
import { sql, type Placeholder } from 'drizzle-orm';

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

/** The placeholder name of a row id next to column placeholders (no column is called this). */
export const ID = '__id';
