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
 * of a dead daemon. With an OS lock, a lock file left behind is just a file: nobody holds its
 * lock, and the next start takes it at once.
 *
 * The owner's pid, host and start time are written into that database (readable while its lock is
 * held), but only to name the holder in the refusal; they never decide anything. The one
 * exception is the JSON pid file of older versions, which hold no OS lock: one that may name a
 * running older Tradeclock is refused, never deleted (legacy-lock.ts).
 *
 * A deleted lock file cannot be locked by a second process while the first still runs, because the
 * holder creates and locks a new one at once: it watches the data directory (inotify on Linux,
 * FSEvents on macOS) and, as a fallback where watching fails, checks its file every `recheckMs`
 * (a second daemon started in that gap would be told so on the holder's log). On Windows SQLite
 * keeps the file open without delete sharing, so it cannot be deleted at all while held.
 *
 * The re-check runs on a timer and a watcher, inside a trading process: it never throws. A lock
 * file that cannot be re-created (the directory removed, a read-only or full disk, the path made a
 * directory) is reported once per reason, the lock on the old file is kept, and it tries again.
 *
 * Caveat of fcntl locks: closing *any* descriptor of the lock file in the holder's process drops
 * its lock. Nothing in Tradeclock opens it except through SQLite, which defers such closes.
 */
import { chmodSync, statSync, unlinkSync, watch, type FSWatcher, type Stats } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { systemClock, type Clock, type TimerHandle } from './core/clock';
import { DomainError } from './core/errors';
import { judgeLegacyOwner, legacyRefusal, readLegacyLock, systemProbe, type LegacyVerdict, type ProcessProbe } from './legacy-lock';

export const LOCK_FILE = 'tradeclock.lock';

export interface DataDirLock {
  readonly path: string;
  /** Releases the lock and removes the file. Idempotent; never throws. */
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
  /** Watch the data directory, so a deleted lock file is re-created at once. Default true. */
  readonly watch?: boolean;
  /**
   * The lock file was deleted or replaced, and another process locked the new one first
   * (`olderVersion`: an older Tradeclock's pid file took its place).
   */
  readonly onLost?: (holder: LockOwner | null, olderVersion: boolean) => void;
  /** The lock file was deleted or replaced, and this process locked a new one. */
  readonly onRestored?: () => void;
  /**
   * The lock file could not be checked or re-created (`reason`: the error's code and message).
   * Called once per distinct reason until the lock file is this process's again.
   */
  readonly onRecheckFailed?: (reason: string) => void;
  /** How a legacy pid file's process is looked at; tests replace it. */
  readonly probe?: ProcessProbe;
}

interface Held {
  readonly db: Database.Database;
  readonly file: Stats;
}

/** A lock this process could not take: who holds it, and whether that is an older version's pid file. */
interface Refused {
  readonly holder: LockOwner | null;
  readonly legacy?: Exclude<LegacyVerdict, { kind: 'stale' }>;
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
  const probe = options.probe ?? systemProbe(me);
  let first: Held | Refused;
  try {
    first = tryLock(path, me, probe);
  } catch (err) {
    if (err instanceof DomainError) throw err;
    throw new DomainError('unavailable', `could not lock data directory ${dataDir}: ${path}: ${reasonOf(err)}`);
  }
  if (!('db' in first)) {
    const o = first.holder;
    if (first.legacy && o) throw new DomainError('conflict', legacyRefusal(dataDir, path, o, first.legacy));
    const who = o ? `process ${o.pid}${o.host === me.host ? '' : ` on ${o.host}`} (started ${o.startedAt})` : 'process (unknown: it has not written its name yet)';
    throw new DomainError('conflict', `data directory ${dataDir} is in use by ${who}; stop it first, or choose another --data-dir`);
  }
  let held: Held = first;
  let lost = false;
  let released = false;
  const failures = new Set<string>();
  const clock = options.clock ?? systemClock;
  const recheckMs = options.recheckMs ?? 1_000;
  let timer: TimerHandle | null = null;
  let watcher: FSWatcher | null = null;

  /** Re-locks a lock file that is gone or replaced. Never throws: it runs on a timer and a watcher. */
  const check = () => {
    if (released) return;
    try {
      if (sameFile(path, held.file)) {
        failures.clear(); // its own file is back (a mount over the directory was lifted)
        return;
      }
      const again = tryLock(path, me, probe);
      if ('db' in again) {
        closeQuietly(held.db);
        held = again;
        lost = false;
        failures.clear();
        watchDir(); // the directory may be a new one (removed and made again)
        quietly(() => options.onRestored?.());
      } else if (!lost) {
        lost = true;
        quietly(() => options.onLost?.(again.holder, again.legacy !== undefined));
      }
    } catch (err) {
      // The lock on the old file is kept; the next check tries again.
      const reason = reasonOf(err);
      if (failures.has(reason)) return;
      failures.add(reason);
      quietly(() => options.onRecheckFailed?.(reason));
    }
  };
  const tick = () => {
    timer = null;
    check();
    if (!released) timer = clock.setTimer(recheckMs, tick);
  };
  const closeWatcher = () => {
    const w = watcher;
    watcher = null;
    quietly(() => w?.close());
  };
  function watchDir(): void {
    if (options.watch === false) return;
    closeWatcher();
    try {
      // persistent false: the watcher alone never keeps a process alive.
      const w = watch(dataDir, { persistent: false }, (_event, name) => {
        if (name === null || String(name) === LOCK_FILE) check();
      });
      // The directory itself removed, or the watch lost: the timer goes on alone.
      w.on('error', () => {
        if (watcher === w) closeWatcher();
      });
      watcher = w;
    } catch {
      watcher = null; // no watching here (a file system without it): the timer alone
    }
  }
  timer = clock.setTimer(recheckMs, tick);
  watchDir();

  return {
    path,
    release() {
      if (released) return;
      released = true;
      timer?.cancel();
      closeWatcher();
      // Removed while still locked, and only if it is still ours: a process that opened it in
      // between finds it locked and refuses, or finds a fresh file and takes that.
      if (sameFile(path, held.file)) {
        try {
          unlinkSync(path);
        } catch {
          // Windows refuses while SQLite has it open; the file left behind is not locked by anyone.
        }
      }
      closeQuietly(held.db);
    },
  };
}

/**
 * Takes the lock at `path`, or reads who holds it. Throws on anything else (the directory gone, a
 * read-only or full disk), with every connection it opened closed.
 */
function tryLock(path: string, me: LockOwner, probe: ProcessProbe): Held | Refused {
  for (let attempt = 0; attempt < 3; attempt++) {
    let db: Database.Database | null = null;
    try {
      // timeout 0: a held lock answers SQLITE_BUSY at once instead of after better-sqlite3's 5 s.
      db = new Database(path, { timeout: 0 });
      try {
        db.exec('BEGIN IMMEDIATE');
      } catch (err) {
        const code = codeOf(err);
        if (code === 'SQLITE_BUSY') {
          closeQuietly(db);
          db = null;
          return { holder: readOwner(path) };
        }
        if (code !== 'SQLITE_NOTADB' && code !== 'SQLITE_CORRUPT') throw err;
        closeQuietly(db);
        db = null;
        // The pid file of an older version (which may still run), or a torn file nobody can hold.
        const legacy = readLegacyLock(path);
        if (legacy) {
          const verdict = judgeLegacyOwner(legacy, probe);
          if (verdict.kind !== 'stale') return { holder: legacy, legacy: verdict };
        }
        unlinkSync(path);
        continue;
      }
      // Ours from here. Owner-only before anything is written (its journal takes the same mode),
      // whatever the umask: a lock re-created after start-up is not born under the start-up umask.
      // chmod by path, never a descriptor of our own: closing one would drop the fcntl lock.
      quietly(() => chmodSync(path, 0o600));
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
        if (codeOf(err) !== 'SQLITE_BUSY') throw err;
        closeQuietly(db);
        db = null;
        return { holder: readOwner(path) };
      }
      return { db, file: statSync(path) };
    } catch (err) {
      // A half-opened connection (a failed write of the owner row) must not linger: it could hold
      // a lock on the new file that this process would then find "taken by another".
      closeQuietly(db);
      throw err;
    }
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
    closeQuietly(db);
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

function closeQuietly(db: Database.Database | null): void {
  quietly(() => db?.close());
}

function quietly(fn: () => void): void {
  try {
    fn();
  } catch {
    // a callback or a close that throws costs itself only
  }
}

function codeOf(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null ? (err as { code?: string }).code : undefined;
}

/** An error as one line: its code (SQLITE_CANTOPEN, EACCES) and message. */
function reasonOf(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = codeOf(err);
  return code ? `${err.message} (${code})` : err.message;
}

/** The shape of logger logLockEvents needs. */
interface LockLogger {
  warn(msg: string): void;
  error(obj: object, msg: string): void;
}

/**
 * Lock events as log lines, for LockOptions. `logger` is read when an event happens, so the lock
 * can be taken before the logger exists (an event before then is not logged).
 */
export function logLockEvents(logger: () => LockLogger | null | undefined): Pick<LockOptions, 'onLost' | 'onRestored' | 'onRecheckFailed'> {
  return {
    onRestored: () => logger()?.warn(`the data-directory lock file ${LOCK_FILE} was deleted or replaced; this process created and locked a new one`),
    onLost: (holder, olderVersion) =>
      logger()?.error(
        { holder },
        olderVersion
          ? `the data-directory lock file ${LOCK_FILE} was replaced by the pid file of an older Tradeclock (pid ${holder?.pid ?? 'unknown'}): two processes now use this data directory; stop the older one`
          : `the data-directory lock file ${LOCK_FILE} was deleted, and another process (${holder ? `pid ${holder.pid}` : 'unknown'}) locked a new one: two processes now use this data directory; stop the newer one`,
      ),
    onRecheckFailed: (reason) =>
      logger()?.error(
        { reason },
        `the data-directory lock file ${LOCK_FILE} is gone or replaced, and a new one could not be created: ${reason}. ` +
          'This process keeps running and keeps trying; until it succeeds, another Tradeclock could start on this data directory',
      ),
  };
}
