/**
 * Applying the committed migrations with drizzle's migrator, with the two guards it lacks.
 */
import { fileURLToPath } from 'node:url';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import type { Db } from './client';

/** db/migrations, resolved from this file so it works from any working directory. */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL('./migrations', import.meta.url));

const MIGRATIONS_TABLE = '__drizzle_migrations';

/**
 * Applies every pending migration in `folder` (default db/migrations) in one transaction.
 *
 * Foreign keys are switched OFF while it runs and back on after: drizzle-kit changes a SQLite
 * table by copying it and `DROP TABLE`-ing the original, and with foreign keys on that DROP
 * cascades, deleting every run and order of the dropped strategies. The `PRAGMA foreign_keys`
 * lines drizzle-kit writes into such migrations are no-ops inside the migrator's transaction,
 * so the switch has to happen here, outside it. After a migration `foreign_key_check` must be clean.
 *
 * Throws when the file was migrated by a newer build (a migration this build does not know),
 * rather than running old code against a schema it was not written for.
 */
export function applyMigrations(db: Db, folder: string = MIGRATIONS_FOLDER): void {
  if (db.sqlite.inTransaction) throw new Error('applyMigrations cannot run inside a transaction');

  const known = readMigrationFiles({ migrationsFolder: folder });
  const newestKnown = known.reduce((m, x) => Math.max(m, x.folderMillis), 0);
  const newestApplied = lastAppliedMillis(db);
  if (newestApplied !== null && newestApplied > newestKnown) {
    throw new Error(
      `database schema is newer than this build (applied migration of ${newestApplied}, newest known ${newestKnown}); ` +
        'run the newer Tradeclock or restore a backup',
    );
  }

  const fkWasOn = db.sqlite.pragma('foreign_keys', { simple: true }) === 1;
  db.sqlite.pragma('foreign_keys = OFF');
  try {
    const before = appliedMigrationCount(db);
    migrate(db.orm, { migrationsFolder: folder, migrationsTable: MIGRATIONS_TABLE });
    if (appliedMigrationCount(db) === before) return;
    const violations = db.sqlite.pragma('foreign_key_check') as unknown[];
    if (violations.length > 0) {
      throw new Error(`migration left ${violations.length} foreign key violation(s): ${JSON.stringify(violations.slice(0, 5))}`);
    }
  } finally {
    if (fkWasOn) db.sqlite.pragma('foreign_keys = ON');
  }
}

/**
 * How many of the migrations in `folder` (default db/migrations) applyMigrations would apply now:
 * those newer than the newest applied (drizzle's own rule). Lets the daemon back the file up first.
 */
export function pendingMigrationCount(db: Pick<Db, 'sqlite'>, folder: string = MIGRATIONS_FOLDER): number {
  const newestApplied = lastAppliedMillis(db);
  return readMigrationFiles({ migrationsFolder: folder }).filter((m) => newestApplied === null || m.folderMillis > newestApplied).length;
}

/** How many migrations have been applied to this database (0 for a fresh file). */
export function appliedMigrationCount(db: Pick<Db, 'sqlite'>): number {
  if (!hasMigrationsTable(db)) return 0;
  const row = db.sqlite.prepare(`SELECT count(*) AS n FROM ${MIGRATIONS_TABLE}`).get() as { n: number };
  return row.n;
}

function lastAppliedMillis(db: Pick<Db, 'sqlite'>): number | null {
  if (!hasMigrationsTable(db)) return null;
  const row = db.sqlite.prepare(`SELECT max(created_at) AS m FROM ${MIGRATIONS_TABLE}`).get() as { m: number | null };
  return row.m === null ? null : Number(row.m);
}

function hasMigrationsTable(db: Pick<Db, 'sqlite'>): boolean {
  return db.sqlite.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(MIGRATIONS_TABLE) !== undefined;
}
