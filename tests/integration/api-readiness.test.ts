/**
 * GET and POST /strategy/:id/readiness over HTTP, on the paper broker: signed in only, the id and
 * body validated, the check at START, a failed check as a WebSocket event (snake_case) and on the
 * strategy's row in GET /strategy, and nothing of another user's strategy (404, as every route).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness, type SocketClient } from '../support/api-harness';
import type { PaperBroker } from '../../engine/brokers/paper/paper-broker';
import { asBrokerAccountId } from '../../engine/core/ids';

let h: ApiHarness;
const a = { token: '', account: 0, strategy: 0 };
const b = { token: '', account: 0, strategy: 0 };
let aSocket: SocketClient;

beforeAll(async () => {
  // 09:20 New York, ten minutes before the BUY.
  h = await startApiHarness({ at: '2026-03-09T13:20:00Z' });
  a.token = (await h.register('a@example.com')).token;
  b.token = (await h.register('b@example.com')).token;
  a.account = await h.connectPaper(a.token);
  b.account = await h.connectPaper(b.token);
  a.strategy = (await h.createStrategy(a.token, a.account, { buy_time: '09:30', sell_time: '09:40' })).body.id;
  b.strategy = (await h.createStrategy(b.token, b.account, { buy_time: '09:30', sell_time: '09:40' })).body.id;
  aSocket = await h.openSocket({ token: a.token });
  await aSocket.waitFor((m) => m.type === 'hello');
});
afterAll(async () => h?.close());

describe('/strategy/:id/readiness', () => {
  it('needs a session', async () => {
    expect((await h.call('GET', `/strategy/${a.strategy}/readiness`, { token: null })).status).toBe(401);
    expect((await h.call('POST', `/strategy/${a.strategy}/readiness`, { token: null })).status).toBe(401);
  });

  it('refuses a bad id or a body with fields, naming what was wrong', async () => {
    const bad = await h.call('GET', '/strategy/abc/readiness', { token: a.token });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields).toEqual([{ field: 'id', message: expect.any(String) }]);
    const body = await h.call('POST', `/strategy/${a.strategy}/readiness`, { token: a.token, body: { force: true } });
    expect(body.status).toBe(400);
    expect(body.body.error.message).toMatch(/force|body must be empty/);
  });

  it("answers 404 for another user's strategy, GET and POST alike", async () => {
    for (const method of ['GET', 'POST'] as const) {
      const res = await h.call(method, `/strategy/${a.strategy}/readiness`, { token: b.token });
      expect({ method, status: res.status, code: res.body.error?.code }).toEqual({ method, status: 404, code: 'not_found' });
    }
  });

  it('before any check: null; POST checks a stopped strategy without keeping it on the row', async () => {
    expect((await h.call('GET', `/strategy/${a.strategy}/readiness`, { token: a.token })).body).toEqual({ readiness: null });
    const now = await h.call('POST', `/strategy/${a.strategy}/readiness`, { token: a.token });
    expect(now.status).toBe(200);
    expect(now.body).toMatchObject({ strategy_id: a.strategy, run_id: null, trigger: 'on_demand', entry_at: Date.parse('2026-03-09T13:30:00Z'), exit_at: Date.parse('2026-03-09T13:40:00Z') });
    expect(now.body.checks.map((c: { check: string }) => c.check)).toEqual(['session', 'orders_allowed', 'funds', 'day_trades', 'market_open', 'price_feed', 'clock']);
    expect((await h.call('GET', `/strategy/${a.strategy}/readiness`, { token: a.token })).body).toEqual({ readiness: null });
  });

  it('START checks at once; a price feed down fails: the event on the socket, the row in GET /strategy', async () => {
    const paper = (await h.engine.brokers.get(asBrokerAccountId(a.account))) as PaperBroker;
    paper.setFeed('down', 'simulated outage');
    expect((await h.call('POST', '/strategy/start', { token: a.token, body: { strategy_id: a.strategy } })).status).toBe(200);
    const event = await aSocket.waitFor((m) => m.type === 'readiness' && m.strategy_id === a.strategy);
    expect(event).toMatchObject({ trigger: 'start', status: 'fail', entry_at: Date.parse('2026-03-09T13:30:00Z') });
    expect(event.user_id).toBeUndefined();
    // In the broker's own words about its feed.
    expect(event.checks).toContainEqual({ check: 'price_feed', status: 'fail', message: expect.stringMatching(/^The price feed is down: simulated outage: stop-losses cannot trigger/) });
    const row = (await h.call('GET', '/strategy', { token: a.token })).body.strategies.find((s: { id: number }) => s.id === a.strategy);
    expect(row.readiness).toMatchObject({ status: 'fail', trigger: 'start', run_id: expect.any(Number) });
    expect((await h.call('GET', `/strategy/${a.strategy}/readiness`, { token: a.token })).body.readiness).toEqual(row.readiness);
    // B sees none of it.
    expect((await h.call('GET', '/strategy', { token: b.token })).body.strategies.map((s: { readiness: unknown }) => s.readiness)).toEqual([null]);

    paper.setFeed('up');
    const again = await h.call('POST', `/strategy/${a.strategy}/readiness`, { token: a.token });
    expect(again.body).toMatchObject({ trigger: 'on_demand', status: 'ok' });
  });
});
