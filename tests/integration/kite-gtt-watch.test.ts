/**
 * A Kite GTT that fires while Tradeclock runs is noticed by the adapter (gtt-watch.ts) through
 * the real broker and the loopback fake, on a FakeClock: Kite sends no GTT event, so the LIMIT
 * order the GTT places, arriving on the ticker, has the GTT read at once (GET /gtt/triggers/{id}
 * shows it triggered and names the order); with no order update (the ticker silent) the resting
 * GTT is read every 10 s; nothing is read once nothing rests. Reported through
 * `restingStops.onUpdate`, the path the engine's BACKSTOP exit takes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../engine/core/fake-clock';
import { createKiteBroker, type KiteBroker } from '../../engine/brokers/kite';
import type { RestingStopReport, RestingStopRequest } from '../../engine/brokers/broker';
import { startKiteFake, type KiteFake } from '../fakes/kite/kite-fake';
import { waitFor } from '../fakes/kite/wait-for';

let fake: KiteFake;
let clock: FakeClock;
let kite: KiteBroker;

afterEach(async () => {
  await kite?.stop();
  await fake?.close();
});

async function resting(): Promise<{ stop: RestingStopRequest; id: string; reports: RestingStopReport[]; gttReads: () => number }> {
  fake = await startKiteFake({ prices: { INFY: 100 }, heartbeatMs: 10 });
  clock = new FakeClock(Date.parse('2026-03-09T04:00:00Z')); // 09:30 IST
  kite = createKiteBroker({ clock, credentials: fake.credentials(), options: fake.options(), random: () => 0.5 });
  const reports: RestingStopReport[] = [];
  kite.restingStops.onUpdate((r) => reports.push(r));
  await kite.start();
  await waitFor('the ticker connected', () => fake.ticker.connections().length === 1);
  const infy = (await kite.instruments.resolve('INFY', 'NSE'))!;
  const stop: RestingStopRequest = { clientOrderId: 'tbk3x9a17do00016011', instrument: infy, side: 'sell', qty: 10, triggerPrice: 95, limitPrice: 94.05 };
  await clock.advance(1_000); // Kite's 1 quote request a second: the GTT's LTP waits for its slot
  const placed = await kite.restingStops.place(stop);
  if (placed.kind !== 'done') throw new Error(`not placed: ${JSON.stringify(placed)}`);
  const id = placed.report.brokerRef;
  const gttReads = () => fake.requests().filter((r) => r.method === 'GET' && r.path === `/gtt/triggers/${id}`).length;
  return { stop, id, reports, gttReads };
}

describe('a GTT that fires while Tradeclock runs', () => {
  it('is read as soon as its LIMIT order shows on the ticker, and reported fired with the fill, the clock not moved', async () => {
    const { id, reports, gttReads } = await resting();
    const before = clock.now();
    fake.setPrice('INFY', 94.5);
    const order = fake.orders().find((o) => o.transaction_type === 'SELL')!;
    expect(order).toMatchObject({ order_type: 'LIMIT', price: 94.05, status: 'COMPLETE', tag: null });
    await waitFor('the fire reported', async () => {
      await clock.advance(0);
      return reports.length > 0;
    });
    expect(clock.now()).toBe(before);
    expect(reports).toEqual([expect.objectContaining({ clientOrderId: 'tbk3x9a17do00016011', brokerRef: id, status: 'fired', filledQty: 10, avgFillPrice: 94.5, done: true })]);
    expect(gttReads()).toBe(1);
    expect(fake.requests().filter((r) => r.method === 'GET' && r.path === `/orders/${order.order_id}`)).toHaveLength(1);
    // Reported once: read no more.
    await clock.advance(60_000);
    expect(gttReads()).toBe(1);
    expect(reports).toHaveLength(1);
  });

  it('with the ticker silent (no order update), is noticed by the 10 s read of the resting GTT', async () => {
    const { reports, gttReads } = await resting();
    fake.ticker.stall(true);
    fake.setPrice('INFY', 94.5);
    await clock.advance(9_000);
    expect([gttReads(), reports.length]).toEqual([0, 0]);
    await clock.advance(1_000); // 10 s since it was placed
    await waitFor('the fire reported', () => reports.length > 0);
    expect(reports).toEqual([expect.objectContaining({ status: 'fired', filledQty: 10, done: true })]);
    expect(gttReads()).toBe(1);
  });

  it('a GTT the trader deleted in Kite\'s app is reported cancelled, and read no more', async () => {
    const { stop, id, reports, gttReads } = await resting();
    fake.setGttStatus(Number(id), 'deleted');
    await clock.advance(10_000);
    await waitFor('the deletion reported', () => reports.length > 0);
    expect(reports).toEqual([expect.objectContaining({ brokerRef: id, status: 'cancelled', done: true, reason: 'Kite GTT deleted' })]);
    await clock.advance(60_000);
    expect(gttReads()).toBe(1);
    expect((await kite.restingStops.lookup({ ...stop, brokerRef: id }))?.status).toBe('cancelled');
  });

  it('reads nothing while no GTT rests: none placed, or the one placed deleted by the engine', async () => {
    const { stop, id, gttReads } = await resting();
    await clock.advance(25_000);
    await waitFor('two reads answered', () => gttReads() === 2);
    expect(await kite.restingStops.cancel({ ...stop, brokerRef: id })).toMatchObject({ kind: 'done', report: { status: 'cancelled' } });
    const after = fake.requests().length;
    await clock.advance(120_000);
    expect(fake.requests().slice(after).filter((r) => r.path.startsWith('/gtt/'))).toEqual([]);
  });

  it('a GTT found resting at a restart (the lookup of recovery) is watched from then on', async () => {
    const { stop, id } = await resting();
    await kite.stop();
    // The next process: a new broker on the same account, which knows the GTT only from its journal.
    kite = createKiteBroker({ clock, credentials: fake.credentials(), options: fake.options(), random: () => 0.5 });
    const reports: RestingStopReport[] = [];
    kite.restingStops.onUpdate((r) => reports.push(r));
    await kite.start();
    await waitFor('the ticker connected', () => fake.ticker.connections().length === 1);
    expect(await kite.restingStops.lookup({ ...stop, brokerRef: id })).toMatchObject({ status: 'resting' });
    fake.setPrice('INFY', 94.5);
    await waitFor('the fire reported', async () => {
      await clock.advance(0);
      return reports.length > 0;
    });
    expect(reports).toEqual([expect.objectContaining({ brokerRef: id, status: 'fired', done: true })]);
  });
});
