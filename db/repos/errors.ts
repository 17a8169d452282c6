/**
 * Typed constraint errors. Repositories translate SQLite's constraint failures into these so
 * callers never match on driver messages: the API maps both to 409 (or 4xx naming the field),
 * and the execution engine relies on UniqueViolation for invariant 1.
 */

/**
 * A UNIQUE index refused a row: a second user with that email, a second run for (strategy, day),
 * a second order in a run's slot, a reused client order id on an account.
 *
 * @example
 * try { repos.orders.insert(order, now) } catch (e) { if (e instanceof UniqueViolation) suppress() }
 */
export class UniqueViolation extends Error {
  constructor(
    /** Table name as in SQL, e.g. 'orders'. */
    readonly table: string,
    /** Column names as in SQL, e.g. ['run_id', 'slot']. */
    readonly columns: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(`unique constraint failed: ${table}(${columns.join(', ')})`, options);
    this.name = 'UniqueViolation';
  }
}

/**
 * A reference is missing (a strategy on a broker account the user does not own, a run of an
 * unknown strategy) or a row is still referenced (deleting a broker account that strategies use).
 */
export class ForeignKeyViolation extends Error {
  constructor(
    message: string,
    /** The input field at fault, when known, e.g. 'brokerAccountId'. */
    readonly field?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ForeignKeyViolation';
  }
}

interface SqliteErrorLike {
  code: string;
  message: string;
}

function findSqliteError(e: unknown): SqliteErrorLike | undefined {
  // drizzle wraps driver errors in DrizzleQueryError with the SqliteError as `cause`.
  for (let cur = e, depth = 0; cur instanceof Error && depth < 5; cur = cur.cause, depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('SQLITE_')) return { code, message: cur.message };
  }
  return undefined;
}

/** Translates a thrown SQLite constraint failure into a typed error; anything else unchanged. */
export function translateError(e: unknown): unknown {
  const s = findSqliteError(e);
  if (!s) return e;
  if (s.code === 'SQLITE_CONSTRAINT_UNIQUE' || s.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    // "UNIQUE constraint failed: orders.run_id, orders.slot"
    const cols = (s.message.split(': ')[1] ?? '').split(', ').map((c) => c.split('.'));
    return new UniqueViolation(cols[0]?.[0] ?? '', cols.map((c) => c[1] ?? c[0] ?? ''), { cause: e });
  }
  if (s.code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return new ForeignKeyViolation('foreign key constraint failed', undefined, { cause: e });
  return e;
}

/** Runs a write, rethrowing constraint failures as UniqueViolation / ForeignKeyViolation. */
export function translated<T>(write: () => T): T {
  try {
    return write();
  } catch (e) {
    throw translateError(e);
  }
}

/**
 * The database cannot take writes right now: busy past the timeout, the disk full, an I/O error,
 * or read-only. Distinct from a constraint: the write was refused for where it goes, not for what
 * it says, so the engine decides what trading does meanwhile.
 */
export function isStorageUnavailable(e: unknown): boolean {
  const code = findSqliteError(e)?.code;
  return code !== undefined && /^SQLITE_(BUSY|LOCKED|FULL|IOERR|READONLY|CANTOPEN|PROTOCOL)/.test(code);
}
