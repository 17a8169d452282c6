/**
 * Login throttling over HTTP: 5 failures per account and 20 per address in 15 minutes (the
 * LoginLimiter defaults), answered with 429 and Retry-After, on the fake clock. Failures never
 * say whether the email exists.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PASSWORD, startApiHarness, type ApiHarness } from '../support/api-harness';

let h: ApiHarness;
afterEach(async () => h?.close());

const login = (email: string, password: string) => h.call('POST', '/auth/login', { body: { email, password } });
const retryAfter = (res: { headers: unknown }) => Number((res.headers as Headers).get('retry-after'));

describe('login rate limits', () => {
  it('locks an account after 5 failures, whatever the password, until the window passes', async () => {
    h = await startApiHarness();
    const { email } = await h.register('victim@example.com');
    const other = await h.register('bystander@example.com');
    for (let i = 0; i < 5; i++) expect((await login(email, `wrong password ${i}`)).status).toBe(401);

    const locked = await login(email, PASSWORD);
    expect(locked.status).toBe(429);
    expect(locked.body).toEqual({ error: { code: 'rate_limited', message: expect.stringContaining('try again in 900 s') } });
    expect(retryAfter(locked)).toBe(900);
    // The same account in another case is the same account.
    expect((await login('VICTIM@example.com ', PASSWORD)).status).toBe(429);
    // Another account from the same address is not locked.
    expect((await login(other.email, PASSWORD)).status).toBe(200);

    await h.clock.advance(10 * 60_000);
    const later = await login(email, PASSWORD);
    expect(later.status).toBe(429);
    expect(retryAfter(later)).toBe(300);
    await h.clock.advance(5 * 60_000);
    expect((await login(email, PASSWORD)).status).toBe(200);
  });

  it('locks an address after 20 failures across accounts, known or not', async () => {
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
    expect(retryAfter(refused)).toBe(15 * 60 - 20);
    await h.clock.advance(15 * 60_000);
    expect((await login(fresh.email, PASSWORD)).status).toBe(200);
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
