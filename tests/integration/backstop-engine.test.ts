/**
 * The backstop in the engine (issue 20) on the paper broker (its resting stops follow Alpaca's
 * rules: the position is reserved while one rests) and a fake clock: placed when the entry fills,
 * cancelled and awaited before every exit of the engine's own, and a backstop that fires is the
 * leg's exit (leg BACKSTOP), never followed by a second one. Judged by the broker's record.
 * Monday 2026-03-09, New York: BUY 09:30 (13:30Z), SELL 15:55 (19:55Z); AAPL starts at 100.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../support/engine-harness';
import type { Strategy } from '../../engine/core/types';

let t: TestEngine;
afterEach(async () => t?.close());

const AAPL = 'NYSE:AAPL';

/** Bought 10 AAPL at 09:30, the backstop turned on (paper's default is off: its stop would fire with the engine's own); `spec`'s backstop keys and `body` as sent. */
async function inPosition(spec: Record<string, unknown> = {}, body: Record<string, unknown> = {}): Promise<Strategy> {
  t = await startTestEngine({ at: '2026-03-09T13:00:00Z' });
  const s = await t.create({ backstop: true, ...spec, ...body });
  await t.start(s.id);
  await t.until('2026-03-09T13:30:00Z');
  expect(t.run(s.id)).toMatchObject({ state: 'IN_POSITION', positionQty: 10 });
  return s;
}

/** Every order the broker took that was not refused, with the resting stops that fired, as (side, qty filled, id). */
const sells = () =>
  t.paper
    .placedOrders()
    .filter((o) => o.request.side === 'sell' && o.report.status !== 'rejected')
    .map((o) => [o.report.filledQty, o.request.clientOrderId.startsWith('tb') ? 'backstop' : 'engine']);
const refused = () => t.paper.placedOrders().filter((o) => o.report.status === 'rejected').map((o) => o.report.reason);
const backstop = (s: Strategy) => t.repos.backstops.listByRunInternal(t.run(s.id).id)[0];

