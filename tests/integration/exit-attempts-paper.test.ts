/**
 * The bound on an exit's attempts (invariant 9), on the paper broker and the fake clock: a SELL
 * refused for a reason that may pass is tried again with its own client order id (X, then 2..9),
 * each after the wait EXIT_RETRY_MS names, for the quantity still held; the 9th refusal puts the
 * run in ERROR with a reason that says so. Judged by the ids the broker was asked to place.
 *
 * Monday 2026-03-09, New York on EDT: BUY 09:30 NY (13:30Z), SELL 15:55 NY (19:55Z).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../support/engine-harness';
import { clientOrderId, MAX_EXIT_ATTEMPTS } from '../../engine/core/ids';
import { EXIT_RETRY_MS } from '../../engine/execution/apply-report';
import type { Broker, PlaceOrderRequest } from '../../engine/brokers/broker';

const at = (iso: string) => Date.parse(iso);
let t: TestEngine | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('the attempts of one exit', () => {
  it('nine refusals that may pass: ids X, 2..9 at the documented waits, then ERROR naming it; nothing else sent', async () => {
    // Before today's change: the first refusal was final (ERROR after one SELL, no attempt 2).
    t = await startTestEngine({ at: '2026-03-09T13:29:00Z' });
    const asked: PlaceOrderRequest[] = [];
    const place = t.paper.execution.placeOrder.bind(t.paper.execution);
    (t.paper.execution as { placeOrder: Broker['execution']['placeOrder'] }).placeOrder = (req) => {
      asked.push({ ...req });
      return place(req);
    };
    const s = await t.create();
    await t.start(s.id);
    await t.clock.advanceTo(at('2026-03-09T13:30:00Z'));
    await t.engine.idle();
    expect(t.run(s.id)).toMatchObject({ state: 'IN_POSITION', positionQty: 10 });

    for (let i = 0; i < MAX_EXIT_ATTEMPTS; i++) t.paper.failNextPlace('reject');
    await t.clock.advanceTo(at('2026-03-09T19:55:00Z'));
    // Every wait together is under five minutes.
    for (let i = 0; i < 10 && t.run(s.id).state !== 'ERROR'; i++) {
      await t.clock.advance(60_000);
      await t.engine.idle();
    }

    const ids = Array.from({ length: MAX_EXIT_ATTEMPTS }, (_, i) => clientOrderId('test01', s.id, '2026-03-09', 'exit', i + 1));
    expect(asked.map((r) => `${r.side} ${r.instrument.symbol} x${r.qty} ${r.clientOrderId}`)).toEqual([
      `buy AAPL x10 ${clientOrderId('test01', s.id, '2026-03-09', 'entry')}`,
      ...ids.map((id) => `sell AAPL x10 ${id}`),
    ]);
    expect(ids.at(-1)).toMatch(/9$/);
    const sells = t.orders(s.id).filter((o) => o.side === 'sell');
    expect(sells.map((o) => [o.attempt, o.status])).toEqual(ids.map((_, i) => [i + 1, 'rejected']));
    // Each attempt went out no sooner than the wait after the one before.
    for (let i = 1; i < sells.length; i++) expect(sells[i]!.dispatchedAt! - sells[i - 1]!.ackedAt!).toBeGreaterThanOrEqual(EXIT_RETRY_MS[i - 1]!);
    expect(t.eventsOf('exit_retry_scheduled').map((e) => e.attempt)).toEqual(ids.slice(1).map((_, i) => i + 1));
    expect(t.run(s.id)).toMatchObject({ state: 'ERROR', positionQty: 10 });
    expect(t.run(s.id).reason).toMatch(/all 9 attempts were refused/);
    // Only the buy ever reached the paper broker's book.
    expect(t.paper.placedOrders().map((o) => o.request.side)).toEqual(['buy']);

    // Nothing more is sent on its own.
    await t.clock.advance(30 * 60_000);
    await t.engine.idle();
    expect(asked).toHaveLength(1 + MAX_EXIT_ATTEMPTS);
  });
});
