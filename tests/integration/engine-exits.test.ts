/**
 * Invariants 8 and 9 on the paper broker and a fake clock: an exit sells the position where it
 * was bought, whatever the strategy record says now; "not placed yet" never ends an order; an
 * exit refused for a reason that may pass is tried again as a numbered attempt for what is still
 * held, and one refused for good ends in ERROR with the reason (the bound of 9 attempts is in
 * exit-attempts-paper.test.ts). Each test says what the engine before this change did.
 * Monday 2026-03-09, New York: BUY 09:30 (13:30Z), SELL 15:55 (19:55Z).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../support/engine-harness';
import { EXIT_RETRY_MS } from '../../engine/execution/apply-report';
import type { Strategy } from '../../engine/core/types';
import type { StoredStrategySpec } from '../../engine/core/strategy-spec';

const at = (iso: string) => Date.parse(iso);
let t: TestEngine;
afterEach(async () => t?.close());


async function advance(ms: number): Promise<void> {
  await t.clock.advance(ms);
  await t.engine.idle();
}

/** Bought 10 AAPL at 09:30 on the paper account; the strategy is running. */
async function inPosition(body: Record<string, unknown> = {}): Promise<Strategy> {
  t = await startTestEngine({ at: '2026-03-09T13:00:00Z' });
  const s = await t.create(body);
  await t.start(s.id);
  await t.until('2026-03-09T13:30:00Z');
  expect(t.run(s.id)).toMatchObject({ state: 'IN_POSITION', positionQty: 10 });
  return s;
}

/** What the broker holds, as (side, symbol, qty, client order id) rows. */
const brokerRecord = () => t.paper.placedOrders().map((o) => [o.request.side, o.request.instrument.symbol, o.request.qty, o.request.clientOrderId]);

/** The strategy row rewritten behind the engine's back, as an edit before this change could. */
function rewriteStrategy(s: Strategy, patch: Partial<Pick<StoredStrategySpec, 'symbol' | 'qty' | 'stop_loss'>>): void {
  const now = t.repos.strategies.getInternal(s.id)!;
  t.repos.strategies.update(t.user.id, s.id, { spec: { ...now.spec, ...patch } }, t.clock.now());
}

