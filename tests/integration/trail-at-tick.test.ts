/**
 * Trailing stops moved at the tick (the market listener's ratchet) and written batched (the levels
 * writer), end to end on the paper broker and a fake clock. A price rising tick by tick moves the
 * stop on every tick, but runs.levels is written at most once a second per position and
 * stop_moved is told once per write; a fall through the stop exits at the level it last moved to,
 * written or not; a short's trail moves down; and a process killed between a move and its write
 * comes back with the stop at least where it was written, taken on from the price bars.
 * Monday 2026-03-09, New York: BUY 09:30 (13:30Z); AAPL starts at 100.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../support/engine-harness';
import type { Strategy } from '../../engine/core/types';

let t: TestEngine;
afterEach(async () => {
  t?.db.sqlite.pragma('query_only = OFF');
  await t?.close();
});

const AAPL = 'NYSE:AAPL';
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Counts every statement that writes runs.levels, on the real SQLite file (the writes, whoever makes them). */
function countLevelWrites(): () => number {
  t.db.sqlite.exec(`CREATE TEMP TABLE level_writes (n INTEGER); CREATE TEMP TRIGGER count_level_writes AFTER UPDATE OF levels ON main.runs BEGIN INSERT INTO level_writes VALUES (1); END;`);
  return () => (t.db.sqlite.prepare('SELECT count(*) AS n FROM level_writes').get() as { n: number }).n;
}

/** Ticks at `prices`, each in its own turn of the event loop, the clock standing still (all within one second). */
async function ticksInTurns(prices: readonly number[]): Promise<void> {
  for (const p of prices) {
    t.paper.setPrice(AAPL, p);
    await nextTurn();
  }
}

async function inPosition(body: Record<string, unknown>): Promise<Strategy> {
  t = await startTestEngine({ at: '2026-03-09T13:00:00Z' });
  const s = await t.create(body);
  await t.start(s.id);
  await t.until('2026-03-09T13:30:00Z');
  expect(t.run(s.id)).toMatchObject({ state: 'IN_POSITION', positionQty: 10 });
  return s;
}

const sides = () => t.paper.placedOrders().map((o) => [o.request.side, o.request.qty]);
const rising = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

describe('a trail moved tick by tick', () => {
  it('20 moves within a second are 1 write of runs.levels and 1 stop_moved, then 1 more of each a second later with the latest stop', async () => {
    const s = await inPosition({ trail: 2 });
    const writes = countLevelWrites();
    await ticksInTurns(rising(101, 20));
    // The first move is written at once; the 19 after it wait for the run's second.
    expect(writes()).toBe(1);
    expect(t.run(s.id).levels).toMatchObject({ stop: 99, trail: { best: 101 } });
    expect(t.eventsOf('stop_moved').map((e) => [e.from, e.to, e.best])).toEqual([[98, 99, 101]]);
    // Every move was made all the same: the stop is armed at 118 (120 − 2), not where it was last written.
    await t.clock.advance(1_000);
    expect(writes()).toBe(2);
    expect(t.run(s.id).levels).toMatchObject({ stop: 118, stopKind: 'TRAIL_STOP', trail: { best: 120 } });
    expect(t.eventsOf('stop_moved').map((e) => [e.why, e.from, e.to, e.best])).toEqual([
      ['trail', 98, 99, 101],
      ['trail', 99, 118, 120],
    ]);
    expect(sides()).toEqual([['buy', 10]]);
  });

  it('a fall through the stop before its move is written sells at the stop as moved, and the exit writes those levels', async () => {
    const s = await inPosition({ trail: 2 });
    await ticksInTurns(rising(101, 20));
    expect(t.run(s.id).levels).toMatchObject({ stop: 99 });
    t.paper.setPrice(AAPL, 118.05);
    await nextTurn();
    expect(sides()).toEqual([['buy', 10]]);
    t.paper.setPrice(AAPL, 117.95);
    await t.clock.advance(1_000);
    await t.engine.idle();
    expect(t.eventsOf('stop_loss_triggered')).toMatchObject([{ price: 117.95, stopLoss: 118, trailing: true }]);
    expect(t.run(s.id)).toMatchObject({ state: 'EXITED_BY_SL', exitLeg: 'TRAIL_STOP', positionQty: 0, levels: { stop: 118, trail: { best: 120 } } });
    expect(sides()).toEqual([
      ['buy', 10],
      ['sell', 10],
    ]);
  });

  it('5 positions moving on one tick are written in one commit', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:00:00Z' });
    const ids: Strategy['id'][] = [];
    for (let i = 0; i < 5; i++) {
      const s = await t.create({ trail: 2 + i });
      await t.start(s.id);
      ids.push(s.id);
    }
    await t.until('2026-03-09T13:30:00Z');
    const commits: number[] = [];
    const transaction = t.repos.transaction.bind(t.repos);
    t.repos.transaction = ((fn, opts) => {
      commits.push(1);
      return transaction(fn, opts);
    }) as typeof t.repos.transaction;
    t.paper.setPrice(AAPL, 110);
    await nextTurn();
    await nextTurn();
    expect(commits).toHaveLength(1);
    expect(ids.map((id) => t.run(id).levels?.stop)).toEqual([108, 107, 106, 105, 104]);
    expect(t.eventsOf('stop_moved')).toHaveLength(5);
  });

  it("a short's trail moves down with falling prices, and a rise to the stop buys back there", async () => {
    const s = await inPosition({ side: 'sell', stop_loss: 110, trail: 2 });
    expect(t.run(s.id).levels).toMatchObject({ stop: 102, stopKind: 'TRAIL_STOP' });
    await ticksInTurns([99, 97, 98, 95.5]);
    await t.clock.advance(1_000);
    expect(t.run(s.id).levels).toMatchObject({ stop: 97.5, trail: { best: 95.5 } });
    expect(t.eventsOf('stop_moved').map((e) => [e.from, e.to])).toEqual([
      [102, 101],
      [101, 97.5],
    ]);
    t.paper.setPrice(AAPL, 97.5);
    await t.clock.advance(1_000);
    await t.engine.idle();
    expect(t.run(s.id)).toMatchObject({ state: 'EXITED_BY_SL', exitLeg: 'TRAIL_STOP', positionQty: 0 });
    expect(sides()).toEqual([
      ['sell', 10],
      ['buy', 10],
    ]);
  });
});

