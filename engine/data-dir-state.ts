/**
 * Whether a data directory has held an install. A database that is missing, emptied or replaced
 * must never turn into a new install (a new signing key, no users, every running strategy and
 * open position forgotten) just because the file is gone: the daemon refuses instead and says how
 * to restore. Two signs, kept apart from the database so that losing it does not lose them:
 * `install.json`, written once the first database is in place, and backups in `backups/`.
 * Both gone means the directory was cleared on purpose, and a new install is what was asked for.
 */
import { closeSync, existsSync, openSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { BACKUP_DIR, DATABASE_FILE, listBackups } from '../db/backups';

export const INSTALL_MARKER = 'install.json';

/** What can be seen of the database file without opening it (opening would create it). */
export type DatabaseFileState = 'missing' | 'empty' | 'present';

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

export function databaseFileState(path: string): DatabaseFileState {
  try {
    return statSync(path).size === 0 ? 'empty' : 'present';
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw err;
  }
}

/**
 * The signs that `dataDir` has held an install, in words for an error message; empty when it
 * never has (or was cleared).
 *
 * @example installEvidence(dir) // ['install.json', '3 backups in backups/']
 */
export function installEvidence(dataDir: string): string[] {
  const signs: string[] = [];
  if (existsSync(join(dataDir, INSTALL_MARKER))) signs.push(INSTALL_MARKER);
  const backups = listBackups(dataDir).length;
  if (backups > 0) signs.push(`${backups} backup${backups === 1 ? '' : 's'} in ${BACKUP_DIR}/`);
  // A log of commits with no database under it: SQLite would replay it into a new, empty file.
  const wal = `${DATABASE_FILE}-wal`;
  if (sizeOf(join(dataDir, wal)) > 0) signs.push(`a non-empty ${wal}`);
  return signs;
}

/**
 * Writes `install.json` (owner-only) unless it exists. Called once the database holds an
 * install, on every start, so an install made before the marker existed gets one too.
 */
export function ensureInstallMarker(dataDir: string, info: { readonly installedAt: string }): void {
  const path = join(dataDir, INSTALL_MARKER);
  if (existsSync(path)) return;
  const body = {
    about:
      'This directory holds a Tradeclock install. While this file (or a backup in backups/) is here, ' +
      'Tradeclock refuses to start without its database instead of starting a new, empty install. ' +
      'To start over on purpose, move the whole directory away.',
    installedAt: info.installedAt,
  };
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw err;
  }
  try {
    writeSync(fd, `${JSON.stringify(body, null, 2)}\n`);
  } finally {
    closeSync(fd);
  }
}
