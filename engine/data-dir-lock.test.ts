/**
 * The data-directory lock against real processes: holders in child processes, killed with
 * SIGKILL, pids that name this process or an unrelated live one, a lock file deleted under its
 * holder. The holder's periodic re-check runs on a FakeClock.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from './core/fake-clock';
import { LOCK_FILE, lockDataDir, type DataDirLock, type LockOwner } from './data-dir-lock';

const dirs: string[] = [];
const locks: DataDirLock[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const l of locks.splice(0)) l.release();
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'tradeclock-lock-'));
  dirs.push(d);
  return d;
};
const lock = (dir: string, options: Parameters<typeof lockDataDir>[2] = {}) => {
  const l = lockDataDir(dir, 'now', options);
  locks.push(l);
  return l;
};

const MODULE = pathToFileURL(join(import.meta.dirname, 'data-dir-lock.ts')).href;

/** Another process that tries to lock `dir` and, if it can, holds it until killed. */
function lockInChild(dir: string): Promise<{ proc: ChildProcess; outcome: string }> {
  const script = `import(${JSON.stringify(MODULE)}).then((m) => {
    try { m.lockDataDir(${JSON.stringify(dir)}, 'child'); console.log('locked'); setInterval(() => {}, 1 << 30); }
    catch (e) { console.log('refused: ' + e.message); process.exit(0); }
  });`;
  const proc = spawn(process.execPath, ['--import', 'tsx', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(proc);
  return new Promise((resolve, reject) => {
    createInterface({ input: proc.stdout! }).once('line', (outcome) => resolve({ proc, outcome }));
    proc.once('exit', (code) => reject(new Error(`lock child exited (${code}) without a word`)));
  });
}

/** A live process that has nothing to do with Tradeclock. */
function unrelatedProcess(): ChildProcess {
  const proc = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30)'], { stdio: 'ignore' });
  children.push(proc);
  return proc;
}

/** The lock file an earlier version wrote: a pid that decided everything. */
const writeLegacyLock = (dir: string, pid: number) => writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid, host: hostname(), startedAt: 'earlier' }));

/** A lock database naming `pid` as its owner, which nobody holds (its owner died). */
function writeUnheldLock(dir: string, pid: number): void {
  const db = new Database(join(dir, LOCK_FILE));
  db.exec('CREATE TABLE owner (pid INTEGER NOT NULL, host TEXT NOT NULL, started_at TEXT NOT NULL)');
  db.prepare('INSERT INTO owner VALUES (?, ?, ?)').run(pid, hostname(), 'earlier');
  db.close();
}

describe('a lock whose owner is dead never blocks a start', () => {
  it('not when it names this very process (a container restart reuses the pid), in either format', () => {
    const dir = tempDir();
    writeLegacyLock(dir, process.pid);
    lock(dir).release();
    writeUnheldLock(dir, process.pid);
    expect(() => lock(dir)).not.toThrow();
  });

  it('not when its pid now belongs to an unrelated live process', () => {
    const other = unrelatedProcess();
    const dir = tempDir();
    writeLegacyLock(dir, other.pid!);
    lock(dir).release();
    writeUnheldLock(dir, other.pid!);
    expect(() => lock(dir)).not.toThrow();
  });

  it('not when its holder was killed with SIGKILL', async () => {
    const dir = tempDir();
    const holder = await lockInChild(dir);
    expect(holder.outcome).toBe('locked');
    holder.proc.kill('SIGKILL');
    await new Promise((r) => holder.proc.once('exit', r));
    expect(existsSync(join(dir, LOCK_FILE))).toBe(true);
    expect(() => lock(dir)).not.toThrow();
  });
});

describe('a live holder is never joined', () => {
  it('another process is refused, and told the holder’s pid', async () => {
    const dir = tempDir();
    lock(dir);
    const second = await lockInChild(dir);
    expect(second.outcome).toBe(`refused: data directory ${dir} is in use by process ${process.pid} (started now); stop it first, or choose another --data-dir`);
  });

  it('a second lock in the same process is refused too', () => {
    const dir = tempDir();
    lock(dir);
    expect(() => lockDataDir(dir, 'again')).toThrow(new RegExp(`in use by process ${process.pid}`));
  });

  it('deleting the lock file under its holder: the holder locks a new one, and a second process is still refused', async () => {
    const dir = tempDir();
    const clock = new FakeClock(Date.parse('2026-03-09T13:00:00Z'));
    const restored: string[] = [];
    lock(dir, { clock, recheckMs: 1_000, onRestored: () => restored.push('restored') });
    unlinkSync(join(dir, LOCK_FILE));
    await clock.advance(1_000);
    expect(restored).toEqual(['restored']);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(true);
    const second = await lockInChild(dir);
    expect(second.outcome).toMatch(new RegExp(`^refused: .* in use by process ${process.pid} `));
  });

  it('when another process locked a new file first, the holder reports it', async () => {
    const dir = tempDir();
    const clock = new FakeClock(Date.parse('2026-03-09T13:00:00Z'));
    const lost: Array<LockOwner | null> = [];
    lock(dir, { clock, recheckMs: 1_000, onLost: (h) => lost.push(h) });
    unlinkSync(join(dir, LOCK_FILE));
    const intruder = await lockInChild(dir);
    expect(intruder.outcome).toBe('locked');
    await clock.advance(3_000);
    expect(lost).toEqual([{ pid: intruder.proc.pid, host: hostname(), startedAt: 'child' }]);
  });

  it('release() frees it and removes the file', () => {
    const dir = tempDir();
    lockDataDir(dir, 'first').release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    expect(() => lock(dir)).not.toThrow();
  });
});