describe('an exit is a function of the position (invariant 8)', () => {
  it('an edit is refused while the run is in position, and allowed once STOP left the position open on purpose', async () => {
    const s = await inPosition();
    await expect(t.engine.strategies.update(t.user.id, s.id, { symbol: 'MSFT' })).rejects.toMatchObject({ code: 'conflict' });
    // STOP with the position left open: before, the strategy was no longer 'running' and the edit went through.
    await t.engine.manager.stop(t.user.id, s.id, { closePosition: false });
    expect(t.run(s.id).state).toBe('STOPPED');
    // The day is over for that run (left open on purpose): editing is allowed again.
    expect((await t.engine.strategies.update(t.user.id, s.id, { qty: 5 })).spec.qty).toBe(5);
  });

  it('refuses an edit after STOP while the BUY is still working, and the exit sells what was bought', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:00:00Z', paper: { fillLatencyMs: 5_000 } });
    const s = await t.create();
    await t.start(s.id);
    await t.until('2026-03-09T13:30:00.500Z');
    expect(t.run(s.id).state).toBe('BUYING');
    await t.engine.manager.stop(t.user.id, s.id);
    // Before: 200, and the exit after the fill sold MSFT.
    await expect(t.engine.strategies.update(t.user.id, s.id, { symbol: 'MSFT' })).rejects.toThrow(/cannot be edited while its last run is BUYING/);
    await t.until('2026-03-09T13:30:10Z');
    expect(brokerRecord()).toEqual([
      ['buy', 'AAPL', 10, 'tctest011260309E'],
      ['sell', 'AAPL', 10, 'tctest011260309X'],
    ]);
    expect(t.run(s.id)).toMatchObject({ state: 'STOPPED', positionQty: 0 });
  });

  it.each([
    ['the SELL at its time', async () => t.until('2026-03-09T19:55:00Z'), 'SOLD'],
    ['the manual STOP', async (s: Strategy) => (await t.engine.manager.stop(t.user.id, s.id), t.until('2026-03-09T13:31:00Z')), 'STOPPED'],
    ['the kill switch', async () => (await t.engine.manager.stopAll(t.user.id), t.until('2026-03-09T13:31:00Z')), 'STOPPED'],
    ['the stop-loss', async () => (t.paper.setPrice('NYSE:AAPL', 90), t.until('2026-03-09T13:32:00Z')), 'EXITED_BY_SL'],
  ] as const)('%s sells the bought symbol and quantity even if the strategy record says otherwise', async (_what, exit, final) => {
    const s = await inPosition();
    // Before: decide() built the exit from the strategy record: sell MSFT x3 after buying AAPL x10.
    rewriteStrategy(s, { symbol: 'MSFT', qty: 3 });
    await exit(s);
    expect(t.run(s.id)).toMatchObject({ state: final, positionQty: 0 });
    expect(brokerRecord()).toEqual([
      ['buy', 'AAPL', 10, 'tctest011260309E'],
      ['sell', 'AAPL', 10, 'tctest011260309X'],
    ]);
  });

  it('the stop-loss armed at the BUY\'s fill watches what was bought, even if the row changed while the BUY was working', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:00:00Z', paper: { fillLatencyMs: 5_000 } });
    const s = await t.create();
    await t.start(s.id);
    await t.until('2026-03-09T13:30:01Z');
    expect(t.run(s.id).state).toBe('BUYING');
    // Before: afterEntryFill armed the stop on the row's symbol (MSFT), so AAPL falling sold nothing.
    rewriteStrategy(s, { symbol: 'MSFT', qty: 3 });
    await t.until('2026-03-09T13:30:10Z');
    expect(t.run(s.id).state).toBe('IN_POSITION');
    t.paper.setPrice('NYSE:MSFT', 90);
    await t.until('2026-03-09T13:31:00Z');
    expect(t.run(s.id).state).toBe('IN_POSITION');
    t.paper.setPrice('NYSE:AAPL', 90);
    await t.until('2026-03-09T13:32:00Z');
    expect(t.run(s.id)).toMatchObject({ state: 'EXITED_BY_SL', positionQty: 0 });
    expect(brokerRecord()).toEqual([
      ['buy', 'AAPL', 10, 'tctest011260309E'],
      ['sell', 'AAPL', 10, 'tctest011260309X'],
    ]);
  });

  it('recovery after a restart exits the bought symbol, and watches its prices for the stop-loss', async () => {
    const s = await inPosition();
    rewriteStrategy(s, { symbol: 'MSFT', qty: 3 });
    t = await t.restart();
    await t.engine.recover();
    await advance(0);
    // The runtime mirror names the position's symbol too, not the row's.
    expect(await t.runtime.strategiesOn('NYSE:AAPL')).toEqual([s.id]);
    expect(await t.runtime.strategiesOn('NYSE:MSFT')).toEqual([]);
    t.paper.setPrice('NYSE:AAPL', 90);
    await t.until('2026-03-09T13:40:00Z');
    expect(t.run(s.id)).toMatchObject({ state: 'EXITED_BY_SL', positionQty: 0 });
    expect(t.orders(s.id).map((o) => [o.leg, o.symbol, o.qty])).toEqual([
      ['BUY', 'AAPL', 10],
      ['STOPLOSS', 'AAPL', 10],
    ]);
    // Torn down where it was armed: nothing left behind under either symbol.
    expect(await t.runtime.strategiesOn('NYSE:AAPL')).toEqual([]);
  });
});