describe('a process killed between a move and its write', () => {
  it('comes back with the stop where it was last written at least, and takes it on from the price bars', async () => {
    const s = await inPosition({ trail: 2 });
    await ticksInTurns([101, 104]);
    // Written: the move to 99. Made, not written: the move to 102 (its write waits for the run's second).
    expect(t.run(s.id).levels).toMatchObject({ stop: 99, trail: { best: 101 } });
    const entry = t.orders(s.id)[0]!;
    // The kill: nothing more reaches the file (the shutdown's writes are refused, as a dead process makes none).
    t.db.sqlite.pragma('query_only = ON');
    t = await t.restart({ startPrices: { [AAPL]: 103 } });
    t.db.sqlite.pragma('query_only = OFF');
    expect(t.run(s.id).levels).toMatchObject({ stop: 99, trail: { best: 101 } });
    // The minute the old process had written to price_bars before it died, with the 104 in it.
    t.repos.priceBars.saveInternal([{ brokerAccountId: entry.brokerAccountId, exchange: 'NYSE', symbol: 'AAPL', minute: Date.parse('2026-03-09T13:30:00Z'), open: 100, high: 104, low: 100, close: 104, ticks: 3 }]);
    await t.engine.recover();
    await t.engine.idle();
    expect(t.run(s.id).levels).toMatchObject({ stop: 102, stopKind: 'TRAIL_STOP', trail: { best: 104 } });
    t.paper.setPrice(AAPL, 102.5);
    await t.clock.advance(1_000);
    await t.engine.idle();
    expect(t.paper.placedOrders()).toEqual([]);
    t.paper.setPrice(AAPL, 102);
    await t.clock.advance(1_000);
    await t.engine.idle();
    expect(t.run(s.id)).toMatchObject({ state: 'EXITED_BY_SL', exitLeg: 'TRAIL_STOP', positionQty: 0 });
    expect(t.paper.placedOrders().map((o) => [o.request.side, o.request.qty])).toEqual([['sell', 10]]);
  });

  it('with no bar past the written best, the stop stays where it was written, never lower', async () => {
    const s = await inPosition({ trail: 2 });
    await ticksInTurns([101, 104]);
    t.db.sqlite.pragma('query_only = ON');
    t = await t.restart({ startPrices: { [AAPL]: 100.5 } });
    t.db.sqlite.pragma('query_only = OFF');
    await t.engine.recover();
    await t.engine.idle();
    expect(t.run(s.id).levels).toMatchObject({ stop: 99, trail: { best: 101 } });
    expect(t.engine.market.isStopArmed(s.id)).toBe(true);
    t.paper.setPrice(AAPL, 99);
    await t.clock.advance(1_000);
    await t.engine.idle();
    expect(t.run(s.id)).toMatchObject({ state: 'EXITED_BY_SL', exitLeg: 'TRAIL_STOP' });
  });
});
