/**
 * Kite's GTT modify budget (KITE_GTT_MODIFIES_PER_MINUTE) holds across a restart: the times of a
 * leg's moves are journaled with each move (backstops.modifies_sent_at) before its PUT goes, so a
 * process started within the minute spends only what the one before left. Before, the budget lived
 * in memory and a restart could move one GTT up to twice the budget within a minute. Counted at
 * the loopback fake by its PUT /gtt/triggers/{id} requests, on the fake clock.
 * Monday 2026-03-09: BUY 09:15 IST (03:45Z); INFY at 100, a trailing stop 3 points below the best
 * price (the GTT at 97), each rise of a rupee moves it a rupee.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startKiteFake, type KiteFake } from '../fakes/kite/kite-fake';
import { startKiteEngine, type KiteTestEngine } from '../fakes/kite/kite-engine-harness';
import { waitFor } from '../fakes/kite/wait-for';
import { KITE_GTT_MODIFIES_PER_MINUTE } from '../../engine/brokers/kite/kite-resting-stops';

let fake: KiteFake;
let t: KiteTestEngine;
const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
  await t?.close();
  await fake?.close();
});

const iso = (ms: number) => new Date(ms).toISOString();

describe('the GTT modify budget', () => {
  it('a process restarted within the minute makes at most what is left of it; the latest level goes once the minute is over', async () => {
    expect(KITE_GTT_MODIFIES_PER_MINUTE).toBe(6);
    fake = await startKiteFake({ prices: { INFY: 100 }, heartbeatMs: 10, now: () => t?.clock.now() ?? Date.now() });
    t = await startKiteEngine({ fake, at: '2026-03-09T03:44:00Z', kiteOptions: { stale_after_ms: 60_000 } });
    const s = await t.create({ trail: 3 });
    await t.start(s.id);
    await t.drive('2026-03-09T03:45:05Z', 500);
    const backstop = () => t.repos.backstops.listByRunInternal(t.run(s.id).id)[0];
    await waitFor('the GTT resting', () => backstop()?.state === 'resting');
    expect(backstop()).toMatchObject({ triggerPrice: 97, version: 1 });
    const puts = () => fake.requests().filter((r) => r.method === 'PUT' && r.path.startsWith('/gtt/triggers/'));
    /** Rise to `price`, and give the move (its quote slot, its PUT, the levels' write) two seconds on the fake clock. */
    const rise = async (price: number) => {
      fake.setPrice('INFY', price);
      await waitFor(`the tick at ${price}`, () => t.engine.ctx.market.lastPrice(t.account.id, 'NSE:INFY')?.price === price);
      await t.drive(iso(t.clock.now() + 2_000), 250);
      await waitFor('no move in flight', () => backstop()?.state === 'resting');
      expect(t.run(s.id).levels?.stop).toBe(price - 3);
    };

    // Four moves by the first process.
    const firstMoveFrom = t.clock.now();
    for (const price of [101, 102, 103, 104]) await rise(price);
    expect(puts()).toHaveLength(4);
    expect(backstop()).toMatchObject({ triggerPrice: 101, version: 5 });

    // Killed, and started again at once: two moves are left of the minute.
    const crashed = t;
    await crashed.kill();
    cleanups.push(() => crashed.closeDb());
    t = await startKiteEngine({ fake, at: iso(crashed.clock.now()), kiteOptions: { stale_after_ms: 60_000 }, reuse: { repos: crashed.repos, user: crashed.user, account: crashed.account, closeDb: () => {} } });
    await t.engine.recover();
    await t.drive(iso(t.clock.now() + 1_000), 250);
    for (const price of [105, 106, 107, 108]) await rise(price);
    expect(t.clock.now()).toBeLessThan(firstMoveFrom + 60_000);
    expect(puts()).toHaveLength(KITE_GTT_MODIFIES_PER_MINUTE);
    // The journal holds the six, the first process's four among them, each written before its PUT.
    const sent = backstop()!.modifiesSentAt;
    expect(sent).toHaveLength(KITE_GTT_MODIFIES_PER_MINUTE);
    expect(sent[0]).toBeGreaterThanOrEqual(firstMoveFrom);
    const minuteEnds = sent[0]! + 60_000;
    // The engine's own stop follows at once; the GTT waits at its sixth move (106 − 3).
    expect(t.run(s.id).levels?.stop).toBe(105);
    expect(backstop()).toMatchObject({ triggerPrice: 103, version: 7, state: 'resting' });

    // Once the first move leaves the minute, the latest level (108 − 3) goes in one PUT.
    await t.drive(iso(minuteEnds + 2_000), 500);
    await waitFor('the GTT at 105', () => backstop()?.triggerPrice === 105 && backstop()?.state === 'resting');
    expect(puts()).toHaveLength(KITE_GTT_MODIFIES_PER_MINUTE + 1);
    expect(fake.gtts()).toEqual([expect.objectContaining({ id: Number(backstop()!.brokerRef), status: 'active', condition: expect.objectContaining({ trigger_values: [105] }) })]);
  });
});
