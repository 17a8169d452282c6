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
 * Runs `PRAGMA integrity_check`; true when SQLite answers "ok". Meant for daemon start: a
 * damaged file should stop trading before it starts.
 */
export function integrityCheck(db: Db): boolean {
  try {
    const rows = db.sqlite.pragma('integrity_check') as { integrity_check: string }[];
    return rows.length === 1 && rows[0]?.integrity_check === 'ok';
  } catch (e) {
    // Damage bad enough that the check itself cannot read the file is still an answer: not ok.
    const code = (e as { code?: unknown }).code;
    if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB') return false;
    throw e;
  }
}
