import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backupName, listBackups, pruneBackups, restoreBackup, takeBackup } from './backups';
import { openDatabase, type Db } from './client';
import { createRepos } from './repos';

let dir: string;
const open: Db[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tradeclock-backups-'));
});
afterEach(() => {
  for (const db of open.splice(0)) db.close();
  rmSync(dir, { recursive: true, force: true });
});

const T0 = Date.parse('2026-03-09T13:00:00Z');

function database(): Db {
  const db = openDatabase(join(dir, 'tradeclock.sqlite'));
  open.push(db);
  createRepos(db).settings.set('install_id', 'abc123');
  return db;
}

/** ~`mib` MiB of rows in a table of their own. */
function fill(db: Db, mib: number): void {
  db.sqlite.exec('CREATE TABLE IF NOT EXISTS filler (id INTEGER PRIMARY KEY, pad BLOB)');
  const insert = db.sqlite.prepare('INSERT INTO filler (pad) VALUES (randomblob(4000))');
  db.sqlite.transaction(() => {
    for (let i = 0; i < mib * 256; i++) insert.run();
  })();
}

const readOnly = (path: string) => new Database(path, { readonly: true, fileMustExist: true });

describe('takeBackup', () => {
  it('writes a whole, self-contained, owner-only copy under backups/, named by the time given', async () => {
    const db = database();
    const file = await takeBackup(db, dir, 'daily', T0);
    expect(file).toMatchObject({ name: 'daily-20260309T130000.000Z.sqlite', kind: 'daily', takenAt: T0, path: join(dir, 'backups', 'daily-20260309T130000.000Z.sqlite') });
    expect(statSync(join(dir, 'backups')).mode & 0o777).toBe(0o700);
    expect(statSync(file.path).mode & 0o777).toBe(0o600);
    const copy = readOnly(file.path);
    expect(copy.pragma('journal_mode', { simple: true })).toBe('delete');
    expect(copy.pragma('quick_check', { simple: true })).toBe('ok');
    expect(copy.prepare(`SELECT value FROM settings WHERE key = 'install_id'`).pluck().get()).toBe('abc123');
    copy.close();
    expect(readdirSync(join(dir, 'backups'))).toEqual([file.name]); // no journal, -wal, -shm or partial beside it
  });

  it('makes a backups/ directory that existed wider owner-only', async () => {
    mkdirSync(join(dir, 'backups'), { mode: 0o755 });
    chmodSync(join(dir, 'backups'), 0o755);
    await takeBackup(database(), dir, 'daily', T0);
    expect(statSync(join(dir, 'backups')).mode & 0o777).toBe(0o700);
  });

  it('keeps the newest N of its kind and leaves the other kind alone', async () => {
    const db = database();
    await takeBackup(db, dir, 'pre-migration', T0 - 1);
    for (let day = 0; day < 9; day++) await takeBackup(db, dir, 'daily', T0 + day * 86_400_000, { keep: 7 });
    const daily = listBackups(dir, 'daily');
    expect(daily).toHaveLength(7);
    expect(daily[0]?.name).toBe(backupName('daily', T0 + 8 * 86_400_000));
    expect(daily.at(-1)?.name).toBe(backupName('daily', T0 + 2 * 86_400_000));
    expect(listBackups(dir, 'pre-migration')).toHaveLength(1);
    expect(pruneBackups(dir, 'daily', 1)).toHaveLength(6);
  });

  it('never overwrites: a second backup in the same millisecond gets its own name', async () => {
    const db = database();
    const a = await takeBackup(db, dir, 'daily', T0);
    const b = await takeBackup(db, dir, 'daily', T0);
    expect(b.name).toBe('daily-20260309T130000.000Z-1.sqlite');
    expect(listBackups(dir).map((f) => f.name)).toEqual([b.name, a.name]);
  });

  it('copies in steps: the event loop runs between them, and a commit made meanwhile is in the copy', async () => {
    const db = database();
    fill(db, 24);
    let turns = 0;
    let worst = 0;
    let last = performance.now();
    let ticking = true;
    const tick = () => {
      const now = performance.now();
      worst = Math.max(worst, now - last);
      last = now;
      turns++;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    const backup = takeBackup(db, dir, 'daily', T0);
    // An order's journal write during the copy: it commits at once, and the copy carries it.
    await new Promise((r) => setImmediate(r));
    const started = performance.now();
    createRepos(db).settings.set('written_during_backup', 'yes');
    expect(performance.now() - started).toBeLessThan(50);
    const file = await backup;
    ticking = false;
    expect(turns).toBeGreaterThan(24 * 256 / 100 / 2); // at least one turn for every other step of 100 pages
    expect(worst).toBeLessThan(250); // generous for a loaded CI machine; a step is ~1 ms here
    const copy = readOnly(file.path);
    expect(copy.prepare(`SELECT value FROM settings WHERE key = 'written_during_backup'`).pluck().get()).toBe('yes');
    expect(copy.prepare('SELECT count(*) FROM filler').pluck().get()).toBe(24 * 256);
    copy.close();
  });

  it('stops at the next step when aborted, and leaves nothing behind', async () => {
    const db = database();
    fill(db, 8);
    const abort = new AbortController();
    const backup = takeBackup(db, dir, 'daily', T0, { signal: abort.signal });
    abort.abort();
    await expect(backup).rejects.toThrow(/aborted/);
    expect(readdirSync(join(dir, 'backups'))).toEqual([]);
  });

  it('clears a partial copy left by a crash, and never lists one', async () => {
    mkdirSync(join(dir, 'backups'));
    writeFileSync(join(dir, 'backups', '.daily-20260308T130000.000Z.sqlite.partial'), 'half');
    expect(listBackups(dir)).toEqual([]);
    await takeBackup(database(), dir, 'daily', T0);
    expect(readdirSync(join(dir, 'backups'))).toEqual(['daily-20260309T130000.000Z.sqlite']);
  });
});

describe('listBackups', () => {
  it('is empty without a backups directory, and ignores files that are not backups', () => {
    expect(listBackups(dir)).toEqual([]);
    mkdirSync(join(dir, 'backups'));
    writeFileSync(join(dir, 'backups', 'notes.txt'), '');
    writeFileSync(join(dir, 'backups', 'daily-2026.sqlite'), '');
    expect(listBackups(dir)).toEqual([]);
  });
});

describe('restoreBackup', () => {
  it('puts a checked copy in place, owner-only, and moves the old files aside', async () => {
    const db = database();
    const file = await takeBackup(db, dir, 'daily', T0);
    createRepos(db).settings.set('install_id', 'changed-after-backup');
    db.close();
    writeFileSync(join(dir, 'tradeclock.sqlite-wal'), 'stale wal');
    const result = restoreBackup(dir, file.path, T0 + 60_000);
    expect(result.setAside).toBe(join(dir, 'damaged-20260309T130100.000Z'));
    expect(readdirSync(result.setAside!).sort()).toEqual(['tradeclock.sqlite', 'tradeclock.sqlite-wal']);
    expect(existsSync(join(dir, 'tradeclock.sqlite-wal'))).toBe(false);
    expect(statSync(join(dir, 'tradeclock.sqlite')).mode & 0o777).toBe(0o600);
    const restored = openDatabase(join(dir, 'tradeclock.sqlite'));
    open.push(restored);
    expect(createRepos(restored).settings.get('install_id')).toBe('abc123');
  });

  it('refuses a damaged backup or one without Tradeclock data, and changes nothing', async () => {
    const db = database();
    db.close();
    const bad = join(dir, 'bad.sqlite');
    writeFileSync(bad, Buffer.alloc(8192, 0x41));
    expect(() => restoreBackup(dir, bad, T0)).toThrow(/not a sound backup|not a database/);
    const empty = join(dir, 'empty.sqlite');
    const other = new Database(empty);
    other.exec('CREATE TABLE x (y)');
    other.close();
    expect(() => restoreBackup(dir, empty, T0)).toThrow(/holds no Tradeclock data/);
    expect(readdirSync(dir).filter((f) => f.startsWith('damaged-') || f.startsWith('.'))).toEqual([]);
    const still = openDatabase(join(dir, 'tradeclock.sqlite'));
    open.push(still);
    expect(createRepos(still).settings.get('install_id')).toBe('abc123');
  });
});
