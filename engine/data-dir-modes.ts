/**
 * The data directory is its owner's alone. It holds the database, whose write-ahead log carries the
 * token signing key in plain bytes until a checkpoint, and logs that name accounts and strategies:
 * another local user who can read any of it can forge a session.
 *
 * Two measures:
 * - makeDataDirPrivate, at start before anything is opened: every entry already in the directory
 *   loses its group and other permission bits, so an install made by an earlier version (a 0755
 *   directory, 0644 files) is repaired, not trusted; the directory itself is created 0700;
 * - ownerOnlyUmask, while the daemon sets up (startDaemon) and for the whole life of the headless
 *   CLI: the umask 077, so what a library creates without a mode of its own (SQLite's database,
 *   -wal and -shm) is born owner-only. The umask is the whole process's, and whatever it spawns
 *   inherits it: the desktop app must not keep it (a browser opened for a broker login would save
 *   every download owner-only), so startDaemon gives the previous one back once set up. Files
 *   created after that carry explicit modes (logs and their rotations, backups, the lock, the
 *   install marker).
 *
 * The data directory may itself be a symbolic link (to another disk): it is followed. Links inside
 * it are not (their targets are not ours to change). On Windows the mode bits mean next to
 * nothing; the per-user app-data directory's ACL is what keeps other users out there.
 */
import { chmodSync, lstatSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface PrivacyReport {
  /** Paths whose mode was changed, with the mode they had. */
  readonly repaired: ReadonlyArray<{ readonly path: string; readonly mode: string }>;
  /** Paths that could not be made private (owned by another user, a read-only mount). */
  readonly failed: ReadonlyArray<{ readonly path: string; readonly error: string }>;
}

const PRIVATE_UMASK = 0o077;

/**
 * Sets the process umask to 077 and returns what gives the previous one back. A no-op on Windows
 * and in worker threads (which cannot change it).
 *
 * @example
 *   const restoreUmask = ownerOnlyUmask();
 *   try { await setUp(); } finally { restoreUmask(); }
 */
export function ownerOnlyUmask(): () => void {
  if (process.platform === 'win32') return () => {};
  let previous: number;
  try {
    previous = process.umask(PRIVATE_UMASK);
  } catch {
    return () => {};
  }
  return () => {
    try {
      process.umask(previous);
    } catch {
      // cannot happen where setting it worked
    }
  };
}

/**
 * Creates `dataDir` if needed (0700) and removes group and other permissions from it and from
 * everything inside it. Leaves the process umask alone.
 *
 * @example
 *   const report = makeDataDirPrivate(dataDir);
 *   if (report.failed.length) logger.error({ failed: report.failed }, 'could not make data files private');
 */
export function makeDataDirPrivate(dataDir: string): PrivacyReport {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const repaired: Array<{ path: string; mode: string }> = [];
  const failed: Array<{ path: string; error: string }> = [];
  if (process.platform === 'win32') return { repaired, failed };

  // The root is followed when it is a link (a data directory kept on another disk); nothing below it is.
  const visit = (path: string, root = false) => {
    let stats;
    try {
      stats = root ? statSync(path) : lstatSync(path);
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
  visit(dataDir, true);
  return { repaired, failed };
}

/** What makeDataDirPrivate changed or could not change, as log lines. */
export function logPrivacyReport(report: PrivacyReport, logger: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void }): void {
  if (report.repaired.length > 0) logger.warn({ repaired: report.repaired }, 'data directory entries were readable by other users; made them owner-only');
  if (report.failed.length > 0) logger.error({ failed: report.failed }, 'could not make these data directory entries owner-only: other local users may read them; fix their owner or mode');
}
