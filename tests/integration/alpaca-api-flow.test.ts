/**
 * The seed's whole flow through the daemon's API with an Alpaca account pointed at the Alpaca fake
 * through the connect `options`: register, connect (credentials checked against the fake, stored
 * sealed), create, start, BUY and SELL at their times, seen over the WebSocket and by polling,
 * and exactly one order of each at the broker.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness } from '../support/api-harness';
import { startFakeAlpaca, type FakeAlpaca } from '../fakes/alpaca/fake-alpaca';
import { eventually } from '../fakes/alpaca/eventually';
import { defaultBrokerKinds } from '../../engine/brokers/broker-kinds';
import { alpacaBrokerKind } from '../../engine/brokers/alpaca';

const HOUR = 3_600_000;
let h: ApiHarness;
let fake: FakeAlpaca;
beforeEach(async () => {
  h = await startApiHarness({
    at: '2026-03-09T13:29:00Z',
    // Engine time leaps ahead of real time here: keep the streams' liveness timers out of the way.
    kinds: { ...defaultBrokerKinds(), alpaca: alpacaBrokerKind({ timing: { pingIntervalMs: 24 * HOUR, staleAfterMs: 48 * HOUR, deadAfterMs: 72 * HOUR } }) },
  });
  fake = await startFakeAlpaca({ now: () => h.clock.now(), prices: { AAPL: 187.5 } });
});
afterEach(async () => {
  await h.close();
  await fake.close();
});

describe('the daemon API with an Alpaca account on the fake', () => {
  it('refuses wrong keys with the broker\'s reason, then runs BUY and SELL with one order each', async () => {
    const a = await h.register();
    const wrong = await h.call('POST', '/broker/connect', { token: a.token, body: { broker: 'alpaca', credentials: { key_id: 'PKWRONG0000', secret_key: 'x'.repeat(40) }, options: fake.connectOptions() } });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.fields).toEqual([{ field: 'credentials', message: expect.any(String) }]);

    const creds = fake.credentials();
    const connected = await h.call('POST', '/broker/connect', { token: a.token, body: { broker: 'alpaca', label: 'Alpaca paper', credentials: creds, options: fake.connectOptions() } });
    expect(connected.status).toBe(201);
    expect(connected.text).not.toContain(creds.secret_key);

    const unknown = await h.createStrategy(a.token, connected.body.id, { symbol: 'NOSUCH', exchange: 'NYSE' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.fields).toEqual([{ field: 'symbol', message: expect.stringMatching(/not a tradable instrument/) }]);

    const created = await h.createStrategy(a.token, connected.body.id, { symbol: 'AAPL', exchange: 'NYSE', qty: 5, buy_time: '09:30:00', sell_time: '09:31:00', stop_loss: 150 });
    expect(created.status).toBe(201);
    // Left out, the backstop is Alpaca's default: on.
    expect(connected.body.backstop_by_default).toBe(true);
    expect(created.body).toMatchObject({ backstop: null, backstop_on: true });
    const ws = await h.openSocket({ token: a.token });
    const started = await h.call('POST', '/strategy/start', { token: a.token, body: { strategy_id: created.body.id } });
    expect(started.body.runtime.next_trigger).toEqual({ kind: 'BUY', at: Date.parse('2026-03-09T13:30:00Z') });
    await eventually(() => fake.tradeListeners().length === 1 && fake.dataSessions()[0]?.trades.includes('AAPL'), { what: 'Alpaca streams up' });

    await h.advanceTo('2026-03-09T13:30:00Z');
    await ws.waitFor((m) => m.type === 'order_filled' && m.leg === 'BUY');
    const holding = await h.call('GET', `/strategy/${created.body.id}`, { token: a.token });
    expect(holding.body.runtime).toMatchObject({ state: 'IN_POSITION', position_qty: 5, entry_price: 187.5, next_trigger: { kind: 'SELL' } });

    await h.advanceTo('2026-03-09T13:31:00Z');
    await ws.waitFor((m) => m.type === 'run_state_changed' && m.to === 'SOLD');
    const orders = await h.call('GET', `/strategy/${created.body.id}/orders`, { token: a.token });
    expect(orders.body.orders.map((o: { leg: string; status: string }) => [o.leg, o.status])).toEqual([['BUY', 'filled'], ['SELL', 'filled']]);
    // The backstop (a stop order, cancelled before the SELL), then the one SELL.
    expect(fake.received().map((o) => [o.side, o.clientOrderId, o.outcome])).toEqual([
      ['buy', 'tctest011260309E', 'accepted'],
      ['sell', expect.stringMatching(/^tb/), 'accepted'],
      ['sell', 'tctest011260309X', 'accepted'],
    ]);
    expect(fake.orders().map((o) => [o.type, o.status])).toEqual([['market', 'filled'], ['stop', 'canceled'], ['market', 'filled']]);
    const stopped = await h.call('POST', '/strategy/stop', { token: a.token, body: { strategy_id: created.body.id } });
    expect(stopped.status).toBe(409); // a once strategy that sold is completed, not running
  });
});
