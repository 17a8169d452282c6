/**
 * The whole engine on a fake clock: BUY at the BUY time, SELL at the SELL time, stop-loss exits,
 * the race of the two exits, STOP in every state, skipped and missed BUYs, daily repeat across a
 * weekend and a DST change. Monday 2026-03-09 is the first trading day after US DST began.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../support/engine-harness';
import type { BrokerSessionInfo } from '../../engine/brokers/broker';
import type { StrategyId } from '../../engine/core/ids';

const at = (iso: string) => Date.parse(iso);
let t: TestEngine;
afterEach(async () => t?.close());


describe('a time-based strategy on the paper broker', () => {
  it('buys at the BUY time and sells at the SELL time, each order on its exact instant', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:00:00Z' });
    const s = await t.create();
    const armed = await t.start(s.id);
    expect(armed).toMatchObject({ state: 'ARMED', tradingDate: '2026-03-09', buyAt: at('2026-03-09T13:30:00Z'), sellAt: at('2026-03-09T19:55:00Z') });
    expect(await t.runtime.readRuntime(s.id)).toMatchObject({ state: 'ARMED', runId: armed.id });
    expect(await t.runtime.strategiesOn('NYSE:AAPL')).toEqual([s.id]);

    await t.until('2026-03-09T13:29:59.999Z');
    expect(t.orders(s.id)).toHaveLength(0);
    await t.until('2026-03-09T13:30:00Z');
    const [buy] = t.orders(s.id);
    expect(buy).toMatchObject({ leg: 'BUY', side: 'buy', qty: 10, status: 'filled', fillPrice: 100, scheduledAt: at('2026-03-09T13:30:00Z'), dispatchedAt: at('2026-03-09T13:30:00Z') });
    expect(buy!.clientOrderId).toBe('tctest011260309E');
    expect(t.run(s.id)).toMatchObject({ state: 'IN_POSITION', positionQty: 10, entryPrice: 100 });
    expect(await t.runtime.readRuntime(s.id)).toMatchObject({ state: 'IN_POSITION', positionQty: 10, entryPrice: 100 });

    await t.until('2026-03-09T19:55:00Z');
    const orders = t.orders(s.id);
    expect(orders.map((o) => [o.leg, o.status])).toEqual([['BUY', 'filled'], ['SELL', 'filled']]);
    expect(orders[1]).toMatchObject({ scheduledAt: at('2026-03-09T19:55:00Z'), dispatchedAt: at('2026-03-09T19:55:00Z'), clientOrderId: 'tctest011260309X' });
    expect(t.run(s.id)).toMatchObject({ state: 'SOLD', positionQty: 0, exitLeg: 'SELL', exitPrice: 100 });
    expect(t.repos.strategies.getInternal(s.id)!.status).toBe('completed');
    expect(await t.runtime.readRuntime(s.id)).toBeNull();
    expect(await t.runtime.strategiesOn('NYSE:AAPL')).toEqual([]);
    expect(t.paper.placedOrders()).toHaveLength(2);
    expect(t.eventsOf('run_state_changed').map((e) => e.to)).toEqual(['BUYING', 'IN_POSITION', 'EXITING', 'SOLD']);
    // The audit log holds the same story.
    const logged = t.repos.events.list(t.user.id, { strategyId: s.id, limit: 100 }).map((e) => e.type);
    expect(logged).toContain('order_filled');
    expect(logged).toContain('strategy_completed');
  });

  it('completes a once-strategy after its exit without an fsync of its own (recovery redoes it after a power cut)', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:00:00Z' });
    const s = await t.create();
    await t.start(s.id);
    const setStatus = t.repos.strategies.setStatusInternal.bind(t.repos.strategies);
    const written: unknown[] = [];
    t.repos.strategies.setStatusInternal = (id, status, now) => {
      // Inside a transaction that does not wait for the disk, synchronous is NORMAL (1), not FULL (2).
      written.push([status, t.db.sqlite.inTransaction, t.db.sqlite.pragma('synchronous', { simple: true })]);
      return setStatus(id, status, now);
    };
    await t.until('2026-03-09T19:55:01Z');
    expect(t.run(s.id).state).toBe('SOLD');
    expect(written).toEqual([['completed', true, 1]]);
    expect(t.repos.strategies.getInternal(s.id)!.status).toBe('completed');
  });

  it('exits by stop-loss when the price falls to it, and the SELL job never fires', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:00:00Z', paper: { scripts: { 'NYSE:AAPL': [{ afterMs: 45 * 60_000, price: 94.5 }] } } });
    const s = await t.create({ stop_loss: 95 });
    await t.start(s.id);
    await t.until('2026-03-09T13:44:59Z');
    expect(t.run(s.id).state).toBe('IN_POSITION');
    await t.until('2026-03-09T13:45:00Z');
    const orders = t.orders(s.id);
    expect(orders.map((o) => o.leg)).toEqual(['BUY', 'STOPLOSS']);
    expect(orders[1]).toMatchObject({ status: 'filled', fillPrice: 94.5, scheduledAt: at('2026-03-09T13:45:00Z') });
    expect(t.run(s.id)).toMatchObject({ state: 'EXITED_BY_SL', exitLeg: 'STOPLOSS', positionQty: 0 });
    expect(t.eventsOf('stop_loss_triggered')).toEqual([expect.objectContaining({ price: 94.5, stopLoss: 95 })]);
    await t.until('2026-03-09T21:00:00Z');
    expect(t.orders(s.id)).toHaveLength(2);
    expect(t.paper.placedOrders()).toHaveLength(2);
    expect(t.eventsOf('exit_suppressed')).toEqual([]);
  });

  it('places exactly one exit when the stop-loss and the SELL time come in the same instant', async () => {
    const sellOffset = at('2026-03-09T19:55:00Z') - at('2026-03-09T13:00:00Z');
    t = await startTestEngine({ at: '2026-03-09T13:00:00Z', paper: { scripts: { 'NYSE:AAPL': [{ afterMs: sellOffset, price: 90 }] } } });
    const s = await t.create({ stop_loss: 95 });
    await t.start(s.id);
    await t.until('2026-03-09T19:55:00Z');
    await t.until('2026-03-09T19:56:00Z');
    const exits = t.orders(s.id).filter((o) => o.slot === 'exit');
    expect(exits).toHaveLength(1);
    expect(t.paper.placedOrders().filter((o) => o.request.side === 'sell')).toHaveLength(1);
    const suppressed = t.eventsOf('exit_suppressed');
    expect(suppressed).toHaveLength(1);
    expect(suppressed[0]!.leg).not.toBe(exits[0]!.leg);
    expect(t.run(s.id).positionQty).toBe(0);
  });

  it('serves a stop-loss before a SELL queued at the same moment', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:00:00Z' });
    const s = await t.create({ stop_loss: 95 });
    const run = await t.start(s.id);
    await t.until('2026-03-09T13:31:00Z');
    // Both exits reach the queue in one synchronous stretch; the queue decides, not arrival order.
    t.engine.execution.submit({ strategyId: s.id, runId: run.id, leg: 'SELL', legNo: 0, scheduledAt: t.clock.now() });
    t.engine.execution.submit({ strategyId: s.id, runId: run.id, leg: 'BUY', legNo: 0, scheduledAt: t.clock.now() });
    await t.engine.idle();
    expect(t.orders(s.id).map((o) => o.leg)).toEqual(['BUY', 'SELL']);
  });

  it('skips the BUY when the last price is already at or below the stop-loss', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:00:00Z', paper: { startPrices: { 'NYSE:AAPL': 94 } } });
    const s = await t.create({ stop_loss: 95 });
    await t.start(s.id);
    await t.until('2026-03-09T20:00:00Z');
    expect(t.orders(s.id)).toHaveLength(0);
    expect(t.run(s.id).state).toBe('SKIPPED');
    expect(t.run(s.id).reason).toMatch(/last price 94 was already at or below the stop-loss 95/);
    expect(t.eventsOf('buy_skipped')).toEqual([expect.objectContaining({ lastPrice: 94, stopLoss: 95 })]);
  });

  it('marks a BUY missed when the machine slept past the grace window, and does not chase it', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:00:00Z' });
    const s = await t.create({ buy_grace_seconds: 60 });
    await t.start(s.id);
    await t.until('2026-03-09T13:25:00Z');
    await t.clock.suspend(10 * 60_000); // wakes at 13:35, five minutes after the BUY time
    await t.until('2026-03-09T13:36:00Z');
    expect(t.orders(s.id)).toHaveLength(0);
    expect(t.run(s.id).state).toBe('MISSED_BUY');
    const [missed] = t.eventsOf('buy_missed');
    expect(missed!.lateByMs).toBeGreaterThan(60_000);
    expect(missed!.lateByMs).toBeLessThanOrEqual(5 * 60_000 + 30_000);
  });

  it('after a resume from sleep, exits at once a position whose SELL time passed while asleep', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:00:00Z' });
    const s = await t.create();
    await t.start(s.id);
    await t.until('2026-03-09T19:50:00Z');
    expect(t.run(s.id).state).toBe('IN_POSITION');
    await t.clock.suspend(20 * 60_000); // wakes at 20:10, the SELL was due at 19:55
    t.engine.onClockJump();
    await t.engine.idle();
    await t.clock.advance(1);
    const sell = t.orders(s.id).find((o) => o.leg === 'SELL')!;
    expect(sell).toMatchObject({ status: 'filled', scheduledAt: at('2026-03-09T19:55:00Z'), dispatchedAt: at('2026-03-09T20:10:00Z') });
    expect(t.run(s.id).state).toBe('SOLD');
  });

  it('after a resume, looks up an order whose answer was lost while asleep', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:00:00Z' });
    const s = await t.create();
    await t.start(s.id);
    t.paper.failNextPlace('unknown-but-accepted', { silent: true });
    await t.clock.advanceTo(at('2026-03-09T13:30:00Z'));
    expect(t.orders(s.id)[0]!.status).toBe('unknown');
    await t.clock.suspend(3_600_000);
    t.engine.onClockJump();
    await t.clock.advance(0);
    expect(t.orders(s.id)[0]!.status).toBe('filled');
  });

  it('still places a BUY that is late but inside the grace window', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:00:00Z' });
    const s = await t.create({ buy_grace_seconds: 60 });
    await t.start(s.id);
    await t.until('2026-03-09T13:29:50Z');
    await t.clock.suspend(30_000);
    await t.until('2026-03-09T13:31:00Z');
    expect(t.orders(s.id).map((o) => o.leg)).toEqual(['BUY']);
    expect(t.orders(s.id)[0]!.dispatchedAt! - t.orders(s.id)[0]!.scheduledAt).toBeLessThanOrEqual(60_000);
  });

  it('warms the broker connection 2.5 s before each trigger, off the whole seconds triggers fall on', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:00:00Z' });
    const warmed: number[] = [];
    Object.assign(t.paper.execution, { warm: async () => void warmed.push(t.clock.now()) });
    const s = await t.create();
    await t.start(s.id);
    await t.until('2026-03-09T20:00:00Z');
    expect(warmed).toEqual([at('2026-03-09T13:29:57.500Z'), at('2026-03-09T19:54:57.500Z')]);
  });

  it('rehearses the order\'s journal step at its warm-up, rolled back: nothing written, announced or mirrored', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:00:00Z' });
    const s = await t.create();
    await t.start(s.id);
    const inserts: string[] = [];
    const insert = t.repos.orders.insert.bind(t.repos.orders);
    t.repos.orders.insert = (input, now) => (inserts.push(input.leg), insert(input, now));
    const armed = t.run(s.id);
    const mirrored = await t.runtime.readRuntime(s.id);
    const eventCount = t.events.length;

    await t.until('2026-03-09T13:29:57.500Z');
    expect(inserts).toEqual(['BUY']); // the journal row was written inside the rehearsal…
    expect(t.orders(s.id)).toEqual([]); // …and rolled back with the run's move to BUYING
    expect(t.run(s.id)).toEqual(armed);
    expect(t.events.slice(eventCount)).toEqual([]);
    expect(await t.runtime.readRuntime(s.id)).toEqual(mirrored);
    expect(mirrored).toMatchObject({ state: 'ARMED' });
    expect(t.db.sqlite.inTransaction).toBe(false);

    await t.until('2026-03-09T13:30:01Z');
    expect(t.orders(s.id)).toEqual([expect.objectContaining({ leg: 'BUY', status: 'filled' })]);
    await t.until('2026-03-09T19:54:57.500Z');
    expect(inserts).toEqual(['BUY', 'BUY', 'SELL']); // the real BUY, then the SELL's rehearsal
    expect(t.orders(s.id).map((o) => o.leg)).toEqual(['BUY']);
    expect(t.run(s.id).state).toBe('IN_POSITION');
  });

  it('warns 30 min (less half a second) before the BUY when the broker\'s daily login is not valid, and never when it is', async () => {
    t = await startTestEngine({ at: '2026-03-09T12:00:00Z' });
    let session: BrokerSessionInfo = { state: 'expired', checkedAt: null, expiresAt: null, message: 'Kite login needed: log in again.' };
    const checks: number[] = [];
    Object.assign(t.paper, { login: { current: () => session, onChange: () => () => {}, check: async () => (checks.push(t.clock.now()), session), setAccessToken: () => {} } });
    const s = await t.create();
    await t.start(s.id);
    await t.until('2026-03-09T13:00:00.499Z');
    expect(t.eventsOf('broker_login_required')).toEqual([]);
    await t.until('2026-03-09T13:00:00.500Z');
    expect(checks).toEqual([at('2026-03-09T13:00:00.500Z')]);
    expect(t.eventsOf('broker_login_required')).toEqual([
      expect.objectContaining({ strategyId: s.id, state: 'expired', firstOrderAt: at('2026-03-09T13:30:00Z'), message: expect.stringMatching(/log in again.*AAPL places its next order at 09:30:00/) }),
    ]);
    const other = await t.create({ symbol: 'MSFT', buy_time: '10:00' });
    session = { state: 'valid', checkedAt: null, expiresAt: at('2026-03-10T00:30:00Z'), message: 'logged in' };
    await t.start(other.id);
    await t.until('2026-03-09T13:31:00Z');
    expect(t.eventsOf('broker_login_required')).toHaveLength(1);
  });

  it('arms for the next trading day when started after today\'s BUY time', async () => {
    t = await startTestEngine({ at: '2026-03-09T14:00:00Z' });
    const s = await t.create();
    const run = await t.start(s.id);
    expect(run).toMatchObject({ tradingDate: '2026-03-10', buyAt: at('2026-03-10T13:30:00Z') });
  });
});

describe('manual STOP', () => {
  it('before the BUY: no order, run stopped, runtime keys gone', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:00:00Z' });
    const s = await t.create();
    await t.start(s.id);
    const { strategy, run } = await t.engine.manager.stop(t.user.id, s.id);
    expect(strategy.status).toBe('stopped');
    // The stop is the run's last action, with its time: not the "ARMED" it had before.
    expect(run).toMatchObject({ state: 'STOPPED', lastAction: 'STOPPED', lastActionAt: at('2026-03-09T13:00:00Z') });
    await t.until('2026-03-09T21:00:00Z');
    expect(t.orders(s.id)).toHaveLength(0);
    expect(await t.runtime.readRuntime(s.id)).toBeNull();
    expect(await t.runtime.readStrategy(s.id)).toBeNull();
    expect(await t.runtime.strategiesOn('NYSE:AAPL')).toEqual([]);
  });

  it('in position: sells the position at once and never abandons it', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:00:00Z' });
    const s = await t.create();
    await t.start(s.id);
    await t.until('2026-03-09T14:00:00Z');
    await t.engine.manager.stop(t.user.id, s.id);
    await t.until('2026-03-09T14:00:00.001Z');
    expect(t.orders(s.id).map((o) => [o.leg, o.status])).toEqual([['BUY', 'filled'], ['MANUAL_EXIT', 'filled']]);
    expect(t.orders(s.id)[1]!.dispatchedAt).toBe(at('2026-03-09T14:00:00Z'));
    expect(t.run(s.id)).toMatchObject({ state: 'STOPPED', positionQty: 0, exitLeg: 'MANUAL_EXIT', lastAction: 'MANUAL_EXIT_FILLED' });
    await t.until('2026-03-09T21:00:00Z');
    expect(t.orders(s.id)).toHaveLength(2);
    expect(await t.runtime.readRuntime(s.id)).toBeNull();
  });

  it('in position with closePosition false: leaves the position open on record, says so', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:00:00Z' });
    const s = await t.create();
    await t.start(s.id);
    await t.until('2026-03-09T14:00:00Z');
    await t.engine.manager.stop(t.user.id, s.id, { closePosition: false });
    await t.until('2026-03-09T21:00:00Z');
    expect(t.orders(s.id).map((o) => o.leg)).toEqual(['BUY']);
    expect(t.run(s.id)).toMatchObject({ state: 'STOPPED', positionQty: 10, lastAction: 'STOPPED', lastActionAt: at('2026-03-09T14:00:00Z') });
    expect(t.run(s.id).reason).toMatch(/position of 10 left open at the trader's request/);
  });

  it('while the BUY is in flight: the fill is sold at once', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:00:00Z', paper: { fillLatencyMs: 2_000 } });
    const s = await t.create();
    await t.start(s.id);
    await t.until('2026-03-09T13:30:00.500Z');
    expect(t.run(s.id).state).toBe('BUYING');
    await t.engine.manager.stop(t.user.id, s.id);
    await t.until('2026-03-09T13:31:00Z');
    expect(t.orders(s.id).map((o) => [o.leg, o.status])).toEqual([['BUY', 'filled'], ['MANUAL_EXIT', 'filled']]);
    expect(t.run(s.id)).toMatchObject({ state: 'STOPPED', positionQty: 0 });
  });

  it('kill switch: stops every running strategy and sells every open position', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:00:00Z' });
    const inPosition = await t.create();
    const armed = await t.create({ symbol: 'MSFT', buy_time: '15:00' });
    const idle = await t.create({ symbol: 'IBM' });
    await t.start(inPosition.id);
    await t.start(armed.id);
    await t.until('2026-03-09T14:00:00Z');
    const stopped = await t.engine.manager.stopAll(t.user.id);
    await t.until('2026-03-09T14:00:01Z');
    expect(stopped.sort()).toEqual([inPosition.id, armed.id].sort());
    expect(t.run(inPosition.id)).toMatchObject({ state: 'STOPPED', positionQty: 0, exitLeg: 'MANUAL_EXIT' });
    expect(t.run(armed.id).state).toBe('STOPPED');
    expect(t.repos.strategies.getInternal(idle.id)!.status).toBe('idle');
    await t.until('2026-03-09T21:00:00Z');
    expect(t.paper.placedOrders()).toHaveLength(2);
  });

  it('refuses to stop a strategy that is not running, and to start one twice', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:00:00Z' });
    const s = await t.create();
    await expect(t.engine.manager.stop(t.user.id, s.id)).rejects.toMatchObject({ code: 'conflict' });
    await t.start(s.id);
    await expect(t.start(s.id)).rejects.toMatchObject({ code: 'conflict' });
  });
});

describe('daily repeat', () => {
  it('skips the weekend: Friday\'s run, then Monday\'s, each with its own client order ids', async () => {
    t = await startTestEngine({ at: '2026-03-13T13:00:00Z' });
    const s = await t.create({ repeat: 'daily' });
    await t.start(s.id);
    await t.until('2026-03-13T20:00:00Z');
    const next = t.run(s.id);
    expect(next).toMatchObject({ state: 'ARMED', tradingDate: '2026-03-16', buyAt: at('2026-03-16T13:30:00Z') });
    await t.until('2026-03-16T20:00:00Z');
    const orders = t.orders(s.id);
    expect(orders.map((o) => o.clientOrderId)).toEqual(['tctest011260313E', 'tctest011260313X', 'tctest011260316E', 'tctest011260316X']);
    expect(t.paper.placedOrders().filter((o) => o.placedAt >= at('2026-03-14T00:00:00Z') && o.placedAt < at('2026-03-16T00:00:00Z'))).toHaveLength(0);
    expect(t.repos.strategies.getInternal(s.id)!.status).toBe('running');
  });

  it('keeps 09:30 New York time across the DST change (EST Friday, EDT Monday)', async () => {
    t = await startTestEngine({ at: '2026-03-06T14:00:00Z' });
    const s = await t.create({ repeat: 'daily', timezone: 'America/New_York' });
    const first = await t.start(s.id);
    expect(first.buyAt).toBe(at('2026-03-06T14:30:00Z'));
    await t.until('2026-03-06T21:00:00Z');
    expect(t.run(s.id)).toMatchObject({ tradingDate: '2026-03-09', buyAt: at('2026-03-09T13:30:00Z'), sellAt: at('2026-03-09T19:55:00Z') });
    await t.until('2026-03-09T13:30:00Z');
    expect(t.orders(s.id).at(-1)).toMatchObject({ leg: 'BUY', scheduledAt: at('2026-03-09T13:30:00Z') });
  });

  it('arms the next day after a BUY the broker rejected', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:00:00Z' });
    const s = await t.create({ repeat: 'daily' });
    await t.start(s.id);
    t.paper.failNextPlace('reject');
    await t.until('2026-03-09T13:31:00Z');
    const runs = t.repos.runs.listForStrategy(t.user.id, s.id, 10);
    expect(runs.map((r) => [r.tradingDate, r.state])).toEqual([['2026-03-10', 'ARMED'], ['2026-03-09', 'ERROR']]);
    expect(runs[1]!.reason).toMatch(/BUY rejected: /);
  });
});

describe('ambiguous broker answers', () => {
  it('resolves a BUY whose answer was lost by looking it up, and never sends it twice', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:00:00Z' });
    const s = await t.create();
    await t.start(s.id);
    t.paper.failNextPlace('unknown-but-accepted', { silent: true });
    await t.until('2026-03-09T13:30:00Z');
    expect(t.orders(s.id)[0]!.status).toBe('unknown');
    expect(t.eventsOf('order_unknown')).toHaveLength(1);
    await t.until('2026-03-09T13:30:05Z');
    expect(t.orders(s.id)[0]).toMatchObject({ status: 'filled', fillPrice: 100 });
    expect(t.run(s.id).state).toBe('IN_POSITION');
    expect(t.paper.placedOrders()).toHaveLength(1);
  });

  it('places an order the broker never received once more, with the same client order id', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:00:00Z' });
    const s = await t.create();
    await t.start(s.id);
    t.paper.failNextPlace('unknown');
    await t.until('2026-03-09T13:30:00Z');
    expect(t.paper.placedOrders()).toHaveLength(0);
    await t.until('2026-03-09T13:31:00Z');
    expect(t.paper.placedOrders().map((o) => o.request.clientOrderId)).toEqual(['tctest011260309E']);
    expect(t.run(s.id).state).toBe('IN_POSITION');
  });
});

describe('a burst of orders in one second', () => {
  /** Three strategies with the same BUY second; the engine may have one order with the broker at a time. */
  async function threeStrategies(): Promise<StrategyId[]> {
    t = await startTestEngine({ at: '2026-03-09T13:00:00Z', execution: { maxInFlight: 1 } });
    const ids: StrategyId[] = [];
    for (const qty of [1, 2, 3]) {
      const s = await t.create({ qty });
      await t.start(s.id);
      ids.push(s.id);
    }
    return ids;
  }
  const statuses = (ids: readonly StrategyId[]) => ids.flatMap((id) => t.orders(id).map((o) => o.status));
  /** Answers an order the test's broker holds; called after each test too, so that a failed one does not hang the engine's stop. */
  let answer: (() => void) | undefined;
  afterEach(() => answer?.());

  it('sends the orders that wait for a slot before writing the broker answers, then writes them all', async () => {
    const ids = await threeStrategies();
    const seen: string[][] = [];
    const place = t.paper.execution.placeOrder.bind(t.paper.execution);
    t.paper.execution.placeOrder = (req) => (seen.push(statuses(ids)), place(req));
    await t.until('2026-03-09T13:30:00Z');
    // Each order's slot freed at the broker's answer, and the answers waited until no order was
    // queued: the second went out before the first's answer was written, and the third, which left
    // the queue empty, after both answers.
    expect(seen).toEqual([['pending'], ['pending', 'pending'], ['accepted', 'accepted', 'pending']]);
    await t.until('2026-03-09T13:30:05Z');
    expect(statuses(ids)).toEqual(['filled', 'filled', 'filled']);
    expect(ids.map((id) => t.run(id).state)).toEqual(['IN_POSITION', 'IN_POSITION', 'IN_POSITION']);
    expect(t.eventsOf('order_accepted')).toHaveLength(3);
  });

  it('writes the answers after 1 s even while an order waits behind a broker that has not answered', async () => {
    const ids = await threeStrategies();
    const place = t.paper.execution.placeOrder.bind(t.paper.execution);
    t.paper.execution.placeOrder = (req) =>
      req.qty === 2
        ? new Promise((resolve) => {
            answer = () => {
              answer = undefined;
              resolve(place(req));
            };
          })
        : place(req);
    // Not `until`: the engine is not idle while the broker holds an order.
    await t.clock.advanceTo(at('2026-03-09T13:30:00.999Z'));
    expect(statuses(ids)).toEqual(['pending', 'pending']); // the third waits for the slot
    await t.clock.advanceTo(at('2026-03-09T13:30:01.500Z'));
    expect(statuses(ids)).toEqual(['filled', 'pending']);
    expect(t.run(ids[0]!).state).toBe('IN_POSITION');
    answer!();
    await t.until('2026-03-09T13:30:05Z');
    expect(statuses(ids)).toEqual(['filled', 'filled', 'filled']);
  });

  it('once the 1 s has passed, writes the whole backlog of answers while orders still queue, not 64 a second', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:00:00Z', execution: { maxInFlight: 1 } });
    const ids: StrategyId[] = [];
    for (let qty = 1; qty <= 300; qty++) {
      const s = await t.create({ qty });
      await t.start(s.id);
      ids.push(s.id);
    }
    // The broker answers each order 5 ms later: 200 orders a second, one at a time, so the queue
    // stays non-empty for 1.5 s.
    const place = t.paper.execution.placeOrder.bind(t.paper.execution);
    t.paper.execution.placeOrder = (req) => new Promise((resolve) => t.clock.setTimer(5, () => resolve(place(req))));
    const written = () => statuses(ids).filter((s) => s !== 'pending').length;
    await t.clock.advanceTo(at('2026-03-09T13:30:00.990Z'));
    expect(written()).toBe(0); // a burst: the answers wait behind the queued orders
    await t.clock.advanceTo(at('2026-03-09T13:30:01.400Z'));
    const sent = statuses(ids).length;
    expect(sent).toBeLessThan(300); // orders still queue…
    expect(written()).toBeGreaterThan(sent - 10); // …and every answer that came is written
    await t.until('2026-03-09T13:30:05Z');
    expect(new Set(statuses(ids))).toEqual(new Set(['filled']));
  });
});
