/**
 * The backstop at Kite (a single-leg GTT whose order is a LIMIT beyond the trigger), through the
 * real adapter and the loopback fake: placed once the BUY fills, deleted and awaited before the
 * SELL at 09:20 IST (one SELL at Kite), and a GTT that fired while the daemon was dead ends the leg
 * at the restart with its fill: no SELL follows. Judged by the fake's order book and GTT list.
 * Monday 2026-03-09: BUY 09:15 IST (03:45Z), SELL 09:20 IST (03:50Z); INFY at 100, the stop at 95.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startKiteFake, type KiteFake } from '../fakes/kite/kite-fake';
import { startKiteEngine, type KiteTestEngine } from '../fakes/kite/kite-engine-harness';
import { waitFor } from '../fakes/kite/wait-for';

let fake: KiteFake;
let t: KiteTestEngine;
const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
  await t?.close();
  await fake?.close();
});

async function inPosition(more: Pick<Parameters<typeof startKiteEngine>[0], 'stalePrice'> = {}, body: Record<string, unknown> = {}): Promise<{ id: Parameters<KiteTestEngine['run']>[0] }> {
  fake = await startKiteFake({ prices: { INFY: 100 }, heartbeatMs: 10, now: () => t?.clock.now() ?? Date.now() });
  t = await startKiteEngine({ fake, at: '2026-03-09T03:44:00Z', kiteOptions: { stale_after_ms: 60_000 }, ...more });
  const s = await t.create(body);
  await t.start(s.id);
  await t.drive('2026-03-09T03:45:05Z', 500);
  await waitFor('the GTT resting', () => t.repos.backstops.listByRunInternal(t.run(s.id).id)[0]?.state === 'resting');
  expect(t.run(s.id)).toMatchObject({ state: 'IN_POSITION', positionQty: 10 });
  return s;
}

const sells = () => fake.orders().filter((o) => o.transaction_type === 'SELL').map((o) => [o.order_type, o.status, o.quantity]);
/** The PUTs of GTTs the fake received (a move of a backstop). */
const puts = () => fake.requests().filter((r) => r.method === 'PUT' && r.path.startsWith('/gtt/triggers/')).length;

/**
 * A trail move of the GTT to 98 (the price to 101, the stop 3 below) meets `fault` on its PUT, if
 * given; the fake clock is driven only in 250 ms steps until the PUT has reached the fake, so a
 * timeout on that clock starts before a test drives past it. `meanwhile` runs at Kite before the
 * move reaches it.
 */
async function moveMeets(fault: Parameters<KiteFake['failNext']>[1] | null, meanwhile: () => void = () => {}): Promise<void> {
  const before = puts();
  if (fault) fake.failNext('PUT /gtt/triggers', fault);
  fake.setPrice('INFY', 101);
  meanwhile();
  await waitFor('the tick at 101', () => t.engine.ctx.market.lastPrice(t.account.id, 'NSE:INFY')?.price === 101);
  for (let i = 0; i < 40 && puts() === before; i++) await t.drive(new Date(t.clock.now() + 250).toISOString(), 250);
  await waitFor('the PUT at the fake', () => puts() > before);
}

/**
 * Two strategies long 10 INFY in one account, both GTTs resting: A with its stop at 98, B with a
 * trailing stop 3 below the best price (its GTT at 97), which a rise to 101 moves to A's 98.
 */
async function stopAndTrail(more: Pick<Parameters<typeof startKiteEngine>[0], 'stalePrice'> = {}) {
  fake = await startKiteFake({ prices: { INFY: 100 }, heartbeatMs: 10, now: () => t?.clock.now() ?? Date.now() });
  t = await startKiteEngine({ fake, at: '2026-03-09T03:44:00Z', kiteOptions: { stale_after_ms: 60_000 }, ...more });
  const a = await t.create({ stop_loss: 98 });
  const b = await t.create({ trail: 3 });
  await t.start(a.id);
  await t.start(b.id);
  await t.drive('2026-03-09T03:45:05Z', 500);
  const row = (id: typeof a.id) => t.repos.backstops.listByRunInternal(t.run(id).id)[0];
  await waitFor('both GTTs resting', () => row(a.id)?.state === 'resting' && row(b.id)?.state === 'resting');
  return { a, b, row };
}

