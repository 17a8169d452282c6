/**
 * Who may create an account, over HTTP. The daemon's default is a single-user install: the first
 * account closes registration (403, with the reason and the option that re-opens it), and the
 * sign-in screen learns so from GET /auth/registration. With registration open, it is limited per
 * client, and every loopback source address is one client.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { PASSWORD_SCRYPT } from '../../engine/auth/password';
import { REGISTRATION_CLOSED } from '../../engine/auth/registration';
import { startDaemon, type DaemonHandle } from '../../engine/daemon';
import { postFrom } from '../support/from-address';
import { PASSWORD, startApiHarness, type ApiHarness } from '../support/api-harness';

let h: ApiHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const register = (harness: ApiHarness, email: string) => harness.call('POST', '/auth/register', { body: { email, password: PASSWORD } });

describe('a single-user install (the default)', () => {
  it('closes registration after the first account, says why, and still signs the owner in', async () => {
    h = await startApiHarness({ registration: { open: false } });
    expect((await h.call('GET', '/auth/registration')).body).toEqual({ open: true, reason: null });
    const owner = await register(h, 'owner@example.com');
    expect(owner.status).toBe(201);

    expect((await h.call('GET', '/auth/registration')).body).toEqual({ open: false, reason: REGISTRATION_CLOSED });
    const second = await register(h, 'stranger@example.com');
    expect(second.status).toBe(403);
    expect(second.body).toEqual({ error: { code: 'forbidden', message: REGISTRATION_CLOSED } });
    expect(second.body.error.message).toContain('TRADECLOCK_OPEN_REGISTRATION=1');
    // The same answer for the owner's own email: nothing to learn about who has the account.
    expect((await register(h, 'owner@example.com')).status).toBe(403);
    expect(h.repos.users.getCredentialsByEmail('stranger@example.com')).toBeUndefined();

    expect((await h.call('POST', '/auth/login', { body: { email: 'owner@example.com', password: PASSWORD } })).status).toBe(200);
  });

  it('lets only one of two racing first registrations become the account', async () => {
    h = await startApiHarness({ registration: { open: false } });
    const answers = await Promise.all(['a@example.com', 'b@example.com', 'c@example.com'].map((email) => register(h!, email)));
    expect(answers.map((a) => a.status).sort()).toEqual([201, 403, 403]);
  });

  it('answers a flood of registrations at once, without hashing a single password', async () => {
    // The real hash: had any of them been hashed first, the hash gate (one at a time, four
    // waiting) would have answered most of the 60 with 503.
    h = await startApiHarness({ registration: { open: false }, passwordParams: PASSWORD_SCRYPT });
    await register(h, 'owner@example.com');
    const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => register(h!, `flood-${i}@example.com`)));
    expect(answers.map((a) => a.status)).toEqual(Array.from({ length: 60 }, () => 403));
  });
});

describe('an install with registration open', () => {
  it('takes many accounts, but at most 5 registrations per client in 15 minutes, every loopback address one client', async () => {
    h = await startApiHarness({ registration: { open: true }, registerLimit: 'server' });
    expect((await h.call('GET', '/auth/registration')).body).toEqual({ open: true, reason: null });
    const statuses: number[] = [];
    let refused: Awaited<ReturnType<typeof postFrom>> | undefined;
    // A local process rotating its source address through 127.0.0.0/8 and ::1's mapped forms.
    for (let i = 0; i < 8; i++) {
      const res = await postFrom(h.port, `127.0.${i}.${i + 2}`, '/auth/register', { email: `user-${i}@example.com`, password: PASSWORD });
      statuses.push(res.status);
      if (res.status === 429) refused ??= res;
    }
    expect(statuses).toEqual([201, 201, 201, 201, 201, 429, 429, 429]);
    expect(refused?.body.error).toEqual({ code: 'rate_limited', message: 'too many registrations from this address: try again in 900 s' });
    expect(refused?.retryAfter).toBe(900);
    await h.clock.advance(15 * 60_000);
    expect((await postFrom(h.port, '127.0.0.1', '/auth/register', { email: 'later@example.com', password: PASSWORD })).status).toBe(201);
  });
});

describe('the daemon', () => {
  const dirs: string[] = [];
  const handles: DaemonHandle[] = [];
  afterEach(async () => {
    for (const d of handles.splice(0)) await d.stop();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const start = async (config: { openRegistration?: boolean } = {}) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tradeclock-registration-'));
    dirs.push(dataDir);
    const daemon = await startDaemon({ dataDir, port: 0, logger: pino({ level: 'silent' }), staticDir: null, ...config });
    handles.push(daemon);
    return daemon;
  };
  const registerAt = (daemon: DaemonHandle, email: string) =>
    fetch(`${daemon.url}/auth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) }).then((r) => r.status);

  it('is a single-user install by default; openRegistration or TRADECLOCK_OPEN_REGISTRATION=1 re-opens it', async () => {
    const single = await start();
    expect([await registerAt(single, 'owner@example.com'), await registerAt(single, 'second@example.com')]).toEqual([201, 403]);

    const open = await start({ openRegistration: true });
    expect([await registerAt(open, 'owner@example.com'), await registerAt(open, 'second@example.com')]).toEqual([201, 201]);

    const before = process.env.TRADECLOCK_OPEN_REGISTRATION;
    process.env.TRADECLOCK_OPEN_REGISTRATION = '1';
    try {
      const byEnv = await start();
      expect([await registerAt(byEnv, 'owner@example.com'), await registerAt(byEnv, 'second@example.com')]).toEqual([201, 201]);
    } finally {
      if (before === undefined) delete process.env.TRADECLOCK_OPEN_REGISTRATION;
      else process.env.TRADECLOCK_OPEN_REGISTRATION = before;
    }
  }, 60_000);
});
