/**
 * The settings screen's API: a trader's signed-in sessions (listed, signed out one at a time or
 * all but this one; a signed-out token is refused by HTTP and by the WebSocket), and the password
 * change (every problem at once; the other sessions signed out, this one kept; neither password
 * in any log line or response).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { HashGate } from '../../engine/auth/hash-gate';
import { PASSWORD, startApiHarness, type ApiHarness } from '../support/api-harness';
import { untilReal } from '../support/wait';

let h: ApiHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const CHROME_LINUX = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const SAFARI_IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

interface SessionRow {
  id: string;
  created_at: number;
  last_used_at: number;
  expires_at: number;
  client_address: string;
  client: string;
  current: boolean;
}

async function signIn(api: ApiHarness, email: string, userAgent: string): Promise<string> {
  const res = await api.call('POST', '/auth/login', { body: { email, password: PASSWORD }, headers: { 'user-agent': userAgent } });
  expect(res.status).toBe(200);
  return res.body.token as string;
}

const sessionsOf = async (api: ApiHarness, token: string): Promise<SessionRow[]> => (await api.call('GET', '/auth/sessions', { token })).body.sessions;

describe('signed-in sessions', () => {
  it('lists each session with its client and times, marking the one that asks', async () => {
    h = await startApiHarness({ at: '2026-03-09T13:00:00Z' });
    const { email, token: first } = await h.register();
    await h.advanceTo('2026-03-09T13:10:00Z');
    const phone = await signIn(h, email, SAFARI_IPHONE);
    const sessions = await sessionsOf(h, phone);
    const t0 = Date.parse('2026-03-09T13:00:00Z');
    const t10 = Date.parse('2026-03-09T13:10:00Z');
    expect(sessions).toEqual([
      { id: expect.stringMatching(/^[\w-]{22}$/), created_at: t0, last_used_at: t0, expires_at: t0 + 12 * 3600_000, client_address: '127.0.0.1', client: 'node', current: false },
      { id: expect.stringMatching(/^[\w-]{22}$/), created_at: t10, last_used_at: t10, expires_at: t10 + 12 * 3600_000, client_address: '127.0.0.1', client: 'Safari on iOS', current: true },
    ]);
    // A use is recorded, at most once a minute.
    await h.advanceTo('2026-03-09T13:20:00Z');
    expect((await h.call('GET', '/auth/validate', { token: first })).status).toBe(200);
    expect((await sessionsOf(h, phone))[0]!.last_used_at).toBe(Date.parse('2026-03-09T13:20:00Z'));
    // An expired session is no longer listed, and its token no longer works.
    await h.advanceTo('2026-03-10T01:00:00Z');
    expect((await h.call('GET', '/auth/validate', { token: first })).status).toBe(401);
    expect((await sessionsOf(h, phone)).map((s) => s.current)).toEqual([true]);
  });

  it('signs one session out: its token is refused over HTTP, and its open WebSocket is closed', async () => {
    h = await startApiHarness();
    const { email, token: laptop } = await h.register();
    const phone = await signIn(h, email, SAFARI_IPHONE);
    const phoneSocket = await h.openSocket({ token: phone });
    const laptopSocket = await h.openSocket({ token: laptop });
    await phoneSocket.waitFor((m) => (m as { type: string }).type === 'hello');
    await laptopSocket.waitFor((m) => (m as { type: string }).type === 'hello');

    const phoneId = (await sessionsOf(h, laptop)).find((s) => !s.current)!.id;
    expect((await h.call('DELETE', `/auth/sessions/${phoneId}`, { token: laptop })).status).toBe(204);
    expect(await phoneSocket.closed).toEqual({ code: 4401, reason: 'signed out from another session' });
    expect((await h.call('GET', '/auth/validate', { token: phone })).status).toBe(401);
    expect((await h.call('GET', '/strategy', { token: phone })).status).toBe(401);
    // A new socket with the signed-out token is refused, by message (browser) and by header.
    const again = await h.openSocket({ token: phone });
    expect(await again.closed).toEqual({ code: 4401, reason: 'invalid or expired token' });
    await expect(h.openSocket({ token: phone, origin: null })).rejects.toMatchObject({ status: 401 });
    // The laptop is untouched; the same id again is gone.
    expect(laptopSocket.ws.readyState).toBe(laptopSocket.ws.OPEN);
    expect((await h.call('GET', '/auth/validate', { token: laptop })).status).toBe(200);
    expect((await h.call('DELETE', `/auth/sessions/${phoneId}`, { token: laptop })).body.error.code).toBe('not_found');
    expect((await h.call('DELETE', '/auth/sessions/not..an..id', { token: laptop })).status).toBe(400);
  });

  it('signs out every other session and keeps this one', async () => {
    h = await startApiHarness();
    const { email, token: laptop } = await h.register();
    const others = [await signIn(h, email, SAFARI_IPHONE), await signIn(h, email, CHROME_LINUX)];
    const res = await h.call('POST', '/auth/sessions/sign-out-others', { token: laptop, headers: { 'content-type': 'application/json' } });
    expect(res.body).toEqual({ signed_out_sessions: 2 });
    for (const t of others) expect((await h.call('GET', '/auth/validate', { token: t })).status).toBe(401);
    expect((await sessionsOf(h, laptop)).map((s) => s.current)).toEqual([true]);
  });
});

describe('POST /auth/password', () => {
  it('reports every problem at once, under its field', async () => {
    h = await startApiHarness();
    const { token } = await h.register();
    const all = await h.call('POST', '/auth/password', { token, body: { current_password: 'not my password', new_password: 'short', confirm_password: 'shorter' } });
    expect(all.status).toBe(400);
    expect(all.body.error.fields).toEqual([
      { field: 'current_password', message: 'is incorrect' },
      { field: 'new_password', message: 'must be at least 10 characters' },
      { field: 'confirm_password', message: 'does not match the new password' },
    ]);
    const same = await h.call('POST', '/auth/password', { token, body: { current_password: PASSWORD, new_password: PASSWORD, confirm_password: PASSWORD } });
    expect(same.body.error.fields).toEqual([{ field: 'new_password', message: 'must differ from the current password' }]);
    const missing = await h.call('POST', '/auth/password', { token, body: { new_password: 'a fine new password' } });
    expect(missing.body.error.fields).toEqual([{ field: 'current_password', message: 'current_password is required' }]);
    // Nothing changed: the old password still signs in.
    expect((await h.call('GET', '/auth/validate', { token })).status).toBe(200);
  });

  it('gives no session to a login with the old password that was being checked while the password changed', async () => {
    // A gate that holds the next password check back until released: the login's, here.
    let holdNext = false;
    let release: () => void = () => {};
    const gate = {
      run<T>(work: () => Promise<T>): Promise<T> {
        if (!holdNext) return work();
        holdNext = false;
        return new Promise<void>((resolve) => (release = resolve)).then(work);
      },
    } as unknown as HashGate;
    h = await startApiHarness({ hashGate: gate });
    const { email, token } = await h.register();
    holdNext = true;
    const late = h.call('POST', '/auth/login', { body: { email, password: PASSWORD } });
    await untilReal(() => !holdNext, 'the login waiting for its check');
    const next = 'Zebra-Quartz-7741 new';
    expect((await h.call('POST', '/auth/password', { token, body: { current_password: PASSWORD, new_password: next, confirm_password: next } })).status).toBe(200);
    release();
    expect((await late).status).toBe(401);
    expect((await h.call('GET', '/auth/sessions', { token })).body.sessions).toHaveLength(1);
    expect((await h.call('POST', '/auth/login', { body: { email, password: next } })).status).toBe(200);
  });

  it('keeps this session, signs the others out (their socket too), and never logs or echoes either password', async () => {
    h = await startApiHarness({ logLevel: 'debug' });
    const { email, token } = await h.register();
    const phone = await signIn(h, email, SAFARI_IPHONE);
    const phoneSocket = await h.openSocket({ token: phone });
    await phoneSocket.waitFor((m) => (m as { type: string }).type === 'hello');
    const next = 'Zebra-Quartz-7741 new';
    const wrong = 'Wrong-Guess-5512 old';

    expect((await h.call('POST', '/auth/password', { token, body: { current_password: wrong, new_password: next, confirm_password: next } })).status).toBe(400);
    const changed = await h.call('POST', '/auth/password', { token, body: { current_password: PASSWORD, new_password: next, confirm_password: next } });
    expect(changed.body).toEqual({ user: { id: expect.any(Number), email }, signed_out_sessions: 1, unpaired_devices: 0 });
    expect(await phoneSocket.closed).toEqual({ code: 4401, reason: 'password changed: sign in again' });
    expect((await h.call('GET', '/auth/validate', { token: phone })).status).toBe(401);
    expect((await h.call('GET', '/auth/validate', { token })).status).toBe(200);
    expect((await h.call('POST', '/auth/login', { body: { email, password: next } })).status).toBe(200);

    const everything = [...h.logLines, ...h.received].join('\n');
    for (const secret of [PASSWORD, next, wrong]) expect(everything).not.toContain(secret);
    expect(h.logLines.some((l) => l.includes('/auth/password'))).toBe(true);
  });
});

describe('removing a broker account', () => {
  it('lists the strategies that block it, as the refusal names them, until none is left', async () => {
    h = await startApiHarness();
    const { token } = await h.register();
    const account = await h.connectPaper(token);
    const idle = (await h.createStrategy(token, account, { symbol: 'MSFT' })).body.id as number;
    const running = (await h.createStrategy(token, account)).body.id as number;
    expect((await h.call('POST', '/strategy/start', { token, body: { strategy_id: running } })).status).toBe(200);
    const other = await h.connectPaper(token);

    const listed = async () => (await h!.call('GET', `/broker/${account}`, { token })).body.removal_blocked_by;
    expect(await listed()).toEqual([
      { strategy_id: running, symbol: 'AAPL', status: 'running', action: 'stop' },
      { strategy_id: idle, symbol: 'MSFT', status: 'idle', action: 'delete' },
    ]);
    expect((await h.call('GET', '/broker', { token })).body.accounts.map((a: { removal_blocked_by: unknown[] }) => a.removal_blocked_by.length)).toEqual([2, 0]);
    const refused = await h.call('DELETE', `/broker/${account}`, { token });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toBe(`running strategies use this broker account (AAPL #${running}, MSFT #${idle}): stop them, then delete them first`);

    expect((await h.call('POST', '/strategy/stop', { token, body: { strategy_id: running, close_position: false } })).status).toBe(200);
    expect(await listed()).toEqual([
      { strategy_id: idle, symbol: 'MSFT', status: 'idle', action: 'delete' },
      { strategy_id: running, symbol: 'AAPL', status: 'stopped', action: 'delete' },
    ]);
    expect((await h.call('DELETE', `/broker/${account}`, { token })).body.error.message).toBe(
      `strategies still use this broker account (MSFT #${idle}, AAPL #${running}): delete them first (their order history goes with them)`,
    );
    for (const id of [running, idle]) expect((await h.call('DELETE', `/strategy/${id}`, { token })).status).toBe(204);
    expect(await listed()).toEqual([]);
    expect((await h.call('DELETE', `/broker/${account}`, { token })).status).toBe(204);
    expect((await h.call('DELETE', `/broker/${other}`, { token })).status).toBe(204);
  });
});