describe('an unfinished run trades by its own plan (runs.plan), never the strategy row (invariant 8)', () => {
  it('the BUY, the stop armed at its fill and the stop-loss exit follow the plan the run was armed with', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:00:00Z' });
    const s = await t.create();
    await t.start(s.id);
    expect(t.run(s.id).plan).toMatchObject({ symbol: 'AAPL', qty: 10, stop_loss: 95, stop_loss_mode: 'price', buy_grace_seconds: 60 });
    // Before: the BUY and the stop read the row, so this armed run bought 3 and watched 80.
    rewriteStrategy(s, { qty: 3, stop_loss: 80 });
    await t.until('2026-03-09T13:30:00Z');
    expect(t.run(s.id)).toMatchObject({ state: 'IN_POSITION', positionQty: 10 });
    t.paper.setPrice('NYSE:AAPL', 90);
    await t.until('2026-03-09T13:31:00Z');
    expect(t.run(s.id)).toMatchObject({ state: 'EXITED_BY_SL', positionQty: 0 });
    expect(brokerRecord()).toEqual([
      ['buy', 'AAPL', 10, 'tctest011260309E'],
      ['sell', 'AAPL', 10, 'tctest011260309X'],
    ]);
  });

  it('recovery re-arms the stop of the plan, not of a row changed while the process was down', async () => {
    const s = await inPosition();
    rewriteStrategy(s, { stop_loss: 80 });
    t = await t.restart();
    await t.engine.recover();
    await advance(0);
    t.paper.setPrice('NYSE:AAPL', 90);
    await t.until('2026-03-09T13:40:00Z');
    expect(t.run(s.id)).toMatchObject({ state: 'EXITED_BY_SL', positionQty: 0 });
    expect(t.orders(s.id).map((o) => [o.leg, o.symbol, o.qty])).toEqual([
      ['BUY', 'AAPL', 10],
      ['STOPLOSS', 'AAPL', 10],
    ]);
  });

  it('a run armed before runs kept a plan (plan null) still trades by its strategy row, as it did', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:00:00Z' });
    const s = await t.create();
    const run = await t.start(s.id);
    t.db.sqlite.prepare('UPDATE runs SET plan = NULL WHERE id = ?').run(run.id);
    rewriteStrategy(s, { stop_loss: 80 });
    await t.until('2026-03-09T13:30:00Z');
    t.paper.setPrice('NYSE:AAPL', 90);
    await t.until('2026-03-09T13:31:00Z');
    expect(t.run(s.id)).toMatchObject({ state: 'IN_POSITION', plan: null });
    t.paper.setPrice('NYSE:AAPL', 79);
    await t.until('2026-03-09T13:32:00Z');
    expect(t.run(s.id)).toMatchObject({ state: 'EXITED_BY_SL', positionQty: 0 });
  });
});

describe('"not placed yet" never ends an order (invariant 9)', () => {
  it('a SELL met by rate limits is placed again under the same id until it goes out', async () => {
    const s = await inPosition();
    for (let i = 0; i < 6; i++) t.paper.failNextPlace('rate-limit');
    await t.until('2026-03-09T19:55:00Z');
    // Before: the unknown answer was looked up (nothing found) and the order resent after the lookups; no notPlaced class.
    expect(t.run(s.id).state).toBe('EXITING');
    await t.until('2026-03-09T19:57:00Z');
    expect(t.run(s.id)).toMatchObject({ state: 'SOLD', positionQty: 0 });
    expect(brokerRecord()).toEqual([
      ['buy', 'AAPL', 10, 'tctest011260309E'],
      ['sell', 'AAPL', 10, 'tctest011260309X'],
    ]);
    expect(t.eventsOf('order_not_sent').length).toBeGreaterThan(0);
    expect(t.eventsOf('order_unknown')).toEqual([]);
  });

  it('a BUY rate-limited past its grace ends MISSED_BUY with the reason, nothing bought', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:00:00Z' });
    const s = await t.create({ buy_grace_seconds: 5 });
    await t.start(s.id);
    for (let i = 0; i < 20; i++) t.paper.failNextPlace('rate-limit');
    await t.until('2026-03-09T13:31:00Z');
    expect(t.paper.placedOrders()).toEqual([]);
    // Before: ERROR with a made-up rejection ("rejected: not chased").
    expect(t.run(s.id)).toMatchObject({ state: 'MISSED_BUY', positionQty: 0, reason: expect.stringMatching(/never reached the broker.*5 s grace ran out/) });
    expect(t.orders(s.id)[0]).toMatchObject({ status: 'cancelled' });
  });

  it('a BUY whose broker names a wait of hours (a day\'s order cap) is missed at the end of its grace, not hours later', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:00:00Z' });
    const s = await t.create({ buy_grace_seconds: 30 });
    await t.start(s.id);
    Object.assign(t.paper.execution, { placeOrder: async () => ({ kind: 'unknown', reason: 'daily order cap reached', notPlaced: true, retryAfterMs: 6 * 3_600_000 }) });
    await t.until('2026-03-09T13:30:31Z');
    expect(t.run(s.id)).toMatchObject({ state: 'MISSED_BUY', reason: expect.stringMatching(/30 s grace ran out/) });
  });
});

