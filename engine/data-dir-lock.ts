/**
 * One process per data directory, so the desktop app and a headless daemon never open the same
 * database at once.
 *
 * The lock is one the operating system drops when its process dies, however it dies (kill -9,
 * power loss, a container restart): a SQLite write lock (RESERVED) held for the life of the
 * process on a small database of its own, `tradeclock.lock`. SQLite takes it with fcntl() on Linux
 * and macOS and LockFileEx() on Windows, through the better-sqlite3 the daemon already has, so no
 * native addon is added. A pid alone cannot tell a live owner from a stale file: after kill -9 in
 * a container the new daemon usually gets the very same pid, and another program can take the pid
 * of a dead daemon. /proc/<pid>/stat start times would fix that on Linux only. With an OS lock, a
 * lock file left behind is just a file: nobody holds its lock, and the next start takes it at once.
 *
 * The owner's pid, host and start time are written into that database (readable while its lock is
 * held), but only to name the holder in the refusal; they never decide anything.
 *
 * A deleted lock file cannot be locked by a second process while the first still runs, because the
 * holder checks its file every `recheckMs` and, when it is gone or replaced, creates and locks a new
 * one at once (the second daemon started in that gap, at most `recheckMs`, would be told so on the
 * holder's log). On Windows SQLite keeps the file open without delete sharing, so it cannot be
 * deleted at all while held.
 *
 * Caveat of fcntl locks: closing *any* descriptor of the lock file in the holder's process drops
 * its lock. Nothing in Tradeclock opens it except through SQLite, which defers such closes.
 */
import { statSync, unlinkSync, type Stats } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { systemClock, type Clock, type TimerHandle } from './core/clock';
import { DomainError } from './core/errors';

export const LOCK_FILE = 'tradeclock.lock';

export interface DataDirLock {
  readonly path: string;
  /** Releases the lock and removes the file. Idempotent. */
  release(): void;
}

/** Who holds a lock, as it wrote itself down. */
export interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly startedAt: string;
}

export interface LockOptions {
  /** Drives the re-check of the lock file. Default the system clock. */
  readonly clock?: Clock;
  /** How often the holder checks that its lock file is still there. Default 1 s. */
  readonly recheckMs?: number;
  /** The lock file was deleted or replaced, and another process locked the new one first. */
  readonly onLost?: (holder: LockOwner | null) => void;
  /** The lock file was deleted or replaced, and this process locked a new one. */
  readonly onRestored?: () => void;
}

interface Held {
  readonly db: Database.Database;
  readonly file: Stats;
}

/**
 * Locks `dataDir` for this process, or throws a `conflict` DomainError naming the live holder.
 *
 * @example
 *   const lock = lockDataDir(dataDir, new Date(clock.now()).toISOString(), { clock });
 *   // … on shutdown
 *   lock.release();
 */
export function lockDataDir(dataDir: string, startedAt: string, options: LockOptions = {}): DataDirLock {
  const path = join(dataDir, LOCK_FILE);
  const me: LockOwner = { pid: process.pid, host: hostname(), startedAt };
  const first = tryLock(path, me);
  if (!('db' in first)) {
    const o = first.holder;
    const who = o ? `process ${o.pid}${o.host === me.host ? '' : ` on ${o.host}`} (started ${o.startedAt})` : 'process (unknown: it has not written its name yet)';
    throw new DomainError('conflict', `data directory ${dataDir} is in use by ${who}; stop it first, or choose another --data-dir`);
  }
  let held: Held = first;
  let lost = false;
  let released = false;
  const clock = options.clock ?? systemClock;
  const recheckMs = options.recheckMs ?? 1_000;
  let timer: TimerHandle | null = null;

  const recheck = () => {
    if (released) return;
    if (!sameFile(path, held.file)) {
      const again = tryLock(path, me);
      if ('db' in again) {
        held.db.close();
        held = again;
        lost = false;
        options.onRestored?.();
      } else if (!lost) {
        lost = true;
        options.onLost?.(again.holder);
      }
    }
    timer = clock.setTimer(recheckMs, recheck);
  };
  timer = clock.setTimer(recheckMs, recheck);

  return {
    path,
    release() {
      if (released) return;
      released = true;
      timer?.cancel();
      // Removed while still locked, and only if it is still ours: a process that opened it in
      // between finds it locked and refuses, or finds a fresh file and takes that.
      if (sameFile(path, held.file)) {
        try {
          unlinkSync(path);
        } catch {
          // Windows refuses while SQLite has it open; the file left behind is not locked by anyone.
        }
      }
      held.db.close();
    },
  };
}

