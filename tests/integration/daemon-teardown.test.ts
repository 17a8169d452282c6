/**
 * startDaemon in-process, as the desktop app runs it, when a step of its teardown or its start
 * fails: every other step still runs, the database is closed and the data-directory lock released
 * (a lock left held, with its re-check timer, would keep the caller's process alive and every
 * later start refused). And the process umask is the caller's again once the daemon is up: the
 * desktop app's browser and helpers inherit it; what the daemon creates is owner-only all the same.
 */
import { existsSync, lstatSync, mkdtempSync, readdirSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultBrokerKinds, type BrokerKind } from '../../engine/brokers/broker-kinds';
import type { BrokerAccountId } from '../../engine/core/ids';
import { startDaemon, type DaemonHandle } from '../../engine/daemon';
import { LOCK_FILE, lockDataDir } from '../../engine/data-dir-lock';
import { callDaemon } from '../support/daemon-call';

const dirs: string[] = [];
const handles: DaemonHandle[] = [];
afterEach(async () => {
  for (const h of handles.splice(0)) await h.stop().catch(() => {});
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'tradeclock-teardown-'));
  dirs.push(d);
  return d;
};
const quiet = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether another start could lock the data directory now. */
function lockIsFree(dir: string): boolean {
  try {
    lockDataDir(dir, 'probe').release();
    return true;
  } catch {
    return false;
  }
}

/** The paper broker, except that stopping it once started fails (an adapter whose socket close throws). */
const paper = defaultBrokerKinds().paper!;
const failsToStop: BrokerKind = {
  ...paper,
  title: 'Paper, failing to stop',
  create: (args) => {
    const broker = paper.create(args);
    let started = false;
    return {
      capabilities: broker.capabilities,
      instruments: broker.instruments,
      execution: broker.execution,
      data: broker.data,
      start: () => broker.start().then(() => void (started = true)),
      stop: () => broker.stop().then(() => (started ? Promise.reject(new Error('the broker failed to stop')) : undefined)),
    };
  },
};

describe('a teardown step that fails', () => {
  it('a broker that fails to stop: the stop reports it, and the server, the database and the lock are closed all the same', async () => {
    const dir = tempDir();
    const daemon = await startDaemon({ dataDir: dir, port: 0, logger: quiet, staticDir: null, brokerKinds: { ...defaultBrokerKinds(), failing: failsToStop } });
    handles.push(daemon);
    const { token } = await callDaemon(daemon, 'POST', '/auth/register', null, { email: 'owner@example.com', password: 'a long password' });
    const account = await callDaemon(daemon, 'POST', '/broker/connect', token, { broker: 'failing', credentials: {}, options: { seed: 1, tickIntervalMs: 60_000 } });
    expect(account).toMatchObject({ id: expect.any(Number) });
    await daemon.engine.brokers.get(account.id as BrokerAccountId); // opened, so the engine's stop stops it
    expect(existsSync(join(dir, 'tradeclock.sqlite-wal'))).toBe(true);

    handles.splice(handles.indexOf(daemon), 1);
    await expect(daemon.stop()).rejects.toThrow('the broker failed to stop');
    await expect(fetch(`${daemon.url}/health`)).rejects.toThrow(); // the API was closed before the engine
    expect(existsSync(join(dir, 'tradeclock.sqlite-wal'))).toBe(false); // the database was closed after it (the last close removes its WAL)
    expect(lockIsFree(dir)).toBe(true);
  });

  it('a log level the logger refuses: the start fails, and leaves the lock free', async () => {
    const dir = tempDir();
    await expect(startDaemon({ dataDir: dir, port: 0, staticDir: null, logLevel: 'loud' })).rejects.toThrow(/loud/);
    expect(lockIsFree(dir)).toBe(true);
    // and a start after it works
    const daemon = await startDaemon({ dataDir: dir, port: 0, logger: quiet, staticDir: null });
    handles.push(daemon);
    expect((await fetch(`${daemon.url}/health`)).status).toBe(200);
  });
});

describe.skipIf(process.platform === 'win32')('the process umask', () => {
  it('is the caller’s again once the daemon is up, and what the daemon created, or creates later, is owner-only', async () => {
    const callers = process.umask(0o022);
    try {
      const dir = tempDir();
      const daemon = await startDaemon({ dataDir: dir, port: 0, logger: quiet, staticDir: null });
      handles.push(daemon);
      expect(process.umask(0o022)).toBe(0o022);

      const entries = readdirSync(dir).map((name) => join(dir, name));
      for (const f of ['tradeclock.sqlite', 'tradeclock.sqlite-wal', 'tradeclock.sqlite-shm', LOCK_FILE, 'install.json']) expect(entries).toContain(join(dir, f));
      const openToOthers = (paths: string[]) => paths.filter((p) => (lstatSync(p).mode & 0o077) !== 0);
      expect(openToOthers([dir, ...entries])).toEqual([]);

      // The lock file re-created after set-up, under umask 022, is owner-only too.
      const before = statSync(join(dir, LOCK_FILE)).ino;
      unlinkSync(join(dir, LOCK_FILE));
      for (let i = 0; i < 150 && !existsSync(join(dir, LOCK_FILE)); i++) await sleep(20);
      expect(statSync(join(dir, LOCK_FILE)).ino).not.toBe(before);
      expect(statSync(join(dir, LOCK_FILE)).mode & 0o777).toBe(0o600);
    } finally {
      process.umask(callers);
    }
  });
});
