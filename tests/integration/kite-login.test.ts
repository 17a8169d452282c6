/**
 * Kite's login flow against the fake: the login page redirects to our loopback route with a
 * request token and our redirect params; the token + checksum is exchanged for an access token
 * that then works; a used token, a wrong secret and an unreachable Kite fail clearly.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../engine/core/fake-clock';
import { DomainError } from '../../engine/core/errors';
import { createKiteBroker, exchangeRequestToken, invalidateAccessToken, kiteLoginUrl, kiteTokenExpiry, parseKiteRedirect } from '../../engine/brokers/kite';
import { startKiteFake, type KiteFake } from '../fakes/kite/kite-fake';

let fake: KiteFake;
let clock: FakeClock;
const at = Date.parse('2026-03-09T02:30:00Z'); // 08:00 IST

beforeEach(async () => {
  clock = new FakeClock(at);
  fake = await startKiteFake({ now: () => clock.now() });
});
afterEach(async () => fake.close());

async function loginRedirect(params: Record<string, string>): Promise<string> {
  fake.setRedirectUrl('http://127.0.0.1:47777/api/broker/kite/callback');
  const res = await fetch(kiteLoginUrl(fake.apiKey, { loginUrl: fake.loginUrl, redirectParams: params }), { redirect: 'manual' });
  expect(res.status).toBe(302);
  return res.headers.get('location')!;
}

describe('Kite login', () => {
  it('exchanges the redirect\'s request token for an access token that works, expiring at 06:00 IST', async () => {
    const location = await loginRedirect({ account: '7', nonce: 'q9x' });
    const redirect = parseKiteRedirect(location);
    expect(redirect).toMatchObject({ ok: true, params: { account: '7', nonce: 'q9x', status: 'success', action: 'login' } });
    if (!redirect.ok) throw new Error(redirect.reason);

    const login = await exchangeRequestToken({ apiKey: fake.apiKey, apiSecret: fake.apiSecret, requestToken: redirect.requestToken, clock, restUrl: fake.restUrl });
    expect(login).toMatchObject({ userId: 'ZF1234', userName: 'Fake Trader', loginAt: at, expiresAt: Date.parse('2026-03-10T00:30:00Z') });
    expect(login.expiresAt).toBe(kiteTokenExpiry(at));
    const exchange = fake.requests().find((r) => r.path === '/session/token')!;
    expect(exchange.contentType).toBe('application/x-www-form-urlencoded');
    expect([...exchange.form.keys()].sort()).toEqual(['api_key', 'checksum', 'request_token']);
    expect(exchange.headers.authorization).toBeUndefined();

    const kite = createKiteBroker({ clock, credentials: { api_key: fake.apiKey, api_secret: fake.apiSecret, access_token: login.accessToken }, options: fake.options() });
    expect(await kite.execution.validateCredentials()).toEqual({ ok: true });
    await kite.stop();
  });

  it('refuses a request token used twice (they are single-use), naming the field', async () => {
    const redirect = parseKiteRedirect(await loginRedirect({}));
    if (!redirect.ok) throw new Error(redirect.reason);
    const args = { apiKey: fake.apiKey, apiSecret: fake.apiSecret, requestToken: redirect.requestToken, clock, restUrl: fake.restUrl };
    await exchangeRequestToken(args);
    const err = await exchangeRequestToken(args).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect(err).toMatchObject({ code: 'validation_failed', fields: [{ field: 'request_token', message: expect.stringMatching(/works once.*Kite said: "Token is invalid or has expired."/) }] });
  });

  it('refuses a checksum made with the wrong api_secret', async () => {
    const requestToken = fake.issueRequestToken();
    await expect(exchangeRequestToken({ apiKey: fake.apiKey, apiSecret: 'wrongsecret', requestToken, clock, restUrl: fake.restUrl })).rejects.toMatchObject({
      code: 'validation_failed',
      message: expect.stringMatching(/Invalid `checksum`/),
    });
  });

  it('says Kite is unavailable when it cannot be reached', async () => {
    fake.failNext('POST /session/token', { kind: 'status', status: 503 });
    await expect(exchangeRequestToken({ apiKey: fake.apiKey, apiSecret: fake.apiSecret, requestToken: fake.issueRequestToken(), clock, restUrl: fake.restUrl })).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('a new token replaces an expired one in a running broker', async () => {
    const kite = createKiteBroker({ clock, credentials: fake.credentials(), options: fake.options() });
    fake.revokeTokens();
    expect(await kite.checkSession()).toMatchObject({ state: 'expired' });
    const login = await exchangeRequestToken({ apiKey: fake.apiKey, apiSecret: fake.apiSecret, requestToken: fake.issueRequestToken(), clock, restUrl: fake.restUrl });
    kite.setAccessToken(login.accessToken);
    expect(kite.session().state).toBe('unverified');
    expect(await kite.checkSession()).toMatchObject({ state: 'valid', expiresAt: login.expiresAt });
    await invalidateAccessToken({ apiKey: fake.apiKey, accessToken: login.accessToken, clock, restUrl: fake.restUrl });
    expect(await kite.checkSession()).toMatchObject({ state: 'expired' });
    await kite.stop();
  });
});
