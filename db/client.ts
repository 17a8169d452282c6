/**
 * Opening the database: one better-sqlite3 connection per process, its PRAGMAs, and the
 * committed migrations applied before anyone reads or writes.
 */
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { applyMigrations } from './migrate';
import * as schema from './schema';

/** The drizzle handle over the schema, and its connection ($client); repositories take this. */
export type Orm = BetterSQLite3Database<typeof schema> & { readonly $client: Database.Database };

/** An open database: the raw connection (PRAGMAs, transactions), the drizzle handle, close(). */
export interface Db {
  readonly sqlite: Database.Database;
  readonly orm: Orm;
  /**
   * Copies what the WAL holds into the database file without waiting for anyone (PRAGMA
   * wal_checkpoint(PASSIVE)); the WAL is then reused from its start. Returns the frames the log
   * held and how many were copied. SQLite also does this by itself inside the commit that takes
   * the log past 1 000 pages (~20 ms there); the daemon calls this at quiet moments so that this
   * rarely happens inside an order's commit (engine/execution/wal-checkpoints.ts).
   */
  checkpoint(): { readonly logFrames: number; readonly checkpointed: number };
  /** Closes the connection (checkpoints the WAL). Idempotent. */
  close(): void;
}

export interface OpenOptions {
  /**
   * Apply db/migrations on open (default true). Only migration tests pass false, to step the
   * schema with `migrateTo` from db/test-support.
   */
  readonly migrate?: boolean;
}

/**
 * Opens (creating if needed) the SQLite file at `path`, or a private in-memory database for
 * `':memory:'`, sets the PRAGMAs and applies pending migrations.
 *
 * @example
 * const db = openDatabase(join(dataDir, 'tradeclock.sqlite'));
 * const repos = createRepos(db);
 * // … on shutdown
 * db.close();
 */
export function openDatabase(path: string, options: OpenOptions = {}): Db {
  const sqlite = new Database(path);
  try {
    if (path !== ':memory:' && path !== '') {
      // A commit is one append to the log, and other connections (CLI, backup) reading the file
      // never block the engine's writes.
      sqlite.pragma('journal_mode = WAL');
    }
    // Invariant 2: an order's journal row must be on disk before the order is sent to the
    // broker. In WAL mode NORMAL survives an app crash but may lose the last commits on power
    // loss or an OS crash; FULL fsyncs the WAL on every commit, so a journaled order survives both.
    sqlite.pragma('synchronous = FULL');
    sqlite.pragma('busy_timeout = 5000');
    // A secret moved out of a row (an earlier build's webhook URL sealed into the vault) must not
    // stay behind in the page's freed space. FAST zeroes freed bytes within b-tree pages at no
    // extra I/O (ON would also rewrite freed pages; these rows fit in one page).
    sqlite.pragma('secure_delete = FAST');
    // applyMigrations switches this off for the duration of a migration (see migrate.ts).
    sqlite.pragma('foreign_keys = ON');
    const orm = drizzle({ client: sqlite, schema });
    let closed = false;
    const db: Db = {
      sqlite,
      orm,
      checkpoint() {
        const [row] = sqlite.pragma('wal_checkpoint(PASSIVE)') as Array<{ busy: number; log: number; checkpointed: number }>;
        return { logFrames: Math.max(0, row?.log ?? 0), checkpointed: Math.max(0, row?.checkpointed ?? 0) };
      },
      close() {
        if (closed) return;
        closed = true;
        sqlite.close();
      },
    };
    if (options.migrate !== false) applyMigrations(db);
    return db;
  } catch (e) {
    sqlite.close();
    throw e;
  }
}

/**
 * Runs `PRAGMA quick_check(limit)`: every page of every table and index is read and its b-tree
 * structure checked (integrity_check also compares each index with its table, which costs
 * several times more). The problems SQLite names, at most `limit`; empty when the file is sound.
 * A file so damaged that the check cannot read it (not a database, a header that promises pages
 * the file does not have) is one problem, SQLite's error message.
 *
 * Run it at start, before trading: a file truncated while its WAL was live opens and answers the
 * queries a start makes (their pages are early in the file) and fails only when a lost page is read.
 *
 * @example quickCheck(db) // [] or ['Page 300: btreeInitPage() returns error code 11', ...]
 */
export function quickCheck(db: Pick<Db, 'sqlite'>, limit = 20): string[] {
  try {
    const rows = db.sqlite.pragma(`quick_check(${Math.max(1, Math.floor(limit))})`, { simple: false }) as Record<string, string>[];
    const answers = rows.map((r) => String(Object.values(r)[0]));
    return answers.length === 1 && answers[0] === 'ok' ? [] : answers;
  } catch (e) {
    // Damage bad enough that the check itself cannot read the file is still an answer: not ok.
    if (isDamageError(e)) return [(e as Error).message];
    throw e;
  }
}

/** True for SQLite's errors that mean the file's content is damaged or is not a database. */
export function isDamageError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT_INDEX' || code === 'SQLITE_CORRUPT_SEQUENCE';
}