describe('the backstop in the engine', () => {
  it('rests at the stop for the filled quantity once the entry fills', async () => {
    const s = await inPosition();
    const levels = t.run(s.id).levels!;
    expect(backstop(s)).toMatchObject({ state: 'resting', qty: 10, side: 'sell', triggerPrice: levels.stop, legNo: 0 });
    expect(t.paper.restingStops.held()).toMatchObject([{ status: 'resting', qty: 10, triggerPrice: levels.stop }]);
    expect(t.eventsOf('backstop_placed')).toEqual([expect.objectContaining({ legNo: 0, brokerRef: 'paper-stop-1', triggerPrice: levels.stop, qty: 10 })]);
  });

  it('is off by default on paper: a strategy that leaves it out trades with the engine\'s own stop only', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:00:00Z' });
    const s = await t.create();
    await t.start(s.id);
    await t.until('2026-03-09T13:30:00Z');
    expect(t.run(s.id)).toMatchObject({ state: 'IN_POSITION', positionQty: 10 });
    await t.until('2026-03-09T13:31:00Z');
    expect(t.repos.backstops.listByRunInternal(t.run(s.id).id)).toEqual([]);
    expect(t.paper.restingStops.held()).toEqual([]);
  });

  it.each([
    ['the SELL at its time', async () => t.until('2026-03-09T19:55:00Z'), 'SOLD'],
    ['the manual STOP', async (s: Strategy) => (await t.engine.manager.stop(t.user.id, s.id), t.until('2026-03-09T13:31:00Z')), 'STOPPED'],
    ['the kill switch', async () => (await t.engine.manager.stopAll(t.user.id), t.until('2026-03-09T13:31:00Z')), 'STOPPED'],
    ['the target', async () => (t.paper.setPrice(AAPL, 120), t.until('2026-03-09T13:31:00Z')), 'EXITED_BY_TARGET'],
  ] as const)('%s: the backstop is cancelled first, and the one exit is the engine\'s, never refused for a reserved position', async (_what, exit, final) => {
    const s = await inPosition({}, { target: 110 });
    await exit(s);
    expect(t.run(s.id)).toMatchObject({ state: final, positionQty: 0 });
    expect(backstop(s)?.state).toBe('cancelled');
    expect(sells()).toEqual([[10, 'engine']]);
    expect(refused()).toEqual([]);
    expect(t.paper.restingStops.held()).toMatchObject([{ status: 'cancelled' }]);
    expect(t.eventsOf('backstop_cancelled')).toEqual([expect.objectContaining({ legNo: 0, brokerRef: 'paper-stop-1' })]);
  });

  it('a STOP while the BUY is still working: the fill goes straight to its exit, no backstop placed to race it', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:00:00Z', paper: { fillLatencyMs: 5_000 } });
    const s = await t.create({ backstop: true });
    await t.start(s.id);
    await t.until('2026-03-09T13:30:00.500Z');
    expect(t.run(s.id).state).toBe('BUYING');
    await t.engine.manager.stop(t.user.id, s.id);
    await t.until('2026-03-09T13:30:10Z');
    expect(t.run(s.id)).toMatchObject({ state: 'STOPPED', positionQty: 0 });
    expect(backstop(s)).toBeUndefined();
    expect(t.paper.restingStops.held()).toEqual([]);
    expect(sells()).toEqual([[10, 'engine']]);
    expect(refused()).toEqual([]);
  });

  it('the stop-loss beyond which the backstop rests: cancelled first, one exit (the engine\'s)', async () => {
    const s = await inPosition({ backstop_margin: 1 });
    const stop = t.run(s.id).levels!.stop;
    expect(backstop(s)?.triggerPrice).toBe(stop - 1);
    t.paper.setPrice(AAPL, stop - 0.5);
    await t.until('2026-03-09T13:31:00Z');
    expect(t.run(s.id)).toMatchObject({ state: 'EXITED_BY_SL', positionQty: 0 });
    expect(sells()).toEqual([[10, 'engine']]);
    expect(refused()).toEqual([]);
  });

  it('a gap through both stops: whichever fires first, the backstop\'s fill is the one exit (leg BACKSTOP)', async () => {
    const s = await inPosition();
    t.paper.setPrice(AAPL, 80);
    await t.until('2026-03-09T13:31:00Z');
    expect(t.run(s.id)).toMatchObject({ state: 'EXITED_BY_SL', positionQty: 0, exitLeg: 'BACKSTOP' });
    expect(sells()).toEqual([[10, 'backstop']]);
    expect(refused()).toEqual([]);
    const exits = t.repos.orders.list(t.user.id, s.id).filter((o) => o.slot === 'exit');
    expect(exits.map((o) => [o.leg, o.status, o.filledQty])).toEqual([['BACKSTOP', 'filled', 10]]);
    expect(t.eventsOf('backstop_fired')).toEqual([expect.objectContaining({ legNo: 0, brokerRef: 'paper-stop-1', filledQty: 10 })]);
    expect(t.eventsOf('backstop_cancelled')).toEqual([]);
    // The time exit later finds nothing to sell.
    await t.until('2026-03-09T19:56:00Z');
    expect(sells()).toHaveLength(1);
  });

  it('a backstop that fires while the daemon is up, the engine\'s own stop further away, ends the leg by itself', async () => {
    // The engine's own stop disarmed, as if its tick were missed (the PC asleep between two prices).
    const s = await inPosition({ backstop_margin: 0 });
    const stop = t.run(s.id).levels!.stop;
    t.engine.market.setTriggers(backstop(s)!.brokerAccountId, AAPL, s.id, 0, []);
    t.paper.setPrice(AAPL, stop - 0.01);
    await t.until('2026-03-09T13:31:00Z');
    expect(t.run(s.id)).toMatchObject({ state: 'EXITED_BY_SL', exitLeg: 'BACKSTOP', positionQty: 0 });
    expect(sells()).toEqual([[10, 'backstop']]);
    expect(t.eventsOf('order_filled').map((e) => e.leg)).toEqual(['BUY', 'BACKSTOP']);
  });

  it('a cancel not answered: the exit waits, asks again, and goes once the broker says cancelled', async () => {
    const s = await inPosition();
    // The cancel never reaches the broker (nothing streamed): the SELL waits for the lookup, which finds the stop resting and cancels it.
    t.paper.restingStops.failNext('unknown');
    await t.clock.advanceTo(Date.parse('2026-03-09T19:55:00Z'));
    await settle();
    expect(sells()).toEqual([]);
    expect(backstop(s)?.state).toBe('cancelling');
    await t.until('2026-03-09T19:55:05Z');
    expect(t.run(s.id)).toMatchObject({ state: 'SOLD', positionQty: 0 });
    expect(sells()).toEqual([[10, 'engine']]);
    expect(refused()).toEqual([]);
  });

  it("a cancel carried out whose answer is lost: the broker's stream says cancelled, and the exit goes on it without waiting to ask again", async () => {
    const s = await inPosition();
    t.paper.restingStops.failNext('unknown-but-done');
    await t.clock.advanceTo(Date.parse('2026-03-09T19:55:00Z'));
    await settle();
    // No lookup 250 ms later was needed: the SELL went at the SELL time, on the streamed report.
    expect(sells()).toEqual([[10, 'engine']]);
    expect(t.clock.now()).toBe(Date.parse('2026-03-09T19:55:00Z'));
    expect(backstop(s)?.state).toBe('cancelled');
    await t.until('2026-03-09T19:55:05Z');
    expect(t.run(s.id)).toMatchObject({ state: 'SOLD', positionQty: 0 });
    expect(refused()).toEqual([]);
  });

  it('fired while its cancel was unanswered: the backstop\'s fills are the exit, the SELL goes nowhere', async () => {
    const s = await inPosition();
    t.engine.market.setTriggers(backstop(s)!.brokerAccountId, AAPL, s.id, 0, []);
    t.paper.restingStops.failNext('unknown');
    await t.clock.advanceTo(Date.parse('2026-03-09T19:55:00Z'));
    await settle();
    t.paper.setPrice(AAPL, 80);
    await settle();
    await t.until('2026-03-09T19:56:00Z');
    expect(t.run(s.id)).toMatchObject({ state: 'EXITED_BY_SL', exitLeg: 'BACKSTOP', positionQty: 0 });
    expect(sells()).toEqual([[10, 'backstop']]);
    expect(refused()).toEqual([]);
  });

  it('a backstop fire counts as a stop-loss for reentry_after: the next leg enters and gets its own backstop', async () => {
    const s = await inPosition({}, { reentries: 1, reentry_after: 'stop_loss', reentry_cutoff: '15:00', stop_loss: 5, stop_loss_mode: 'points' });
    t.paper.setPrice(AAPL, 80);
    await t.until('2026-03-09T13:31:00Z');
    expect(t.run(s.id)).toMatchObject({ legNo: 1, state: 'IN_POSITION', positionQty: 10 });
    expect(t.repos.backstops.listByRunInternal(t.run(s.id).id).map((b) => [b.legNo, b.state])).toEqual([
      [0, 'fired'],
      [1, 'resting'],
    ]);
  });
});

