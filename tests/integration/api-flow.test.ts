/**
 * The seed's whole flow over real loopback HTTP and a WebSocket: register, log in, validate,
 * connect a paper broker, create a strategy, start it, watch the BUY and the SELL happen on the
 * fake clock (by polling and live), stop it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { asBrokerAccountId, asStrategyId, asUserId } from '../../engine/core/ids';
import { PAPER_OPTIONS, PASSWORD, startApiHarness, type ApiHarness } from '../support/api-harness';

const at = (iso: string) => Date.parse(iso);
let h: ApiHarness;
afterEach(async () => h?.close());

describe('the API end to end', () => {
  it('registers, logs in, connects paper, buys and sells on time, streams it live, and stops', async () => {
    h = await startApiHarness({ at: '2026-03-09T13:00:00Z' });

    const reg = await h.call('POST', '/auth/register', { body: { email: 'Ana@Example.com', password: PASSWORD } });
    expect(reg.status).toBe(201);
    expect(reg.body).toEqual({ token: expect.any(String), user: { id: expect.any(Number), email: 'ana@example.com' } });

    const login = await h.call('POST', '/auth/login', { body: { email: 'ana@example.com', password: PASSWORD } });
    expect(login.status).toBe(200);
    const token: string = login.body.token;
    expect(login.body.user).toEqual(reg.body.user);

    const valid = await h.call('GET', '/auth/validate', { token });
    expect(valid.status).toBe(200);
    expect(valid.body).toEqual({ valid: true, user: reg.body.user });

    const connect = await h.call('POST', '/broker/connect', { token, body: { broker: 'paper', options: { seed: 1, volatilityBps: 0, tickIntervalMs: 60_000 } } });
    expect(connect.status).toBe(201);
    expect(connect.body).toMatchObject({ id: expect.any(Number), broker: 'paper', label: 'Paper trading (simulated market)', status: 'connected', credentials_masked: {} });
    const accounts = await h.call('GET', '/broker', { token });
    expect(accounts.body.accounts.map((a: { id: number }) => a.id)).toEqual([connect.body.id]);

    const created = await h.createStrategy(token, connect.body.id, { repeat: 'daily' });
    expect(created.status).toBe(201);
    const id: number = created.body.id;
    expect(created.body).toMatchObject({
      broker_account_id: connect.body.id,
      symbol: 'AAPL',
      exchange: 'NYSE',
      qty: 10,
      buy_time: '09:05:00',
      sell_time: '09:10:00',
      stop_loss: 95,
      timezone: 'America/New_York',
      repeat: 'daily',
      buy_grace_seconds: 60,
      status: 'idle',
      runtime: null,
    });

    const socket = await h.openSocket({ token });
    const hello = await socket.waitFor((m) => m.type === 'hello');
    expect(hello).toMatchObject({ user: reg.body.user, version: '0.0.0-test', server_time: at('2026-03-09T13:00:00Z') });

    const started = await h.call('POST', '/strategy/start', { token, body: { strategy_id: id } });
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({
      status: 'running',
      runtime: { state: 'ARMED', trading_date: '2026-03-09', position_qty: 0, next_trigger: { kind: 'BUY', at: at('2026-03-09T13:05:00Z') } },
    });
    expect(await socket.waitFor((m) => m.type === 'strategy_armed')).toMatchObject({ strategy_id: id, buy_at: at('2026-03-09T13:05:00Z'), sell_at: at('2026-03-09T13:10:00Z') });

    await h.advanceTo('2026-03-09T13:04:59Z');
    expect((await h.call('GET', `/strategy/${id}/orders`, { token })).body.orders).toEqual([]);

    await h.advanceTo('2026-03-09T13:05:00Z');
    const holding = await h.call('GET', `/strategy/${id}`, { token });
    expect(holding.body.runtime).toMatchObject({
      state: 'IN_POSITION',
      position_qty: 10,
      entry_price: 100,
      last_action_at: at('2026-03-09T13:05:00Z'),
      next_trigger: { kind: 'SELL', at: at('2026-03-09T13:10:00Z') },
    });
    const [buy] = (await h.call('GET', `/strategy/${id}/orders`, { token })).body.orders;
    expect(buy).toMatchObject({
      leg: 'BUY',
      side: 'buy',
      leg_no: 0,
      status: 'filled',
      qty: 10,
      filled_qty: 10,
      fill_price: 100,
      client_order_id: expect.any(String),
      scheduled_at: at('2026-03-09T13:05:00Z'),
      dispatched_at: at('2026-03-09T13:05:00Z'),
      acked_at: expect.any(Number),
      filled_at: expect.any(Number),
    });
    expect(await socket.waitFor((m) => m.type === 'order_filled' && m.leg === 'BUY')).toMatchObject({ strategy_id: id, filled_qty: 10, fill_price: 100 });

    await h.advanceTo('2026-03-09T13:10:00Z');
    const orders = (await h.call('GET', `/strategy/${id}/orders`, { token })).body.orders;
    expect(orders.map((o: { leg: string; status: string; leg_no: number }) => [o.leg, o.status, o.leg_no])).toEqual([['BUY', 'filled', 0], ['SELL', 'filled', 0]]);
    expect(orders[1]).toMatchObject({ scheduled_at: at('2026-03-09T13:10:00Z'), dispatched_at: at('2026-03-09T13:10:00Z') });
    const sold = await socket.waitFor((m) => m.type === 'run_state_changed' && m.to === 'SOLD');
    expect(sold).toMatchObject({ strategy_id: id, from: 'EXITING' });
    expect(sold).not.toHaveProperty('user_id');
    // Daily: the next trading day is armed at once.
    const next = await socket.waitFor((m) => m.type === 'strategy_armed' && m.trading_date === '2026-03-10');
    expect(next.buy_at).toBe(at('2026-03-10T13:05:00Z'));
    const armedAgain = await h.call('GET', `/strategy/${id}`, { token });
    expect(armedAgain.body.runtime).toMatchObject({ state: 'ARMED', trading_date: '2026-03-10', next_trigger: { kind: 'BUY', at: at('2026-03-10T13:05:00Z') } });

    // The live stream and the audit log tell the same story, in snake_case.
    const live = socket.messages.filter((m) => m.type !== 'hello' && m.type !== 'feed_status').map((m) => m.type);
    expect(live).toEqual(expect.arrayContaining(['strategy_armed', 'order_submitted', 'order_accepted', 'order_filled', 'run_state_changed']));
    const log = await h.call('GET', `/events/log?strategy_id=${id}&limit=500`, { token });
    expect(log.status).toBe(200);
    const logged = [...log.body.events].reverse();
    expect(logged.map((e: { type: string }) => e.type)).toEqual(socket.messages.filter((m) => m.strategy_id === id).map((m) => m.type));
    expect(logged.find((e: { type: string }) => e.type === 'order_submitted')).toMatchObject({ id: expect.any(Number), leg: 'BUY', scheduled_at: at('2026-03-09T13:05:00Z') });
    // The seed's polling clients can read the same page from GET /events without upgrading.
    expect((await h.call('GET', `/events?strategy_id=${id}&limit=500`, { token })).body).toEqual(log.body);

    const stopped = await h.call('POST', '/strategy/stop', { token, body: { strategy_id: id } });
    expect(stopped.status).toBe(200);
    expect(stopped.body).toMatchObject({ status: 'stopped', runtime: { state: 'STOPPED', next_trigger: null } });
    expect(await socket.waitFor((m) => m.type === 'strategy_stopped')).toMatchObject({ strategy_id: id, reason: 'stopped by the trader' });
    expect((await h.call('POST', '/strategy/stop', { token, body: { strategy_id: id } })).status).toBe(409);

    const health = await h.call('GET', '/health');
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ ok: true, version: '0.0.0-test', uptime_seconds: expect.any(Number), feeds: { up: 1, down: 0, stale: 0 } });
  });

  it("names each order's leg: a re-entry's orders carry its leg number", async () => {
    h = await startApiHarness();
    const { token, userId } = await h.register();
    const account = await h.connectPaper(token);
    const id = (await h.createStrategy(token, account)).body.id as number;
    const run = h.repos.runs.create({ strategyId: asStrategyId(id), userId: asUserId(userId), tradingDate: '2026-03-09', state: 'ARMED', buyAt: 1, sellAt: 2 }, 1);
    for (const [legNo, slot] of [[0, 'entry'], [0, 'exit'], [1, 'entry']] as const) {
      h.repos.orders.insert(
        { runId: run.id, strategyId: asStrategyId(id), userId: asUserId(userId), brokerAccountId: asBrokerAccountId(account), leg: slot === 'entry' ? 'BUY' : 'STOPLOSS', side: slot === 'entry' ? 'buy' : 'sell', slot, legNo, attempt: 1, clientOrderId: `seed-${legNo}-${slot}`, symbol: 'AAPL', exchange: 'NYSE', qty: 10, status: 'pending', scheduledAt: 1 + legNo },
        1,
      );
    }
    const orders = (await h.call('GET', `/strategy/${id}/orders`, { token })).body.orders;
    expect(orders.map((o: { client_order_id: string; leg_no: number }) => [o.client_order_id, o.leg_no]).sort()).toEqual([['seed-0-entry', 0], ['seed-0-exit', 0], ['seed-1-entry', 1]]);
  });

  it('stop sells an open position by default, and leaves it open when asked', async () => {
    h = await startApiHarness();
    const { token } = await h.register();
    const account = await h.connectPaper(token);
    const closing = (await h.createStrategy(token, account)).body.id as number;
    const keeping = (await h.createStrategy(token, account, { symbol: 'MSFT' })).body.id as number;
    for (const id of [closing, keeping]) expect((await h.call('POST', '/strategy/start', { token, body: { strategy_id: id } })).status).toBe(200);
    await h.advanceTo('2026-03-09T13:06:00Z');

    const closed = await h.call('POST', '/strategy/stop', { token, body: { strategy_id: closing } });
    expect(closed.status).toBe(200);
    await h.advanceTo('2026-03-09T13:06:01Z');
    const exits = (await h.call('GET', `/strategy/${closing}/orders`, { token })).body.orders.map((o: { leg: string; status: string }) => [o.leg, o.status]);
    expect(exits).toEqual([['BUY', 'filled'], ['MANUAL_EXIT', 'filled']]);
    expect((await h.call('GET', `/strategy/${closing}`, { token })).body).toMatchObject({ status: 'stopped', runtime: { position_qty: 0, exit_leg: 'MANUAL_EXIT', next_trigger: null } });

    const kept = await h.call('POST', '/strategy/stop', { token, body: { strategy_id: keeping, close_position: false } });
    expect(kept.body).toMatchObject({ status: 'stopped', runtime: { state: 'STOPPED', position_qty: 10, reason: expect.stringContaining('left open') } });
    expect((await h.call('GET', `/strategy/${keeping}/orders`, { token })).body.orders).toHaveLength(1);
  });

  it('stop with close_position false while the BUY is at the broker keeps the fill: no sell, STOPPED with the position open', async () => {
    h = await startApiHarness();
    const { token } = await h.register();
    const connected = await h.call('POST', '/broker/connect', { token, body: { broker: 'paper', label: 'Slow paper', options: { ...PAPER_OPTIONS, fillLatencyMs: 5_000 } } });
    expect(connected.status).toBe(201);
    const id = (await h.createStrategy(token, connected.body.id as number)).body.id as number;
    expect((await h.call('POST', '/strategy/start', { token, body: { strategy_id: id } })).status).toBe(200);
    await h.advanceTo('2026-03-09T13:05:01Z');
    expect((await h.call('GET', `/strategy/${id}`, { token })).body.runtime.state).toBe('BUYING');

    expect((await h.call('POST', '/strategy/stop', { token, body: { strategy_id: id, close_position: false } })).status).toBe(200);
    await h.advanceTo('2026-03-09T13:11:00Z');
    // Before: the BUY's fill was sold at once by a MANUAL_EXIT.
    const orders = (await h.call('GET', `/strategy/${id}/orders`, { token })).body.orders.map((o: { leg: string; status: string }) => [o.leg, o.status]);
    expect(orders).toEqual([['BUY', 'filled']]);
    expect((await h.call('GET', `/strategy/${id}`, { token })).body).toMatchObject({
      status: 'stopped',
      runtime: { state: 'STOPPED', position_qty: 10, reason: "stopped by the trader; position of 10 left open at the trader's request", next_trigger: null },
    });
  });

  it('edits and deletes an idle strategy, refuses both while running, and paging walks the log', async () => {
    h = await startApiHarness();
    const { token } = await h.register();
    const account = await h.connectPaper(token);
    const { body: s } = await h.createStrategy(token, account);

    const edited = await h.call('PATCH', `/strategy/${s.id}`, { token, body: { qty: 5, sell_time: '09:20' } });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ qty: 5, sell_time: '09:20:00', buy_time: '09:05:00' });

    expect((await h.call('POST', '/strategy/start', { token, body: { strategy_id: s.id } })).status).toBe(200);
    expect((await h.call('POST', '/strategy/start', { token, body: { strategy_id: s.id } })).body.error.code).toBe('conflict');
    expect((await h.call('PATCH', `/strategy/${s.id}`, { token, body: { qty: 6 } })).status).toBe(409);
    expect((await h.call('DELETE', `/strategy/${s.id}`, { token })).status).toBe(409);
    const refused = await h.call('DELETE', `/broker/${account}`, { token });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toEqual({ code: 'conflict', message: `running strategies use this broker account (AAPL #${s.id}): stop them, then delete them first` });

    expect((await h.call('POST', '/strategy/stop', { token, body: { strategy_id: s.id, close_position: false } })).status).toBe(200);
    expect((await h.call('DELETE', `/strategy/${s.id}`, { token })).status).toBe(204);
    expect((await h.call('GET', `/strategy/${s.id}`, { token })).status).toBe(404);
    expect((await h.call('DELETE', `/broker/${account}`, { token })).status).toBe(204);
    expect((await h.call('GET', '/broker', { token })).body.accounts).toEqual([]);

    const first = await h.call('GET', '/events/log?limit=1', { token });
    expect(first.body.events).toHaveLength(1);
    const second = await h.call('GET', `/events/log?limit=1&before_id=${first.body.next_before_id}`, { token });
    expect(second.body.events[0].id).toBeLessThan(first.body.events[0].id);
  });

  it('changes the password: this session stays, the others are signed out; logout ends this session only', async () => {
    h = await startApiHarness();
    const { token, email } = await h.register();
    const other = (await h.call('POST', '/auth/login', { body: { email, password: PASSWORD } })).body.token as string;

    const changed = await h.call('POST', '/auth/password', { token, body: { current_password: PASSWORD, new_password: 'a much better passphrase', confirm_password: 'a much better passphrase' } });
    expect(changed.status).toBe(200);
    expect(changed.body).toEqual({ user: { id: expect.any(Number), email }, signed_out_sessions: 1, unpaired_devices: 0 });
    expect((await h.call('GET', '/auth/validate', { token })).status).toBe(200);
    expect((await h.call('GET', '/auth/validate', { token: other })).status).toBe(401);
    expect((await h.call('POST', '/auth/login', { body: { email, password: PASSWORD } })).status).toBe(401);
    const third = (await h.call('POST', '/auth/login', { body: { email, password: 'a much better passphrase' } })).body.token as string;

    const socket = await h.openSocket({ token });
    await socket.waitFor((m) => m.type === 'hello');
    // A bodiless POST with the JSON header the UI's fetch wrapper always sends.
    expect((await h.call('POST', '/auth/logout', { token, headers: { 'content-type': 'application/json' } })).status).toBe(204);
    expect(await socket.closed).toEqual({ code: 4401, reason: 'signed out' });
    expect((await h.call('GET', '/auth/validate', { token })).status).toBe(401);
    expect((await h.call('GET', '/auth/validate', { token: third })).status).toBe(200);
  });
});
