/**
 * A position's exit levels end to end, on the paper broker and a fake clock: a take-profit target,
 * a stop and target given in points or percent (resolved from the fill, on the tick), a trailing
 * stop that only tightens, the stop moved to cost, a gap through the stop, a strategy row changed
 * under a position, and a restart mid-trail. Each test judges by what the paper broker was sent.
 * Monday 2026-03-09, New York: BUY 09:30 (13:30Z), SELL 15:55 (19:55Z); AAPL starts at 100.
 *
 * The exit keys are written into the armed run's plan (runs.plan), which is what a run trades by
 * (invariant 8): the strategy's API takes the keys (api-strategy-spec.test.ts), and how its row
 * stores them is not what these tests are about.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../support/engine-harness';
import type { PaperBrokerUserOptions } from '../../engine/brokers/paper/paper-config';
import type { RunPlanSpec } from '../../engine/core/run-plan-spec';
import type { Strategy } from '../../engine/core/types';
import { runtimeDto } from '../../engine/api/dto';

let t: TestEngine;
afterEach(async () => t?.close());

const AAPL = 'NYSE:AAPL';

async function advance(ms: number): Promise<void> {
  await t.clock.advance(ms);
  await t.engine.idle();
}

/** One tick at `price`, and a second for the engine to carry out what it crossed. */
async function tick(price: number): Promise<void> {
  t.paper.setPrice(AAPL, price);
  await advance(1_000);
}

/** Bought 10 AAPL at 09:30 with these exit keys in the run's plan (stop 95 unless they say otherwise). */
async function inPosition(exits: Partial<RunPlanSpec>, paper: PaperBrokerUserOptions = {}): Promise<Strategy> {
  t = await startTestEngine({ at: '2026-03-09T13:00:00Z', paper });
  const s = await t.create();
  const run = await t.start(s.id);
  t.repos.runs.update(run.id, { plan: { ...run.plan!, ...exits } }, t.clock.now());
  await t.until('2026-03-09T13:30:00Z');
  expect(t.run(s.id)).toMatchObject({ state: 'IN_POSITION', positionQty: 10 });
  return s;
}

/** What the broker was sent, as (side, qty) rows, and the journal's legs. */
const brokerRecord = () => t.paper.placedOrders().map((o) => [o.request.side, o.request.qty]);
const legs = (s: Strategy) => t.orders(s.id).map((o) => o.leg);

describe('a take-profit target', () => {
  it('in price: the price rising to it sells once as TARGET, the run ends EXITED_BY_TARGET, and the time exit sells nothing more', async () => {
    const s = await inPosition({ target: 110, target_mode: 'price' });
    expect(t.run(s.id).levels).toMatchObject({ entry: 100, stop: 95, stopKind: 'STOPLOSS', target: 110 });
    await tick(109.99);
    expect(brokerRecord()).toEqual([['buy', 10]]);
    await tick(110.2);
    expect(t.run(s.id)).toMatchObject({ state: 'EXITED_BY_TARGET', exitLeg: 'TARGET', positionQty: 0 });
    expect(t.eventsOf('target_hit')).toMatchObject([{ price: 110.2, target: 110 }]);
    await t.until('2026-03-09T19:56:00Z');
    expect(brokerRecord()).toEqual([
      ['buy', 10],
      ['sell', 10],
    ]);
    expect(legs(s)).toEqual(['BUY', 'TARGET']);
    // The levels stay as they were when it exited.
    expect(t.run(s.id).levels).toMatchObject({ stop: 95, target: 110 });
  });

  it('a price target the last price has already reached skips the BUY: nothing is sent, the run ends SKIPPED', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:00:00Z' });
    const s = await t.create();
    const run = await t.start(s.id);
    t.repos.runs.update(run.id, { plan: { ...run.plan!, target: 99.5 } }, t.clock.now());
    await t.until('2026-03-09T13:31:00Z');
    expect(t.run(s.id)).toMatchObject({ state: 'SKIPPED', positionQty: 0, levels: null });
    expect(t.eventsOf('buy_skipped')).toMatchObject([{ lastPrice: 100, target: 99.5 }]);
    expect(brokerRecord()).toEqual([]);
  });

  it('a gap far below the stop with a target set sells by the stop-loss, never the target, even when the price comes back above it', async () => {
    const s = await inPosition({ target: 110 });
    await tick(80);
    await tick(120);
    expect(t.run(s.id)).toMatchObject({ state: 'EXITED_BY_SL', exitLeg: 'STOPLOSS' });
    expect(legs(s)).toEqual(['BUY', 'STOPLOSS']);
    expect(brokerRecord()).toEqual([
      ['buy', 10],
      ['sell', 10],
    ]);
    expect(t.eventsOf('target_hit')).toEqual([]);
    expect(t.eventsOf('stop_loss_triggered')).toMatchObject([{ price: 80, stopLoss: 95, trailing: false }]);
  });
});