describe('the backstop at Kite', () => {
  it('rests as a GTT after the BUY fills; the SELL at 09:20 deletes it first: one SELL at Kite', async () => {
    const s = await inPosition();
    const b = t.repos.backstops.listByRunInternal(t.run(s.id).id)[0]!;
    expect(b).toMatchObject({ triggerPrice: 95, limitPrice: 94.05, brokerRef: expect.any(String) });
    expect(fake.gtts()).toEqual([expect.objectContaining({ id: Number(b.brokerRef), status: 'active' })]);
    await t.drive('2026-03-09T03:50:05Z', 1_000);
    await waitFor('SOLD', () => t.run(s.id).state === 'SOLD');
    expect(sells()).toEqual([['MARKET', 'COMPLETE', 10]]);
    expect(fake.gtts().filter((g) => g.status === 'active')).toEqual([]);
    expect(t.repos.backstops.listByRunInternal(t.run(s.id).id)[0]?.state).toBe('cancelled');
  });

  it('fired while the daemon is up and its ticker silent: the GTT, read within 10 s, ends the leg with its fill; no SELL at 09:20', async () => {
    // The engine's own stop never sees the price (no tick, and the stale-price cross-check far off): only the GTT's read can tell.
    const s = await inPosition({ stalePrice: { staleAfterMs: 30 * 60_000 } });
    fake.ticker.stall(true);
    fake.setPrice('INFY', 94.5);
    const firedAt = t.clock.now();
    await t.drive(new Date(firedAt + 10_500).toISOString(), 500);
    await waitFor('EXITED_BY_SL', () => t.run(s.id).state === 'EXITED_BY_SL');
    expect(t.clock.now()).toBeLessThanOrEqual(firedAt + 10_500);
    expect(t.run(s.id)).toMatchObject({ exitLeg: 'BACKSTOP', positionQty: 0 });
    expect(t.repos.backstops.listByRunInternal(t.run(s.id).id)[0]).toMatchObject({ state: 'fired', filledQty: 10, done: true });
    fake.ticker.stall(false);
    await t.drive('2026-03-09T03:50:05Z', 5_000);
    expect(sells()).toEqual([['LIMIT', 'COMPLETE', 10]]);
  });

  it('fired into a gap (its LIMIT 1 % past the trigger left unfilled): after 10 s the exit cancels that order and sells at market itself', async () => {
    // Before: the leg's BACKSTOP exit looked the GTT up again and again while its LIMIT rested, and
    // every exit of the leg waited behind it: the position stayed open for as long as the price
    // stayed below the LIMIT.
    const s = await inPosition({ stalePrice: { staleAfterMs: 30 * 60_000 } });
    fake.ticker.stall(true);
    fake.setPrice('INFY', 93);
    const firedAt = t.clock.now();
    await waitFor('the GTT fired, its LIMIT open', () => fake.orders().some((o) => o.transaction_type === 'SELL' && o.order_type === 'LIMIT' && o.status === 'OPEN'));
    await t.drive(new Date(firedAt + 30_000).toISOString(), 500);
    await waitFor('EXITED_BY_SL', () => t.run(s.id).state === 'EXITED_BY_SL');
    expect(t.run(s.id)).toMatchObject({ exitLeg: 'BACKSTOP', positionQty: 0 });
    expect(sells()).toEqual([
      ['LIMIT', 'CANCELLED', 10],
      ['MARKET', 'COMPLETE', 10],
    ]);
    const row = t.repos.backstops.listByRunInternal(t.run(s.id).id)[0]!;
    expect(row).toMatchObject({ state: 'fired', done: true, filledQty: 0 });
    const exit = t.orders(s.id).find((o) => o.slot === 'exit')!;
    expect(exit).toMatchObject({ leg: 'BACKSTOP', qty: 10, status: 'filled' });
    // Sent once its patience ran out, at the clearance's next look after 10 s, and at once after the cancel.
    expect(exit.dispatchedAt! - firedAt).toBeGreaterThanOrEqual(10_000);
    expect(exit.dispatchedAt! - firedAt).toBeLessThan(20_000);
    expect(exit.dispatchedAt! - row.updatedAt).toBeLessThan(1_000);
  });

  it('deleted by the trader in Kite\'s app: the next read journals it cancelled and places its next version at once; the SELL at 09:20 deletes that one first', async () => {
    const s = await inPosition();
    const b = t.repos.backstops.listByRunInternal(t.run(s.id).id)[0]!;
    fake.setGttStatus(Number(b.brokerRef), 'deleted');
    await t.drive(new Date(t.clock.now() + 10_500).toISOString(), 500);
    await waitFor('version 2 resting', () => t.repos.backstops.listByRunInternal(t.run(s.id).id)[0]?.version === 2 && t.repos.backstops.listByRunInternal(t.run(s.id).id)[0]?.state === 'resting');
    const again = t.repos.backstops.listByRunInternal(t.run(s.id).id)[0]!;
    expect(again.brokerRef).not.toBe(b.brokerRef);
    expect(t.eventsOf('backstop_cancelled')).toEqual([expect.objectContaining({ strategyId: s.id, brokerRef: b.brokerRef })]);
    expect(t.eventsOf('backstop_placed').map((e) => e.brokerRef)).toEqual([b.brokerRef, again.brokerRef]);
    expect(t.run(s.id)).toMatchObject({ state: 'IN_POSITION', positionQty: 10 });
    const before = fake.requests().length;
    await t.drive('2026-03-09T03:50:05Z', 1_000);
    await waitFor('SOLD', () => t.run(s.id).state === 'SOLD');
    expect(sells()).toEqual([['MARKET', 'COMPLETE', 10]]);
    expect(fake.requests().slice(before).filter((r) => r.method === 'DELETE' && r.path.startsWith('/gtt/')).map((r) => r.path)).toEqual([`/gtt/triggers/${again.brokerRef}`]);
  });

  it('fired while the daemon was dead: the restart ends the leg with the GTT\'s fill, and no SELL goes at 09:20', async () => {
    const s = await inPosition();
    const crashed = t;
    await crashed.kill();
    cleanups.push(() => crashed.closeDb());
    fake.setPrice('INFY', 94.5);
    await waitFor('the GTT order filled', () => fake.orders().some((o) => o.transaction_type === 'SELL' && o.status === 'COMPLETE'));
    t = await startKiteEngine({ fake, at: '2026-03-09T03:47:00Z', kiteOptions: { stale_after_ms: 60_000 }, reuse: { repos: crashed.repos, user: crashed.user, account: crashed.account, closeDb: () => {} } });
    await t.engine.recover();
    await t.drive('2026-03-09T03:47:10Z', 500);
    await waitFor('EXITED_BY_SL', () => t.run(s.id).state === 'EXITED_BY_SL');
    expect(t.run(s.id)).toMatchObject({ exitLeg: 'BACKSTOP', positionQty: 0 });
    await t.drive('2026-03-09T03:50:05Z', 5_000);
    expect(sells()).toEqual([['LIMIT', 'COMPLETE', 10]]);
  });

  it('a placement never answered is found at the restart among identical GTTs by excluding those other rows own', async () => {
    fake = await startKiteFake({ prices: { INFY: 100 }, heartbeatMs: 10, now: () => t?.clock.now() ?? Date.now() });
    t = await startKiteEngine({ fake, at: '2026-03-09T03:44:00Z', kiteOptions: { stale_after_ms: 60_000 } });
    // Two strategies with the same position: their GTTs are alike (instrument, side, quantity, trigger).
    const a = await t.create();
    const b = await t.create();
    await t.start(a.id);
    await t.start(b.id);
    await t.drive('2026-03-09T03:45:05Z', 500);
    const row = (id: typeof a.id) => t.repos.backstops.listByRunInternal(t.run(id).id)[0];
    await waitFor('both GTTs resting', () => row(a.id)?.state === 'resting' && row(b.id)?.state === 'resting');
    const refs = { a: row(a.id)!.brokerRef, b: row(b.id)!.brokerRef };
    // A's placement answer was lost with the process (its GTT is at Kite; the journal never heard).
    t.repos.backstops.update(row(a.id)!.id, { state: 'placing', brokerRef: null }, t.clock.now());
    const crashed = t;
    await crashed.kill();
    cleanups.push(() => crashed.closeDb());
    t = await startKiteEngine({ fake, at: '2026-03-09T03:46:00Z', kiteOptions: { stale_after_ms: 60_000 }, reuse: { repos: crashed.repos, user: crashed.user, account: crashed.account, closeDb: () => {} } });
    await t.engine.recover();
    await waitFor('A adopted', () => row(a.id)?.state === 'resting');
    expect([row(a.id)!.brokerRef, row(b.id)!.brokerRef]).toEqual([refs.a, refs.b]);
    expect(fake.gtts().filter((g) => g.status === 'active')).toHaveLength(2);
  });

  it('a move whose answer was lost is settled without taking another strategy\'s fired GTT at the new trigger for its own: its SELL goes at 09:20', async () => {
    // Before: the next version was looked up by instrument, side, quantity and trigger alone, and
    // a process that had not learned A's GTT (placed by the process before it) took A's, fired at
    // 98 (the trigger B was moving to), for B's: B's leg was journaled as exited by that fill, no
    // SELL went, and B's 10 stayed open with its own GTT resting at 97 (what a long soak found).
    const { a, b, row } = await stopAndTrail();
    expect([row(a.id)!.triggerPrice, row(b.id)!.triggerPrice]).toEqual([98, 97]);
    const refB = row(b.id)!.brokerRef!;
    // A's GTT fires at 98 (B's, at 97, does not) and ends A's leg.
    fake.setPrice('INFY', 97.5);
    await t.drive('2026-03-09T03:45:30Z', 1_000);
    await waitFor('A exited by its GTT', () => t.run(a.id).state === 'EXITED_BY_SL');
    // A new process, which never learned A's GTT.
    const crashed = t;
    await crashed.kill();
    cleanups.push(() => crashed.closeDb());
    t = await startKiteEngine({ fake, at: '2026-03-09T03:46:00Z', kiteOptions: { stale_after_ms: 60_000 }, reuse: { repos: crashed.repos, user: crashed.user, account: crashed.account, closeDb: () => {} } });
    await t.engine.recover();
    await t.drive('2026-03-09T03:46:05Z', 500);
    // B's trail moves its stop to 98 (101 − 3); Kite's gateway fails the PUT (not applied): the move's outcome is unknown.
    await moveMeets({ kind: 'status', status: 503 });
    await waitFor('the move settled', () => row(b.id)?.state === 'resting' && row(b.id)?.nextTriggerPrice === null);
    expect(t.run(b.id).state).toBe('IN_POSITION');
    await t.drive('2026-03-09T03:50:05Z', 1_000);
    await waitFor('B SOLD', () => t.run(b.id).state === 'SOLD');
    expect(t.run(b.id)).toMatchObject({ exitLeg: 'SELL', positionQty: 0 });
    expect(row(b.id)).toMatchObject({ brokerRef: refB, state: 'cancelled' });
    expect(fake.gtts().filter((g) => g.status === 'active')).toEqual([]);
    expect(sells()).toEqual([
      ['LIMIT', 'COMPLETE', 10],
      ['MARKET', 'COMPLETE', 10],
    ]);
  });

  it('a move Kite applied whose answer was lost is read back by the GTT\'s id: the leg\'s own GTT at the new trigger, not another strategy\'s resting there', async () => {
    // Before: the next version was searched for by its levels, and this process excluded every GTT
    // it knew of another version's, the leg's own included: nothing matched, and the row stayed at
    // 97 while Kite held its GTT at 98 (or, with an unknown GTT at 98 about, took that one).
    const { a, b, row } = await stopAndTrail({ stalePrice: { staleAfterMs: 30 * 60_000 } });
    const refs = { a: row(a.id)!.brokerRef!, b: row(b.id)!.brokerRef! };
    // B's trail moves its stop to 98 (101 − 3): Kite applies the PUT, its answer never comes back (7 s timeout).
    await moveMeets({ kind: 'accept_then_stall' });
    await t.drive(new Date(t.clock.now() + 8_000).toISOString(), 500);
    await waitFor('the move settled', () => row(b.id)?.state !== 'modifying');
    expect(row(b.id)).toMatchObject({ brokerRef: refs.b, version: 2, state: 'resting', triggerPrice: 98 });
    expect(row(a.id)).toMatchObject({ brokerRef: refs.a, version: 1, state: 'resting', triggerPrice: 98 });
    // Both GTTs fire with the ticker silent (the engine's own stops never see it): B's GTT is read
    // under version 2's id, which its row now is, so its fire ends the leg.
    fake.ticker.stall(true);
    fake.setPrice('INFY', 97.5);
    await t.drive(new Date(t.clock.now() + 10_500).toISOString(), 500);
    await waitFor('both EXITED_BY_SL', () => t.run(a.id).state === 'EXITED_BY_SL' && t.run(b.id).state === 'EXITED_BY_SL');
    for (const id of [a.id, b.id]) expect(t.run(id)).toMatchObject({ exitLeg: 'BACKSTOP', positionQty: 0 });
    expect(row(b.id)).toMatchObject({ brokerRef: refs.b, version: 2, state: 'fired', filledQty: 10 });
    expect(sells()).toEqual([
      ['LIMIT', 'COMPLETE', 10],
      ['LIMIT', 'COMPLETE', 10],
    ]);
  });

  it('deleted in Kite\'s app as it was moved: the refused move\'s read-back journals it gone and its next version is placed at once', async () => {
    // Before: Kite's adapter read the GTT deleted and stopped watching it, and the move's settling
    // searched for the next version, found none and journaled the deleted one as resting: the leg
    // had no backstop, and nothing would place one.
    const s = await inPosition({}, { trail: 3 });
    const first = t.repos.backstops.listByRunInternal(t.run(s.id).id)[0]!;
    expect(first).toMatchObject({ triggerPrice: 97 });
    await moveMeets(null, () => fake.setGttStatus(Number(first.brokerRef), 'deleted'));
    // The next version's placement asks Kite's last price first, within the quote rate on the fake clock.
    await t.drive(new Date(t.clock.now() + 2_000).toISOString(), 250);
    await waitFor('the next version resting', () => {
      const r = t.repos.backstops.listByRunInternal(t.run(s.id).id)[0];
      return r !== undefined && r.brokerRef !== first.brokerRef && r.state === 'resting';
    });
    const again = t.repos.backstops.listByRunInternal(t.run(s.id).id)[0]!;
    expect(again).toMatchObject({ version: 2, triggerPrice: 98, nextTriggerPrice: null });
    expect(t.eventsOf('backstop_cancelled')).toEqual([expect.objectContaining({ strategyId: s.id, brokerRef: first.brokerRef })]);
    expect(fake.gtts().filter((g) => g.status === 'active').map((g) => String(g.id))).toEqual([again.brokerRef]);
    expect(t.run(s.id)).toMatchObject({ state: 'IN_POSITION', positionQty: 10 });
  });

  it('fired at the new trigger while the answer to its move was lost: the read-back books the fire, and the leg ends by it; no SELL at 09:20', async () => {
    // Without the read-back telling the engine (onSettled), the fire read back was journaled but
    // no exit booked it: Kite's adapter watches a GTT no more once it reads it fired.
    const s = await inPosition({ stalePrice: { staleAfterMs: 30 * 60_000 } }, { trail: 3 });
    const row = () => t.repos.backstops.listByRunInternal(t.run(s.id).id)[0]!;
    await moveMeets({ kind: 'accept_then_stall' });
    // Kite moved the GTT to 98; with the ticker silent the price falls through it, and it fires.
    fake.ticker.stall(true);
    fake.setPrice('INFY', 97.5);
    await waitFor('the GTT fired', () => fake.gtts()[0]?.status === 'triggered');
    const firedAt = t.clock.now();
    await t.drive(new Date(firedAt + 8_000).toISOString(), 500);
    await waitFor('EXITED_BY_SL', () => t.run(s.id).state === 'EXITED_BY_SL');
    expect(t.run(s.id)).toMatchObject({ exitLeg: 'BACKSTOP', positionQty: 0 });
    expect(row()).toMatchObject({ version: 2, state: 'fired', triggerPrice: 98, filledQty: 10, done: true });
    fake.ticker.stall(false);
    await t.drive('2026-03-09T03:50:05Z', 5_000);
    expect(sells()).toEqual([['LIMIT', 'COMPLETE', 10]]);
  });
});

