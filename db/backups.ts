/**
 * Online backups of the database, and restoring one.
 *
 * A backup is taken with SQLite's online backup API (better-sqlite3's `backup()`), on the daemon's
 * own connection, while it trades: the copy goes 100 pages (~400 KiB) per step and the event loop
 * runs between steps, so no order waits for more than one step. A commit the engine makes in
 * between is carried into the copy by SQLite itself, so the copy is one consistent state.
 *
 * Files: `<data dir>/backups/<kind>-<UTC time>.sqlite`, for example
 * `backups/daily-20260309T130000.000Z.sqlite`; owner-only (0600) in an owner-only directory (0700).
 * Each is a whole, self-contained SQLite file (rollback-journal mode, no -wal beside it): it can be
 * opened, checked or copied on its own. A copy in progress is a hidden `.…partial` file, renamed
 * into place only when complete, so a listed backup is never half written.
 */
import { chmodSync, closeSync, copyFileSync, existsSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import Database from 'better-sqlite3';
import { quickCheck, type Db } from './client';
import { appliedMigrationCount } from './migrate';

export const BACKUP_DIR = 'backups';
/** The database file in a data directory. */
export const DATABASE_FILE = 'tradeclock.sqlite';

export type BackupKind = 'daily' | 'pre-migration';

/** How many of each kind are kept; older ones are deleted after each new backup. */
export const BACKUPS_KEPT: Readonly<Record<BackupKind, number>> = { daily: 7, 'pre-migration': 3 };

/** Pages copied per step; between steps the event loop runs (orders, ticks, requests). */
export const PAGES_PER_STEP = 100;

export interface BackupFile {
  readonly path: string;
  readonly name: string;
  readonly kind: BackupKind;
  /** When it was taken (epoch ms, from its name). */
  readonly takenAt: number;
  readonly bytes: number;
}

const NAME = /^(daily|pre-migration)-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})\.(\d{3})Z(?:-(\d{1,3}))?\.sqlite$/;

/** `<data dir>/backups`. */
export function backupDir(dataDir: string): string {
  return join(dataDir, BACKUP_DIR);
}

/** The name a backup of `kind` taken at `epochMs` gets (before any -n suffix for a clash). */
export function backupName(kind: BackupKind, epochMs: number): string {
  return `${kind}-${new Date(epochMs).toISOString().replace(/[-:]/g, '')}.sqlite`;
}

