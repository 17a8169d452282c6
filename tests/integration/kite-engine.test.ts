/**
 * The seed flow through the REAL engine against the Kite fake: BUY at 09:15 IST and SELL at 09:20,
 * or BUY and then a STOPLOSS fired by a binary tick from the fake's ticker. Orders are counted at
 * the fake, where they arrive as form-encoded POSTs carrying the client order id as the tag.
 * Each position has its backstop (Kite's default, issue 20): a single-leg GTT at the stop, deleted
 * before the SELL; a price through the stop triggers it first, and its LIMIT order's fill is the exit.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startKiteFake, type KiteFake } from '../fakes/kite/kite-fake';
import { startKiteEngine, type KiteTestEngine } from '../fakes/kite/kite-engine-harness';
import { waitFor } from '../fakes/kite/wait-for';
import { asStrategyId, clientOrderId, MAX_EXIT_ATTEMPTS } from '../../engine/core/ids';

// Monday 2026-03-09, an NSE trading day. 09:14 IST = 03:44 UTC.
const at = (iso: string) => Date.parse(iso);
let fake: KiteFake;
let t: KiteTestEngine;

afterEach(async () => {
  await t?.close();
  await fake?.close();
});

async function armed(): Promise<{ id: Parameters<KiteTestEngine['run']>[0] }> {
  fake = await startKiteFake({ prices: { INFY: 100 }, heartbeatMs: 10, now: () => t?.clock.now() ?? Date.now() });
  // The watchdog is covered in kite-ticker.test.ts; here engine time runs ~300× real time, so
  // allow a minute of silence rather than pace the whole day against the fake's heartbeats.
  t = await startKiteEngine({ fake, at: '2026-03-09T03:44:00Z', kiteOptions: { stale_after_ms: 60_000 } });
  const s = await t.create();
  expect(await t.start(s.id)).toMatchObject({ state: 'ARMED', tradingDate: '2026-03-09', buyAt: at('2026-03-09T03:45:00Z'), sellAt: at('2026-03-09T03:50:00Z') });
  await waitFor('the INFY subscription at the fake', () => fake.ticker.connections()[0]?.tokens[408065] === 'ltp');
  return s;
}

describe('the seed flow on Kite', () => {
  it('BUY at 09:15 IST, SELL at 09:20 IST: two orders at Kite, tagged, filled, run SOLD', async () => {
    const s = await armed();
    await t.drive('2026-03-09T03:44:59Z');
    expect(fake.orders()).toHaveLength(0);
    await t.drive('2026-03-09T03:45:00Z');
    expect(fake.orders()).toHaveLength(1);
    expect(fake.orders()[0]).toMatchObject({ transaction_type: 'BUY', tradingsymbol: 'INFY', exchange: 'NSE', quantity: 10, product: 'MIS', order_type: 'MARKET', tag: 'tctest011260309E' });
    await waitFor('the BUY fill over the ticker', () => t.run(s.id).state === 'IN_POSITION');
    expect(t.orders(s.id)[0]).toMatchObject({ leg: 'BUY', status: 'filled', brokerOrderId: fake.orders()[0]!.order_id, fillPrice: 100, dispatchedAt: at('2026-03-09T03:45:00Z') });

    await t.drive('2026-03-09T03:50:00Z');
    await waitFor('the SELL fill', () => t.run(s.id).state === 'SOLD');
    expect(fake.orders().map((o) => [o.transaction_type, o.tag, o.status])).toEqual([
      ['BUY', 'tctest011260309E', 'COMPLETE'],
      ['SELL', 'tctest011260309X', 'COMPLETE'],
    ]);
    // The GTT rested from the BUY's fill and was deleted before the SELL went.
    expect(fake.gtts().map((g) => [g.type, g.status])).toEqual([['single', 'deleted']]);
    expect(t.run(s.id)).toMatchObject({ state: 'SOLD', positionQty: 0, exitLeg: 'SELL', exitPrice: 100 });
    expect(t.eventsOf('run_state_changed').map((e) => e.to)).toEqual(['BUYING', 'IN_POSITION', 'EXITING', 'SOLD']);
    await t.drive('2026-03-09T04:00:00Z', 10_000);
    expect(fake.orders()).toHaveLength(2);
  });

  it('BUY, then a binary tick through the stop-loss: the GTT fires at Kite, its LIMIT SELL\'s fill is the exit; the SELL job never fires', async () => {
    const s = await armed();
    await t.drive('2026-03-09T03:45:00Z');
    await waitFor('the BUY fill', () => t.run(s.id).state === 'IN_POSITION');
    await t.drive('2026-03-09T03:47:00Z');
    expect(fake.orders()).toHaveLength(1);

    expect(fake.setPrice('INFY', 94.5)).toBe(1); // one 8-byte ltp packet on the wire
    // Kite's GTT triggers on the last price at or through 95 and places its order (a LIMIT at 94.05,
    // 1 % beyond); the engine's own stop on the same tick asks to delete it and finds it triggered.
    await waitFor('the GTT\'s order at the fake', () => fake.orders().length === 2);
    await waitFor('the exit fill', () => t.run(s.id).state === 'EXITED_BY_SL');
    expect(fake.orders()[1]).toMatchObject({ transaction_type: 'SELL', quantity: 10, order_type: 'LIMIT', price: 94.05, status: 'COMPLETE', average_price: 94.5 });
    expect(fake.gtts().map((g) => [g.type, g.status])).toEqual([['single', 'triggered']]);
    expect(t.orders(s.id).map((o) => [o.leg, o.status, o.fillPrice])).toEqual([['BUY', 'filled', 100], ['BACKSTOP', 'filled', 94.5]]);
    expect(t.run(s.id)).toMatchObject({ exitLeg: 'BACKSTOP', exitPrice: 94.5, positionQty: 0 });
    expect(t.eventsOf('backstop_fired')).toEqual([expect.objectContaining({ filledQty: 10, fillPrice: 94.5 })]);

    await t.drive('2026-03-09T03:55:00Z', 10_000);
    fake.setPrice('INFY', 90);
    await new Promise((r) => setTimeout(r, 50));
    await t.engine.idle();
    expect(fake.orders()).toHaveLength(2);
    expect(t.eventsOf('exit_suppressed')).toEqual([]);
  });

  it('an expired Kite session holds the BUY loudly with "log in again", and misses it once its grace runs out', async () => {
    const s = await armed();
    fake.revokeTokens();
    await t.drive('2026-03-09T03:45:00Z');
    // Not placed yet (a dead session is not a refusal of the order): the trader is told at once, and the BUY waits for a login within its grace.
    await waitFor('the trader told', () => t.eventsOf('order_not_sent').length > 0);
    expect(t.eventsOf('order_not_sent')[0]?.reason).toMatch(/log in to Kite again/i);
    expect(t.kite.session().state).toBe('expired');
    await t.drive('2026-03-09T03:46:30Z');
    await waitFor('the run to settle', () => t.run(s.id).state === 'MISSED_BUY');
    expect(fake.orders()).toHaveLength(0);
    expect(t.run(s.id).reason).toMatch(/never reached the broker.*grace ran out/i);
  });

  it("a re-entry's ids at the last leg (9), its entry and every exit attempt, are Kite tags of at most 20 characters: Kite takes them", async () => {
    await armed();
    const largest = asStrategyId(36 ** 5 - 1);
    const ids = [clientOrderId('zzzzzz', largest, '2026-03-09', 'entry', 1, 9), ...Array.from({ length: MAX_EXIT_ATTEMPTS }, (_, i) => clientOrderId('zzzzzz', largest, '2026-03-09', 'exit', i + 1, 9))];
    expect(ids[0]).toMatch(/^tr[0-9a-z]{14}9E$/);
    for (const id of ids) expect(id.length, id).toBeLessThanOrEqual(20);
    const instrument = await t.kite.instruments.resolve('INFY', 'NSE');
    if (!instrument) throw new Error('the fake does not list INFY');
    const placed = await t.kite.execution.placeOrder({ clientOrderId: ids[0] ?? '', instrument, side: 'buy', qty: 1, opens: true });
    expect(placed.kind).toBe('accepted');
    expect(fake.orders().map((o) => o.tag)).toEqual([ids[0]]);
  });
});
