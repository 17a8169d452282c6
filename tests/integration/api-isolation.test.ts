/**
 * Invariant 5 over HTTP: user B walks every route with user A's ids and gets 404 each time (a
 * reference inside a body gets the same 400 as an id that does not exist); B's lists show none
 * of A's things; B's WebSocket carries none of A's events. A's things are untouched after.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness, type SocketClient } from '../support/api-harness';

let h: ApiHarness;
const a = { token: '', account: 0, strategy: 0, channel: 0, events: [] as number[] };
const b = { token: '', account: 0, strategy: 0 };
let aSocket: SocketClient;
let bSocket: SocketClient;

beforeAll(async () => {
  h = await startApiHarness({ at: '2026-03-09T13:00:00Z' });
  a.token = (await h.register('a@example.com')).token;
  b.token = (await h.register('b@example.com')).token;
  a.account = await h.connectPaper(a.token);
  b.account = await h.connectPaper(b.token);
  a.strategy = (await h.createStrategy(a.token, a.account)).body.id;
  b.strategy = (await h.createStrategy(b.token, b.account, { symbol: 'MSFT', buy_time: '09:30', sell_time: '09:40' })).body.id;
  a.channel = (await h.call('POST', '/notify/channels', { token: a.token, body: { kind: 'webhook', label: 'A', config: {}, secret: { url: 'http://127.0.0.1:9/hook', signing_secret: 'a-signing-secret-of-A' } } })).body.id;
  aSocket = await h.openSocket({ token: a.token });
  bSocket = await h.openSocket({ token: b.token });
  await aSocket.waitFor((m) => m.type === 'hello');
  await bSocket.waitFor((m) => m.type === 'hello');
  expect((await h.call('POST', '/strategy/start', { token: a.token, body: { strategy_id: a.strategy } })).status).toBe(200);
  await h.advanceTo('2026-03-09T13:05:00Z');
  a.events = (await h.call('GET', '/events/log', { token: a.token })).body.events.map((e: { id: number }) => e.id);
});
afterAll(async () => h?.close());

/** Every route of the app as "METHOD /path", read from Fastify's route tree (HEAD left out). */
function allRoutes(): string[] {
  const out: string[] = [];
  const stack: string[] = [];
  for (const line of h.app.printRoutes({ commonPrefix: false }).split('\n')) {
    // A child segment need not start with '/': Fastify prints /strategy/stop-all as "-all" under /stop.
    const m = /^([│├└─\s]*)(\S+) \(([^)]+)\)$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4 - 1;
    stack.length = depth;
    const path = (stack[depth - 1] ?? '') + m[2];
    stack.push(path);
    for (const method of m[3]!.split(', ')) if (method !== 'HEAD') out.push(`${method} ${path}`);
  }
  return out.sort();
}

/** Routes that take no id of a user's thing (bodies reference accounts: see the next test). */
const WITHOUT_IDS = [
  'POST /auth/register',
  // Whether registration is open: the same for everyone, about the install, not a user.
  'GET /auth/registration',
  'POST /auth/login',
  'POST /auth/logout',
  'GET /auth/validate',
  'POST /auth/password',
  // The caller's own sessions only (DELETE /auth/sessions/:id is walked below).
  'GET /auth/sessions',
  'POST /auth/sessions/sign-out-others',
  'GET /health',
  'GET /broker',
  'POST /broker/connect',
  // The same for every user: the broker kinds this daemon offers.
  'GET /broker/kinds',
  'GET /strategy',
  // The same for every user: the fields of a strategy body.
  'GET /strategy/form',
  'POST /strategy/create',
  // Stops only the caller's own strategies: the isolation of that is tested in api-live.test.ts.
  'POST /strategy/stop-all',
  // The install's settings: one set for every trader on it, about no user's things.
  'GET /install-settings',
  'PATCH /install-settings',
  // Not signed in: the single-use nonce of a login the user started is its only authority.
  'GET /broker/login/callback',
  // The caller's own notification channels (each :id route is walked below).
  'GET /notify/channels',
  'POST /notify/channels',
  // The install's VAPID public key: the same for every user.
  'GET /notify/push/key',
  // A push endpoint is one browser's: whoever subscribes it last gets it, and another user's DELETE
  // of it answers 404 (both in notify-web-push.test.ts).
  'POST /notify/push/subscriptions',
  'DELETE /notify/push/subscriptions',
  // The caller's own paired devices and a code for the caller (each :id route is walked below).
  'GET /devices',
  'POST /devices/pairing-code',
  // Not signed in: the one-time code is its only authority, and pairs the user who asked for it.
  'POST /devices/pair',
  // The daemon's certificate authority: public, the same for everyone.
  'GET /devices/authority.crt',
];

