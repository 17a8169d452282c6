/**
 * Recovery at start, on the fake clock. Each test writes what a crash at some moment leaves in
 * SQLite (and at the broker), then starts a fresh engine's recovery over it: the same code path
 * as a daemon restarted after kill -9.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../support/engine-harness';
import type { Run, Strategy } from '../../engine/core/types';
import { clientOrderId } from '../../engine/core/ids';

const at = (iso: string) => Date.parse(iso);
let t: TestEngine;
afterEach(async () => t?.close());


/** A strategy marked running with today's run in `state`, as the crashed process left it. */
async function crashedRun(state: Run['state'], patch: Partial<Run> = {}, body: Record<string, unknown> = {}): Promise<{ s: Strategy; run: Run }> {
  const s = await t.create(body);
  const now = t.clock.now();
  t.repos.strategies.setStatusInternal(s.id, 'running', now);
  const run = t.repos.runs.create(
    { strategyId: s.id, userId: t.user.id, tradingDate: '2026-03-09', state, buyAt: at('2026-03-09T13:30:00Z'), sellAt: at('2026-03-09T19:55:00Z'), ...patch },
    now,
  );
  return { s, run };
}

function journal(run: Run, s: Strategy, leg: 'BUY' | 'SELL', status: 'pending' | 'accepted' | 'unknown') {
  return t.repos.orders.insert(
    {
      runId: run.id,
      strategyId: s.id,
      userId: t.user.id,
      brokerAccountId: s.brokerAccountId,
      leg,
      side: leg === 'BUY' ? 'buy' : 'sell',
      slot: leg === 'BUY' ? 'entry' : 'exit',
      clientOrderId: clientOrderId('test01', s.id, run.tradingDate, leg === 'BUY' ? 'entry' : 'exit'),
      symbol: s.symbol,
      exchange: s.exchange,
      qty: s.spec.qty,
      status,
      scheduledAt: leg === 'BUY' ? run.buyAt : run.sellAt,
    },
    t.clock.now(),
  );
}

