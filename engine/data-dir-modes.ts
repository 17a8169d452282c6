/**
 * The data directory is its owner's alone. It holds the database, whose write-ahead log carries the
 * token signing key in plain bytes until a checkpoint, and logs that name accounts and strategies:
 * another local user who can read any of it can forge a session.
 *
 * Two measures, both at start, before anything is opened:
 * - the process umask becomes 077, so every file and directory created from then on (the
 *   database's -wal and -shm, log files and their rotations, the lock, backups) is born
 *   owner-only, whoever creates it (SQLite, the logger, a library);
 * - every entry already in the directory loses its group and other permission bits, so an install
 *   made by an earlier version (a 0755 directory, 0644 files) is repaired, not trusted.
 *
 * Symbolic links are not followed (their targets are not ours to change). On Windows the mode bits
 * mean next to nothing; the per-user app-data directory's ACL is what keeps other users out there.
 */
import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export interface PrivacyReport {
  /** Paths whose mode was changed, with the mode they had. */
  readonly repaired: ReadonlyArray<{ readonly path: string; readonly mode: string }>;
  /** Paths that could not be made private (owned by another user, a read-only mount). */
  readonly failed: ReadonlyArray<{ readonly path: string; readonly error: string }>;
}

const PRIVATE_UMASK = 0o077;

/**
 * Creates `dataDir` if needed, sets the process umask to 077 and removes group and other
 * permissions from everything already inside it.
 *
 * @example
 *   const report = makeDataDirPrivate(dataDir);
 *   if (report.failed.length) logger.error({ failed: report.failed }, 'could not make data files private');
 */
export function makeDataDirPrivate(dataDir: string): PrivacyReport {
  if (process.platform !== 'win32') {
    try {
      process.umask(PRIVATE_UMASK);
    } catch {
      // Worker threads cannot change the umask; the walk below still repairs what exists.
    }
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const repaired: Array<{ path: string; mode: string }> = [];
  const failed: Array<{ path: string; error: string }> = [];
  if (process.platform === 'win32') return { repaired, failed };

  const visit = (path: string) => {
    let stats;
    try {
      stats = lstatSync(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') failed.push({ path, error: String((err as Error).message) });
      return;
    }
    if (stats.isSymbolicLink()) return;
    const mode = stats.mode & 0o7777;
    if ((mode & PRIVATE_UMASK) !== 0) {
      try {
        chmodSync(path, mode & ~PRIVATE_UMASK);
        repaired.push({ path, mode: mode.toString(8).padStart(4, '0') });
      } catch (err) {
        failed.push({ path, error: String((err as Error).message) });
      }
    }
    if (!stats.isDirectory()) return;
    let entries: string[];
    try {
      entries = readdirSync(path);
    } catch (err) {
      failed.push({ path, error: String((err as Error).message) });
      return;
    }
    for (const name of entries) visit(join(path, name));
  };
  visit(dataDir);
  return { repaired, failed };
}

/** What makeDataDirPrivate changed or could not change, as log lines. */
export function logPrivacyReport(report: PrivacyReport, logger: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void }): void {
  if (report.repaired.length > 0) logger.warn({ repaired: report.repaired }, 'data directory entries were readable by other users; made them owner-only');
  if (report.failed.length > 0) logger.error({ failed: report.failed }, 'could not make these data directory entries owner-only: other local users may read them; fix their owner or mode');
}
