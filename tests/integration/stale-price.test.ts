/**
 * A price stream that cannot go silently stale, through the whole engine on the paper broker and a
 * fake clock: the stream freezes while a position is open (the paper market keeps moving under a
 * feed that shows nothing), the REST quote finds the stop crossed, and the exit goes out once,
 * saying it was decided on a REST quote. Monday 2026-03-09, New York: BUY 09:30 (13:30Z).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../support/engine-harness';

let t: TestEngine;
afterEach(async () => t?.close());

describe('a position whose price stream froze', () => {
  it('is alerted, its stop is found crossed by a REST quote, and the exit goes out exactly once, labelled', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:00:00Z', paper: { tickIntervalMs: 24 * 3_600_000 } });
    const s = await t.create();
    await t.start(s.id);
    await t.until('2026-03-09T13:30:00Z');
    expect(t.run(s.id)).toMatchObject({ state: 'IN_POSITION', positionQty: 10 });
    t.paper.data.setFeed('stale', 'frozen for the test');
    t.paper.setPrice('NYSE:AAPL', 97);
    await t.until('2026-03-09T13:30:15Z');
    expect(t.eventsOf('price_stale').map((e) => [e.strategyId, e.instrument, e.lastPrice, e.quotePrice])).toEqual([[s.id, 'NYSE:AAPL', 100, 97]]);
    expect(t.engine.stalePrices.staleOf(s.id)).toMatchObject({ lastPrice: 100 });
    // The stream's last price came at subscribe time, 09:00: the silence is counted from there.
    t.paper.setPrice('NYSE:AAPL', 94);
    await t.until('2026-03-09T13:31:30Z');
    const exits = t.orders(s.id).filter((o) => o.slot === 'exit');
    expect(exits.map((o) => [o.leg, o.qty, o.status])).toEqual([['STOPLOSS', 10, 'filled']]);
    expect(t.paper.placedOrders().map((o) => o.request.side)).toEqual(['buy', 'sell']);
    expect(t.eventsOf('stop_loss_triggered').map((e) => [e.price, e.stopLoss, e.priceSource, e.silentForMs])).toEqual([[94, 95, 'rest', 1_820_000]]);
    expect(t.run(s.id).state).toBe('EXITED_BY_SL');
    // The position is closed: the episode ended, and the events went to the audit log.
    expect(t.engine.stalePrices.staleOf(s.id)).toBeNull();
    await t.engine.stop();
    expect(t.repos.events.list(t.user.id, { strategyId: s.id }).map((e) => e.type)).toContain('price_stale');
  });
});