describe('a stop and a target in points or percent', () => {
  it.each([
    // 101.35 − 1.23 = 100.12, on the 0.05 tick away from the fill: 100.10; 101.35 × 1.03 = 104.3905 → 104.40.
    ['stop in points, target in percent', { stop_loss: 1.23, stop_loss_mode: 'points', target: 3, target_mode: 'percent' }, 100.1, 104.4],
    // 101.35 × 0.98 = 99.323 → 99.30; 101.35 + 2.52 = 103.87 → 103.90.
    ['stop in percent, target in points', { stop_loss: 2, stop_loss_mode: 'percent', target: 2.52, target_mode: 'points' }, 99.3, 103.9],
  ] as const)('%s: resolved from the fill price and rounded to the tick, away from it; the stop then sells there', async (_what, exits, stop, target) => {
    const s = await inPosition(exits, { tickSize: 0.05, startPrices: { [AAPL]: 101.35 } });
    const levels = { entry: 101.35, tick: 0.05, stop, stopKind: 'STOPLOSS', target, trail: null, costAt: null };
    expect(t.run(s.id).levels).toEqual(levels);
    expect(runtimeDto(t.run(s.id)).levels).toEqual({ entry: 101.35, stop, stop_kind: 'STOPLOSS', target, trail_best: null, cost_at: null });
    await tick(stop + 0.05);
    expect(brokerRecord()).toEqual([['buy', 10]]);
    await tick(stop);
    expect(t.run(s.id)).toMatchObject({ state: 'EXITED_BY_SL', exitLeg: 'STOPLOSS', levels });
    expect(brokerRecord()).toEqual([
      ['buy', 10],
      ['sell', 10],
    ]);
  });
});

