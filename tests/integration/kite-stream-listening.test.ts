/**
 * An entry that fills while the order stream is not listening (a restarting daemon sends its due
 * BUY before its ticker is up, and Kite pushes the fill to no one) is looked up as soon as the
 * ticker is up, not at its settle check SETTLE_CHECK_MS after Kite took it: its backstop GTT rests
 * within the second or so the lookup and the GTT's quote slot take. Real engine and Kite adapter
 * against the loopback fake, on a FakeClock; the times are the engine's.
 * Monday 2026-03-09: BUY 09:15 IST (03:45Z); INFY at 100, the stop at 95.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startKiteFake, type KiteFake } from '../fakes/kite/kite-fake';
import { startKiteEngine, type KiteTestEngine } from '../fakes/kite/kite-engine-harness';
import { waitFor } from '../fakes/kite/wait-for';
import { SETTLE_CHECK_MS } from '../../engine/execution/execution-engine';

let fake: KiteFake;
let t: KiteTestEngine;

afterEach(async () => {
  await t?.close();
  await fake?.close();
});

const realPause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the order stream starts listening after an entry filled', () => {
  it('the entry is looked up at once and its GTT rests within 2 s of the ticker being up, well before the settle check', async () => {
    fake = await startKiteFake({ prices: { INFY: 100 }, heartbeatMs: 10, now: () => t?.clock.now() ?? Date.now() });
    // The ticker cannot connect yet: whatever Kite pushes now reaches no one.
    fake.ticker.refuseUpgrades(503);
    t = await startKiteEngine({ fake, at: '2026-03-09T03:44:00Z', kiteOptions: { reconnect_max_delay_ms: 1_000 } });
    const s = await t.create();
    await t.start(s.id);
    await t.drive('2026-03-09T03:45:00.200Z', 100);
    await waitFor('the BUY filled at Kite', () => fake.orders()[0]?.status === 'COMPLETE');
    const acceptedAt = Date.parse('2026-03-09T03:45:00Z');
    expect(fake.ticker.connections()).toHaveLength(0);
    await t.drive('2026-03-09T03:45:01Z', 100);
    expect(t.run(s.id).state).toBe('BUYING'); // filled at Kite, not known here: no update reached the engine
    expect(t.repos.backstops.listByRunInternal(t.run(s.id).id)).toEqual([]);

    fake.ticker.refuseUpgrades(null);
    let upAt: number | null = null;
    let restingAt: number | null = null;
    const deadline = acceptedAt + SETTLE_CHECK_MS;
    while (t.clock.now() < deadline && restingAt === null) {
      await t.clock.advance(50);
      await realPause(20);
      if (upAt === null && fake.ticker.connections().length === 1) upAt = t.clock.now();
      if (t.repos.backstops.listByRunInternal(t.run(s.id).id)[0]?.state === 'resting') restingAt = t.clock.now();
    }
    expect(upAt, 'the ticker connected').not.toBeNull();
    expect(restingAt, 'the GTT rests before the settle check').not.toBeNull();
    // One lookup (GET /orders) and the GTT's quote slot (one a second) after the ticker is up.
    expect(restingAt! - upAt!).toBeLessThanOrEqual(2_000);
    expect(restingAt!).toBeLessThan(deadline - 3_000);
    expect(t.run(s.id)).toMatchObject({ state: 'IN_POSITION', positionQty: 10 });
    expect(fake.gtts()).toEqual([expect.objectContaining({ status: 'active' })]);
    // The one lookup pass asked Kite's order book, not each order's history.
    expect(fake.requests().filter((r) => r.method === 'GET' && r.path === '/orders').length).toBeGreaterThanOrEqual(1);
  });

  it('an entry answered only after the ticker is up (its fill streamed before) is looked up at its answer, not at its settle check', async () => {
    fake = await startKiteFake({ prices: { INFY: 100 }, heartbeatMs: 10, now: () => t?.clock.now() ?? Date.now() });
    fake.ticker.refuseUpgrades(503);
    t = await startKiteEngine({ fake, at: '2026-03-09T03:44:00Z', kiteOptions: { reconnect_max_delay_ms: 1_000 } });
    const s = await t.create();
    await t.start(s.id);
    // Kite takes the BUY and fills it at once (streamed to no one), its answer on a slow way back.
    fake.failNext('POST /orders', { kind: 'accept_then_slow', ms: 2_500 });
    while (t.clock.now() < Date.parse('2026-03-09T03:45:00.200Z')) {
      await t.clock.advance(100);
      await realPause(5);
    }
    await waitFor('the BUY filled at Kite', () => fake.orders()[0]?.status === 'COMPLETE');
    const acceptedAt = Date.parse('2026-03-09T03:45:00Z');

    fake.ticker.refuseUpgrades(null);
    let upAt: number | null = null;
    let answeredAt: number | null = null;
    let restingAt: number | null = null;
    const deadline = acceptedAt + SETTLE_CHECK_MS;
    while (t.clock.now() < deadline && restingAt === null) {
      await t.clock.advance(50);
      await realPause(20);
      if (upAt === null && fake.ticker.connections().length === 1) {
        upAt = t.clock.now();
        // The listening pass found nothing to look up: the answer had not come.
        expect(t.orders(s.id)[0]!.status).toBe('pending');
      }
      if (answeredAt === null && t.orders(s.id)[0]!.status !== 'pending') answeredAt = t.clock.now();
      if (t.repos.backstops.listByRunInternal(t.run(s.id).id)[0]?.state === 'resting') restingAt = t.clock.now();
    }
    expect(upAt, 'the ticker connected').not.toBeNull();
    expect(answeredAt, 'the answer came').not.toBeNull();
    expect(answeredAt!).toBeGreaterThan(upAt!);
    expect(restingAt, 'the GTT rests before the settle check').not.toBeNull();
    // One lookup (GET /orders) and the GTT's quote slot (one a second) after the answer.
    expect(restingAt! - answeredAt!).toBeLessThanOrEqual(2_000);
    expect(restingAt!).toBeLessThan(deadline - 2_000);
    expect(t.run(s.id)).toMatchObject({ state: 'IN_POSITION', positionQty: 10 });
    expect(fake.orders()).toHaveLength(1);
  });
});
