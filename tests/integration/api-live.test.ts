/**
 * What the UI sees live beyond engine events: price ticks of the user's running strategies,
 * thinned for display, and the kill switch. Neither crosses users.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness } from '../support/api-harness';
import type { PaperBroker } from '../../engine/brokers/paper/paper-broker';
import { asBrokerAccountId } from '../../engine/core/ids';

let h: ApiHarness;
beforeEach(async () => {
  h = await startApiHarness();
});
afterEach(async () => h.close());

async function runningStrategy(token: string, symbol: string) {
  const account = await h.connectPaper(token);
  const created = await h.createStrategy(token, account, { symbol });
  expect(created.status).toBe(201);
  const started = await h.call('POST', '/strategy/start', { token, body: { strategy_id: created.body.id } });
  expect(started.status).toBe(200);
  const paper = (await h.engine.brokers.get(asBrokerAccountId(account))) as PaperBroker;
  return { account, id: created.body.id as number, paper };
}

describe('price ticks on the WebSocket', () => {
  it('reach the owner of the strategy only, and a burst is thinned to the first and the last price', async () => {
    const a = await h.register();
    const b = await h.register();
    const sa = await runningStrategy(a.token, 'AAPL');
    await runningStrategy(b.token, 'MSFT');
    const wa = await h.openSocket({ token: a.token });
    const wb = await h.openSocket({ token: b.token });
    await wa.waitFor((m) => m.type === 'hello');
    await wb.waitFor((m) => m.type === 'hello');

    for (const price of [101, 102, 103, 104]) sa.paper.setPrice('NYSE:AAPL', price);
    await h.advanceTo('2026-03-09T13:00:01Z');
    const last = await wa.waitFor((m) => m.type === 'tick' && m.price === 104);
    expect(last).toMatchObject({ broker_account_id: sa.account, exchange: 'NYSE', symbol: 'AAPL' });
    const prices = wa.messages.filter((m) => m.type === 'tick' && m.symbol === 'AAPL').map((m) => m.price);
    expect(prices).toEqual([101, 104]);
    expect(wb.messages.filter((m) => m.type === 'tick' && m.symbol === 'AAPL')).toEqual([]);
  });

  it('stop once the strategy is stopped', async () => {
    const a = await h.register();
    const sa = await runningStrategy(a.token, 'AAPL');
    const ws = await h.openSocket({ token: a.token });
    await ws.waitFor((m) => m.type === 'hello');
    sa.paper.setPrice('NYSE:AAPL', 101);
    await ws.waitFor((m) => m.type === 'tick' && m.price === 101);
    expect((await h.call('POST', '/strategy/stop', { token: a.token, body: { strategy_id: sa.id } })).status).toBe(200);
    await ws.waitFor((m) => m.type === 'strategy_stopped');
    sa.paper.setPrice('NYSE:AAPL', 99);
    await h.advanceTo('2026-03-09T13:00:02Z');
    expect(ws.messages.filter((m) => m.type === 'tick' && m.price === 99)).toEqual([]);
  });

  it('deliver the last price of a burst even when the strategy ends inside the throttle window', async () => {
    const a = await h.register();
    const sa = await runningStrategy(a.token, 'AAPL');
    const ws = await h.openSocket({ token: a.token });
    await ws.waitFor((m) => m.type === 'hello');
    sa.paper.setPrice('NYSE:AAPL', 101);
    sa.paper.setPrice('NYSE:AAPL', 94); // queued behind the first, inside 250 ms
    expect((await h.call('POST', '/strategy/stop', { token: a.token, body: { strategy_id: sa.id } })).status).toBe(200);
    await h.advanceTo('2026-03-09T13:00:01Z');
    await ws.waitFor((m) => m.type === 'tick' && m.price === 94);
  });
});

describe('POST /strategy/stop-all', () => {
  it("stops every running strategy of the caller and none of another user's", async () => {
    const a = await h.register();
    const b = await h.register();
    const a1 = await runningStrategy(a.token, 'AAPL');
    const a2 = await runningStrategy(a.token, 'MSFT');
    const b1 = await runningStrategy(b.token, 'IBM');
    const res = await h.call('POST', '/strategy/stop-all', { token: b.token, body: {} });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ stopped: [b1.id] });
    for (const s of [a1, a2]) expect((await h.call('GET', `/strategy/${s.id}`, { token: a.token })).body.status).toBe('running');
    const all = await h.call('POST', '/strategy/stop-all', { token: a.token, body: { close_positions: true } });
    expect(all.body.stopped.sort()).toEqual([a1.id, a2.id].sort());
    expect((await h.call('POST', '/strategy/stop-all', { token: a.token, body: { close_positions: 'yes' } })).body.error.fields).toEqual([
      { field: 'close_positions', message: 'close_positions must be true or false' },
    ]);
  });
});
