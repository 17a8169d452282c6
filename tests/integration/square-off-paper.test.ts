/**
 * The square-off (square_off_time), on the paper broker and the fake clock: the last moment a
 * position of the run may stay open. A refused SELL whose next attempt would wait past it is made
 * at it, as the SQUARE_OFF; a position the SELL could not close is closed by the square-off's own
 * job; either way the run ends SOLD with exit_leg SQUARE_OFF, and the broker is sent one exit at a
 * time. Judged by what the broker was asked to place.
 *
 * Monday 2026-03-09, New York on EDT: BUY 09:30 NY (13:30Z), SELL 15:55 NY (19:55Z).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../support/engine-harness';
import type { Broker, PlaceOrderRequest } from '../../engine/brokers/broker';
import type { Strategy } from '../../engine/core/types';

const at = (iso: string) => Date.parse(iso);
let t: TestEngine | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** Bought 10 AAPL at 09:30 by a strategy squaring off at `squareOff` (New York); every order the broker was asked for in `asked`. */
async function boughtWithSquareOff(squareOff: string): Promise<{ t: TestEngine; s: Strategy; asked: PlaceOrderRequest[] }> {
  t = await startTestEngine({ at: '2026-03-09T13:29:00Z' });
  const asked: PlaceOrderRequest[] = [];
  const place = t.paper.execution.placeOrder.bind(t.paper.execution);
  (t.paper.execution as { placeOrder: Broker['execution']['placeOrder'] }).placeOrder = (req) => {
    asked.push({ ...req });
    return place(req);
  };
  const s = await t.create({ square_off_time: squareOff });
  await t.start(s.id);
  await t.clock.advanceTo(at('2026-03-09T13:30:00Z'));
  await t.engine.idle();
  expect(t.run(s.id)).toMatchObject({ state: 'IN_POSITION', positionQty: 10, squareOffAt: at(`2026-03-09T${squareOff.replace(/^15/, '19')}Z`) });
  return { t, s, asked };
}

async function until(t: TestEngine, iso: string): Promise<void> {
  await t.clock.advanceTo(at(iso));
  await t.engine.idle();
}

describe('the square-off', () => {
  it('a refused SELL whose next attempt would fall after the square-off is made at it, as SQUARE_OFF, and sells', async () => {
    const { t, s, asked } = await boughtWithSquareOff('15:55:02');
    // Attempt 1 (19:55:00) and attempt 2 (1 s later) refused; attempt 3 would wait 2 s more, to 19:55:03.
    t.paper.failNextPlace('reject');
    t.paper.failNextPlace('reject');
    await until(t, '2026-03-09T19:55:01.500Z');
    expect(t.orders(s.id).filter((o) => o.slot === 'exit').map((o) => [o.attempt, o.leg, o.status])).toEqual([
      [1, 'SELL', 'rejected'],
      [2, 'SELL', 'rejected'],
    ]);
    expect(t.run(s.id).reason).toMatch(/Attempt 3 sells the 10 still held at the square-off$/);
    expect(t.eventsOf('exit_retry_scheduled').at(-1)).toMatchObject({ attempt: 2, nextAttemptAt: at('2026-03-09T19:55:02Z') });

    await until(t, '2026-03-09T19:55:02Z');
    const exits = t.orders(s.id).filter((o) => o.slot === 'exit');
    expect(exits.map((o) => [o.attempt, o.leg, o.status])).toEqual([
      [1, 'SELL', 'rejected'],
      [2, 'SELL', 'rejected'],
      [3, 'SQUARE_OFF', 'filled'],
    ]);
    expect(exits[2]!.dispatchedAt).toBe(at('2026-03-09T19:55:02Z'));
    expect(t.run(s.id)).toMatchObject({ state: 'SOLD', positionQty: 0, exitLeg: 'SQUARE_OFF' });
    // The retry timer and the square-off job fell on one instant: one attempt went out, never two.
    expect(asked.map((r) => `${r.side} x${r.qty}`)).toEqual(['buy x10', 'sell x10', 'sell x10', 'sell x10']);
    expect(t.paper.placedOrders().map((o) => o.request.side)).toEqual(['buy', 'sell']);

    await until(t, '2026-03-09T20:30:00Z');
    expect(asked).toHaveLength(4);
  });

  it('a position the SELL could not close (the strategy\'s lock held elsewhere) is sold by the square-off job at its time', async () => {
    const { t, s, asked } = await boughtWithSquareOff('15:55:05');
    // Another process holds the strategy's lock over the SELL time: the SELL is put off (1 s, 2 s, 5 s, 10 s …).
    expect(await t.runtime.acquireLock(s.id, 'elsewhere', 60_000)).toBe(true);
    await until(t, '2026-03-09T19:55:04Z');
    expect(t.run(s.id)).toMatchObject({ state: 'IN_POSITION', positionQty: 10 });
    await t.runtime.releaseLock(s.id, 'elsewhere');

    await until(t, '2026-03-09T19:55:05Z');
    const exits = t.orders(s.id).filter((o) => o.slot === 'exit');
    expect(exits.map((o) => [o.attempt, o.leg, o.status, o.dispatchedAt])).toEqual([[1, 'SQUARE_OFF', 'filled', at('2026-03-09T19:55:05Z')]]);
    expect(t.run(s.id)).toMatchObject({ state: 'SOLD', positionQty: 0, exitLeg: 'SQUARE_OFF', lastAction: 'SQUARE_OFF_FILLED' });

    // The SELL put off comes round after: nothing is held, so nothing is sent.
    await until(t, '2026-03-09T19:56:00Z');
    expect(asked.map((r) => `${r.side} x${r.qty}`)).toEqual(['buy x10', 'sell x10']);
    expect(t.eventsOf('exit_suppressed').map((e) => e.leg)).toContain('SELL');
  });

  it('an ERROR at the square-off waits for the trader: the square-off sends nothing', async () => {
    const { t, s, asked } = await boughtWithSquareOff('15:56:00');
    // A lasting refusal: the SELL is not tried again, the run goes to ERROR with the position open.
    t.paper.failNextPlace('reject-lasting');
    await until(t, '2026-03-09T19:55:30Z');
    expect(t.run(s.id)).toMatchObject({ state: 'ERROR', positionQty: 10 });
    await until(t, '2026-03-09T19:57:00Z');
    expect(asked).toHaveLength(2);
    expect(t.run(s.id)).toMatchObject({ state: 'ERROR', positionQty: 10 });
    expect(t.orders(s.id).filter((o) => o.leg === 'SQUARE_OFF')).toEqual([]);
  });
});
