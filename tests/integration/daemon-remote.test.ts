/**
 * `--allow-remote` serves the LAN: the Host check takes the addresses the daemon is bound to
 * (for 0.0.0.0, this machine's interface addresses) and the names given with `--public-host`,
 * refuses every other Host, and the printed URLs are ones a browser can open.
 *
 * These run with HTTPS off (`--no-https`), so every address is asked over plain HTTP; with HTTPS on
 * (the default beyond loopback) see daemon-https.test.ts.
 *
 * Traffic stays on this machine: requests go to 127.0.0.x, or to this machine's own interface
 * addresses; other addresses appear only as Host headers.
 */
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startDaemon, type DaemonHandle } from '../../engine/daemon';
import { startDaemonProcess, TSX, type Daemon } from '../support/daemon-process';

const dirs: string[] = [];
const handles: DaemonHandle[] = [];
const children: Daemon[] = [];
afterEach(async () => {
  for (const h of handles.splice(0)) await h.stop();
  for (const c of children.splice(0)) {
    c.proc.kill('SIGTERM');
    await c.exited;
  }
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'tradeclock-remote-'));
  dirs.push(d);
  return d;
};
const quiet = pino({ level: 'silent' });

/** A GET to `address`:`port` carrying any Host and Origin (fetch will not forge Host). */
function get(address: string, port: number, path: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: address, port, path, method: 'GET', headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** This machine's IPv4 addresses, loopback included. */
const ownIPv4 = () =>
  Object.values(networkInterfaces())
    .flat()
    .filter((a) => a?.family === 'IPv4')
    .map((a) => a!.address);

/** An address that is certainly not this machine's (TEST-NET-2, or the next one along). */
const foreignIPv4 = () => ['198.51.100.7', '198.51.100.8'].find((a) => !ownIPv4().includes(a))!;

describe('bound to 0.0.0.0', () => {
  it('answers to every interface address of this machine and to --public-host names, and to nothing else', async () => {
    const daemon = await startDaemon({ dataDir: tempDir(), host: '0.0.0.0', port: 0, allowRemote: true, https: false, publicHosts: ['TradeClock.test'], logger: quiet, staticDir: null });
    handles.push(daemon);
    const { port } = daemon;
    for (const address of ownIPv4()) {
      const viaLoopback = await get('127.0.0.1', port, '/health', { host: `${address}:${port}`, origin: `http://${address}:${port}` });
      expect({ address, status: viaLoopback.status }).toEqual({ address, status: 200 });
      expect(viaLoopback.headers['content-security-policy']).toContain(`ws://${address}:${port}`);
      // And for real, to this machine's own address, as a phone on the LAN would.
      const direct = await get(address, port, '/health', { host: `${address}:${port}` });
      expect({ address, status: direct.status }).toEqual({ address, status: 200 });
    }
    expect((await get('127.0.0.1', port, '/health', { host: `tradeclock.test:${port}` })).status).toBe(200);

    for (const host of [`evil.example:${port}`, `${foreignIPv4()}:${port}`, `0.0.0.0:${port}`, `tradeclock.test:${port + 1}`, `tradeclock.test.evil.example:${port}`, `${ownIPv4().at(-1)}:${port + 1}`]) {
      expect({ host, status: (await get('127.0.0.1', port, '/health', { host })).status }).toEqual({ host, status: 403 });
    }
    const foreignOrigin = await get('127.0.0.1', port, '/health', { host: `127.0.0.1:${port}`, origin: `http://${foreignIPv4()}:${port}` });
    expect(foreignOrigin.status).toBe(403);
  });

  it('gives reachable URLs: loopback first, then one per interface address, never 0.0.0.0', async () => {
    const daemon = await startDaemon({ dataDir: tempDir(), host: '0.0.0.0', port: 0, allowRemote: true, https: false, logger: quiet, staticDir: null });
    handles.push(daemon);
    const expected = ['127.0.0.1', ...ownIPv4().filter((a) => !a.startsWith('127.'))].map((a) => `http://${a}:${daemon.port}`);
    expect(daemon.url).toBe(`http://127.0.0.1:${daemon.port}`);
    expect(daemon.urls).toEqual(expected);
  });
});

describe('bound to one address', () => {
  it('answers to that address (here another loopback address, 127.0.0.5)', async () => {
    const daemon = await startDaemon({ dataDir: tempDir(), host: '127.0.0.5', port: 0, allowRemote: true, logger: quiet, staticDir: null });
    handles.push(daemon);
    expect((await get('127.0.0.5', daemon.port, '/health', { host: `127.0.0.5:${daemon.port}` })).status).toBe(200);
    expect((await get('127.0.0.5', daemon.port, '/health', { host: `127.0.0.6:${daemon.port}` })).status).toBe(403);
    expect(daemon.urls).toEqual([`http://127.0.0.5:${daemon.port}`]);
  });
});

describe('the daemon command', () => {
  it('prints one URL per interface address with --host 0.0.0.0 (plain HTTP with --no-https), and takes --public-host and TRADECLOCK_PUBLIC_HOST', async () => {
    const d = await startDaemonProcess(tempDir(), { TRADECLOCK_PUBLIC_HOST: 'box.test, other.test' }, 'warn', undefined, {
      args: ['--host', '0.0.0.0', '--allow-remote', '--no-https', '--public-host', 'tradeclock.test'],
    });
    children.push(d);
    const port = Number(new URL(d.url).port);
    expect(d.url).toBe(`http://127.0.0.1:${port}`);
    const wanted = [...ownIPv4().filter((a) => !a.startsWith('127.')), 'box.test', 'other.test', 'tradeclock.test'].map((h) => `http://${h}:${port}`);
    for (let i = 0; i < 50 && !wanted.every((u) => d.stdout.some((l) => l.includes(u))); i++) await new Promise((r) => setTimeout(r, 20));
    for (const u of wanted) expect(d.stdout).toContainEqual(expect.stringContaining(`also at ${u}`));
    expect(d.stdout.join('\n')).not.toContain('0.0.0.0');
    for (const name of ['box.test', 'other.test', 'tradeclock.test']) {
      expect((await get('127.0.0.1', port, '/health', { host: `${name}:${port}` })).status).toBe(200);
    }
    expect((await get('127.0.0.1', port, '/health', { host: `evil.test:${port}` })).status).toBe(403);
  }, 60_000);

  it('refuses a --public-host that carries a port, saying why', async () => {
    const proc = spawn(process.execPath, [...TSX, join(import.meta.dirname, '../../engine/cli.ts'), 'daemon', '--data-dir', tempDir(), '--public-host', 'box.test:8080'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    proc.stderr.on('data', (c: Buffer) => void (stderr += c.toString()));
    const code = await new Promise((r) => proc.once('exit', r));
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/without a port/);
  }, 30_000);
});
