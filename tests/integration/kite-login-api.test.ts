/**
 * Kite's daily login through the daemon's API, against the Kite fake: key and secret stored before
 * any login, the login URL opened, the broker's redirect back to the daemon's loopback callback,
 * the day's token stored sealed, the link single-use; and the paste-by-hand path.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness } from '../support/api-harness';
import { startKiteFake, type KiteFake } from '../fakes/kite/kite-fake';
import { startConnectProxy } from '../support/loopback-proxies';

let h: ApiHarness;
let kite: KiteFake;
let dir: string;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tradeclock-kite-login-'));
  h = await startApiHarness({ dbPath: join(dir, 'tradeclock.sqlite'), logLevel: 'trace' });
  kite = await startKiteFake();
  kite.setRedirectUrl(`${h.base}/broker/login/callback`);
});
afterEach(async () => {
  await h.close();
  await kite.close();
  rmSync(dir, { recursive: true, force: true });
});

async function connectWithoutToken(token: string): Promise<number> {
  const res = await h.call('POST', '/broker/connect', {
    token,
    body: { broker: 'kite', label: 'Zerodha', credentials: { api_key: kite.apiKey, api_secret: kite.apiSecret }, options: kite.options() },
  });
  expect(res.status).toBe(201);
  expect(res.body).toMatchObject({ broker: 'kite', status: 'login_required' });
  expect(res.text).not.toContain(kite.apiSecret);
  return res.body.id;
}

describe('Kite daily login over the API', () => {
  it('logs in through the broker redirect, stores the token sealed, and the link works once', async () => {
    const a = await h.register();
    const id = await connectWithoutToken(a.token);
    const started = await h.call('POST', `/broker/${id}/login`, { token: a.token, body: {} });
    expect(started.status).toBe(200);
    expect(started.body.login_url).toContain(kite.loginUrl);

    const atKite = await fetch(started.body.login_url, { redirect: 'manual' });
    const back = atKite.headers.get('location')!;
    expect(back.startsWith(`${h.base}/broker/login/callback?`)).toBe(true);
    const landed = await fetch(back);
    expect(landed.status).toBe(200);
    expect(await landed.text()).toMatch(/Zerodha is logged in until \d{4}-\d\d-\d\d \d\d:\d\d UTC/);

    const account = await h.call('GET', `/broker/${id}`, { token: a.token });
    expect(account.body).toMatchObject({ status: 'connected', credentials_masked: { access_token: expect.any(String) } });
    expect(account.body.credentials_masked.access_token).not.toMatch(/^[0-9a-f]{32}$/);

    const replay = await fetch(back);
    expect(replay.status).toBe(401);
    expect(await replay.text()).toMatch(/unknown, used or expired/);
  });

  it("keeps a proxy's password whole out of every answer, log line and database file: masked '••••', not its first and last characters", async () => {
    const proxyPassword = 'my-0wn chosen passphrase';
    const proxy = await startConnectProxy({ user: 'trader', password: proxyPassword });
    try {
      const a = await h.register();
      const connected = await h.call('POST', '/broker/connect', {
        token: a.token,
        body: { broker: 'kite', label: 'Zerodha', credentials: { api_key: kite.apiKey, api_secret: kite.apiSecret, proxy_username: 'trader', proxy_password: proxyPassword }, options: { ...kite.options(), proxy_url: proxy.url } },
      });
      expect(connected.status).toBe(201);
      expect(connected.body.credentials_masked.proxy_password).toBe('••••');
      const id = connected.body.id as number;
      const started = await h.call('POST', `/broker/${id}/login`, { token: a.token, body: {} });
      const back = (await fetch(started.body.login_url, { redirect: 'manual' })).headers.get('location')!;
      expect((await fetch(back)).status).toBe(200);
      const account = await h.call('GET', `/broker/${id}`, { token: a.token });
      expect(account.body).toMatchObject({ status: 'connected', credentials_masked: { proxy_password: '••••' } });
      await h.call('GET', '/broker', { token: a.token });
      const hint = `${proxyPassword.slice(0, 2)}…${proxyPassword.slice(-2)}`;
      const everything = [...h.received, ...h.logLines, Buffer.concat(readdirSync(dir).map((f) => readFileSync(join(dir, f)))).toString('latin1')].join('\n');
      expect(everything).not.toContain(proxyPassword);
      expect(everything).not.toContain(hint);
      expect(everything).not.toContain(proxyPassword.slice(0, 8));
    } finally {
      await proxy.close();
    }
  });

  it('takes a request token pasted by hand, and names the field when it is not one', async () => {
    const a = await h.register();
    const id = await connectWithoutToken(a.token);
    const bad = await h.call('POST', `/broker/${id}/session`, { token: a.token, body: { redirect: 'https://example.invalid/?status=cancelled' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields).toEqual([{ field: 'redirect', message: expect.stringMatching(/cancelled/) }]);
    const ok = await h.call('POST', `/broker/${id}/session`, { token: a.token, body: { redirect: kite.issueRequestToken() } });
    expect(ok.status).toBe(200);
    expect(ok.body.account.status).toBe('connected');
    expect(ok.body.session_expires_at).toBeGreaterThan(h.clock.now());
  });

  it('refuses a callback without a nonce it issued, and a login for a broker that needs none', async () => {
    const a = await h.register();
    const forged = await fetch(`${h.base}/broker/login/callback?request_token=${kite.issueRequestToken()}&tc_account=1&tc_nonce=guess`);
    expect(forged.status).toBe(401);
    const paper = await h.connectPaper(a.token);
    const res = await h.call('POST', `/broker/${paper}/login`, { token: a.token, body: {} });
    expect(res.status).toBe(409);
  });

  it('before the day\'s login: a strategy on a Kite symbol saves (the instruments dump needs no token), an unknown one is named, a dump that fails is a field error', async () => {
    const a = await h.register();
    const id = await connectWithoutToken(a.token);
    const strategy = (symbol: string) => ({ broker_account_id: id, symbol, exchange: 'NSE', qty: 1, buy_time: '09:20', sell_time: '15:10', stop_loss: 1 });
    const saved = await h.call('POST', '/strategy/create', { token: a.token, body: strategy('INFY') });
    expect(saved.status).toBe(201);
    expect(kite.requests().some((r) => r.path.startsWith('/instruments') && !r.headers.authorization)).toBe(true);

    const unknown = await h.call('POST', '/strategy/create', { token: a.token, body: { ...strategy('NOSUCHCO'), qty: 0 } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.fields.map((f: { field: string }) => f.field).sort()).toEqual(['qty', 'symbol']);

    // BSE's dump, not yet fetched today (NSE's is held for the day).
    kite.failNext('GET /instruments/BSE', { kind: 'status', status: 403, errorType: 'PermissionException', message: 'Insufficient permission for that call.' }, 50);
    const failing = await h.call('POST', '/strategy/create', { token: a.token, body: { ...strategy('TCS'), exchange: 'BSE', qty: 0 } });
    expect(failing.status).toBe(400);
    const fields = failing.body.error.fields as { field: string; message: string }[];
    expect(fields.map((f) => f.field).sort()).toEqual(['qty', 'symbol']);
    expect(fields.find((f) => f.field === 'symbol')!.message).toMatch(/^symbol TCS cannot be checked at this broker right now, so nothing was saved: .*permission/i);
  });
});
