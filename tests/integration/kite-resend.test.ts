/**
 * Kite has no idempotency key: a resend must find the earlier order by its tag and not place a
 * second one. Covered at the adapter (a fresh broker after a "crash" places the same client order
 * id again) and through the real engine (a timed-out BUY resolved by lookup; a daemon killed
 * mid-send and restarted, which recovers the order from Kite instead of sending it twice).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../engine/core/fake-clock';
import { createKiteBroker, type KiteBroker } from '../../engine/brokers/kite';
import type { OrderReport, PlaceOrderRequest } from '../../engine/brokers/broker';
import { startKiteFake, type KiteFake } from '../fakes/kite/kite-fake';
import { startKiteEngine, type KiteTestEngine } from '../fakes/kite/kite-engine-harness';
import { waitFor } from '../fakes/kite/wait-for';

let fake: KiteFake;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await fake?.close();
});

function broker(clock: FakeClock, options: Record<string, unknown> = {}): KiteBroker {
  const b = createKiteBroker({ clock, credentials: fake.credentials(), options: { ...fake.options(), ...options }, random: () => 0.5 });
  cleanups.push(() => b.stop());
  return b;
}

describe('resend at the adapter', () => {
  it('a fresh broker (after a crash) finds the timed-out order by tag and does not place a second one', async () => {
    fake = await startKiteFake({ prices: { INFY: 100 } });
    const clock = new FakeClock(Date.parse('2026-03-09T03:45:00Z'));
    const first = broker(clock, { request_timeout_ms: 2_000 });
    const infy = (await first.instruments.resolve('INFY', 'NSE'))!;
    const req: PlaceOrderRequest = { clientOrderId: 'tctest011260309E', instrument: infy, side: 'buy', opens: true, qty: 10 };

    fake.failNext('POST /orders', { kind: 'accept_then_stall' });
    const placing = first.execution.placeOrder(req);
    await waitFor('the order to reach Kite', () => fake.orders().length === 1);
    await clock.advance(2_000);
    expect(await placing).toMatchObject({ kind: 'unknown', reason: expect.stringMatching(/did not answer/) });
    await first.stop(); // the process dies here

    const second = broker(clock);
    const reports: OrderReport[] = [];
    second.execution.onOrderUpdate((r) => reports.push(r));
    await waitFor('the fill at Kite', () => fake.orders()[0]!.status === 'COMPLETE');
    const again = await second.execution.placeOrder(req);
    expect(again).toEqual({ kind: 'accepted', brokerOrderId: fake.orders()[0]!.order_id, at: expect.any(Number) });
    expect(fake.orders()).toHaveLength(1);
    expect(fake.requests().filter((r) => r.method === 'POST' && r.path === '/orders/regular')).toHaveLength(1);
    // The caller also learns at once that the order it found is already filled.
    expect(reports).toEqual([expect.objectContaining({ clientOrderId: 'tctest011260309E', status: 'filled', filledQty: 10, avgFillPrice: 100 })]);
  });

  it('an earlier attempt that Kite rejected is the answer: rejected again, nothing new placed', async () => {
    fake = await startKiteFake({ prices: { INFY: 100 } });
    const clock = new FakeClock(Date.parse('2026-03-09T03:45:00Z'));
    const b = broker(clock);
    const infy = (await b.instruments.resolve('INFY', 'NSE'))!;
    const req: PlaceOrderRequest = { clientOrderId: 'tctest011260309E', instrument: infy, side: 'buy', opens: true, qty: 10 };
    fake.rejectNextAfterAccept('RMS:Margin Exceeds');
    expect((await b.execution.placeOrder(req)).kind).toBe('accepted');
    await waitFor('the RMS rejection', () => fake.orders()[0]!.status === 'REJECTED');
    expect(await b.execution.placeOrder(req)).toEqual({ kind: 'rejected', reason: 'Kite: RMS:Margin Exceeds' });
    expect(fake.orders()).toHaveLength(1);
  });

  it('places a new order when no order carries the tag', async () => {
    fake = await startKiteFake({ prices: { INFY: 100 } });
    const clock = new FakeClock(Date.parse('2026-03-09T03:45:00Z'));
    const b = broker(clock);
    const infy = (await b.instruments.resolve('INFY', 'NSE'))!;
    await b.execution.placeOrder({ clientOrderId: 'tctest011260309E', instrument: infy, side: 'buy', opens: true, qty: 10 });
    await b.execution.placeOrder({ clientOrderId: 'tctest011260309X', instrument: infy, side: 'sell', opens: false, qty: 10 });
    expect(fake.orders().map((o) => o.tag)).toEqual(['tctest011260309E', 'tctest011260309X']);
  });
});

describe('resend through the engine', () => {
  async function engineAt(iso: string, reuse?: Parameters<typeof startKiteEngine>[0]['reuse']): Promise<KiteTestEngine> {
    const t = await startKiteEngine({ fake, at: iso, reuse, kiteOptions: { stale_after_ms: 60_000, request_timeout_ms: 3_000 } });
    cleanups.push(() => t.close());
    return t;
  }

  it('a BUY whose reply timed out is resolved by a lookup by tag: one order at Kite, run in position', async () => {
    fake = await startKiteFake({ prices: { INFY: 100 }, heartbeatMs: 10 });
    const t = await engineAt('2026-03-09T03:44:00Z');
    const s = await t.create();
    await t.start(s.id);
    fake.failNext('POST /orders', { kind: 'accept_then_stall' });
    fake.ticker.stall(true); // no order update either: only a lookup can tell
    await t.clock.advanceTo(Date.parse('2026-03-09T03:45:00Z'));
    await waitFor('the BUY to reach Kite', () => fake.orders().length === 1);
    await t.drive('2026-03-09T03:45:03Z', 500);
    expect(t.orders(s.id)[0]!.status).toBe('unknown');
    expect(t.eventsOf('order_unknown')).toEqual([expect.objectContaining({ reason: expect.stringMatching(/did not answer POST \/orders\/regular within 3000 ms/) })]);
    await t.drive('2026-03-09T03:45:30Z', 500); // the reconciler's lookups run on the engine clock
    await waitFor('the run to be in position', () => t.run(s.id).state === 'IN_POSITION');
    expect(fake.orders()).toHaveLength(1);
    expect(t.orders(s.id)[0]).toMatchObject({ status: 'filled', brokerOrderId: fake.orders()[0]!.order_id });
    // One order POST; the other POST is the backstop's GTT, placed once the BUY was known filled.
    expect(fake.requests().filter((r) => r.method === 'POST').map((r) => r.path)).toEqual(['/orders/regular', '/gtt/triggers']);
  });

  it('a lookup Kite could not answer is no "no such order": however long the order book is down, nothing is sent twice and nothing given up', async () => {
    fake = await startKiteFake({ prices: { INFY: 100 }, heartbeatMs: 10 });
    const t = await engineAt('2026-03-09T03:44:00Z');
    const s = await t.create();
    await t.start(s.id);
    fake.failNext('POST /orders', { kind: 'accept_then_stall' });
    fake.ticker.stall(true);
    await t.clock.advanceTo(Date.parse('2026-03-09T03:45:00Z'));
    await waitFor('the BUY to reach Kite', () => fake.orders().length === 1);
    // Every order-book read fails for longer than the five lookups, a resend's own check and five
    // lookups more take: the old reconciler counted each failure as "no such order", then gave up.
    fake.failNext('GET /orders', { kind: 'status', status: 503, errorType: 'NetworkException', message: 'Service unavailable' }, 11);
    await t.drive('2026-03-09T03:49:30Z', 1_000); // before the SELL at 09:20 IST
    await waitFor('the run to be in position', () => t.run(s.id).state === 'IN_POSITION');
    expect(fake.orders()).toHaveLength(1);
    // One order POST; the other POST is the backstop's GTT, placed once the BUY was known filled.
    expect(fake.requests().filter((r) => r.method === 'POST').map((r) => r.path)).toEqual(['/orders/regular', '/gtt/triggers']);
    expect(t.orders(s.id)[0]).toMatchObject({ status: 'filled', brokerOrderId: fake.orders()[0]!.order_id });
    // The only "unknown" is the timed-out reply itself, not an order given up.
    expect(t.eventsOf('order_unknown').map((e) => e.reason)).toEqual([expect.stringMatching(/did not answer POST/)]);
  });

  it('a daemon killed mid-send recovers the BUY from Kite by tag on restart and sends nothing twice', async () => {
    fake = await startKiteFake({ prices: { INFY: 100 }, heartbeatMs: 10 });
    const crashed = await startKiteEngine({ fake, at: '2026-03-09T03:44:00Z', kiteOptions: { stale_after_ms: 60_000 } });
    const s = await crashed.create();
    await crashed.start(s.id);
    fake.failNext('POST /orders', { kind: 'accept_then_stall' });
    fake.ticker.stall(true); // the daemon dies before any word of the order reaches it
    await crashed.clock.advanceTo(Date.parse('2026-03-09T03:45:00Z'));
    await waitFor('the BUY to reach Kite', () => fake.orders().length === 1);
    expect(crashed.orders(s.id)[0]!.status).toBe('pending'); // journaled, sent, no answer: then the crash
    await crashed.kill();
    cleanups.push(async () => crashed.closeDb());
    fake.ticker.stall(false);

    const restarted = await engineAt('2026-03-09T03:45:20Z', { repos: crashed.repos, user: crashed.user, account: crashed.account, closeDb: () => {} });
    const report = await restarted.engine.recover();
    expect(report.ordersToReconcile).toBe(1);
    await restarted.drive('2026-03-09T03:45:25Z', 500);
    await waitFor('the recovered BUY to be applied', () => restarted.run(s.id).state === 'IN_POSITION');
    expect(fake.orders()).toHaveLength(1);
    expect(restarted.orders(s.id)).toEqual([expect.objectContaining({ leg: 'BUY', status: 'filled', brokerOrderId: fake.orders()[0]!.order_id })]);

    // The day goes on normally: the SELL at 09:20 is the second and last order.
    await restarted.drive('2026-03-09T03:50:00Z', 5_000);
    await waitFor('the SELL', () => restarted.run(s.id).state === 'SOLD');
    expect(fake.orders().map((o) => o.transaction_type)).toEqual(['BUY', 'SELL']);
  });
});