describe('an exit refused for a reason that may pass is tried again (invariant 9)', () => {
  it('refused once, then sold by attempt 2 under its own id; the journal and the audit log show both', async () => {
    const s = await inPosition();
    t.paper.failNextPlace('reject');
    await t.until('2026-03-09T19:55:00Z');
    // Before: ERROR with the position open, and no SELL ever again.
    expect(t.run(s.id)).toMatchObject({ state: 'EXITING', positionQty: 10, reason: expect.stringMatching(/attempt 1 rejected.*Attempt 2/) });
    const [retry] = t.eventsOf('exit_retry_scheduled');
    expect(retry).toMatchObject({ leg: 'SELL', attempt: 1, remainingQty: 10, nextAttemptAt: at('2026-03-09T19:55:00Z') + EXIT_RETRY_MS[0] });
    await advance(EXIT_RETRY_MS[0]);
    expect(t.run(s.id)).toMatchObject({ state: 'SOLD', positionQty: 0 });
    expect(t.orders(s.id).map((o) => [o.leg, o.attempt, o.status, o.clientOrderId])).toEqual([
      ['BUY', 1, 'filled', 'tctest011260309E'],
      ['SELL', 1, 'rejected', 'tctest011260309X'],
      ['SELL', 2, 'filled', 'tctest0112603092'],
    ]);
    expect(brokerRecord()).toEqual([
      ['buy', 'AAPL', 10, 'tctest011260309E'],
      ['sell', 'AAPL', 10, 'tctest0112603092'],
    ]);
    const logged = t.repos.events.list(t.user.id, { strategyId: s.id, limit: 100 }).map((e) => e.type);
    expect(logged).toContain('exit_retry_scheduled');
    expect(logged.filter((e) => e === 'order_submitted')).toHaveLength(3);
  });

  it('a refusal that cannot pass ends in ERROR at once, with the reason, and no second attempt', async () => {
    const s = await inPosition();
    t.paper.failNextPlace('reject-lasting');
    await t.until('2026-03-09T19:55:00Z');
    await advance(5 * 60_000);
    expect(t.run(s.id)).toMatchObject({ state: 'ERROR', positionQty: 10, reason: expect.stringMatching(/no position to sell.*will not pass.*close it at the broker/) });
    expect(t.orders(s.id).filter((o) => o.slot === 'exit')).toHaveLength(1);
    expect(t.eventsOf('exit_retry_scheduled')).toEqual([]);
  });

  it('a STOP from ERROR (an exit refused for good) tries again; before, it was suppressed as a second exit', async () => {
    const s = await inPosition();
    t.paper.failNextPlace('reject-lasting');
    await t.until('2026-03-09T19:55:00Z');
    expect(t.run(s.id).state).toBe('ERROR');
    await t.engine.manager.stop(t.user.id, s.id);
    await advance(1_000);
    expect(t.run(s.id)).toMatchObject({ state: 'STOPPED', positionQty: 0 });
    expect(brokerRecord()).toEqual([
      ['buy', 'AAPL', 10, 'tctest011260309E'],
      ['sell', 'AAPL', 10, 'tctest0112603092'],
    ]);
  });

  it('a restart while the next attempt waits makes it at once', async () => {
    const s = await inPosition();
    t.paper.failNextPlace('reject');
    await t.until('2026-03-09T19:55:00Z');
    expect(t.run(s.id).state).toBe('EXITING');
    t = await t.restart();
    await t.engine.recover();
    await advance(0);
    expect(t.run(s.id)).toMatchObject({ state: 'SOLD', positionQty: 0 });
    expect(t.orders(s.id).map((o) => o.attempt)).toEqual([1, 1, 2]);
  });
});