function parseName(name: string): { kind: BackupKind; takenAt: number; n: number } | null {
  const m = NAME.exec(name);
  if (!m) return null;
  const [, kind, y, mo, d, h, mi, s, ms, n] = m;
  const takenAt = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}Z`);
  return Number.isNaN(takenAt) ? null : { kind: kind as BackupKind, takenAt, n: Number(n ?? 0) };
}

/**
 * The backups in `<data dir>/backups`, newest first; `kind` keeps one kind only. An absent
 * directory is no backups.
 *
 * @example listBackups(dataDir)[0]?.path // the newest backup, of either kind
 */
export function listBackups(dataDir: string, kind?: BackupKind): BackupFile[] {
  const dir = backupDir(dataDir);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const found: Array<BackupFile & { n: number }> = [];
  for (const name of names) {
    const parsed = parseName(name);
    if (!parsed || (kind && parsed.kind !== kind)) continue;
    try {
      const st = statSync(join(dir, name));
      if (st.isFile()) found.push({ path: join(dir, name), name, kind: parsed.kind, takenAt: parsed.takenAt, bytes: st.size, n: parsed.n });
    } catch {
      // deleted meanwhile
    }
  }
  return found.sort((a, b) => b.takenAt - a.takenAt || b.n - a.n).map(({ n: _n, ...file }) => file);
}

export interface TakeBackupOptions {
  /** How many of this kind to keep (default BACKUPS_KEPT[kind]). */
  readonly keep?: number;
  /** Stops the copy between two steps (shutdown); the partial file is removed. */
  readonly signal?: AbortSignal;
}

/**
 * Copies the open database into a new backup file of `kind`, named by `now`, then deletes the
 * oldest of that kind beyond `keep`. Resolves with the new file.
 *
 * @example const file = await takeBackup(db, dataDir, 'daily', clock.now());
 */
export async function takeBackup(db: Db, dataDir: string, kind: BackupKind, now: number, options: TakeBackupOptions = {}): Promise<BackupFile> {
  const dir = ensureBackupDir(dataDir);
  removePartials(dir);
  const name = freeName(dir, kind, now);
  const partial = join(dir, `.${name}.partial`);
  // Created owner-only before SQLite opens it: SQLite keeps an existing file's mode, and gives
  // its journal the same mode, so no copy of the database is ever readable by others.
  closeSync(openSync(partial, 'wx', 0o600));
  const { signal } = options;
  try {
    await db.sqlite.backup(partial, {
      progress: () => {
        if (signal?.aborted) throw new Error('backup aborted');
        return PAGES_PER_STEP;
      },
    });
    // The copy carries the source's WAL flag; a backup is one self-contained file instead.
    const copy = new Database(partial);
    try {
      copy.pragma('journal_mode = DELETE');
    } finally {
      copy.close();
    }
    chmodSync(partial, 0o600);
    renameSync(partial, join(dir, name));
  } catch (err) {
    removeWithSideFiles(partial);
    throw err;
  }
  pruneBackups(dataDir, kind, options.keep ?? BACKUPS_KEPT[kind]);
  const file = listBackups(dataDir, kind).find((b) => b.name === name);
  if (!file) throw new Error(`backup ${name} vanished after it was written`);
  return file;
}

/** Deletes all but the newest `keep` backups of `kind`; returns the names deleted. */
export function pruneBackups(dataDir: string, kind: BackupKind, keep: number): string[] {
  const old = listBackups(dataDir, kind).slice(Math.max(0, keep));
  for (const b of old) removeWithSideFiles(b.path);
  return old.map((b) => b.name);
}

/** `<data dir>/backups`, created owner-only, and made owner-only if it existed wider. */
export function ensureBackupDir(dataDir: string): string {
  const dir = backupDir(dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  return dir;
}

function freeName(dir: string, kind: BackupKind, now: number): string {
  const base = backupName(kind, now);
  for (let n = 0; n < 1000; n++) {
    const name = n === 0 ? base : base.replace(/\.sqlite$/, `-${n}.sqlite`);
    if (!existsSync(join(dir, name)) && !existsSync(join(dir, `.${name}.partial`))) return name;
  }
  throw new Error(`no free backup name for ${base}`);
}

/** A copy a crash interrupted: never a backup, never kept. */
function removePartials(dir: string): void {
  for (const name of readdirSync(dir)) if (name.startsWith('.') && name.includes('.partial')) rmSync(join(dir, name), { force: true });
}

function removeWithSideFiles(path: string): void {
  for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(path + suffix, { force: true });
}

export interface RestoreResult {
  /** The backup that is now the database. */
  readonly restored: string;
  /** Where the files it replaced were moved (`<data dir>/damaged-<time>`), or null when there were none. */
  readonly setAside: string | null;
}

/**
 * Makes the backup `source` the database of `dataDir`. The caller must hold the data directory
 * (no daemon running on it). The backup is copied and checked first (quick_check, and it must
 * hold Tradeclock's schema), so a bad backup changes nothing; then the current database and its
 * -wal/-shm are moved aside, never deleted (a stale -wal applied to another file would damage
 * it), and the checked copy takes their place, owner-only.
 *
 * @example restoreBackup(dataDir, listBackups(dataDir)[0].path, Date.now())
 */
export function restoreBackup(dataDir: string, source: string, now: number): RestoreResult {
  const target = join(dataDir, DATABASE_FILE);
  const incoming = join(dataDir, `.${DATABASE_FILE}.restoring`);
  removeWithSideFiles(incoming);
  copyFileSync(source, incoming);
  chmodSync(incoming, 0o600);
  try {
    const copy = new Database(incoming, { fileMustExist: true });
    try {
      const problems = quickCheck({ sqlite: copy });
      if (problems.length > 0) throw new Error(`${source} is not a sound backup (quick_check: ${problems.slice(0, 3).join('; ')})`);
      if (appliedMigrationCount({ sqlite: copy }) === 0) throw new Error(`${source} holds no Tradeclock data`);
      copy.pragma('journal_mode = DELETE');
    } finally {
      copy.close();
    }
  } catch (err) {
    removeWithSideFiles(incoming);
    throw err;
  }
  const present = ['', '-wal', '-shm', '-journal'].map((s) => DATABASE_FILE + s).filter((f) => existsSync(join(dataDir, f)));
  let setAside: string | null = null;
  if (present.length > 0) {
    setAside = join(dataDir, `damaged-${new Date(now).toISOString().replace(/[-:]/g, '')}`);
    mkdirSync(setAside, { mode: 0o700 });
    for (const f of present) renameSync(join(dataDir, f), join(setAside, f));
  }
  renameSync(incoming, target);
  return { restored: basename(source), setAside };
}
