/**
 * Opening an install's database at daemon start, refusing what must not be traded on: a data
 * directory that has held an install but has lost its database (missing, emptied, replaced), and
 * a database SQLite finds damaged. Each refusal names the file and says how to restore a backup.
 * A database about to be migrated is backed up first.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import { BACKUP_DIR, DATABASE_FILE, listBackups, takeBackup } from '../db/backups';
import { isDamageError, openDatabase, quickCheck, type Db } from '../db/client';
import { appliedMigrationCount, applyMigrations, pendingMigrationCount } from '../db/migrate';
import type { Clock } from './core/clock';
import { DomainError } from './core/errors';
import { databaseFileState, ensureInstallMarker, installEvidence } from './data-dir-state';

export interface OpenInstallDatabaseOptions {
  readonly dataDir: string;
  readonly clock: Clock;
  readonly logger: Pick<Logger, 'info' | 'error'>;
}

/**
 * The data directory's database, checked (quick_check) and migrated, or a DomainError that says
 * what is wrong and how to restore. The caller holds the data-directory lock.
 *
 * @example const db = await openInstallDatabase({ dataDir, clock, logger });
 */
export async function openInstallDatabase(options: OpenInstallDatabaseOptions): Promise<Db> {
  const { dataDir, clock, logger } = options;
  const path = join(dataDir, DATABASE_FILE);
  const refusal = (err: DomainError): DomainError => {
    logger.error({ database: path }, err.message);
    return err;
  };

  const evidence = installEvidence(dataDir);
  const state = databaseFileState(path);
  // Checked before opening: opening creates the file, and writes a header into an empty one.
  if (state !== 'present' && evidence.length > 0) throw refusal(lostDatabase(dataDir, `${path} is ${state}`, evidence));

  let db: Db;
  try {
    db = openDatabase(path, { migrate: false });
  } catch (err) {
    if (isDamageError(err)) throw refusal(damagedDatabase(dataDir, path, [(err as Error).message]));
    throw err;
  }
  try {
    const problems = quickCheck(db);
    if (problems.length > 0) throw refusal(damagedDatabase(dataDir, path, problems));
    const applied = appliedMigrationCount(db);
    if (applied === 0 && evidence.length > 0) throw refusal(lostDatabase(dataDir, `${path} holds no Tradeclock data`, evidence));
    if (applied > 0 && pendingMigrationCount(db) > 0) {
      // Not a reason to stay down: the migration is one transaction, and a daemon that does not
      // start sends no exit either.
      await takeBackup(db, dataDir, 'pre-migration', clock.now()).then(
        (file) => logger.info({ backup: file.path, bytes: file.bytes }, 'database backed up before migrating it'),
        (err: unknown) => logger.error({ err }, 'could not back the database up before migrating it; migrating all the same'),
      );
    }
    try {
      applyMigrations(db);
    } catch (err) {
      if (isDamageError(err)) throw refusal(damagedDatabase(dataDir, path, [(err as Error).message]));
      throw err;
    }
    ensureInstallMarker(dataDir, { installedAt: new Date(clock.now()).toISOString() });
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

function lostDatabase(dataDir: string, what: string, evidence: readonly string[]): DomainError {
  return new DomainError(
    'unavailable',
    `Tradeclock will not start: ${what}, but ${dataDir} has held an install (${evidence.join(', ')}). ` +
      'Starting now would begin a new, empty install and forget every user, strategy, open position and saved broker credential. ' +
      restoreAdvice(dataDir),
  );
}

function damagedDatabase(dataDir: string, path: string, problems: readonly string[]): DomainError {
  const shown = problems.slice(0, 3).join('; ') + (problems.length > 3 ? `; and ${problems.length - 3} more` : '');
  return new DomainError(
    'unavailable',
    `Tradeclock will not start: the database ${path} is damaged (PRAGMA quick_check: ${shown}). ` +
      'Trading on it could forget a position or repeat an order. ' +
      restoreAdvice(dataDir),
  );
}

/** How to put a backup in place, naming the newest one; exported for the restore script's help. */
export function restoreAdvice(dataDir: string): string {
  const newest = listBackups(dataDir)[0];
  const script = `npx tsx scripts/restore-backup.ts --data-dir "${dataDir}"`;
  if (!newest) {
    return (
      `There is no backup in ${join(dataDir, BACKUP_DIR)}: put back ${DATABASE_FILE} from a copy of this directory of your own ` +
      `(with Tradeclock stopped, and without the old ${DATABASE_FILE}-wal and -shm beside it). ` +
      `To start over as a new install instead, move ${dataDir} away.`
    );
  }
  return (
    `To restore the newest backup, ${newest.path} (taken ${new Date(newest.takenAt).toISOString()}): with Tradeclock stopped, run ` +
    `\`${script}\` in the Tradeclock folder; it checks the backup, moves the current database files into ` +
    `${join(dataDir, 'damaged-<time>')} and puts the backup in their place (\`--list\` shows every backup, \`--from <file>\` picks one). ` +
    `By hand: move ${DATABASE_FILE}, ${DATABASE_FILE}-wal and ${DATABASE_FILE}-shm out of ${dataDir}, then copy the backup to ${join(dataDir, DATABASE_FILE)}. ` +
    'Orders placed after the backup was taken are not in it: check them at the broker.'
  );
}
