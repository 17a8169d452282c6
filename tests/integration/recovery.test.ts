/**
 * Recovery at start, on the fake clock. Each test writes what a crash at some moment leaves in
 * SQLite (and at the broker), then starts a fresh engine's recovery over it: the same code path
 * as a daemon restarted after kill -9.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../support/engine-harness';
import type { OrderSide, Run, Strategy } from '../../engine/core/types';
import { clientOrderId } from '../../engine/core/ids';
import type { PlaceOrderRequest } from '../../engine/brokers/broker';

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

  it('gives the lookup the journal\'s symbol and exchange where the broker names orders by instrument too (a CCXT venue), even when the instrument no longer resolves (a halted pair)', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:30:02Z' });
    const { s, run } = await crashedRun('BUYING');
    const order = journal(run, s, 'BUY', 'pending');
    const instrument = (await t.paper.instruments.resolve('AAPL', 'NYSE'))!;
    await t.paper.execution.placeOrder({ clientOrderId: order.clientOrderId, instrument, side: 'buy', opens: true, qty: 10 });
    const realLookup = t.paper.execution.lookupOrder.bind(t.paper.execution);
    const asked: unknown[][] = [];
    Object.assign(t.paper.execution, {
      lookupOrder: async (...args: unknown[]) => {
        asked.push(args);
        return realLookup(args[0] as string);
      },
    });
    Object.assign(t.paper, { capabilities: { ...t.paper.capabilities, lookupNeedsInstrument: true } });
    // The pair stops trading: the broker resolves it no more. The order is still looked up.
    Object.assign(t.paper.instruments, { resolve: async () => null });
    await t.engine.recover();
    await t.until('2026-03-09T13:30:05Z');
    expect(asked[0]).toEqual([order.clientOrderId, { symbol: 'AAPL', exchange: 'NYSE' }]);
    expect(t.orders(s.id)[0]).toMatchObject({ status: 'filled' });
    expect(t.paper.placedOrders()).toHaveLength(1);
  });

  it('asks a broker without that need by the id alone', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:30:02Z' });
    const { s, run } = await crashedRun('BUYING');
    const order = journal(run, s, 'BUY', 'pending');
    const realLookup = t.paper.execution.lookupOrder.bind(t.paper.execution);
    const asked: unknown[][] = [];
    Object.assign(t.paper.execution, {
      lookupOrder: async (...args: unknown[]) => {
        asked.push(args);
        return realLookup(args[0] as string);
      },
    });
    await t.engine.recover();
    await t.until('2026-03-09T13:30:03Z');
    expect(asked[0]).toEqual([order.clientOrderId]);
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
    const gone = { runId: 1, tradingDate: '2026-03-06', state: 'ARMED', positionQty: 0, entryPrice: null, lastAction: null, lastActionAt: null };
    await t.runtime.arm(4242, 'NYSE:GONE', { symbol: 'GONE', exchange: 'NYSE' }, gone);
    // A strategy of positions SQLite does not run either: each position armed on its own contract (strategy:{id} names the last).
    await t.runtime.arm(4343, 'NFO:NIFTY26D0826000CE', { symbol: 'NIFTY26D0826000CE', exchange: 'NFO' }, gone);
    await t.runtime.arm(4343, 'NFO:NIFTY26D0826000PE', { symbol: 'NIFTY26D0826000PE', exchange: 'NFO' }, { ...gone, runId: 2 }, 1);
    const report = await t.engine.recover();
    expect(report.staleKeys).toBe(2);
    expect(await t.runtime.readRuntime(s.id)).toMatchObject({ runId: run.id, state: 'ARMED', positionQty: 0 });
    expect(await t.runtime.armedStrategyIds()).toEqual([s.id]);
    expect(await t.runtime.strategiesOn('NYSE:GONE')).toEqual([]);
    expect([await t.runtime.readRuntime(4343), await t.runtime.readRuntime(4343, 1)]).toEqual([null, null]);
    expect(await t.runtime.strategiesOn('NFO:NIFTY26D0826000CE')).toEqual([]);
    expect(await t.runtime.strategiesOn('NFO:NIFTY26D0826000PE')).toEqual([]);
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

/**
 * Every unfinished state × {long, short} × {leg 0, leg 2}, as the engine leaves it at a crash, then
 * a restart; judged by what the paper broker was sent and how the run ends. The strategy may
 * re-enter twice (stops and targets in points, none reached: AAPL stays at 100), so leg 2 is its
 * last leg and a leg's SELL-time exit ends the run. Legs before the current one are journaled filled.
 */