describe("user B and user A's ids", () => {
  it('every route answers 404', async () => {
    const aSession: string = (await h.call('GET', '/auth/sessions', { token: a.token })).body.sessions[0].id;
    const { code } = (await h.call('POST', '/devices/pairing-code', { token: a.token, body: {} })).body;
    const aDevice: number = (await h.call('POST', '/devices/pair', { body: { code, name: "A's phone" } })).body.device.id;
    const routes: Array<[string, string, unknown?]> = [
      ['GET', `/broker/${a.account}`],
      ['DELETE', `/broker/${a.account}`],
      ['POST', `/broker/${a.account}/login`, {}],
      ['POST', `/broker/${a.account}/session`, { redirect: 'abcdef123456' }],
      ['GET', `/broker/${a.account}/instruments?q=A`],
      ['GET', `/broker/${a.account}/quote?symbol=AAPL&exchange=NASDAQ`],
      ['GET', `/strategy/${a.strategy}`],
      ['PATCH', `/strategy/${a.strategy}`, { qty: 1 }],
      ['PATCH', `/strategy/${a.strategy}`, {}],
      ['DELETE', `/strategy/${a.strategy}`],
      ['GET', `/strategy/${a.strategy}/orders`],
      ['POST', '/strategy/start', { strategy_id: a.strategy }],
      ['POST', '/strategy/stop', { strategy_id: a.strategy }],
      ['POST', '/strategy/stop', { strategy_id: a.strategy, close_position: false }],
      ['GET', `/events/log?strategy_id=${a.strategy}`],
      ['GET', `/events?strategy_id=${a.strategy}`],
      ['GET', `/runs?strategy_id=${a.strategy}`],
      ['GET', `/strategy/${a.strategy}/bars`],
      ['GET', `/strategy/${a.strategy}/readiness`],
      ['POST', `/strategy/${a.strategy}/readiness`],
      ['POST', '/backtest', { strategy_id: a.strategy, from: '2026-03-02', to: '2026-03-06' }],
      ['POST', '/backtest/grid', { strategy_id: a.strategy, from: '2026-03-02', to: '2026-03-06', buy: { from: '09:05', to: '09:05' }, sell: { from: '09:10', to: '09:10' } }],
      ['GET', `/strategy/${a.strategy}/backtest.csv?from=2026-03-02&to=2026-03-06`],
      ['DELETE', `/auth/sessions/${aSession}`],
      ['PATCH', `/notify/channels/${a.channel}`, { label: 'B' }],
      ['POST', `/notify/channels/${a.channel}/test`, {}],
      ['GET', `/notify/channels/${a.channel}/deliveries`],
      ['DELETE', `/notify/channels/${a.channel}`],
      ['PATCH', `/devices/${aDevice}`, { name: 'B' }],
      ['DELETE', `/devices/${aDevice}`],
    ];
    for (const [method, path, body] of routes) {
      const res = await h.call(method, path, { token: b.token, ...(body === undefined ? {} : { body }) });
      expect({ method, path, status: res.status, code: res.body?.error?.code }).toEqual({ method, path, status: 404, code: 'not_found' });
    }
    // A route added later must be walked here (or listed as taking no ids) before this passes.
    expect(allRoutes()).toEqual(expect.arrayContaining(['PATCH /strategy/:id', 'GET /strategy/:id/orders', 'GET /events/log']));
    const walked = routes.map(([method, path]) => `${method} ${path.replace(/\?.*$/, '').replace(/^\/auth\/sessions\/[\w-]+$/, '/auth/sessions/:id').replace(/\/\d+/g, '/:id')}`);
    expect(allRoutes().filter((r) => !walked.includes(r) && !WITHOUT_IDS.includes(r))).toEqual([]);
    expect((await h.call('GET', '/auth/sessions', { token: a.token })).body.sessions.map((s: { id: string }) => s.id)).toEqual([aSession]);
    expect((await h.call('GET', '/devices', { token: a.token })).body.devices.map((d: { id: number; name: string }) => [d.id, d.name])).toEqual([[aDevice, "A's phone"]]);
    expect((await h.call('GET', '/devices', { token: b.token })).body.devices).toEqual([]);
  });

  it("a body reference to A's account is refused like an account that does not exist", async () => {
    const foreign = await h.createStrategy(b.token, a.account);
    const missing = await h.createStrategy(b.token, 987_654);
    expect(foreign.status).toBe(400);
    expect(foreign.body).toEqual(missing.body);
    expect(foreign.body.error.fields).toEqual([{ field: 'broker_account_id', message: expect.any(String) }]);
    const moved = await h.call('PATCH', `/strategy/${b.strategy}`, { token: b.token, body: { broker_account_id: a.account } });
    expect(moved.status).toBe(400);
    expect(moved.body.error.fields).toEqual([{ field: 'broker_account_id', message: expect.any(String) }]);
  });

  it("lists show only B's own things", async () => {
    expect((await h.call('GET', '/broker', { token: b.token })).body.accounts.map((x: { id: number }) => x.id)).toEqual([b.account]);
    expect((await h.call('GET', '/strategy', { token: b.token })).body.strategies.map((x: { id: number }) => x.id)).toEqual([b.strategy]);
    const log = (await h.call('GET', '/events/log?limit=500', { token: b.token })).body.events.map((e: { id: number }) => e.id);
    expect(log.filter((id: number) => a.events.includes(id))).toEqual([]);
    const before = (await h.call('GET', `/events/log?before_id=${Math.max(...a.events) + 1}&limit=500`, { token: b.token })).body.events;
    expect(before.every((e: { strategy_id?: number }) => e.strategy_id !== a.strategy)).toBe(true);
    const runs = (await h.call('GET', '/runs?limit=500', { token: b.token })).body;
    expect(runs.runs.filter((r: { strategy_id: number }) => r.strategy_id !== b.strategy)).toEqual([]);
    expect(runs.days).toEqual([]);
  });

  it("B's WebSocket carries none of A's events, and A's does", async () => {
    expect((await h.call('POST', '/strategy/start', { token: b.token, body: { strategy_id: b.strategy } })).status).toBe(200);
    await bSocket.waitFor((m) => m.type === 'strategy_armed' && m.strategy_id === b.strategy);
    await h.advanceTo('2026-03-09T13:10:00Z');
    await aSocket.waitFor((m) => m.type === 'order_filled' && m.leg === 'SELL');
    expect(aSocket.messages.some((m) => m.strategy_id === a.strategy && m.type === 'order_filled')).toBe(true);
    expect(bSocket.messages.filter((m) => m.strategy_id === a.strategy || m.broker_account_id === a.account)).toEqual([]);
    expect(aSocket.messages.filter((m) => m.strategy_id === b.strategy || m.broker_account_id === b.account)).toEqual([]);
  });

  it("A's things were not touched", async () => {
    expect((await h.call('GET', `/broker/${a.account}`, { token: a.token })).status).toBe(200);
    const s = await h.call('GET', `/strategy/${a.strategy}`, { token: a.token });
    expect(s.body).toMatchObject({ qty: 10, status: 'completed', runtime: { state: 'SOLD' } });
    expect((await h.call('GET', `/strategy/${a.strategy}/orders`, { token: a.token })).body.orders).toHaveLength(2);
  });
});