describe('a trailing stop', () => {
  it('in points: rising prices move the stop up, a dip never moves it down, and a fall to it sells once as TRAIL_STOP', async () => {
    const s = await inPosition({ trail: 2, trail_mode: 'points' });
    // The trail's stop (100 − 2) is above the stop-loss (95) from the fill on.
    expect(t.run(s.id).levels).toMatchObject({ stop: 98, stopKind: 'TRAIL_STOP', trail: { offset: 2, mode: 'points', best: 100 } });
    const stops: number[] = [];
    for (const price of [101, 103.5, 102.5, 104, 103]) {
      await tick(price);
      stops.push(t.run(s.id).levels!.stop);
    }
    expect(stops).toEqual([99, 101.5, 101.5, 102, 102]);
    expect(t.eventsOf('stop_moved').map((e) => [e.why, e.from, e.to, e.best])).toEqual([
      ['trail', 98, 99, 101],
      ['trail', 99, 101.5, 103.5],
      ['trail', 101.5, 102, 104],
    ]);
    expect(runtimeDto(t.run(s.id)).levels).toMatchObject({ stop: 102, stop_kind: 'TRAIL_STOP', trail_best: 104 });
    expect(brokerRecord()).toEqual([['buy', 10]]);
    await tick(101.9);
    expect(t.run(s.id)).toMatchObject({ state: 'EXITED_BY_SL', exitLeg: 'TRAIL_STOP', positionQty: 0 });
    expect(legs(s)).toEqual(['BUY', 'TRAIL_STOP']);
    expect(brokerRecord()).toEqual([
      ['buy', 10],
      ['sell', 10],
    ]);
    expect(t.eventsOf('stop_loss_triggered')).toMatchObject([{ price: 101.9, stopLoss: 102, trailing: true }]);
    await t.until('2026-03-09T19:56:00Z');
    expect(brokerRecord()).toHaveLength(2);
  });

  it('a jump through the target and the next ratchet in one tick sends one sell, as TARGET', async () => {
    const s = await inPosition({ trail: 2, target: 110 });
    await tick(115);
    await tick(116);
    expect(t.run(s.id)).toMatchObject({ state: 'EXITED_BY_TARGET', exitLeg: 'TARGET', positionQty: 0 });
    expect(legs(s)).toEqual(['BUY', 'TARGET']);
    expect(brokerRecord()).toEqual([
      ['buy', 10],
      ['sell', 10],
    ]);
  });

  it('after a restart mid-trail: the levels come back from runs.levels, and price bars above the kept best move the trail on', async () => {
    const s = await inPosition({ trail: 2 });
    await tick(101);
    expect(t.run(s.id).levels).toMatchObject({ stop: 99, trail: { best: 101 } });
    const entry = t.orders(s.id)[0]!;
    t = await t.restart({ startPrices: { [AAPL]: 103 } });
    // Prices the old process saw but whose move of the trail it never wrote (bars are written once a minute).
    const bar = { brokerAccountId: entry.brokerAccountId, exchange: 'NYSE', symbol: 'AAPL', open: 101, low: 101, close: 102, ticks: 3 };
    t.repos.priceBars.saveInternal([
      { ...bar, minute: Date.parse('2026-03-09T13:31:00Z'), high: 104 },
      { ...bar, minute: Date.parse('2026-03-09T13:32:00Z'), high: 103.2 },
    ]);
    await t.engine.recover();
    await advance(0);
    // max(kept best 101, bars since the fill 104): the stop is 104 − 2, written back.
    expect(t.run(s.id).levels).toMatchObject({ stop: 102, stopKind: 'TRAIL_STOP', trail: { best: 104 } });
    expect(t.engine.market.isStopArmed(s.id)).toBe(true);
    await tick(102.5);
    expect(brokerRecord()).toEqual([]);
    await tick(102);
    expect(t.run(s.id)).toMatchObject({ state: 'EXITED_BY_SL', exitLeg: 'TRAIL_STOP', positionQty: 0 });
    expect(legs(s)).toEqual(['BUY', 'TRAIL_STOP']);
    expect(brokerRecord()).toEqual([['sell', 10]]);
  });

  it('after a restart with bars below the kept best, the trail stays where it was', async () => {
    const s = await inPosition({ trail: 2 });
    await tick(103);
    const entry = t.orders(s.id)[0]!;
    t = await t.restart({ startPrices: { [AAPL]: 102 } });
    t.repos.priceBars.saveInternal([{ brokerAccountId: entry.brokerAccountId, exchange: 'NYSE', symbol: 'AAPL', minute: Date.parse('2026-03-09T13:31:00Z'), open: 100, high: 102, low: 100, close: 101, ticks: 2 }]);
    await t.engine.recover();
    await advance(0);
    expect(t.run(s.id).levels).toMatchObject({ stop: 101, trail: { best: 103 } });
    await tick(101);
    expect(legs(s)).toEqual(['BUY', 'TRAIL_STOP']);
  });
});

describe('the stop moved to cost', () => {
  it('after the gain the stop is the entry price, and a fall to it sells as the stop-loss', async () => {
    const s = await inPosition({ move_stop_to_cost_after: 2, move_stop_to_cost_mode: 'points' });
    expect(t.run(s.id).levels).toMatchObject({ entry: 100, stop: 95, costAt: 102 });
    await tick(101.99);
    expect(t.run(s.id).levels).toMatchObject({ stop: 95, costAt: 102 });
    await tick(102.4);
    expect(t.run(s.id).levels).toMatchObject({ stop: 100, stopKind: 'STOPLOSS', costAt: null });
    expect(t.eventsOf('stop_moved').map((e) => [e.why, e.from, e.to])).toEqual([['cost', 95, 100]]);
    await tick(100.5);
    expect(brokerRecord()).toEqual([['buy', 10]]);
    await tick(100);
    expect(t.run(s.id)).toMatchObject({ state: 'EXITED_BY_SL', exitLeg: 'STOPLOSS', positionQty: 0 });
    expect(brokerRecord()).toEqual([
      ['buy', 10],
      ['sell', 10],
    ]);
  });
});

describe('a position keeps its levels whatever its strategy says now (invariant 8)', () => {
  it('an edit is refused while in position, and a row changed behind the engine moves no level', async () => {
    const s = await inPosition({ trail: 2 });
    await expect(t.engine.strategies.update(t.user.id, s.id, { stop_loss: 99.5 })).rejects.toMatchObject({ code: 'conflict' });
    const row = t.repos.strategies.getInternal(s.id)!;
    t.repos.strategies.update(t.user.id, s.id, { ...row, stopLoss: 99.5 }, t.clock.now());
    await tick(99.6);
    expect(t.run(s.id).levels).toMatchObject({ stop: 98, trail: { best: 100 } });
    expect(brokerRecord()).toEqual([['buy', 10]]);
    await tick(98);
    expect(legs(s)).toEqual(['BUY', 'TRAIL_STOP']);
  });
});
