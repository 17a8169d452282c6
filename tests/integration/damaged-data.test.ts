/**
 * Issue 16, item 4: a data directory that has held an install never silently becomes a new
 * install, and a damaged database never trades. Real SQLite files in a real data directory, the
 * real composed daemon (startDaemon in-process, on a FakeClock that moves only when told), and
 * the restore script as a real child process.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/client';
import { migrateTo, migrationCount } from '../../db/test-support';
import { FIRST_CHECK_AFTER_MS } from '../../engine/backup-schedule';
import { FakeClock } from '../../engine/core/fake-clock';
import { startDaemon, type DaemonHandle } from '../../engine/daemon';
import { TSX } from '../support/daemon-process';
import { callDaemon } from '../support/daemon-call';
import { untilReal } from '../support/wait';

const dirs: string[] = [];
const handles: DaemonHandle[] = [];
const quiet = pino({ level: 'silent' });
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'tradeclock-damaged-'));
  dirs.push(d);
  return d;
};
afterEach(async () => {
  for (const h of handles.splice(0)) await h.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const dbFile = (dir: string) => join(dir, 'tradeclock.sqlite');

async function start(dir: string, clock = new FakeClock(Date.parse('2026-03-09T13:00:00Z'))): Promise<DaemonHandle> {
  const d = await startDaemon({ dataDir: dir, port: 0, logger: quiet, staticDir: null, clock });
  handles.push(d);
  return d;
}

async function stop(d: DaemonHandle): Promise<void> {
  handles.splice(handles.indexOf(d), 1);
  await d.stop();
}

const call = callDaemon;

/** A used install: a user, a paper account and ten running strategies; then a clean stop. */
async function install(dir: string): Promise<string> {
  const clock = new FakeClock(Date.parse('2026-03-09T13:00:00Z'));
  const d = await start(dir, clock);
  const { token } = await call(d, 'POST', '/auth/register', null, { email: 'owner@example.com', password: 'a long password' });
  expect(token).toEqual(expect.any(String));
  const account = await call(d, 'POST', '/broker/connect', token, { broker: 'paper', options: { seed: 1, volatilityBps: 0, tickIntervalMs: 60_000 } });
  for (let i = 0; i < 10; i++) {
    const s = await call(d, 'POST', '/strategy/create', token, {
      broker_account_id: account.id,
      symbol: 'AAPL',
      exchange: 'NYSE',
      qty: 1 + i,
      buy_time: '09:30:00',
      sell_time: '15:30:00',
      stop_loss: 50,
      timezone: 'America/New_York',
    });
    expect((await call(d, 'POST', '/strategy/start', token, { strategy_id: s.id })).status).toBe('running');
  }
  await clock.advance(FIRST_CHECK_AFTER_MS); // the first daily backup
  await untilReal(() => existsSync(join(dir, 'backups', 'daily-20260309T130010.000Z.sqlite')), 'the daily backup', 5_000);
  await stop(d);
  addHistory(dir);
  return token;
}

/**
 * Months of audit log, as a used install has: it fills the later pages of the file, which nothing
 * reads at start, so losing them goes unnoticed without a check.
 */
