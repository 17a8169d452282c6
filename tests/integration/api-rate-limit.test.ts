/**
 * Login throttling over HTTP: past 5 failures from one client at an account or 20 from one client
 * in 15 minutes (the LoginLimiter defaults) that client's tries wait 5 s, 10 s, … up to 60 s after
 * its last failure, answered with 429 and Retry-After meanwhile, on the fake clock: slowed down,
 * never locked out. These requests all come from loopback, which is one client; clients apart
 * are engine/auth/login-limiter.test.ts. Failures never say whether the email exists.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PASSWORD, startApiHarness, type ApiHarness } from '../support/api-harness';
import { postFrom } from '../support/from-address';

let h: ApiHarness;
afterEach(async () => h?.close());

const login = (email: string, password: string) => h.call('POST', '/auth/login', { body: { email, password } });
const retryAfter = (res: { headers: unknown }) => Number((res.headers as Headers).get('retry-after'));

describe('login rate limits', () => {
  it('slows an account down after 5 failures, whatever the password, and never locks the owner out', async () => {
    h = await startApiHarness();
    const { email, token } = await h.register('victim@example.com');
    const other = await h.register('bystander@example.com');
    // A stranger's five wrong guesses (from another address: every loopback address is one client).
    for (let i = 0; i < 5; i++) expect((await login(email, `wrong password ${i}`)).status).toBe(401);

    const slowed = await login(email, PASSWORD);
    expect(slowed.status).toBe(429);
    expect(slowed.body).toEqual({ error: { code: 'rate_limited', message: 'too many failed attempts: try again in 5 s' } });
    expect(retryAfter(slowed)).toBe(5);
    // The same account in another case is the same account.
    expect((await login('VICTIM@example.com ', PASSWORD)).status).toBe(429);
    // Another account from the same address is not slowed.
    expect((await login(other.email, PASSWORD)).status).toBe(200);
    // The owner's token reaches the kill switch all along.
    expect((await h.call('POST', '/strategy/stop-all', { token, body: {} })).status).toBe(200);

    // After the wait the right password signs in.
    await h.clock.advance(5_000);
    expect((await login(email, PASSWORD)).status).toBe(200);
  });

  it('bounds the owner\'s wait at a minute however long a stranger keeps guessing', async () => {
    h = await startApiHarness();
    const { email } = await h.register('victim@example.com');
    // A stranger who guesses again the moment each wait ends.
    let waits = 0;
    for (let failures = 0; failures < 30; ) {
      const res = await login(email, `wrong password ${failures}`);
      if (res.status === 429) {
        waits++;
        expect(retryAfter(res)).toBeLessThanOrEqual(60);
        await h.clock.advance(retryAfter(res) * 1000);
        continue;
      }
      expect(res.status).toBe(401);
      failures++;
    }
    expect(waits).toBe(25);
    const slowed = await login(email, PASSWORD);
    expect(slowed.status).toBe(429);
    expect(retryAfter(slowed)).toBe(60);
    await h.clock.advance(60_000);
    expect((await login(email, PASSWORD)).status).toBe(200);
  });

  it('slows a client down after 20 failures across accounts, known or not', async () => {
    h = await startApiHarness();
    const known = await h.register();
    for (let i = 0; i < 20; i++) {
      // Four tries at the real account (under its own limit of 5), the rest at emails nobody has.
      const res = await login(i < 4 ? known.email : `nobody-${i}@example.com`, 'wrong password here');
      expect(res.status).toBe(401);
      await h.clock.advance(1_000);
    }
    const fresh = await h.register('fresh@example.com');
    const refused = await login(fresh.email, PASSWORD);
    expect(refused.status).toBe(429);
    expect(retryAfter(refused)).toBe(4);
    await h.clock.advance(4_000);
    expect((await login(fresh.email, PASSWORD)).status).toBe(200);
  });

  it('counts every loopback source address as one client: rotating through 127.0.0.0/8 buys no guesses', async () => {
    h = await startApiHarness();
    const known = await h.register('fresh@example.com');
    for (let i = 0; i < 20; i++) {
      const res = await postFrom(h.port, `127.${i}.${i}.${i + 2}`, '/auth/login', { email: `nobody-${i}@example.com`, password: 'wrong password here' });
      expect(res.status).toBe(401);
    }
    const refused = await postFrom(h.port, '127.99.99.99', '/auth/login', { email: known.email, password: PASSWORD });
    expect(refused.status).toBe(429);
    expect(refused.retryAfter).toBe(5);
    expect((await login(known.email, PASSWORD)).status).toBe(429);
    await h.clock.advance(5_000);
    expect((await postFrom(h.port, '127.0.0.7', '/auth/login', { email: known.email, password: PASSWORD })).status).toBe(200);
  });

  it('answers an unknown email exactly like a wrong password', async () => {
    h = await startApiHarness();
    const { email } = await h.register();
    const wrong = await login(email, 'not the password');
    const unknown = await login('nobody@example.com', 'not the password');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
    expect(wrong.body).toEqual({ error: { code: 'unauthorized', message: 'email or password is incorrect' } });
  });

  it('limits guesses at the current password through a stolen session too', async () => {
    h = await startApiHarness();
    const { token } = await h.register();
    for (let i = 0; i < 5; i++) {
      expect((await h.call('POST', '/auth/password', { token, body: { current_password: `guess number ${i}`, new_password: 'attacker password 1' } })).status).toBe(400);
    }
    const res = await h.call('POST', '/auth/password', { token, body: { current_password: PASSWORD, new_password: 'attacker password 1' } });
    expect(res.status).toBe(429);
    expect(retryAfter(res)).toBeGreaterThan(0);
  });
});