/** What the paper broker holds, with each order's final status. */
const brokerBook = () => t.paper.placedOrders().map((o) => [o.request.side, o.request.qty, o.request.clientOrderId, o.report.status]);

describe('no exit is lost to a stuck run, and none sells twice (review of the change)', () => {
  it('a BUY whose answer never came, with lookups failing past its grace, is not given up: its fill is found and exited', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:00:00Z' });
    const s = await t.create({ buy_grace_seconds: 5 });
    await t.start(s.id);
    t.paper.failNextPlace('unknown-but-accepted', { silent: true });
    const realLookup = t.paper.execution.lookupOrder.bind(t.paper.execution);
    let lookupsDown = true;
    Object.assign(t.paper.execution, { lookupOrder: async (id: string) => (lookupsDown ? Promise.reject(new Error('HTTP 503')) : realLookup(id)) });
    await t.until('2026-03-09T13:30:20Z');
    // Before: after the grace the BUY was written off (MISSED_BUY, order cancelled) and its fill dropped, position open for good.
    expect(t.run(s.id).state).toBe('BUYING');
    lookupsDown = false;
    await t.until('2026-03-09T13:31:00Z');
    expect(t.run(s.id)).toMatchObject({ state: 'IN_POSITION', positionQty: 10 });
    await t.until('2026-03-09T19:55:00Z');
    expect(t.run(s.id)).toMatchObject({ state: 'SOLD', positionQty: 0 });
    expect(brokerBook()).toEqual([
      ['buy', 10, 'tctest011260309E', 'filled'],
      ['sell', 10, 'tctest011260309X', 'filled'],
    ]);
  });

  it('a fill reported on an entry the journal gave up is told to the trader at once', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:00:00Z' });
    const s = await t.create({ buy_grace_seconds: 5 });
    await t.start(s.id);
    for (let i = 0; i < 20; i++) t.paper.failNextPlace('rate-limit');
    await t.until('2026-03-09T13:30:10Z');
    expect(t.run(s.id).state).toBe('MISSED_BUY');
    const [buy] = t.orders(s.id);
    t.engine.execution.applyReport(t.account.id, { clientOrderId: buy!.clientOrderId, brokerOrderId: 'late', status: 'filled', filledQty: 10, avgFillPrice: 100, at: t.clock.now(), reason: null });
    expect(t.eventsOf('order_unknown').at(-1)?.reason).toMatch(/reports 10 bought .* ended as cancelled: check the position in AAPL at the broker/);
  });

  it('an exit cancelled at the broker with nothing sold (perhaps by the trader, to sell by hand) is not sold again on its own', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:00:00Z', paper: { fillLatencyMs: 30_000 } });
    const s = await t.create();
    await t.start(s.id);
    await t.until('2026-03-09T13:31:00Z');
    await t.until('2026-03-09T19:55:05Z');
    const sell = t.orders(s.id).find((o) => o.slot === 'exit')!;
    await t.paper.execution.cancelOrder(sell.clientOrderId);
    await t.until('2026-03-09T20:30:00Z');
    // Before this mend: attempt 2 sold 10 more (20 sold of 10 bought once the trader had sold by hand).
    expect(brokerBook()).toEqual([
      ['buy', 10, 'tctest011260309E', 'filled'],
      ['sell', 10, 'tctest011260309X', 'cancelled'],
    ]);
    expect(t.run(s.id)).toMatchObject({ state: 'ERROR', positionQty: 10, reason: expect.stringMatching(/nothing sold, perhaps from its own app; if that was not you, press STOP/) });
  });

  it('an exit that cannot get its strategy lock is submitted again, and STOP during the wait sells at once', async () => {
    const s = await inPosition();
    const real = t.runtime.acquireLock.bind(t.runtime);
    let refusals = 2;
    Object.assign(t.runtime, { acquireLock: async (...a: Parameters<typeof real>) => (refusals-- > 0 ? false : real(...a)) });
    await t.until('2026-03-09T19:55:00Z');
    // Before: the SELL intent was dropped with a log line, and the position stayed open.
    await t.until('2026-03-09T19:55:10Z');
    expect(t.run(s.id)).toMatchObject({ state: 'SOLD', positionQty: 0 });
  });

  it('STOP while the next exit attempt waits makes it at once', async () => {
    const s = await inPosition();
    t.paper.failNextPlace('reject');
    await t.until('2026-03-09T19:55:00Z');
    expect(t.run(s.id).state).toBe('EXITING');
    await t.engine.manager.stop(t.user.id, s.id);
    await advance(0);
    expect(t.run(s.id)).toMatchObject({ state: 'STOPPED', positionQty: 0 });
    expect(t.orders(s.id).at(-1)).toMatchObject({ leg: 'MANUAL_EXIT', attempt: 2, status: 'filled' });
  });

  it('a stopped strategy still holding a position after a refused exit: STOP tries again, the kill switch too, and close_position false ends the run', async () => {
    const s = await inPosition();
    t.paper.failNextPlace('reject-lasting');
    await t.engine.manager.stop(t.user.id, s.id);
    await advance(1_000);
    expect(t.run(s.id)).toMatchObject({ state: 'ERROR', positionQty: 10 });
    // Before: 409 "strategy is not running", START 409, the kill switch skipped it, edit 409 for good.
    t.paper.failNextPlace('reject-lasting');
    await t.engine.manager.stop(t.user.id, s.id);
    await advance(1_000);
    expect(t.orders(s.id).filter((o) => o.slot === 'exit').map((o) => o.attempt)).toEqual([1, 2]);
    expect(t.run(s.id).state).toBe('ERROR');
    expect(await t.engine.manager.stopAll(t.user.id)).toEqual([s.id]);
    await advance(1_000);
    expect(t.run(s.id)).toMatchObject({ state: 'STOPPED', positionQty: 0 });
    expect(brokerBook()).toEqual([
      ['buy', 10, 'tctest011260309E', 'filled'],
      ['sell', 10, 'tctest0112603093', 'filled'],
    ]);
  });

  it('close_position false acknowledges a position closed by hand at the broker: the run ends and the strategy can be edited', async () => {
    const s = await inPosition();
    t.paper.failNextPlace('reject-lasting');
    await t.until('2026-03-09T19:55:00Z');
    expect(t.run(s.id).state).toBe('ERROR');
    await expect(t.engine.strategies.update(t.user.id, s.id, { qty: 5 })).rejects.toMatchObject({ code: 'conflict' });
    await t.engine.manager.stop(t.user.id, s.id, { closePosition: false });
    expect(t.run(s.id)).toMatchObject({ state: 'STOPPED', reason: expect.stringMatching(/left open at the trader's request/) });
    expect((await t.engine.strategies.update(t.user.id, s.id, { qty: 5 })).spec.qty).toBe(5);
  });

  it('a crash after STOP from ERROR, before its exit was journaled: recovery carries the STOP out', async () => {
    const s = await inPosition();
    t.paper.failNextPlace('reject-lasting');
    await t.until('2026-03-09T19:55:00Z');
    expect(t.run(s.id).state).toBe('ERROR');
    const real = t.engine.execution.submit.bind(t.engine.execution);
    Object.assign(t.engine.execution, { submit: () => {} });
    await t.engine.manager.stop(t.user.id, s.id);
    Object.assign(t.engine.execution, { submit: real });
    t = await t.restart();
    await t.engine.recover();
    await advance(1_000);
    expect(t.run(s.id)).toMatchObject({ state: 'STOPPED', positionQty: 0 });
    expect(t.orders(s.id).at(-1)).toMatchObject({ leg: 'MANUAL_EXIT', attempt: 2, status: 'filled' });
  });

  it('STOP and keep while the BUY is at the broker: the fill is kept, never sold, and the run ends STOPPED saying so; a restart sells nothing either', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:00:00Z', paper: { fillLatencyMs: 5_000 } });
    const s = await t.create();
    await t.start(s.id);
    await t.until('2026-03-09T13:30:00.500Z');
    expect(t.run(s.id).state).toBe('BUYING');
    // What POST /strategy/stop with close_position false calls.
    await t.engine.manager.stop(t.user.id, s.id, { closePosition: false });
    expect(t.run(s.id)).toMatchObject({ state: 'BUYING', stopRequested: true, stopKeep: true });
    await t.until('2026-03-09T13:30:10Z');
    // Before: the fill was sold at once by a MANUAL_EXIT, though the trader said to keep it.
    expect(brokerRecord()).toEqual([['buy', 'AAPL', 10, 'tctest011260309E']]);
    expect(t.run(s.id)).toMatchObject({ state: 'STOPPED', positionQty: 10, entryPrice: expect.any(Number), reason: "stopped by the trader; position of 10 left open at the trader's request" });
    // No stop armed, no time exit: a crash through the stop-loss and past the SELL time sells nothing.
    t.paper.setPrice('NYSE:AAPL', 90);
    await t.until('2026-03-09T19:56:00Z');
    expect(brokerRecord()).toEqual([['buy', 'AAPL', 10, 'tctest011260309E']]);
    t = await t.restart();
    await t.engine.recover();
    await t.until('2026-03-09T19:57:00Z');
    expect(t.paper.placedOrders()).toEqual([]);
    expect(t.orders(s.id).map((o) => o.leg)).toEqual(['BUY']);
    expect(t.run(s.id)).toMatchObject({ state: 'STOPPED', positionQty: 10 });
  });

  it('STOP while the BUY is rate-limited (never placed) ends the run with nothing bought', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:00:00Z' });
    const s = await t.create();
    await t.start(s.id);
    t.paper.failNextPlace('rate-limit');
    await t.until('2026-03-09T13:30:00.100Z');
    expect(t.run(s.id).state).toBe('BUYING');
    await t.engine.manager.stop(t.user.id, s.id);
    await t.until('2026-03-09T13:31:00Z');
    // Before: the BUY was placed a second later, then sold: a round trip the trader had stopped.
    expect(t.paper.placedOrders()).toEqual([]);
    expect(t.run(s.id)).toMatchObject({ state: 'STOPPED', reason: expect.stringMatching(/before the BUY reached the broker/) });
  });

  it('the exit price of a run sold in two attempts is the average of both, weighted by quantity', async () => {
    const s = await inPosition();
    await t.until('2026-03-09T19:55:00Z');
    const [sell] = t.orders(s.id).filter((o) => o.slot === 'exit');
    // Rewound to "working" so that the report below decides how the attempt ended.
    t.repos.orders.update(sell!.id, { status: 'accepted', filledQty: 0, fillPrice: null, filledAt: null }, t.clock.now());
    t.repos.runs.update(t.run(s.id).id, { state: 'EXITING', positionQty: 10, exitLeg: null, exitPrice: null }, t.clock.now());
    // The broker's book agrees: 6 still held.
    Object.assign(t.paper.execution, { netQty: async () => 6 });
    t.engine.execution.applyReport(t.account.id, { clientOrderId: sell!.clientOrderId, brokerOrderId: 'p1', status: 'cancelled', filledQty: 4, avgFillPrice: 110, at: t.clock.now(), reason: 'rest cancelled by the exchange' });
    expect(t.run(s.id)).toMatchObject({ state: 'EXITING', positionQty: 6, exitPrice: 110 });
    await advance(EXIT_RETRY_MS[0]);
    expect(t.orders(s.id).at(-1)).toMatchObject({ attempt: 2, qty: 6, fillPrice: 100, status: 'filled' });
    expect(t.run(s.id)).toMatchObject({ state: 'SOLD', positionQty: 0, exitPrice: 104 });
  });
});