/** Takes the lock at `path`, or reads who holds it. */
function tryLock(path: string, me: LockOwner): Held | { readonly holder: LockOwner | null } {
  for (let attempt = 0; attempt < 3; attempt++) {
    let db: Database.Database | null = null;
    try {
      // timeout 0: a held lock answers SQLITE_BUSY at once instead of after better-sqlite3's 5 s.
      db = new Database(path, { timeout: 0 });
      db.exec('BEGIN IMMEDIATE');
    } catch (err) {
      db?.close();
      const code = (err as { code?: string }).code;
      if (code === 'SQLITE_BUSY') return { holder: readOwner(path) };
      // The pid-file of earlier versions, or a torn file: nobody can hold a lock on it.
      if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
        unlinkSync(path);
        continue;
      }
      throw err;
    }
    // A reader naming us may briefly hold a shared lock: let the commit wait for it.
    db.pragma('busy_timeout = 2000');
    db.exec('CREATE TABLE IF NOT EXISTS owner (pid INTEGER NOT NULL, host TEXT NOT NULL, started_at TEXT NOT NULL)');
    db.exec('DELETE FROM owner');
    db.prepare('INSERT INTO owner (pid, host, started_at) VALUES (?, ?, ?)').run(me.pid, me.host, me.startedAt);
    db.exec('COMMIT');
    db.pragma('busy_timeout = 0');
    try {
      // Held from here to release() or death. Another process that took it in the instant since
      // the commit holds it now, and this one refuses: exclusion holds either way.
      db.exec('BEGIN IMMEDIATE');
    } catch (err) {
      db.close();
      if ((err as { code?: string }).code === 'SQLITE_BUSY') return { holder: readOwner(path) };
      throw err;
    }
    return { db, file: statSync(path) };
  }
  throw new DomainError('conflict', `could not lock ${path}: it keeps changing under this process`);
}

function readOwner(path: string): LockOwner | null {
  let db: Database.Database | null = null;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true, timeout: 500 });
    const row = db.prepare('SELECT pid, host, started_at AS startedAt FROM owner LIMIT 1').get() as LockOwner | undefined;
    return row ?? null;
  } catch {
    return null;
  } finally {
    db?.close();
  }
}

function sameFile(path: string, file: Stats): boolean {
  try {
    const now = statSync(path);
    return now.ino === file.ino && now.dev === file.dev;
  } catch {
    return false;
  }
}

/**
 * Lock events as log lines, for LockOptions. `logger` is read when an event happens, so the lock
 * can be taken before the logger exists.
 */
export function logLockEvents(logger: () => { warn(msg: string): void; error(obj: object, msg: string): void }): Pick<LockOptions, 'onLost' | 'onRestored'> {
  return {
    onRestored: () => logger().warn(`the data-directory lock file ${LOCK_FILE} was deleted or replaced; this process created and locked a new one`),
    onLost: (holder) =>
      logger().error(
        { holder },
        `the data-directory lock file ${LOCK_FILE} was deleted, and another process (${holder ? `pid ${holder.pid}` : 'unknown'}) locked a new one: two processes now use this data directory; stop the newer one`,
      ),
  };
}
