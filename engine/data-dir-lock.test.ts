/**
 * The data-directory lock against real processes: holders in child processes, killed with
 * SIGKILL, pids that name this process or an unrelated live one, the pid file of an older version
 * whose daemon still runs, a lock file deleted or replaced under its holder, and a re-check that
 * cannot re-create the file (the directory removed, the path made a directory, a read-only mount,
 * a full disk), which must never end the process. The holder's periodic re-check runs on a
 * FakeClock, except in the child that shows the process surviving.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { fillDisk, mountTmpfs, probeTmpfs, unmountTmpfs } from '../tests/support/tmpfs';
import { untilReal } from '../tests/support/wait';
import { FakeClock } from './core/fake-clock';
import { LOCK_FILE, lockDataDir, type DataDirLock, type LockOwner } from './data-dir-lock';

const dirs: string[] = [];
const locks: DataDirLock[] = [];
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const l of locks.splice(0)) l.release();
  // Dead before their directories go: a live holder re-creates its lock file as soon as it is
  // unlinked, and removing the directory would race it (ENOTEMPTY).
  await Promise.all(children.splice(0).map(ended));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function ended(c: ChildProcess): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return Promise.resolve();
  const exit = new Promise<void>((r) => c.once('exit', () => r()));
  c.kill('SIGKILL');
  return exit;
}
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
const CLOCK_MODULE = pathToFileURL(join(import.meta.dirname, 'core', 'clock.ts')).href;
/** The line a child writes after each periodic re-check (lockInChild's `countRechecks`). */
const RECHECKED = 'rechecked';

/**
 * Another process that tries to lock `dir` and, if it can, holds it until killed, on the system
 * clock re-checking every `recheckMs`. Its first line says whether it locked; every lock event
 * after that is a line of its own (`lines`), and with `countRechecks` so is every re-check done.
 */
