import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isDamageError, openDatabase, quickCheck, type Db } from './client';
import { appliedMigrationCount, MIGRATIONS_FOLDER } from './migrate';
import { createRepos } from './repos';
import { migrationCount } from './test-support';

let dir: string;
const open: Db[] = [];
const track = (db: Db) => (open.push(db), db);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tradeclock-db-'));
});
afterEach(() => {
  for (const db of open.splice(0)) db.close();
  rmSync(dir, { recursive: true, force: true });
});

const pragma = (db: Db, name: string) => db.sqlite.pragma(name, { simple: true });

describe('openDatabase', () => {
  it('sets WAL, foreign keys, FULL sync and a busy timeout on a file', () => {
    const db = track(openDatabase(join(dir, 'a.sqlite')));
    expect(pragma(db, 'journal_mode')).toBe('wal');
    expect(pragma(db, 'foreign_keys')).toBe(1);
    expect(pragma(db, 'synchronous')).toBe(2);
    expect(pragma(db, 'busy_timeout')).toBe(5000);
  });

  it('zeroes what a row no longer holds: text updated away is not left in the file', () => {
    const path = join(dir, 's.sqlite');
    const db = track(openDatabase(path));
    expect(pragma(db, 'secure_delete')).toBe(2); // FAST
    db.sqlite.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, config TEXT, sealed BLOB)');
    const insert = db.sqlite.prepare('INSERT INTO t (config, sealed) VALUES (?, zeroblob(60))');
    for (let i = 0; i < 5; i++) insert.run(JSON.stringify({ url: `https://hooks.example.com/services/TOKEN-gone-${i}` }));
    db.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    db.sqlite.prepare("UPDATE t SET config = '{}', sealed = zeroblob(200) WHERE id = 3").run();
    db.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    const file = readFileSync(path);
    expect(file.includes('TOKEN-gone-2')).toBe(false);
    expect(file.includes('TOKEN-gone-1')).toBe(true);
  });

  it('checkpoint() copies the WAL into the file and the log starts over', () => {
    const db = track(openDatabase(join(dir, 'c.sqlite')));
    expect(pragma(db, 'wal_autocheckpoint')).toBe(1000); // SQLite's own stays on as the bound on the log
    db.sqlite.exec('CREATE TABLE filler (id INTEGER PRIMARY KEY, pad BLOB)');
    const insert = db.sqlite.prepare('INSERT INTO filler (pad) VALUES (zeroblob(4000))');
    for (let i = 0; i < 300; i++) insert.run();
    const done = db.checkpoint();
    expect(done.logFrames).toBeGreaterThan(300);
    expect(done.checkpointed).toBe(done.logFrames);
    insert.run();
    expect(db.checkpoint().logFrames).toBeLessThan(10); // reused from its start
    expect(db.sqlite.prepare('SELECT count(*) AS n FROM filler').get()).toEqual({ n: 301 });
    expect(track(openDatabase(':memory:')).checkpoint()).toEqual({ logFrames: 0, checkpointed: 0 });
  });

  it('sets the same on :memory: (which has no WAL)', () => {
    const db = track(openDatabase(':memory:'));
    expect(pragma(db, 'journal_mode')).toBe('memory');
    expect(pragma(db, 'foreign_keys')).toBe(1);
    expect(pragma(db, 'synchronous')).toBe(2);
    expect(pragma(db, 'busy_timeout')).toBe(5000);
  });

  it('applies every migration to a fresh file', () => {
    const db = track(openDatabase(join(dir, 'fresh.sqlite')));
    expect(appliedMigrationCount(db)).toBe(migrationCount());
    const tables = db.sqlite
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
      .pluck()
      .all();
    expect(tables).toEqual(['__drizzle_migrations', 'backstops', 'broker_accounts', 'devices', 'events', 'historical_bars', 'historical_tick_days', 'historical_ticks', 'instruments', 'notify_channels', 'notify_deliveries', 'orders', 'price_bars', 'runs', 'sessions', 'settings', 'strategies', 'users']);
  });

  it('is idempotent on reopen and keeps the data', () => {
    const file = join(dir, 'reopen.sqlite');
    const first = openDatabase(file);
    createRepos(first).settings.set('install_id', 'k3x9a1');
    first.close();
    const again = track(openDatabase(file));
    expect(appliedMigrationCount(again)).toBe(migrationCount());
    expect(createRepos(again).settings.get('install_id')).toBe('k3x9a1');
  });

  it('finds db/migrations whatever the working directory', () => {
    expect(existsSync(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'))).toBe(true);
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const db = track(openDatabase('relative.sqlite'));
      expect(appliedMigrationCount(db)).toBe(migrationCount());
    } finally {
      process.chdir(cwd);
    }
    expect(existsSync(join(dir, 'relative.sqlite'))).toBe(true);
  });

  it('refuses a file migrated by a newer build, and closes it', () => {
    const file = join(dir, 'newer.sqlite');
    const db = openDatabase(file);
    db.sqlite.prepare(`INSERT INTO __drizzle_migrations (hash, created_at) VALUES ('future', ?)`).run(9_999_999_999_999);
    db.close();
    expect(() => openDatabase(file)).toThrow(/newer than this build/);
  });

  it('close() is idempotent', () => {
    const db = openDatabase(':memory:');
    db.close();
    expect(() => db.close()).not.toThrow();
    expect(db.sqlite.open).toBe(false);
  });
});

describe('quickCheck', () => {
  /** A file with ~1.2 MB of rows, its WAL checkpointed into it. */
  function filled(name: string): string {
    const file = join(dir, name);
    const db = openDatabase(file);
    const repos = createRepos(db);
    repos.transaction(() => {
      for (let i = 0; i < 3_000; i++) repos.settings.set(`k${i}`, `${'v'.repeat(400)}${i}`);
    });
    db.close();
    return file;
  }

  it('is empty for a sound file', () => {
    expect(quickCheck(track(openDatabase(filled('ok.sqlite'))))).toEqual([]);
    expect(quickCheck(track(openDatabase(':memory:')))).toEqual([]);
  });

  it('names the damage in a file whose pages were overwritten', () => {
    const file = filled('overwritten.sqlite');
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(8192, 0x41), 0, 8192, Math.floor(statSync(file).size * 0.6 / 4096) * 4096);
    closeSync(fd);
    const problems = quickCheck(track(openDatabase(file, { migrate: false })));
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.length).toBeLessThanOrEqual(20);
  });

  it('finds the pages a truncated file lost while its WAL still says how long it was', () => {
    // What a crash leaves: the log holds the last commits, and with them the database's length.
    const file = filled('truncated.sqlite');
    const db = track(openDatabase(file));
    db.sqlite.pragma('wal_autocheckpoint = 0');
    createRepos(db).settings.set('last', 'commit');
    truncateSync(file, Math.floor(statSync(file).size / 2 / 4096) * 4096);
    const reader = track(openDatabase(file, { migrate: false }));
    expect(createRepos(reader).settings.get('last')).toBe('commit'); // the start's reads still work
    expect(quickCheck(reader).length).toBeGreaterThan(0);
  });

  it('turns a file that is not a database into one problem, not an exception', () => {
    const file = join(dir, 'garbage.sqlite');
    writeFileSync(file, Buffer.alloc(16_384, 0x5a));
    let err: unknown;
    try {
      openDatabase(file, { migrate: false });
    } catch (e) {
      err = e;
    }
    expect(isDamageError(err)).toBe(true);
  });
});
