/**
 * The daemon as the trader runs it: one process per data directory, loopback only unless told,
 * a real-time paper trade through the composed daemon, and a clean shutdown on SIGTERM with the
 * database intact and the lock released.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startDaemon, type DaemonHandle } from '../../engine/daemon';
import { startDaemonProcess } from '../support/daemon-process';

const dirs: string[] = [];
const handles: DaemonHandle[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'tradeclock-daemon-'));
  dirs.push(d);
  return d;
};
const quiet = pino({ level: 'silent' });
afterEach(async () => {
  for (const h of handles.splice(0)) await h.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('startDaemon', () => {
  it('serves /health on a free loopback port, and a second daemon on the same data directory names the first', async () => {
    const dir = tempDir();
    const first = await startDaemon({ dataDir: dir, port: 0, logger: quiet, staticDir: null });
    handles.push(first);
    expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await (await fetch(`${first.url}/health`)).json();
    expect(health).toMatchObject({ ok: true, version: expect.any(String) });
    await expect(startDaemon({ dataDir: dir, port: 0, logger: quiet, staticDir: null })).rejects.toThrow(new RegExp(`in use by process ${process.pid}`));
  });

  it('takes over the lock of a process that died without releasing it', async () => {
    const dir = tempDir();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(join(dir, 'tradeclock.lock'), JSON.stringify({ pid: Number(dead.stdout), host: hostname(), startedAt: 'earlier' }));
    const daemon = await startDaemon({ dataDir: dir, port: 0, logger: quiet, staticDir: null });
    handles.push(daemon);
    // Never read the lock file here: closing any descriptor of it drops this process's fcntl lock.
    await expect(startDaemon({ dataDir: dir, port: 0, logger: quiet, staticDir: null })).rejects.toThrow(new RegExp(`in use by process ${process.pid}`));
  });

  it('refuses a non-loopback address unless allowed, and writes nothing', async () => {
    const dir = tempDir();
    await expect(startDaemon({ dataDir: dir, host: '0.0.0.0', port: 0, logger: quiet })).rejects.toThrow(/only loopback is allowed without --allow-remote/);
    expect(existsSync(join(dir, 'tradeclock.sqlite'))).toBe(false);
  });
});

describe('the daemon process', () => {
  it('trades a paper strategy in real time, then stops cleanly on SIGTERM', async () => {
    const dir = tempDir();
    const daemon = await startDaemonProcess(dir, {}, 'info');
    const call = async (method: string, path: string, token: string | null, body?: unknown): Promise<any> => {
      const res = await fetch(`${daemon.url}${path}`, {
        method,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      return res.json();
    };
    try {
      const { token } = await call('POST', '/auth/register', null, { email: 'a@example.com', password: 'a long password' });
      const account = await call('POST', '/broker/connect', token, { broker: 'paper', options: { tickIntervalMs: 200, volatilityBps: 0 } });
      while (new Date(Date.now() + 10_000).getUTCDate() !== new Date().getUTCDate()) await new Promise((r) => setTimeout(r, 500));
      const buyAt = Math.ceil(Date.now() / 1000) * 1000 + 2_000;
      const hhmmss = (ms: number) => new Date(ms).toISOString().slice(11, 19);
      const s = await call('POST', '/strategy/create', token, { broker_account_id: account.id, symbol: 'BTCUSD', exchange: 'CRYPTO', qty: 1, buy_time: hhmmss(buyAt), sell_time: hhmmss(buyAt + 2_000), stop_loss: 1, timezone: 'UTC' });
      await call('POST', '/strategy/start', token, { strategy_id: s.id });
      let state = '';
      for (const deadline = buyAt + 15_000; Date.now() < deadline && state !== 'SOLD'; await new Promise((r) => setTimeout(r, 200))) {
        state = (await call('GET', `/strategy/${s.id}`, token)).runtime?.state;
      }
      expect(state).toBe('SOLD');
      const { orders } = await call('GET', `/strategy/${s.id}/orders`, token);
      expect(orders.map((o: { leg: string; status: string }) => [o.leg, o.status])).toEqual([['BUY', 'filled'], ['SELL', 'filled']]);
      // The BUY went out on its second, not before it and not a second late.
      expect(orders[0].dispatched_at - orders[0].scheduled_at).toBeGreaterThanOrEqual(0);
      expect(orders[0].dispatched_at - orders[0].scheduled_at).toBeLessThan(1_000);
    } finally {
      daemon.proc.kill('SIGTERM');
      await daemon.exited;
    }
    expect(daemon.proc.exitCode).toBe(0);
    expect(existsSync(join(dir, 'tradeclock.lock'))).toBe(false);
    expect(readFileSync(join(dir, 'logs', 'tradeclock.log'), 'utf8')).toMatch(/tradeclock daemon stopped/);
    const db = new Database(join(dir, 'tradeclock.sqlite'), { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  }, 60_000);
});
