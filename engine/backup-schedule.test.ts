import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listBackups } from '../db/backups';
import { openDatabase, type Db } from '../db/client';
import { BACKUP_EVERY_MS, FIRST_CHECK_AFTER_MS, startBackupSchedule, type BackupSchedule } from './backup-schedule';
import { FakeClock } from './core/fake-clock';

const HOUR = 3_600_000;
let dir: string;
let db: Db;
let schedule: BackupSchedule | undefined;
const logged: Array<{ level: string; msg: string }> = [];
const logger = {
  info: (...a: unknown[]) => void logged.push({ level: 'info', msg: String(a.at(-1)) }),
  warn: (...a: unknown[]) => void logged.push({ level: 'warn', msg: String(a.at(-1)) }),
  error: (...a: unknown[]) => void logged.push({ level: 'error', msg: String(a.at(-1)) }),
} as never;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tradeclock-schedule-'));
  db = openDatabase(join(dir, 'tradeclock.sqlite'));
  logged.length = 0;
});
afterEach(async () => {
  await schedule?.stop();
  schedule = undefined;
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const names = () => listBackups(dir, 'daily').map((b) => b.name).reverse();

/** Advances the fake clock and lets a backup started meanwhile finish (it copies in real time). */
async function advance(clock: FakeClock, ms: number): Promise<void> {
  await clock.advance(ms);
  await schedule!.idle();
}

describe('startBackupSchedule', () => {
  it('takes the first backup shortly after start, then one a day, keeping seven', async () => {
    const clock = new FakeClock(Date.parse('2026-03-09T13:00:00Z'));
    schedule = startBackupSchedule({ db, dataDir: dir, clock, logger });
    await advance(clock, FIRST_CHECK_AFTER_MS - 1);
    expect(names()).toEqual([]);
    await advance(clock, 1);
    expect(names()).toEqual(['daily-20260309T130010.000Z.sqlite']);
    await advance(clock, BACKUP_EVERY_MS - 1);
    expect(names()).toHaveLength(1);
    for (let day = 1; day <= 9; day++) await advance(clock, day === 1 ? 1 : BACKUP_EVERY_MS);
    expect(names()).toHaveLength(7);
    expect(names().at(-1)).toBe('daily-20260318T130010.000Z.sqlite');
    expect(names()[0]).toBe('daily-20260312T130010.000Z.sqlite');
    expect(logged.filter((l) => l.level === 'error')).toEqual([]);
  });

  it('after a sleep through the backup time, takes it within the hour of waking', async () => {
    const clock = new FakeClock(Date.parse('2026-03-09T13:00:00Z'));
    schedule = startBackupSchedule({ db, dataDir: dir, clock, logger });
    await advance(clock, FIRST_CHECK_AFTER_MS);
    // The laptop sleeps for two days: the wall clock jumps, the monotonic clock (timers) does not.
    await clock.suspend(2 * BACKUP_EVERY_MS);
    await advance(clock, HOUR);
    expect(names()).toEqual(['daily-20260309T130010.000Z.sqlite', 'daily-20260311T140010.000Z.sqlite']);
  });

  it('takes one at once when the newest is dated after now (the clock was set back), but not at every check', async () => {
    const clock = new FakeClock(Date.parse('2026-03-09T13:00:00Z'));
    schedule = startBackupSchedule({ db, dataDir: dir, clock, logger });
    await advance(clock, FIRST_CHECK_AFTER_MS);
    clock.jumpWallClock(-3 * HOUR);
    await advance(clock, 3 * HOUR);
    expect(names()).toEqual(['daily-20260309T110010.000Z.sqlite', 'daily-20260309T130010.000Z.sqlite']);
    await advance(clock, 5 * HOUR);
    expect(names()).toHaveLength(2);
  });

  it('does not take one at start when the newest daily backup is less than a day old', async () => {
    const first = new FakeClock(Date.parse('2026-03-09T13:00:00Z'));
    schedule = startBackupSchedule({ db, dataDir: dir, clock: first, logger });
    await advance(first, FIRST_CHECK_AFTER_MS);
    await schedule.stop();
    const later = new FakeClock(Date.parse('2026-03-10T09:00:00Z'));
    schedule = startBackupSchedule({ db, dataDir: dir, clock: later, logger });
    await advance(later, FIRST_CHECK_AFTER_MS + 3 * HOUR);
    expect(names()).toHaveLength(1);
    await advance(later, 1 * HOUR);
    expect(names()).toEqual(['daily-20260309T130010.000Z.sqlite', 'daily-20260310T130010.000Z.sqlite']);
  });

  it('logs a failed backup and tries again an hour later', async () => {
    const clock = new FakeClock(Date.parse('2026-03-09T13:00:00Z'));
    // A file where the backups directory should be: every backup fails.
    const bad = mkdtempSync(join(tmpdir(), 'tradeclock-schedule-bad-'));
    writeFileSync(join(bad, 'backups'), 'not a directory');
    schedule = startBackupSchedule({ db, dataDir: bad, clock, logger });
    await advance(clock, FIRST_CHECK_AFTER_MS);
    expect(logged.filter((l) => l.level === 'error').map((l) => l.msg)).toEqual(['database backup failed; trying again in an hour']);
    await advance(clock, HOUR);
    expect(logged.filter((l) => l.level === 'error')).toHaveLength(2);
    rmSync(bad, { recursive: true, force: true });
  });

  it('stop() cancels the schedule and ends a copy in progress, leaving no partial file', async () => {
    const clock = new FakeClock(Date.parse('2026-03-09T13:00:00Z'));
    db.sqlite.exec('CREATE TABLE filler (pad BLOB)');
    const insert = db.sqlite.prepare('INSERT INTO filler VALUES (randomblob(4000))');
    db.sqlite.transaction(() => {
      for (let i = 0; i < 4_000; i++) insert.run();
    })();
    schedule = startBackupSchedule({ db, dataDir: dir, clock, logger });
    await clock.advance(FIRST_CHECK_AFTER_MS); // the copy starts; do not wait for it
    await schedule.stop();
    expect(readdirSync(join(dir, 'backups'))).toEqual([]);
    expect(logged.map((l) => l.msg)).toContain('database backup stopped at shutdown; the next start takes one');
    expect(clock.pendingTimers()).toBe(0);
  });
});