function lockInChild(dir: string, recheckMs = 1_000, countRechecks = false): Promise<{ proc: ChildProcess; outcome: string; lines: string[] }> {
  const script = `Promise.all([import(${JSON.stringify(MODULE)}), import(${JSON.stringify(CLOCK_MODULE)})]).then(([m, { systemClock }]) => {
    const say = (line) => console.log(line);
    const clock = ${countRechecks} ? { ...systemClock, setTimer: (ms, fn) => systemClock.setTimer(ms, () => { fn(); say(${JSON.stringify(RECHECKED)}); }) } : systemClock;
    try {
      m.lockDataDir(${JSON.stringify(dir)}, 'child', {
        clock,
        recheckMs: ${recheckMs},
        onRestored: () => say('restored'),
        onLost: (h) => say('lost to ' + (h && h.pid)),
        onRecheckFailed: (reason) => say('recheck failed: ' + reason),
      });
      say('locked');
      setInterval(() => {}, 1 << 30);
    }
    catch (e) { say('refused: ' + e.message); process.exit(0); }
  });`;
  const proc = spawn(process.execPath, ['--import', 'tsx', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(proc);
  const lines: string[] = [];
  return new Promise((resolve, reject) => {
    const input = createInterface({ input: proc.stdout! });
    input.once('line', (outcome) => {
      input.on('line', (line) => lines.push(line));
      resolve({ proc, outcome, lines });
    });
    proc.once('exit', (code) => reject(new Error(`lock child exited (${code}) without a word`)));
  });
}

/** A live node process, as the daemon of an older version is (or an unrelated node program that took a dead daemon's pid). */
function nodeProcess(): ChildProcess {
  const proc = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30)'], { stdio: 'ignore' });
  children.push(proc);
  return proc;
}

/** A live process that is not node, electron or tradeclock: a program that took a dead daemon's pid. */
function unrelatedProcess(): ChildProcess {
  const proc = spawn('sleep', ['1000'], { stdio: 'ignore' });
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

  it('not when its pid now belongs to an unrelated live program (an older version’s pid file: on Linux, where the program can be read)', () => {
    const other = unrelatedProcess(); // `sleep`: not node, electron or tradeclock
    const dir = tempDir();
    writeLegacyLock(dir, other.pid!);
    if (process.platform === 'linux') lock(dir).release();
    else expect(() => lock(dir)).toThrow(/older version of Tradeclock/); // nothing can tell: refused, saying how to go on
    rmSync(join(dir, LOCK_FILE), { force: true });
    writeUnheldLock(dir, other.pid!); // the current format: the pid never decides
    expect(() => lock(dir)).not.toThrow();
  });

  it('not when an older version’s pid file names a process that has ended', () => {
    const ended = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const dir = tempDir();
    writeLegacyLock(dir, Number(ended.stdout));
    expect(() => lock(dir)).not.toThrow();
  });

  it('not when an older version’s pid file was torn (not JSON, nobody can hold it)', () => {
    const dir = tempDir();
    writeFileSync(join(dir, LOCK_FILE), '{"pid": 12');
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

describe('a daemon of an older version, which locked with a pid file, is never joined', () => {
  it('its pid file naming a live node process on this host is refused, named, and kept', () => {
    const older = nodeProcess();
    const dir = tempDir();
    writeLegacyLock(dir, older.pid!);
    const before = readFileSync(join(dir, LOCK_FILE), 'utf8');
    expect(() => lock(dir)).toThrow(
      new RegExp(`^data directory ${dir} (is in use by|holds the lock file of) an older version of Tradeclock \\(process ${older.pid}, started earlier.*stop it first.*delete ${join(dir, LOCK_FILE)} and start again`),
    );
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8')).toBe(before);
  });

  it('one written on another host is refused: its process cannot be looked at from here', () => {
    const dir = tempDir();
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: process.pid, host: `not-${hostname()}`, startedAt: 'earlier' }));
    expect(() => lock(dir)).toThrow(/older version of Tradeclock \(process \d+ on not-.*another host.*delete .* and start again/);
  });

  it('one that replaces the holder’s lock file (an older version started after it was deleted) is reported as a second process, and not deleted', async () => {
    const older = nodeProcess();
    const dir = tempDir();
    const clock = new FakeClock(Date.parse('2026-03-09T13:00:00Z'));
    const lost: Array<[LockOwner | null, boolean]> = [];
    lock(dir, { clock, watch: false, onLost: (h, olderVersion) => lost.push([h, olderVersion]) });
    unlinkSync(join(dir, LOCK_FILE));
    writeLegacyLock(dir, older.pid!);
    await clock.advance(3_000);
    expect(lost).toEqual([[{ pid: older.pid, host: hostname(), startedAt: 'earlier' }, true]]);
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: older.pid });
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

  it('a deleted lock file is locked again at once, not at the next re-check: the holder watches the directory', async () => {
    const dir = tempDir();
    const clock = new FakeClock(Date.parse('2026-03-09T13:00:00Z')); // never advanced: no re-check runs
    const restored: string[] = [];
    lock(dir, { clock, recheckMs: 1_000, onRestored: () => restored.push('restored') });
    unlinkSync(join(dir, LOCK_FILE));
    await untilReal(() => restored.length > 0, 'the holder re-locking its deleted file');
    expect(existsSync(join(dir, LOCK_FILE))).toBe(true);
    const second = await lockInChild(dir);
    expect(second.outcome).toMatch(new RegExp(`^refused: .* in use by process ${process.pid} `));
  });

  it('when another process’s locked file took its place, the holder reports it', async () => {
    const dir = tempDir();
    const clock = new FakeClock(Date.parse('2026-03-09T13:00:00Z'));
    const lost: Array<LockOwner | null> = [];
    // Not watching, and its clock held: the intruder locks a new file in the gap a deleted one
    // opens, without racing the holder. (A file locked elsewhere and moved over the holder's is no
    // way to stage it: the intruder's own watcher sees its file go, locks a new one and drops the
    // lock on the moved file, sometimes before the holder looks.)
    lock(dir, { clock, watch: false, recheckMs: 1_000, onLost: (h) => lost.push(h) });
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

/** A read-only directory mounted over `dir` (a bind mount of an empty one), or why it cannot be had. */
function readOnlyMount(): { ok: true } | { ok: false; reason: string } {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return { ok: false, reason: 'read-only bind mounts need Linux and root' };
  const from = mkdtempSync(join(tmpdir(), 'tradeclock-ro-probe-'));
  const onto = mkdtempSync(join(tmpdir(), 'tradeclock-ro-probe-'));
  try {
    const r = spawnSync('mount', ['--bind', '-o', 'ro', from, onto], { encoding: 'utf8' });
    if (r.error || r.status !== 0) return { ok: false, reason: `mount --bind -o ro failed: ${r.error?.message ?? r.stderr.trim()}` };
    const writable = spawnSync('touch', [join(onto, 'x')]).status === 0;
    spawnSync('umount', [onto]);
    return writable ? { ok: false, reason: 'mount --bind -o ro left the directory writable' } : { ok: true };
  } finally {
    rmSync(from, { recursive: true, force: true });
    rmSync(onto, { recursive: true, force: true });
  }
}
/** How many descriptors this process has open on `path` (Linux). */
function openDescriptorsOf(path: string): number {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(join('/proc/self/fd', fd)) === path;
    } catch {
      return false;
    }
  }).length;
}

const roMount = readOnlyMount();
if (!roMount.ok) console.warn(`SKIPPED (re-check on a read-only directory): ${roMount.reason}`);
const tmpfs = probeTmpfs();
if (!tmpfs.ok) console.warn(`SKIPPED (re-check on a full disk): ${tmpfs.reason}`);

describe('a lock file that cannot be re-created never ends the process', () => {
  it('the data directory removed: the holder (on the real clock) keeps running, says so once, and locks again when the directory is back', async () => {
    const dir = tempDir();
    const holder = await lockInChild(dir, 50, true);
    expect(holder.outcome).toBe('locked');
    const said = () => holder.lines.filter((l) => l !== RECHECKED);
    const rechecks = () => holder.lines.length - said().length;
    // Gone in one step, then deleted. Deleted in place it races the holder, which re-creates its
    // lock file there as soon as it is unlinked: the rmdir then meets ENOTEMPTY, or the holder
    // restores before the directory goes.
    const removed = `${dir}-removed`;
    dirs.push(removed);
    renameSync(dir, removed);
    rmSync(removed, { recursive: true });
    await untilReal(() => said().length > 0 || holder.proc.exitCode !== null, 'the holder saying its re-check failed');
    const at = rechecks();
    await untilReal(() => rechecks() >= at + 12 || holder.proc.exitCode !== null, 'a dozen re-checks after that');
    expect(holder.proc.exitCode).toBe(null);
    expect(said()).toEqual([expect.stringMatching(/^recheck failed: .*directory does not exist/)]);

    mkdirSync(dir);
    await untilReal(() => said().includes('restored'), 'the holder locking again in the directory made again');
    expect(holder.proc.exitCode).toBe(null);
    expect((await lockInChild(dir)).outcome).toMatch(new RegExp(`^refused: .* in use by process ${holder.proc.pid} `));
  });

  it('the path made a directory: reported once however often it is checked, and locked again once the path is free', async () => {
    const dir = tempDir();
    const clock = new FakeClock(Date.parse('2026-03-09T13:00:00Z'));
    const events: string[] = [];
    lock(dir, { clock, watch: false, onRecheckFailed: (r) => events.push(`failed: ${r}`), onRestored: () => events.push('restored'), onLost: () => events.push('lost') });
    unlinkSync(join(dir, LOCK_FILE));
    mkdirSync(join(dir, LOCK_FILE));
    await clock.advance(10_000);
    expect(events).toEqual([expect.stringMatching(/^failed: .*SQLITE_CANTOPEN/)]);
    rmSync(join(dir, LOCK_FILE), { recursive: true });
    await clock.advance(1_000);
    expect(events.slice(1)).toEqual(['restored']);
    expect(statSync(join(dir, LOCK_FILE)).isFile()).toBe(true);
    expect((await lockInChild(dir)).outcome).toMatch(new RegExp(`^refused: .* in use by process ${process.pid} `));
  });

  it.skipIf(!roMount.ok)('a read-only directory in its place: reported once, and the lock on the file it had is kept', async () => {
    const dir = tempDir();
    const clock = new FakeClock(Date.parse('2026-03-09T13:00:00Z'));
    const events: string[] = [];
    lock(dir, { clock, onRecheckFailed: (r) => events.push(`failed: ${r}`), onRestored: () => events.push('restored'), onLost: () => events.push('lost') });
    const empty = tempDir();
    expect(spawnSync('mount', ['--bind', '-o', 'ro', empty, dir]).status).toBe(0);
    try {
      await clock.advance(5_000);
      expect(events).toEqual([expect.stringMatching(/^failed: .*SQLITE_CANTOPEN/)]);
    } finally {
      spawnSync('umount', [dir]);
    }
    await clock.advance(5_000);
    expect(events).toHaveLength(1); // its own file is back: nothing to re-create
    expect((await lockInChild(dir)).outcome).toMatch(new RegExp(`^refused: .* in use by process ${process.pid} `));
  });

  it.skipIf(!tmpfs.ok)('a full disk while re-creating it: reported once, no half-made connection left behind, locked again once there is room', async () => {
    const dir = tempDir();
    mountTmpfs(dir, 64 * 1024);
    try {
      const clock = new FakeClock(Date.parse('2026-03-09T13:00:00Z'));
      const events: string[] = [];
      lock(dir, { clock, watch: false, onRecheckFailed: (r) => events.push(`failed: ${r}`), onRestored: () => events.push('restored'), onLost: () => events.push('lost') });
      unlinkSync(join(dir, LOCK_FILE));
      fillDisk(join(dir, 'filler'));
      await clock.advance(5_000);
      expect(events).toEqual([expect.stringMatching(/^failed: .*(SQLITE_FULL|SQLITE_IOERR)/)]);
      unlinkSync(join(dir, 'filler'));
      await clock.advance(1_000);
      // "lost" here would be this process's own half-made connection, found holding the new file.
      expect(events.slice(1)).toEqual(['restored']);
      // and no descriptor of it left open but the holder's own
      expect(openDescriptorsOf(join(dir, LOCK_FILE))).toBe(1);
      expect((await lockInChild(dir)).outcome).toMatch(new RegExp(`^refused: .* in use by process ${process.pid} `));
    } finally {
      for (const l of locks.splice(0)) l.release();
      unmountTmpfs(dir);
    }
  });
});