describe('the backstop when the journal cannot be written', () => {
  it('the exit still goes the emergency way: the backstop is cancelled first (unjournaled), the SELL is not refused', async () => {
    const s = await inPosition();
    t.db.sqlite.pragma('query_only = ON');
    try {
      await t.until('2026-03-09T19:55:01Z');
      expect(t.paper.restingStops.held()).toMatchObject([{ status: 'cancelled' }]);
      expect(sells()).toEqual([[10, 'engine']]);
      expect(refused()).toEqual([]);
      expect(t.eventsOf('storage_failed')).toEqual([expect.objectContaining({ leg: 'SELL', action: 'sent_unjournaled' })]);
    } finally {
      t.db.sqlite.pragma('query_only = OFF');
    }
    await t.until('2026-03-09T19:58:00Z');
    expect(t.run(s.id)).toMatchObject({ state: 'SOLD', positionQty: 0 });
    expect(sells()).toHaveLength(1);
  });
});

describe('the backstop follows a trailing stop', () => {
  it('within the broker\'s modify budget (6 a minute on paper), the latest level winning, never loosened', async () => {
    const s = await inPosition({}, { trail: 2 });
    // 20 moves of the stop, one a second (the levels writer writes each).
    for (let i = 1; i <= 20; i++) {
      t.paper.setPrice(AAPL, 100 + i);
      await t.clock.advance(1_000);
      await settle();
    }
    const stop = t.run(s.id).levels!.stop;
    expect(stop).toBe(118);
    expect(t.eventsOf('stop_moved').length).toBeGreaterThanOrEqual(20);
    const moves = () => t.eventsOf('backstop_moved');
    expect(moves()).toHaveLength(6);
    // The minute's budget is spent; once it frees, the latest level goes, not each one missed.
    await t.clock.advance(60_000);
    await settle();
    expect(moves().length).toBeLessThanOrEqual(8);
    expect(backstop(s)).toMatchObject({ state: 'resting', triggerPrice: 118 });
    expect(t.paper.restingStops.held().filter((h) => h.status === 'resting')).toEqual([expect.objectContaining({ triggerPrice: 118, clientOrderId: backstop(s)!.clientOrderId })]);
    // Per minute, never more than 6 went to the broker.
    const times = moves().map((e) => e.at);
    for (const at of times) expect(times.filter((x) => x > at - 60_000 && x <= at).length).toBeLessThanOrEqual(6);
    // A fall through the stop: one exit.
    t.paper.setPrice(AAPL, 117);
    await t.until('2026-03-09T13:40:00Z');
    expect(t.run(s.id)).toMatchObject({ state: 'EXITED_BY_SL', positionQty: 0 });
    expect(sells()).toHaveLength(1);
    expect(refused()).toEqual([]);
  });
});

/** A few turns of the event loop, the clock standing still. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
