/**
 * The loopback server's defences (research/electron.md §2): forged Host (DNS rebinding), foreign
 * Origin, text/plain and other non-JSON bodies, missing / invalid / revoked / expired tokens,
 * oversized bodies, and the same at the WebSocket upgrade.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, startApiHarness, type ApiHarness } from '../support/api-harness';

let h: ApiHarness;
let token: string;
let email: string;
beforeAll(async () => {
  h = await startApiHarness({ socketAuthTimeoutMs: 300, heartbeatMs: 100 });
  ({ token, email } = await h.register());
});
afterAll(async () => h?.close());

const errorShape = (code: string) => ({ error: { code, message: expect.any(String) } });

describe('Host header (DNS rebinding)', () => {
  it('refuses any Host but loopback literals and localhost with our port', async () => {
    for (const host of ['evil.example', `evil.example:${h.port}`, `127.0.0.1:${h.port + 1}`, '127.0.0.1', `localhost6:${h.port}`, `127.0.0.2:${h.port}`, `0.0.0.0:${h.port}`, `[::ffff:127.0.0.1]:${h.port}`]) {
      for (const path of ['/health', '/auth/validate']) {
        const res = await h.raw('GET', path, { host, authorization: `Bearer ${token}` });
        expect({ host, path, status: res.status, body: res.body }).toEqual({ host, path, status: 403, body: errorShape('forbidden') });
      }
    }
    const login = await h.raw('POST', '/auth/login', { host: `rebound.example:${h.port}`, 'content-type': 'application/json' }, JSON.stringify({ email, password: PASSWORD }));
    expect(login.status).toBe(403);
    expect(login.text).not.toContain('token');
  });

  it('answers to 127.0.0.1, localhost and [::1] with the bound port', async () => {
    for (const host of [`127.0.0.1:${h.port}`, `localhost:${h.port}`, `LOCALHOST:${h.port}`, `[::1]:${h.port}`]) {
      expect((await h.raw('GET', '/auth/validate', { host, authorization: `Bearer ${token}` })).status).toBe(200);
    }
  });
});

describe('Origin header', () => {
  it('refuses a foreign or opaque Origin, even with a valid token', async () => {
    for (const origin of ['http://evil.example', `http://evil.example:${h.port}`, `https://127.0.0.1:${h.port}`, `http://127.0.0.1:${h.port + 1}`, 'null', 'file://']) {
      const res = await h.call('GET', '/auth/validate', { token, headers: { origin } });
      expect({ origin, status: res.status, body: res.body }).toEqual({ origin, status: 403, body: errorShape('forbidden') });
    }
    const post = await h.call('POST', '/auth/login', { body: { email, password: PASSWORD }, headers: { origin: 'http://evil.example' } });
    expect(post.status).toBe(403);
  });

  it("accepts the UI's own origins", async () => {
    for (const origin of [`http://127.0.0.1:${h.port}`, `http://localhost:${h.port}`, `http://[::1]:${h.port}`]) {
      expect((await h.call('GET', '/auth/validate', { token, headers: { origin } })).status).toBe(200);
    }
  });

  it('sends no CORS grants, and a CSP that forbids framing', async () => {
    const pre = await h.call('OPTIONS', '/strategy/create', { headers: { origin: `http://127.0.0.1:${h.port}`, 'access-control-request-method': 'POST' } });
    const res = await h.call('GET', '/health');
    for (const r of [pre, res]) {
      const headers = r.headers as Headers;
      expect(headers.get('access-control-allow-origin')).toBeNull();
      expect(headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(headers.get('x-content-type-options')).toBe('nosniff');
    }
    expect((res.headers as Headers).get('cache-control')).toBe('no-store');
  });

  it('sends a CSP without an IPv6 literal (invalid CSP grammar) even when served at [::1], and still allows its own socket', async () => {
    for (const host of [`127.0.0.1:${h.port}`, `[::1]:${h.port}`]) {
      const csp = String(((await h.raw('GET', '/health', { host })).headers as Record<string, string>)['content-security-policy']);
      const connect = /connect-src ([^;]*)/.exec(csp)?.[1]?.split(' ');
      expect({ host, connect }).toEqual({ host, connect: ["'self'", `ws://127.0.0.1:${h.port}`, `ws://localhost:${h.port}`] });
    }
  });
});

describe('request bodies', () => {
  it('refuses text/plain (a cross-site "simple" POST), forms and missing content types with 415', async () => {
    const json = JSON.stringify({ email, password: PASSWORD });
    for (const type of ['text/plain', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json-patch+json']) {
      const res = await h.call('POST', '/auth/login', { rawBody: json, headers: { 'content-type': type } });
      expect({ type, status: res.status, body: res.body }).toEqual({ type, status: 415, body: errorShape('unsupported_media_type') });
    }
    const none = await h.raw('POST', '/auth/login', { host: `127.0.0.1:${h.port}`, 'content-length': String(json.length) }, json);
    expect(none.status).toBe(415);
    const signedIn = await h.call('POST', '/strategy/create', { token, rawBody: '{"symbol":"AAPL"}', headers: { 'content-type': 'text/plain' } });
    expect(signedIn.status).toBe(415);
  });

  it('refuses a body over 64 KiB with 413, signed in or not', async () => {
    const big = { email, password: 'x'.repeat(70 * 1024) };
    const res = await h.call('POST', '/auth/login', { body: big });
    expect(res.status).toBe(413);
    expect(res.body).toEqual(errorShape('payload_too_large'));
    const chunked = await h.call('POST', '/strategy/create', { token, body: { symbol: 'A'.repeat(65 * 1024) } });
    expect(chunked.status).toBe(413);
    // Just under the limit is read and judged on its content.
    const under = await h.call('POST', '/auth/login', { body: { email, password: 'x'.repeat(60 * 1024) } });
    expect(under.status).toBe(400);
  });

  it('refuses an over-long string inside a body, naming the field', async () => {
    const res = await h.call('POST', '/broker/connect', { token, body: { broker: 'paper', label: 'L'.repeat(1000) } });
    expect(res.status).toBe(400);
    expect(res.body.error.fields).toEqual([{ field: 'label', message: expect.any(String) }]);
  });
});

describe('tokens', () => {
  it('401 without a token, with junk, with another scheme, or with a cookie only', async () => {
    const cases: Array<Record<string, string>> = [{}, { authorization: 'Bearer' }, { authorization: 'Bearer not.a.token' }, { authorization: `Basic ${token}` }, { authorization: token }, { cookie: `token=${token}` }];
    for (const headers of cases) {
      const res = await h.call('GET', '/strategy', { headers });
      expect({ headers, status: res.status, body: res.body }).toEqual({ headers, status: 401, body: errorShape('unauthorized') });
    }
    expect((await h.call('POST', '/strategy/create', { body: {} })).status).toBe(401);
    expect((await h.call('GET', '/events/log')).status).toBe(401);
    expect((await h.call('GET', '/events')).status).toBe(401);
  });

  it('401 after logout, and after the token expires on the clock', async () => {
    const first = await h.register();
    expect((await h.call('POST', '/auth/logout', { token: first.token })).status).toBe(204);
    expect((await h.call('GET', '/auth/validate', { token: first.token })).status).toBe(401);
    expect((await h.call('POST', '/auth/logout', { token: first.token })).status).toBe(401);

    const second = await h.register();
    await h.clock.advance(12 * 60 * 60 * 1000);
    expect((await h.call('GET', '/auth/validate', { token: second.token })).status).toBe(401);
    const again = await h.call('POST', '/auth/login', { body: { email: second.email, password: PASSWORD } });
    expect((await h.call('GET', '/auth/validate', { token: again.body.token })).status).toBe(200);
    token = (await h.call('POST', '/auth/login', { body: { email, password: PASSWORD } })).body.token;
  });
});

describe('the WebSocket upgrade', () => {
  const refusal = async (p: Promise<unknown>) => ((await p.then(() => null, (e: { status?: number }) => e)) as { status?: number } | null)?.status;

  it('refuses a client with neither an Origin nor a token (401)', async () => {
    expect(await refusal(h.openSocket({ origin: null }))).toBe(401);
    expect(await refusal(h.openSocket({ origin: null, token: 'not.a.token' }))).toBe(401);
  });

  it('refuses a foreign Origin even with a valid token (403)', async () => {
    expect(await refusal(h.openSocket({ origin: 'http://evil.example', token }))).toBe(403);
    expect(await h.upgradeStatus({ origin: 'http://evil.example', authorization: `Bearer ${token}` })).toBe(403);
    expect(await h.upgradeStatus({ authorization: `Bearer ${token}` })).toBe(101);
  });

  it('refuses a forged Host (403)', async () => {
    expect(await h.upgradeStatus({ host: `evil.example:${h.port}`, authorization: `Bearer ${token}` })).toBe(403);
    expect(await h.upgradeStatus({ host: `evil.example:${h.port}`, origin: `http://evil.example:${h.port}` })).toBe(403);
  });

  it('closes a browser socket whose first message is not a valid auth, or that stays silent (4401)', async () => {
    const silent = await h.openSocket({ authMessage: false, token });
    expect((await silent.closed).code).toBe(4401);
    const wrong = await h.openSocket({ token: 'not.a.token' });
    expect((await wrong.closed).code).toBe(4401);
    const chatty = await h.openSocket({ authMessage: false });
    chatty.ws.send(JSON.stringify({ type: 'subscribe', all: true }));
    expect((await chatty.closed).code).toBe(4401);
    for (const s of [silent, wrong, chatty]) expect(s.messages).toEqual([]);
  });

  it('signs in a browser by message and any other client by header', async () => {
    const browser = await h.openSocket({ token });
    expect(await browser.waitFor((m) => m.type === 'hello')).toMatchObject({ user: { email } });
    const cli = await h.openSocket({ token, origin: null });
    expect(await cli.waitFor((m) => m.type === 'hello')).toMatchObject({ user: { email } });
  });

  it('closes an open socket once its token no longer verifies (expiry, checked at each heartbeat)', async () => {
    const user = await h.register();
    const socket = await h.openSocket({ token: user.token });
    await socket.waitFor((m) => m.type === 'hello');
    await h.clock.advance(12 * 60 * 60 * 1000);
    expect(await socket.closed).toEqual({ code: 4401, reason: 'session ended: sign in again' });
  });
});
