/**
 * A stop crossed while another exit of the run is live: its STOPLOSS is suppressed and the level
 * is not put back, because none is needed. The live exit sells the position, or ends the run in
 * ERROR, where only the trader's STOP sells (a level put back would be suppressed as well).
 * Paper broker, fake clock. Monday 2026-03-09, New York: BUY 09:30 (13:30Z), SELL 15:55 (19:55Z).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../support/engine-harness';
import type { Strategy } from '../../engine/core/types';

let t: TestEngine;
afterEach(async () => t?.close());

/** In position since 09:30 with the stop at 95; the SELL went out at 15:55 and works for 30 s. */
async function sellWorking(): Promise<Strategy> {
  t = await startTestEngine({ at: '2026-03-09T13:00:00Z', paper: { fillLatencyMs: 30_000 } });
  const s = await t.create();
  await t.start(s.id);
  await t.until('2026-03-09T13:31:00Z');
  expect(t.engine.market.isStopArmed(s.id)).toBe(true);
  await t.until('2026-03-09T19:55:05Z');
  expect(t.run(s.id)).toMatchObject({ state: 'EXITING', lastAction: 'SELL' });
  return s;
}

const brokerBook = () => t.paper.placedOrders().map((o) => [o.request.side, o.request.qty, o.request.clientOrderId, o.report.status]);

describe('a crossing whose exit is suppressed', () => {
  it('while the SELL works: suppressed, the level gone, a later crossing sends nothing, and the SELL ends the run', async () => {
    const s = await sellWorking();
    t.paper.setPrice('NYSE:AAPL', 90);
    await t.until('2026-03-09T19:55:10Z');
    expect(t.eventsOf('stop_loss_triggered')).toHaveLength(1);
    expect(t.eventsOf('exit_suppressed')).toMatchObject([{ strategyId: s.id, leg: 'STOPLOSS', reason: 'SELL exit was already sent first' }]);
    expect(t.engine.market.isStopArmed(s.id)).toBe(false);
    t.paper.setPrice('NYSE:AAPL', 96);
    t.paper.setPrice('NYSE:AAPL', 89);
    await t.until('2026-03-09T19:56:00Z');
    expect(t.eventsOf('stop_loss_triggered')).toHaveLength(1);
    expect(t.run(s.id)).toMatchObject({ state: 'SOLD', positionQty: 0 });
    expect(brokerBook()).toEqual([
      ['buy', 10, 'tctest011260309E', 'filled'],
      ['sell', 10, 'tctest011260309X', 'filled'],
    ]);
  });

  it('while the SELL works, then the SELL is cancelled with nothing sold: ERROR, and a crossing there sells nothing until the trader\'s STOP', async () => {
    const s = await sellWorking();
    t.paper.setPrice('NYSE:AAPL', 90);
    await t.until('2026-03-09T19:55:10Z');
    await t.paper.execution.cancelOrder(t.orders(s.id).find((o) => o.slot === 'exit')!.clientOrderId);
    await t.until('2026-03-09T19:56:00Z');
    expect(t.run(s.id)).toMatchObject({ state: 'ERROR', positionQty: 10 });
    expect(t.engine.market.isStopArmed(s.id)).toBe(false);
    t.paper.setPrice('NYSE:AAPL', 96);
    t.paper.setPrice('NYSE:AAPL', 89);
    await t.until('2026-03-09T20:00:00Z');
    expect(brokerBook()).toEqual([
      ['buy', 10, 'tctest011260309E', 'filled'],
      ['sell', 10, 'tctest011260309X', 'cancelled'],
    ]);
    await t.engine.manager.stop(t.user.id, s.id);
    await t.until('2026-03-09T20:01:00Z');
    expect(t.run(s.id)).toMatchObject({ state: 'STOPPED', positionQty: 0 });
    expect(t.orders(s.id).map((o) => [o.leg, o.attempt, o.status])).toEqual([
      ['BUY', 1, 'filled'],
      ['SELL', 1, 'cancelled'],
      ['MANUAL_EXIT', 2, 'filled'],
    ]);
  });
});