describe('a new exit attempt sells at most what the broker says is held', () => {
  it('all sold by hand during the wait: attempt 2 is not sent, the run is ERROR saying so', async () => {
    const s = await inPosition();
    t.paper.failNextPlace('reject');
    await t.until('2026-03-09T19:55:00Z');
    t.paper.sellByHand('NYSE:AAPL', 10);
    await advance(EXIT_RETRY_MS[0]);
    // Before: attempt 2 sold 10 more, a short of 10.
    expect(brokerRecord()).toEqual([['buy', 'AAPL', 10, 'tctest011260309E']]);
    expect(t.run(s.id)).toMatchObject({ state: 'ERROR', reason: expect.stringMatching(/no AAPL left to sell at the broker/) });
    expect(t.eventsOf('exit_suppressed').at(-1)?.reason).toMatch(/attempt 2 not sent/);
  });

  it('more sold by hand than held (the account is now short): attempt 2 sells nothing, the run is ERROR', async () => {
    const s = await inPosition();
    t.paper.failNextPlace('reject');
    await t.until('2026-03-09T19:55:00Z');
    t.paper.sellByHand('NYSE:AAPL', 15);
    expect(await t.paper.execution.netQty((await t.paper.instruments.resolve('AAPL', 'NYSE'))!)).toBe(-5);
    await advance(EXIT_RETRY_MS[0]);
    // A sell against a short would add to it.
    expect(brokerRecord()).toEqual([['buy', 'AAPL', 10, 'tctest011260309E']]);
    expect(t.run(s.id)).toMatchObject({ state: 'ERROR', reason: expect.stringMatching(/no AAPL left to sell at the broker/) });
  });

  it('part sold by hand: attempt 2 sells what is left, and the run ends SOLD', async () => {
    const s = await inPosition();
    t.paper.failNextPlace('reject');
    await t.until('2026-03-09T19:55:00Z');
    t.paper.sellByHand('NYSE:AAPL', 4);
    await advance(EXIT_RETRY_MS[0]);
    expect(brokerRecord()).toEqual([
      ['buy', 'AAPL', 10, 'tctest011260309E'],
      ['sell', 'AAPL', 6, 'tctest0112603092'],
    ]);
    expect(t.run(s.id)).toMatchObject({ state: 'SOLD', positionQty: 0 });
  });

  it('a broker that cannot say what is held delays the attempt; it goes once the broker answers', async () => {
    const s = await inPosition();
    t.paper.failNextPlace('reject');
    t.paper.failNextNetQty('HTTP 503');
    t.paper.failNextNetQty('HTTP 503');
    await t.until('2026-03-09T19:55:00Z');
    await advance(EXIT_RETRY_MS[0]);
    expect(t.run(s.id).state).toBe('EXITING');
    await t.until('2026-03-09T19:56:00Z');
    expect(t.run(s.id)).toMatchObject({ state: 'SOLD', positionQty: 0 });
    expect(brokerRecord().at(-1)).toEqual(['sell', 'AAPL', 10, 'tctest0112603092']);
  });
});

