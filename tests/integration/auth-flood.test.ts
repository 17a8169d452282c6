/**
 * A flood of registrations and logins, with the real password hash (scrypt, 64 MiB) on a real
 * loopback server, never holds up an authenticated request: the kill switch (POST
 * /strategy/stop-all with a valid token) answers within 100 ms throughout. Before, every hash ran
 * on libuv's 4-thread pool unbounded, and the token check (jose's WebCrypto HMAC) queued behind
 * them on the same pool: an authenticated request took 30 s during 60 registrations.
 *
 * Registration is left open with no per-client limit here, so the hash gate alone is on trial.
 * The figures of a longer run are in bench/auth-flood.md.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PASSWORD_SCRYPT } from '../../engine/auth/password';
import { startApiHarness, type ApiHarness } from '../support/api-harness';

let h: ApiHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/**
 * The requirement, held by the median of the calls. Typical answers take 5–25 ms here. A single
 * call may take longer for reasons that have nothing to do with hashing: on a busy 2-core machine
 * the OS alone stalls a process for up to ~80 ms now and then (measured with no flood at all), so
 * each call is held to SINGLE_CALL_BOUND_MS. Before the fix, calls took seconds to a minute
 * (bench/auth-flood.md: 53.6 s), and both bounds fail.
 */
const KILL_SWITCH_BUDGET_MS = 100;
const SINGLE_CALL_BOUND_MS = 1_000;
/** How long a kill-switch call may take before the test stops waiting for it. */
const GIVE_UP_MS = 3_000;

async function timed(run: (signal: AbortSignal) => Promise<{ status: number }>): Promise<{ ms: number; status: number }> {
  const t0 = performance.now();
  try {
    const res = await run(AbortSignal.timeout(GIVE_UP_MS));
    return { ms: performance.now() - t0, status: res.status };
  } catch {
    return { ms: Number.POSITIVE_INFINITY, status: 0 };
  }
}

describe('a register/login flood', () => {
  it('never holds up the kill switch: stop-all with a valid token answers in under 100 ms (the median of 10 calls, none over 1 s)', async () => {
    h = await startApiHarness({ passwordParams: PASSWORD_SCRYPT, registration: { open: true } });
    const harness = h;
    const owner = await harness.register('owner@example.com');
    const account = await harness.connectPaper(owner.token);
    const strategy = await harness.createStrategy(owner.token, account);
    expect((await harness.call('POST', '/strategy/start', { token: owner.token, body: { strategy_id: strategy.body.id } })).status).toBe(200);

    const post = (path: string, body: unknown, token?: string, signal?: AbortSignal) =>
      fetch(`${harness.base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
        ...(signal ? { signal } : {}),
      }).then(async (res) => ({ status: res.status, text: await res.text() }));

    // Waves of registrations and logins for two seconds: 60 registrations, 60 logins in all.
    const flood: Array<Promise<{ status: number }>> = [];
    let sent = 0;
    // A request the server never answered (the test gave up on a slow server) counts as status 0.
    const send = (path: string, body: unknown) => flood.push(post(path, body).catch(() => ({ status: 0 })));
    const wave = setInterval(() => {
      for (let i = 0; i < 6 && sent < 60; i++, sent++) {
        send('/auth/register', { email: `flood-${sent}@example.com`, password: 'a flood of passwords' });
        send('/auth/login', { email: `nobody-${sent}@example.com`, password: 'a wrong password' });
      }
    }, 200);

    const samples: number[] = [];
    try {
      for (let i = 0; i < 10; i++) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        const killed = await timed((signal) => post('/strategy/stop-all', { close_positions: true }, owner.token, signal));
        expect(killed.status, `kill switch call ${i}: ${killed.status === 0 ? `no answer within ${GIVE_UP_MS} ms` : `${killed.ms.toFixed(1)} ms`}`).toBe(200);
        samples.push(killed.ms);
      }
    } finally {
      clearInterval(wave);
    }
    const answers = await Promise.all(flood);

    // Most of the flood was turned away at once (busy: 503; too many failures: 429); a few hashed.
    const statuses = answers.map((a) => a.status);
    expect(statuses.every((s) => [201, 401, 429, 503].includes(s))).toBe(true);
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThan(20);
    const seen = `kill switch answers in ms: ${samples.map((s) => s.toFixed(1)).join(', ')}`;
    const median = [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;
    expect(median, seen).toBeLessThan(KILL_SWITCH_BUDGET_MS);
    expect(Math.max(...samples), seen).toBeLessThan(SINGLE_CALL_BOUND_MS);
    expect((await harness.call('GET', `/strategy/${strategy.body.id}`, { token: owner.token })).body.status).toBe('stopped');
  }, 60_000);
});
