/**
 * Other local users cannot read the data directory: not the database, not its write-ahead log
 * (which holds the token signing key until a checkpoint), not the logs, not the lock. Checked as
 * a second OS user (`nobody`), with the daemon started under umask 022, on a data directory that
 * already existed with mode 0755, and again on one an earlier version left world-readable.
 */
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startDaemonProcess, type Daemon } from '../support/daemon-process';
import { otherUser, readableByOtherUser } from '../support/other-user';

const user = otherUser();
if (!user.ok) console.warn(`SKIPPED (data directory privacy): ${user.reason}`);

const dirs: string[] = [];
const daemons: Daemon[] = [];
afterEach(async () => {
  for (const d of daemons.splice(0)) {
    d.proc.kill('SIGKILL');
    await d.exited;
  }
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** The daemon as a user with the common umask 022 would start it. */
const UMASK_022 = { prefix: ['/bin/sh', '-c', 'umask 022; exec "$0" "$@"'] };

async function start(dataDir: string): Promise<Daemon> {
  const d = await startDaemonProcess(dataDir, {}, 'info', undefined, UMASK_022);
  daemons.push(d);
  return d;
}

async function stop(d: Daemon): Promise<void> {
  d.proc.kill('SIGTERM');
  await d.exited;
  daemons.splice(daemons.indexOf(d), 1);
}

/** Registers (or, once registered, logs in) `a@example.com`: writes that land in the WAL. */
async function signIn(d: Daemon, path: '/auth/register' | '/auth/login'): Promise<void> {
  const body = JSON.stringify({ email: 'a@example.com', password: 'a long password' });
  const res = await fetch(`${d.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  expect(res.status).toBeLessThan(300);
}

/** Every entry under `dir`, `dir` included, as root sees them. */
function entries(dir: string): string[] {
  const out = [dir];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    out.push(...(lstatSync(p).isDirectory() ? entries(p) : [p]));
  }
  return out;
}

const openToOthers = (paths: readonly string[]) => paths.filter((p) => (lstatSync(p).mode & 0o077) !== 0);

describe.skipIf(!user.ok)('the data directory, as another local user sees it', () => {
  it('is unreadable, the -wal and -shm files and logs/ included, in a directory that existed as 0755', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'tradeclock-privacy-'));
    dirs.push(parent);
    chmodSync(parent, 0o755);
    const control = join(parent, 'control.txt');
    writeFileSync(control, 'anyone may read this', { mode: 0o644 });
    expect(readableByOtherUser([control])).toEqual([control]); // the probe can read what is readable

    const data = join(parent, 'data');
    mkdirSync(data);
    chmodSync(data, 0o755);
    const daemon = await start(data);
    await signIn(daemon, '/auth/register');
    for (const f of ['tradeclock.sqlite', 'tradeclock.sqlite-wal', 'tradeclock.sqlite-shm', 'logs/tradeclock.log', 'tradeclock.lock']) {
      expect({ f, exists: existsSync(join(data, f)) }).toEqual({ f, exists: true });
    }
    const all = entries(data);
    expect(openToOthers(all)).toEqual([]);
    // Even with the directory itself opened up, no file in it is readable by anyone else.
    expect(readableByOtherUser(all)).toEqual([]);
    chmodSync(data, 0o755);
    chmodSync(join(data, 'logs'), 0o755);
    expect(readableByOtherUser(all.filter((p) => !lstatSync(p).isDirectory()))).toEqual([]);
    await stop(daemon);
  }, 60_000);

  it('repairs what an earlier version left world-readable, before opening anything', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'tradeclock-privacy-'));
    dirs.push(parent);
    chmodSync(parent, 0o755);
    const data = join(parent, 'data');
    const first = await start(data);
    await signIn(first, '/auth/register');
    first.proc.kill('SIGKILL'); // the -wal and -shm stay behind, as after a crash
    await first.exited;
    daemons.splice(daemons.indexOf(first), 1);
    for (const p of entries(data)) chmodSync(p, lstatSync(p).isDirectory() ? 0o755 : 0o644);
    expect(readableByOtherUser([join(data, 'tradeclock.sqlite-wal')])).toEqual([join(data, 'tradeclock.sqlite-wal')]);

    const second = await start(data);
    await signIn(second, '/auth/login');
    const all = entries(data);
    expect(openToOthers(all)).toEqual([]);
    expect(readableByOtherUser(all)).toEqual([]);
    await stop(second);
  }, 60_000);
});