function addHistory(dir: string): void {
  const db = new Database(dbFile(dir));
  const user = (db.prepare('SELECT id FROM users').get() as { id: number }).id;
  const insert = db.prepare('INSERT INTO events (user_id, strategy_id, run_id, type, payload, at) VALUES (?, NULL, NULL, ?, ?, ?)');
  db.transaction(() => {
    for (let i = 0; i < 4_000; i++) {
      insert.run(user, 'strategy_armed', JSON.stringify({ type: 'strategy_armed', n: i, note: 'x'.repeat(300) }), Date.parse('2025-11-01T00:00:00Z') + i * 60_000);
    }
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

/** How many strategies are running in the database file (read directly, read-only). */
function runningStrategies(dir: string): number {
  const db = new Database(dbFile(dir), { readonly: true });
  try {
    return (db.prepare(`SELECT count(*) AS n FROM strategies WHERE status = 'running'`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

const refusal = (dir: string) => startDaemon({ dataDir: dir, port: 0, logger: quiet, staticDir: null, clock: new FakeClock(Date.parse('2026-03-10T13:00:00Z')) }).then(
  (d) => {
    handles.push(d);
    return null;
  },
  (err: unknown) => err as Error,
);

describe('a data directory that has held an install', () => {
  it('refuses to start without its database, says how to restore, and creates no new one', async () => {
    const dir = tempDir();
    await install(dir);
    for (const f of ['', '-wal', '-shm']) rmSync(dbFile(dir) + f, { force: true });
    const err = await refusal(dir);
    expect(err?.message).toMatch(/tradeclock\.sqlite is missing/);
    expect(err?.message).toMatch(/scripts\/restore-backup\.ts/);
    expect(err?.message).toMatch(/backups[/\\]daily-/);
    expect(existsSync(dbFile(dir))).toBe(false);
    expect(existsSync(join(dir, 'tradeclock.lock'))).toBe(false);
  });

  it('refuses an emptied (0-byte) database and leaves it as it was', async () => {
    const dir = tempDir();
    await install(dir);
    truncateSync(dbFile(dir), 0);
    const err = await refusal(dir);
    expect(err?.message).toMatch(/tradeclock\.sqlite is empty/);
    expect(statSync(dbFile(dir)).size).toBe(0);
  });

  it('still knows it held an install when the database and the marker are both gone, from its backups', async () => {
    const dir = tempDir();
    await install(dir);
    for (const f of ['tradeclock.sqlite', 'tradeclock.sqlite-wal', 'tradeclock.sqlite-shm', 'install.json']) rmSync(join(dir, f), { force: true });
    const err = await refusal(dir);
    expect(err?.message).toMatch(/tradeclock\.sqlite is missing/);
    expect(existsSync(dbFile(dir))).toBe(false);
  });

  it('refuses a database file replaced by one that holds no Tradeclock data', async () => {
    const dir = tempDir();
    await install(dir);
    for (const f of ['', '-wal', '-shm']) rmSync(dbFile(dir) + f, { force: true });
    const other = new Database(dbFile(dir));
    other.exec('CREATE TABLE notes (x)');
    other.close();
    const err = await refusal(dir);
    expect(err?.message).toMatch(/holds no Tradeclock data/);
  });
});

describe('a damaged database', () => {
  it('truncated to half after a crash (the WAL still live): today it starts as if nothing were wrong; now it refuses, naming the file', async () => {
    const dir = tempDir();
    const token = await install(dir);
    // The files as a crash (kill -9, power cut) leaves them: copied while the daemon runs, with
    // its last commits still in the WAL (here: the trader added a strategy).
    const at = '2026-03-09T13:05:00Z';
    const running = await start(dir, new FakeClock(Date.parse(at)));
    const account = (await call(running, 'GET', '/broker', token)).accounts[0].id;
    const created = await call(running, 'POST', '/strategy/create', token, { broker_account_id: account, symbol: 'MSFT', exchange: 'NYSE', qty: 1, buy_time: '10:00:00', sell_time: '15:00:00', stop_loss: 50, timezone: 'America/New_York' });
    expect(created.id).toEqual(expect.any(Number));
    const image = mkdtempSync(join(tmpdir(), 'tradeclock-crash-image-'));
    dirs.push(image);
    for (const f of ['', '-wal']) copyFileSync(dbFile(dir) + f, join(image, `db${f}`));
    await stop(running);
    for (const f of ['', '-wal']) copyFileSync(join(image, `db${f}`), dbFile(dir) + f);
    rmSync(`${dbFile(dir)}-shm`, { force: true });
    expect(statSync(`${dbFile(dir)}-wal`).size).toBeGreaterThan(0);
    const size = statSync(dbFile(dir)).size;
    expect(size).toBeGreaterThan(100 * 4096);
    // The half that goes is old audit log: what a start reads and writes is in the first pages and
    // in the WAL, so nothing notices the loss until someone reads the history.
    truncateSync(dbFile(dir), Math.floor(size / 2 / 4096) * 4096);
    const err = await startDaemon({ dataDir: dir, port: 0, logger: quiet, staticDir: null, clock: new FakeClock(Date.parse(at)) }).then(
      (d) => {
        handles.push(d);
        return null;
      },
      (e: unknown) => e as Error,
    );
    expect(err?.message).toContain(`${dbFile(dir)} is damaged`);
    expect(err?.message).toMatch(/quick_check/);
    expect(err?.message).toMatch(/scripts\/restore-backup\.ts/);
    expect(err?.message).toMatch(/backups[/\\]daily-/);
    expect(existsSync(join(dir, 'tradeclock.lock'))).toBe(false);
  });

  it('truncated to half after a clean stop: refused with the same clear advice, not a bare SQLite error', async () => {
    const dir = tempDir();
    await install(dir);
    truncateSync(dbFile(dir), Math.floor(statSync(dbFile(dir)).size / 2 / 4096) * 4096);
    const err = await refusal(dir);
    expect(err?.message).toContain(`${dbFile(dir)} is damaged`);
    expect(err?.message).toMatch(/scripts\/restore-backup\.ts/);
  });

  it('that is not a database at all is refused with the same advice', async () => {
    const dir = tempDir();
    await install(dir);
    for (const f of ['-wal', '-shm']) rmSync(dbFile(dir) + f, { force: true });
    writeFileSync(dbFile(dir), Buffer.alloc(64 * 1024, 0x5a));
    const err = await refusal(dir);
    expect(err?.message).toMatch(/is damaged/);
    expect(err?.message).toMatch(/restore-backup/);
  });
});

describe('automatic backups', () => {
  /** Finished backups; a copy in progress is a hidden .partial file. */
  const backups = (dir: string) => (existsSync(join(dir, 'backups')) ? readdirSync(join(dir, 'backups')).filter((f) => !f.startsWith('.')).sort() : []);

  it('takes one soon after start and again when the last is a day old, owner-only, on the engine clock', async () => {
    const dir = tempDir();
    const clock = new FakeClock(Date.parse('2026-03-09T13:00:00Z'));
    const d = await start(dir, clock);
    expect(backups(dir)).toEqual([]); // not at once: recovery's lookups and resends go first
    await clock.advance(FIRST_CHECK_AFTER_MS);
    await untilReal(() => backups(dir).length === 1, 'one backup', 5_000);
    expect(backups(dir)).toEqual(['daily-20260309T130010.000Z.sqlite']);
    expect(statSync(join(dir, 'backups')).mode & 0o777).toBe(0o700);
    await stop(d);
    // The next start a day later takes one (a day in one run is backup-schedule.test.ts: the
    // daemon's own timers make a fake day here cost a minute).
    const nextDay = new FakeClock(Date.parse('2026-03-10T13:05:00Z'));
    const d2 = await start(dir, nextDay);
    await nextDay.advance(FIRST_CHECK_AFTER_MS);
    await untilReal(() => backups(dir).length === 2, 'two backups', 5_000);
    expect(backups(dir)).toEqual(['daily-20260309T130010.000Z.sqlite', 'daily-20260310T130510.000Z.sqlite']);
    for (const f of backups(dir)) expect(statSync(join(dir, 'backups', f)).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(dir, 'backups')).sort()).toEqual(backups(dir)); // no journal, -wal or partial left beside them
    // A backup is a whole database on its own: the install's settings are in it.
    const copy = new Database(join(dir, 'backups', backups(dir).at(-1)!), { readonly: true });
    expect(copy.pragma('quick_check', { simple: true })).toBe('ok');
    expect(copy.prepare(`SELECT count(*) AS n FROM settings WHERE key = 'install_id'`).get()).toEqual({ n: 1 });
    copy.close();
    await stop(d2);
    // A restart within the day takes none.
    const later = new FakeClock(Date.parse('2026-03-10T20:00:00Z'));
    const again = await start(dir, later);
    await later.advance(FIRST_CHECK_AFTER_MS + 60_000);
    expect(backups(dir)).toHaveLength(2);
    await stop(again);
  });

  it('takes one before migrating an older database', async () => {
    const dir = tempDir();
    const old = openDatabase(dbFile(dir), { migrate: false });
    migrateTo(old, migrationCount() - 1);
    old.sqlite.prepare(`INSERT INTO settings (key, value) VALUES ('install_id', 'oldone')`).run();
    old.close();
    const d = await start(dir);
    const pre = backups(dir).filter((f) => f.startsWith('pre-migration-'));
    expect(pre).toEqual(['pre-migration-20260309T130000.000Z.sqlite']);
    const copy = new Database(join(dir, 'backups', pre[0]!), { readonly: true });
    expect(copy.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get()).toEqual({ n: migrationCount() - 1 });
    copy.close();
    await stop(d);
  });
});

describe('restoring a backup', () => {
  it('scripts/restore-backup.ts puts the newest backup in place, keeps the damaged files aside, and the daemon starts with the strategies back', async () => {
    const dir = tempDir();
    await install(dir);
    truncateSync(dbFile(dir), Math.floor(statSync(dbFile(dir)).size / 2 / 4096) * 4096);
    expect(await refusal(dir)).toBeInstanceOf(Error);

    const restore = spawnSync(process.execPath, [...TSX, join(import.meta.dirname, '../../scripts/restore-backup.ts'), '--data-dir', dir], { encoding: 'utf8' });
    expect(restore.stderr).toBe('');
    expect(restore.status).toBe(0);
    expect(restore.stdout).toMatch(/restored .*daily-20260309T130010\.000Z\.sqlite/);
    const aside = readdirSync(dir).filter((f) => f.startsWith('damaged-'));
    expect(aside).toHaveLength(1);
    expect(readdirSync(join(dir, aside[0]!))).toContain('tradeclock.sqlite');
    expect(statSync(dbFile(dir)).mode & 0o777).toBe(0o600);
    expect(runningStrategies(dir)).toBe(10);
    const back = await start(dir, new FakeClock(Date.parse('2026-03-09T13:10:00Z')));
    await stop(back);
  });

  it('the script refuses while a daemon holds the data directory', async () => {
    const dir = tempDir();
    await install(dir);
    await start(dir);
    const restore = spawnSync(process.execPath, [...TSX, join(import.meta.dirname, '../../scripts/restore-backup.ts'), '--data-dir', dir], { encoding: 'utf8' });
    expect(restore.status).not.toBe(0);
    expect(restore.stderr).toMatch(/in use by process/);
  });
});