describe('recovery at start', () => {
  it('completes a once-strategy whose last run ended but whose status write was lost (it does not wait for the disk)', async () => {
    t = await startTestEngine({ at: '2026-03-09T20:00:00Z' });
    const { s } = await crashedRun('SOLD', { positionQty: 0, exitLeg: 'SELL' });
    const report = await t.engine.recover();
    expect(report).toMatchObject({ runsResumed: 0, runsArmed: 0, failures: 0 });
    expect(t.repos.strategies.getInternal(s.id)!.status).toBe('completed');
    expect(await t.runtime.readRuntime(s.id)).toBeNull();
  });

  it('rebuilds the runtime keys, jobs and subscription of an armed run, and trades on time', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:00:00Z' });
    const { s, run } = await crashedRun('ARMED');
    const report = await t.engine.recover();
    expect(report).toMatchObject({ runsResumed: 1, runsArmed: 0, failures: 0 });
    expect(await t.runtime.readRuntime(s.id)).toMatchObject({ runId: run.id, state: 'ARMED' });
    const mirrored = await t.runtime.readStrategy(s.id);
    expect(mirrored).toMatchObject({ symbol: 'AAPL' });
    expect(JSON.parse(mirrored!.spec!)).toMatchObject({ symbol: 'AAPL', stop_loss: 95 });
    expect(await t.runtime.strategiesOn('NYSE:AAPL')).toEqual([s.id]);
    expect(t.paper.data.subscriptions()).toContain('NYSE:AAPL');
    await t.until('2026-03-09T20:00:00Z');
    expect(t.orders(s.id).map((o) => [o.leg, o.scheduledAt])).toEqual([['BUY', run.buyAt], ['SELL', run.sellAt]]);
  });

  it('places a BUY that is late but inside its grace at once', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:30:40Z' });
    const { s } = await crashedRun('ARMED');
    await t.engine.recover();
    await t.until('2026-03-09T13:30:41Z');
    expect(t.orders(s.id).map((o) => o.leg)).toEqual(['BUY']);
  });

  it('does not chase a BUY beyond its grace: the run is missed, visibly', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:35:00Z' });
    const { s } = await crashedRun('ARMED');
    await t.engine.recover();
    await t.until('2026-03-09T13:35:01Z');
    expect(t.orders(s.id)).toEqual([]);
    expect(t.run(s.id)).toMatchObject({ state: 'MISSED_BUY', reason: expect.stringMatching(/not chased/) });
  });

  it('exits at once a position still open past its SELL time', async () => {
    t = await startTestEngine({ at: '2026-03-09T21:00:00Z' });
    const { s, run } = await crashedRun('IN_POSITION', { positionQty: 10, entryPrice: 100 });
    journal(run, s, 'BUY', 'accepted');
    t.repos.orders.update(t.orders(s.id)[0]!.id, { status: 'filled', filledQty: 10, fillPrice: 100 }, t.clock.now());
    await t.engine.recover();
    await t.until('2026-03-09T21:00:01Z');
    const exit = t.orders(s.id).find((o) => o.slot === 'exit');
    expect(exit).toMatchObject({ leg: 'SELL', status: 'filled', scheduledAt: run.sellAt });
    expect(exit!.dispatchedAt).toBe(at('2026-03-09T21:00:00Z'));
    expect(t.run(s.id)).toMatchObject({ state: 'SOLD', positionQty: 0 });
  });

  it('checks the stop-loss against the first tick after start', async () => {
    t = await startTestEngine({ at: '2026-03-09T14:00:00Z', paper: { startPrices: { 'NYSE:AAPL': 94 } } });
    const { s, run } = await crashedRun('IN_POSITION', { positionQty: 10, entryPrice: 100 });
    journal(run, s, 'BUY', 'accepted');
    t.repos.orders.update(t.orders(s.id)[0]!.id, { status: 'filled', filledQty: 10, fillPrice: 100 }, t.clock.now());
    await t.engine.recover();
    await t.until('2026-03-09T14:00:01Z');
    expect(t.orders(s.id).map((o) => o.leg)).toEqual(['BUY', 'STOPLOSS']);
    expect(t.run(s.id).state).toBe('EXITED_BY_SL');
  });

  it('looks a journaled order up before anything is resent: the broker had it, so it is not placed twice', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:30:02Z' });
    const { s, run } = await crashedRun('BUYING');
    const order = journal(run, s, 'BUY', 'pending');
    // The crash came after the send: the broker has the order, the journal never heard back.
    const instrument = (await t.paper.instruments.resolve('AAPL', 'NYSE'))!;
    await t.paper.execution.placeOrder({ clientOrderId: order.clientOrderId, instrument, side: 'buy', opens: true, qty: 10 });
    const report = await t.engine.recover();
    expect(report.ordersToReconcile).toBe(1);
    await t.until('2026-03-09T13:30:03Z');
    expect(t.orders(s.id)[0]).toMatchObject({ status: 'filled', filledQty: 10 });
    expect(t.run(s.id)).toMatchObject({ state: 'IN_POSITION', positionQty: 10 });
    await t.until('2026-03-09T13:31:00Z');
    expect(t.paper.placedOrders()).toHaveLength(1);
  });

  it('places once more, with the same client order id, a journaled order the broker never received', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:30:02Z' });
    const { s, run } = await crashedRun('BUYING');
    const order = journal(run, s, 'BUY', 'pending');
    await t.engine.recover();
    await t.until('2026-03-09T13:31:00Z');
    expect(t.paper.placedOrders().map((o) => o.request.clientOrderId)).toEqual([order.clientOrderId]);
    expect(t.run(s.id).state).toBe('IN_POSITION');
  });

  it('does not resend a BUY the broker never received once its grace has run out', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:32:00Z' });
    const { s, run } = await crashedRun('BUYING');
    journal(run, s, 'BUY', 'pending');
    await t.engine.recover();
    await t.until('2026-03-09T13:33:00Z');
    expect(t.paper.placedOrders()).toHaveLength(0);
    // Nothing was refused and nothing is held: the BUY was missed, with the reason (not an ERROR with a made-up rejection).
    expect(t.orders(s.id)[0]).toMatchObject({ status: 'cancelled', rejectReason: expect.stringMatching(/never reached the broker.*grace ran out.*not chased/) });
    expect(t.run(s.id)).toMatchObject({ state: 'MISSED_BUY', positionQty: 0, reason: expect.stringMatching(/^BUY not sent: it never reached the broker/) });
  });

  it('believes a refused resend only when the broker still has no such order', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:30:02Z' });
    const { s, run } = await crashedRun('BUYING');
    const order = journal(run, s, 'BUY', 'pending');
    const instrument = (await t.paper.instruments.resolve('AAPL', 'NYSE'))!;
    // The first lookup misses (the original is still on its way), the original then lands, the resend is refused as a duplicate.
    const realLookup = t.paper.execution.lookupOrder.bind(t.paper.execution);
    let lookups = 0;
    Object.assign(t.paper.execution, {
      lookupOrder: async (id: string) => {
        if (++lookups === 1) {
          await t.paper.execution.placeOrder({ clientOrderId: order.clientOrderId, instrument, side: 'buy', opens: true, qty: 10 });
          return null;
        }
        return realLookup(id);
      },
    });
    await t.engine.recover();
    await t.until('2026-03-09T13:30:05Z');
    expect(t.paper.placedOrders()).toHaveLength(1);
    expect(t.orders(s.id)[0]).toMatchObject({ status: 'filled' });
    expect(t.run(s.id).state).toBe('IN_POSITION');
  });

  it('finishes an exit that was in flight, and the strategy\'s STOP is honoured after a crash', async () => {
    t = await startTestEngine({ at: '2026-03-09T15:00:00Z' });
    const { s, run } = await crashedRun('IN_POSITION', { positionQty: 10, entryPrice: 100, stopRequested: true });
    journal(run, s, 'BUY', 'accepted');
    t.repos.orders.update(t.orders(s.id)[0]!.id, { status: 'filled', filledQty: 10, fillPrice: 100 }, t.clock.now());
    t.repos.strategies.setStatusInternal(s.id, 'stopped', t.clock.now());
    await t.engine.recover();
    await t.until('2026-03-09T15:00:01Z');
    expect(t.orders(s.id).map((o) => o.leg)).toEqual(['BUY', 'MANUAL_EXIT']);
    expect(t.repos.runs.getInternal(run.id)).toMatchObject({ state: 'STOPPED', positionQty: 0 });
  });

  it('arms the next trading day for a daily strategy whose last run had ended', async () => {
    t = await startTestEngine({ at: '2026-03-09T21:00:00Z' });
    const { s } = await crashedRun('SOLD', {}, { repeat: 'daily' });
    const report = await t.engine.recover();
    expect(report).toMatchObject({ runsResumed: 0, runsArmed: 1 });
    expect(t.run(s.id)).toMatchObject({ state: 'ARMED', tradingDate: '2026-03-10' });
  });

  it('repairs runtime keys that drifted from SQLite, in SQLite\'s favour', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:00:00Z' });
    const { s, run } = await crashedRun('ARMED');
    // What a surviving Redis might hold: a wrong state for a live strategy, and a strategy SQLite does not run.
    await t.runtime.arm(s.id, 'NYSE:AAPL', { symbol: 'AAPL', exchange: 'NYSE' }, { runId: 999, tradingDate: '2026-03-06', state: 'IN_POSITION', positionQty: 50, entryPrice: 1, lastAction: 'BUY', lastActionAt: 1 });
    await t.runtime.arm(4242, 'NYSE:GONE', { symbol: 'GONE', exchange: 'NYSE' }, { runId: 1, tradingDate: '2026-03-06', state: 'ARMED', positionQty: 0, entryPrice: null, lastAction: null, lastActionAt: null });
    const report = await t.engine.recover();
    expect(report.staleKeys).toBe(1);
    expect(await t.runtime.readRuntime(s.id)).toMatchObject({ runId: run.id, state: 'ARMED', positionQty: 0 });
    expect(await t.runtime.armedStrategyIds()).toEqual([s.id]);
    expect(await t.runtime.strategiesOn('NYSE:GONE')).toEqual([]);
  });

  describe('a run waiting between legs (WAITING_REENTRY)', () => {
    const REENTER = { stop_loss: 2, stop_loss_mode: 'points', target: 3, target_mode: 'points', reentries: 2, reentry_after: 'either', reentry_cutoff: '12:00' };
    /** Leg 1 ended by its target at 10:00 (14:00Z), the process gone before leg 2 went out. */
    const waiting = (reentryAt: string) =>
      crashedRun('WAITING_REENTRY', { legNo: 2, exitLeg: 'TARGET', exitPrice: 103, entryPrice: 100, reentryAt: at(reentryAt), reentryCutoffAt: at('2026-03-09T16:00:00Z') }, REENTER);

    it('within its grace and before the cut-off, enters the next leg exactly once, under its own id', async () => {
      t = await startTestEngine({ at: '2026-03-09T14:00:20Z' });
      const { s } = await waiting('2026-03-09T14:00:00Z');
      expect(await t.engine.recover()).toMatchObject({ runsResumed: 1, failures: 0 });
      await t.until('2026-03-09T14:01:00Z');
      expect(t.orders(s.id).map((o) => [o.legNo, o.leg, o.clientOrderId])).toEqual([[2, 'BUY', clientOrderId('test01', s.id, '2026-03-09', 'entry', 1, 2)]]);
      expect(t.run(s.id)).toMatchObject({ state: 'IN_POSITION', legNo: 2, positionQty: 10, reentryAt: null });
      // The day's BUY job, long past, does nothing to a run that is not ARMED.
      await t.until('2026-03-09T15:00:00Z');
      expect(t.paper.placedOrders()).toHaveLength(1);
    });

    it('beyond its grace, ends as its last leg did (EXITED_BY_TARGET), saying why, and sends nothing', async () => {
      t = await startTestEngine({ at: '2026-03-09T14:05:00Z' });
      const { s } = await waiting('2026-03-09T14:00:00Z');
      await t.engine.recover();
      await t.until('2026-03-09T14:06:00Z');
      expect(t.run(s.id)).toMatchObject({ state: 'EXITED_BY_TARGET', legNo: 2, positionQty: 0 });
      expect(t.run(s.id).reason).toMatch(/re-entry 2 of 2 not made: .*300 s late \(grace 60 s\)/);
      expect(t.eventsOf('reentry_skipped')).toMatchObject([{ legNo: 2 }]);
      await t.until('2026-03-09T20:00:00Z');
      expect(t.paper.placedOrders()).toEqual([]);
    });

    it('of a strategy stopped meanwhile, is STOPPED without an order', async () => {
      t = await startTestEngine({ at: '2026-03-09T14:00:20Z' });
      const { s } = await waiting('2026-03-09T14:00:00Z');
      t.repos.strategies.setStatusInternal(s.id, 'stopped', t.clock.now());
      await t.engine.recover();
      await t.until('2026-03-09T20:00:00Z');
      expect(t.run(s.id).state).toBe('STOPPED');
      expect(t.paper.placedOrders()).toEqual([]);
    });
  });
});