describe('an order is never settled by the broker\'s stream alone', () => {
  it('a BUY whose fill the stream never delivered (not listening yet) is looked up, and the position exited on time', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:00:00Z' });
    const s = await t.create({ sell_time: '09:31:00' });
    await t.start(s.id);
    t.paper.failNextPlace('stream-lost');
    await t.until('2026-03-09T13:30:00Z');
    expect(t.run(s.id).state).toBe('BUYING');
    // Before: the run stayed BUYING, the SELL deferred behind it, the position open past its SELL (crash soak, 2026-12-06).
    await t.until('2026-03-09T13:30:11Z');
    expect(t.run(s.id)).toMatchObject({ state: 'IN_POSITION', positionQty: 10 });
    await t.until('2026-03-09T13:31:00Z');
    expect(t.run(s.id)).toMatchObject({ state: 'SOLD', positionQty: 0 });
  });

  it('an exit whose fill the stream never delivered is looked up, and the run ends', async () => {
    const s = await inPosition();
    t.paper.failNextPlace('stream-lost');
    await t.until('2026-03-09T19:55:00Z');
    expect(t.run(s.id).state).toBe('EXITING');
    await t.until('2026-03-09T19:55:11Z');
    expect(t.run(s.id)).toMatchObject({ state: 'SOLD', positionQty: 0 });
  });
});