describe('recovery of a run in every unfinished state, long and short, on its first and last leg', () => {
  type Side = 'long' | 'short';
  type Case = {
    state: Run['state'];
    how: string;
    side: Side;
    legNo: 0 | 2;
    /** When the process starts again. */
    restart: string;
    /** What the broker is asked for after the restart. */
    sent: readonly ('entry' | 'exit' | 'exit2')[];
    end: Run['state'];
  };
  const REENTER = { stop_loss: 2, stop_loss_mode: 'points', target: 3, target_mode: 'points', reentries: 2, reentry_after: 'either', reentry_cutoff: '12:00' };
  const entrySide = (side: Side): OrderSide => (side === 'long' ? 'buy' : 'sell');
  const exitSide = (side: Side): OrderSide => (side === 'long' ? 'sell' : 'buy');

  // Left out: ARMED on leg 2 (a later leg waits as WAITING_REENTRY, never ARMED); WAITING_REENTRY
  // on leg 0 (leg 0 is entered from ARMED, only legs ≥ 1 wait).
  const cases: Case[] = [];
  const add = (legs: readonly (0 | 2)[], c: Omit<Case, 'side' | 'legNo'>) => {
    for (const legNo of legs) for (const side of ['long', 'short'] as const) cases.push({ ...c, side, legNo });
  };
  add([0], { state: 'ARMED', how: 'before its BUY time', restart: '2026-03-09T13:00:00Z', sent: ['entry', 'exit'], end: 'SOLD' });
  add([0], { state: 'BUYING', how: 'its entry journaled, never sent', restart: '2026-03-09T13:30:02Z', sent: ['entry', 'exit'], end: 'SOLD' });
  add([2], { state: 'BUYING', how: 'its entry journaled, never sent', restart: '2026-03-09T14:00:02Z', sent: ['entry', 'exit'], end: 'SOLD' });
  add([0, 2], { state: 'IN_POSITION', how: 'its position open', restart: '2026-03-09T14:30:00Z', sent: ['exit'], end: 'SOLD' });
  add([0, 2], { state: 'EXITING', how: 'its SELL in flight (at the broker)', restart: '2026-03-09T19:55:02Z', sent: [], end: 'SOLD' });
  add([0, 2], { state: 'EXITING', how: 'its SELL refused, shares still held', restart: '2026-03-09T19:55:02Z', sent: ['exit2'], end: 'SOLD' });
  add([2], { state: 'WAITING_REENTRY', how: 'its leg due 20 s ago', restart: '2026-03-09T14:00:20Z', sent: ['entry', 'exit'], end: 'SOLD' });
  add([0, 2], { state: 'ERROR', how: 'with a position', restart: '2026-03-09T14:30:00Z', sent: [], end: 'ERROR' });

  it.each(cases)('$state ($how), $side, leg $legNo', async (c) => {
    t = await startTestEngine({ at: c.restart });
    const { s, run } = await crashedRun(c.state, seedRun(c), { ...REENTER, ...(c.side === 'short' ? { side: 'sell' } : {}) });
    const id = (slot: 'entry' | 'exit', attempt = 1) => clientOrderId('test01', s.id, run.tradingDate, slot, attempt, c.legNo);
    const order = (slot: 'entry' | 'exit', status: 'pending' | 'filled' | 'rejected' | 'cancelled', legNo: number, attempt = 1) =>
      t.repos.orders.insert(
        {
          runId: run.id, strategyId: s.id, userId: t.user.id, brokerAccountId: s.brokerAccountId, symbol: s.symbol, exchange: s.exchange, qty: 10,
          leg: slot === 'entry' ? 'BUY' : legNo === c.legNo ? 'SELL' : 'STOPLOSS',
          side: slot === 'entry' ? entrySide(c.side) : exitSide(c.side),
          slot, legNo, attempt, status,
          clientOrderId: clientOrderId('test01', s.id, run.tradingDate, slot, attempt, legNo),
          scheduledAt: slot === 'exit' && legNo === c.legNo ? run.sellAt : legNo === 0 ? run.buyAt : at('2026-03-09T14:00:00Z'),
          ...(status === 'filled' ? { filledQty: 10, fillPrice: 100 } : status === 'rejected' ? { rejectReason: 'insufficient buying power' } : {}),
        },
        t.clock.now(),
      );
    // Earlier legs, done: entered and stopped out.
    for (let leg = 0; leg < c.legNo; leg++) (order('entry', 'filled', leg), order('exit', 'filled', leg));
    if (c.state === 'BUYING') order('entry', 'pending', c.legNo);
    if (['IN_POSITION', 'EXITING', 'ERROR'].includes(c.state)) order('entry', 'filled', c.legNo);
    if (c.how.includes('in flight')) {
      const exit = order('exit', 'pending', c.legNo);
      // The crash came after the send: the broker has the SELL, the journal never heard back.
      const instrument = (await t.paper.instruments.resolve('AAPL', 'NYSE'))!;
      await t.paper.execution.placeOrder({ clientOrderId: exit.clientOrderId, instrument, side: exitSide(c.side), opens: false, qty: 10 });
    }
    if (c.how.includes('refused')) order('exit', 'rejected', c.legNo);
    // An ERROR with a position: its SELL cancelled at the broker with nothing sold (a retry would be attempt 2).
    if (c.state === 'ERROR') order('exit', 'cancelled', c.legNo);

    // Every request the broker gets from here on, a refused duplicate too.
    const asked: string[] = [];
    const place = t.paper.execution.placeOrder.bind(t.paper.execution);
    Object.assign(t.paper.execution, { placeOrder: (req: PlaceOrderRequest) => (asked.push(`${req.side} ${req.clientOrderId}`), place(req)) });

    expect(await t.engine.recover()).toMatchObject({ failures: 0 });
    await t.until('2026-03-09T19:56:00Z');
    const wanted = c.sent.map((k) => (k === 'entry' ? `${entrySide(c.side)} ${id('entry')}` : `${exitSide(c.side)} ${id('exit', k === 'exit2' ? 2 : 1)}`));
    expect(asked).toEqual(wanted);
    // Past the SELL time the position is closed, but an ERROR waits for the trader.
    expect(t.run(s.id)).toMatchObject({ state: c.end, legNo: c.legNo, positionQty: c.end === 'ERROR' ? 10 : 0 });
    // Every exit of every leg trades against its entry.
    for (const o of t.orders(s.id)) expect(o.side).toBe(o.slot === 'entry' ? entrySide(c.side) : exitSide(c.side));
    await t.until('2026-03-09T20:30:00Z');
    expect(asked).toEqual(wanted);
  });
});

/** The run row a crash in `c.state` on leg `c.legNo` leaves behind. */
function seedRun(c: { state: Run['state']; legNo: number }): Partial<Run> {
  const held = { positionQty: 10, entryPrice: 100 };
  const leg = { legNo: c.legNo, reentryCutoffAt: at('2026-03-09T16:00:00Z') };
  switch (c.state) {
    case 'WAITING_REENTRY':
      return { ...leg, positionQty: 0, entryPrice: 100, exitLeg: 'STOPLOSS', exitPrice: 98, reentryAt: at('2026-03-09T14:00:00Z') };
    case 'IN_POSITION':
    case 'EXITING':
      return { ...leg, ...held };
    case 'ERROR':
      return { ...leg, ...held, reason: 'SELL exit cancelled with 0 of 10 sold: no reason given (cancelled at the broker with nothing sold)' };
    default:
      return leg;
  }
}
