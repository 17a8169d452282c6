/**
 * The backstop at Kite when the leg has a target: a two-leg (OCO) GTT, its stop and its take-profit
 * one cancelling the other, through the real adapter and the loopback fake (which fires two-leg
 * GTTs as Kite documents them: tests/integration/kite-fake-gtt-protocol.test.ts). Whichever side
 * fires, its LIMIT fill is the leg's one exit: the stop's is BACKSTOP (EXITED_BY_SL), the
 * take-profit's BACKSTOP_TARGET (EXITED_BY_TARGET, the target reached at the broker). Judged by the
 * fake's order book, its GTTs and its request log.
 * Monday 2026-03-09: BUY 09:15 IST (03:45Z), SELL 09:20 IST (03:50Z); INFY at 100, the stop at 95,
 * the target at 105 (GTT limits 1% beyond each trigger, towards the price: 94.05 and 103.95).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startKiteFake, type KiteFake } from '../fakes/kite/kite-fake';
import { startKiteEngine, type KiteTestEngine } from '../fakes/kite/kite-engine-harness';
import { waitFor } from '../fakes/kite/wait-for';
import { runtimeDto } from '../../engine/api/dto';

let fake: KiteFake;
let t: KiteTestEngine;
const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
  await t?.close();
  await fake?.close();
});

type Gtt = { id: number; type: string; status: string; condition: { trigger_values: number[] }; orders: { transaction_type: string; price: number; result: unknown }[] };

async function inPosition(body: Record<string, unknown> = { target: 105 }, more: Pick<Parameters<typeof startKiteEngine>[0], 'stalePrice'> = {}): Promise<{ id: Parameters<KiteTestEngine['run']>[0] }> {
  fake = await startKiteFake({ prices: { INFY: 100 }, heartbeatMs: 10, now: () => t?.clock.now() ?? Date.now() });
  t = await startKiteEngine({ fake, at: '2026-03-09T03:44:00Z', kiteOptions: { stale_after_ms: 60_000 }, ...more });
  const s = await t.create(body);
  await t.start(s.id);
  await t.drive('2026-03-09T03:45:05Z', 500);
  await waitFor('the GTT resting', () => backstop(s.id)?.state === 'resting');
  expect(t.run(s.id)).toMatchObject({ state: 'IN_POSITION', positionQty: 10 });
  return s;
}

const backstop = (id: Parameters<KiteTestEngine['run']>[0]) => t.repos.backstops.listByRunInternal(t.run(id).id)[0];
const gtts = () => fake.gtts() as unknown as Gtt[];
const exits = (side = 'SELL') => fake.orders().filter((o) => o.transaction_type === side).map((o) => [o.order_type, o.status, o.quantity, o.price]);

describe('the OCO backstop at Kite (a leg with a target)', () => {
  it('rests as one two-leg GTT, [stop, target] ascending with the stop\'s order first; the row shows both; the SELL at 09:20 deletes it first', async () => {
    const s = await inPosition();
    const b = backstop(s.id)!;
    expect(b).toMatchObject({ triggerPrice: 95, limitPrice: 94.05, targetPrice: 105, targetLimitPrice: 103.95, brokerRef: expect.any(String) });
    expect(gtts()).toEqual([expect.objectContaining({ id: Number(b.brokerRef), type: 'two-leg', status: 'active', condition: expect.objectContaining({ trigger_values: [95, 105] }) })]);
    expect(gtts()[0]!.orders.map((o) => [o.transaction_type, o.price])).toEqual([
      ['SELL', 94.05],
      ['SELL', 103.95],
    ]);
    expect(t.eventsOf('backstop_placed')).toEqual([expect.objectContaining({ triggerPrice: 95, targetPrice: 105, brokerRef: b.brokerRef })]);
    // The row's DTO (runtime.backstop): both levels of the resting backstop.
    expect(runtimeDto(t.run(s.id), null, [], backstop(s.id)).backstop).toEqual({ state: 'resting', trigger_price: 95, target_price: 105, broker_ref: b.brokerRef });
    const before = fake.requests().length;
    await t.drive('2026-03-09T03:50:05Z', 1_000);
    await waitFor('SOLD', () => t.run(s.id).state === 'SOLD');
    const after = fake.requests().slice(before).map((r) => `${r.method} ${r.path}`);
    const deleted = after.indexOf(`DELETE /gtt/triggers/${b.brokerRef}`);
    expect(deleted).toBeGreaterThanOrEqual(0);
    expect(deleted).toBeLessThan(after.indexOf('POST /orders/regular'));
    expect(exits()).toEqual([['MARKET', 'COMPLETE', 10, 0]]);
    expect(gtts().map((g) => g.status)).toEqual(['deleted']);
  });

  it('the take-profit fires at Kite (the ticker live, the engine\'s own target racing it): one exit, the GTT\'s LIMIT fill, labelled BACKSTOP_TARGET', async () => {
    const s = await inPosition();
    const b = backstop(s.id)!;
    const before = fake.requests().length;
    fake.setPrice('INFY', 105.2);
    await waitFor('EXITED_BY_TARGET', () => t.run(s.id).state === 'EXITED_BY_TARGET');
    // The engine's own target saw the tick and asked to delete the OCO first: Kite had fired it, so
    // its fill is the exit and no order of the engine's goes out.
    expect(t.eventsOf('target_hit')).toHaveLength(1);
    const after = fake.requests().slice(before).map((r) => `${r.method} ${r.path}`);
    expect(after).toContain(`DELETE /gtt/triggers/${b.brokerRef}`);
    expect(after).not.toContain('POST /orders/regular');
    expect(t.run(s.id)).toMatchObject({ exitLeg: 'BACKSTOP_TARGET', positionQty: 0 });
    expect(backstop(s.id)).toMatchObject({ state: 'fired', firedLeg: 'target', filledQty: 10, done: true });
    expect(t.orders(s.id).filter((o) => o.slot === 'exit').map((o) => [o.leg, o.status, o.filledQty])).toEqual([['BACKSTOP_TARGET', 'filled', 10]]);
    expect(t.eventsOf('backstop_fired')).toEqual([expect.objectContaining({ firedLeg: 'target', filledQty: 10 })]);
    await t.drive('2026-03-09T03:50:05Z', 5_000);
    expect(exits()).toEqual([['LIMIT', 'COMPLETE', 10, 103.95]]);
  });

  it('the take-profit fires with the ticker silent: the GTT read within 10 s ends the leg at its target, BACKSTOP_TARGET', async () => {
    const s = await inPosition({ target: 105 }, { stalePrice: { staleAfterMs: 30 * 60_000 } });
    fake.ticker.stall(true);
    fake.setPrice('INFY', 105.5);
    await t.drive(new Date(t.clock.now() + 10_500).toISOString(), 500);
    await waitFor('EXITED_BY_TARGET', () => t.run(s.id).state === 'EXITED_BY_TARGET');
    expect(t.run(s.id)).toMatchObject({ exitLeg: 'BACKSTOP_TARGET', positionQty: 0 });
    fake.ticker.stall(false);
    await t.drive('2026-03-09T03:50:05Z', 5_000);
    expect(exits()).toEqual([['LIMIT', 'COMPLETE', 10, 103.95]]);
  });

  it('the stop side fires: BACKSTOP and EXITED_BY_SL as with a single-leg GTT, one SELL', async () => {
    const s = await inPosition();
    fake.setPrice('INFY', 94.5);
    await waitFor('EXITED_BY_SL', () => t.run(s.id).state === 'EXITED_BY_SL');
    expect(t.run(s.id)).toMatchObject({ exitLeg: 'BACKSTOP', positionQty: 0 });
    expect(backstop(s.id)).toMatchObject({ state: 'fired', firedLeg: 'stop' });
    expect(t.eventsOf('backstop_fired')).toEqual([expect.objectContaining({ firedLeg: 'stop' })]);
    await t.drive('2026-03-09T03:50:05Z', 5_000);
    expect(exits()).toEqual([['LIMIT', 'COMPLETE', 10, 94.05]]);
  });

  it('the trailing stop moves the OCO by PUT (same trigger id, the target kept), within the modify budget', async () => {
    const s = await inPosition({ target: 110, trail: 3 });
    const b = backstop(s.id)!;
    expect(gtts()[0]!.condition.trigger_values).toEqual([97, 110]);
    const before = fake.requests().length;
    fake.setPrice('INFY', 102);
    await waitFor('the OCO moved', () => backstop(s.id)?.triggerPrice === 99 && backstop(s.id)?.state === 'resting');
    expect(backstop(s.id)).toMatchObject({ version: 2, brokerRef: b.brokerRef, targetPrice: 110, targetLimitPrice: 108.9 });
    expect(gtts()).toEqual([expect.objectContaining({ id: Number(b.brokerRef), type: 'two-leg', status: 'active', condition: expect.objectContaining({ trigger_values: [99, 110] }) })]);
    expect(gtts()[0]!.orders.map((o) => o.price)).toEqual([98, 108.9]);
    expect(fake.requests().slice(before).filter((r) => r.path.startsWith('/gtt/')).map((r) => `${r.method} ${r.path}`)).toEqual([`PUT /gtt/triggers/${b.brokerRef}`]);
    expect(t.eventsOf('backstop_moved')).toEqual([expect.objectContaining({ from: 97, to: 99 })]);
  });

  it('a leg without a target keeps the single-leg GTT', async () => {
    const s = await inPosition({});
    expect(backstop(s.id)).toMatchObject({ targetPrice: null, targetLimitPrice: null });
    expect(gtts()).toEqual([expect.objectContaining({ type: 'single', condition: expect.objectContaining({ trigger_values: [95] }) })]);
    expect(runtimeDto(t.run(s.id), null, [], backstop(s.id)).backstop).toMatchObject({ trigger_price: 95, target_price: null });
  });

  it('a short\'s OCO is the mirror: BUY orders at [target, stop] ascending, the take-profit\'s first', async () => {
    const s = await inPosition({ side: 'sell', stop_loss: 105, target: 95 });
    expect(backstop(s.id)).toMatchObject({ side: 'buy', triggerPrice: 105, limitPrice: 106.05, targetPrice: 95, targetLimitPrice: 95.95 });
    expect(gtts()[0]).toMatchObject({ type: 'two-leg', condition: { trigger_values: [95, 105] } });
    expect(gtts()[0]!.orders.map((o) => [o.transaction_type, o.price])).toEqual([
      ['BUY', 95.95],
      ['BUY', 106.05],
    ]);
    fake.setPrice('INFY', 94.8);
    await waitFor('EXITED_BY_TARGET', () => t.run(s.id).state === 'EXITED_BY_TARGET');
    expect(t.run(s.id)).toMatchObject({ exitLeg: 'BACKSTOP_TARGET', positionQty: 0 });
    expect(exits('BUY')).toEqual([['LIMIT', 'COMPLETE', 10, 95.95]]);
  });

  it('the take-profit fired while the daemon was dead: the restart finds it, ends the leg at its target, and no SELL goes at 09:20', async () => {
    const s = await inPosition();
    const crashed = t;
    await crashed.kill();
    cleanups.push(() => crashed.closeDb());
    fake.setPrice('INFY', 105.3);
    await waitFor('the GTT order filled', () => fake.orders().some((o) => o.transaction_type === 'SELL' && o.status === 'COMPLETE'));
    t = await startKiteEngine({ fake, at: '2026-03-09T03:47:00Z', kiteOptions: { stale_after_ms: 60_000 }, reuse: { repos: crashed.repos, user: crashed.user, account: crashed.account, closeDb: () => {} } });
    await t.engine.recover();
    await t.drive('2026-03-09T03:47:10Z', 500);
    await waitFor('EXITED_BY_TARGET', () => t.run(s.id).state === 'EXITED_BY_TARGET');
    expect(t.run(s.id)).toMatchObject({ exitLeg: 'BACKSTOP_TARGET', positionQty: 0 });
    expect(backstop(s.id)).toMatchObject({ state: 'fired', firedLeg: 'target' });
    await t.drive('2026-03-09T03:50:05Z', 5_000);
    expect(exits()).toEqual([['LIMIT', 'COMPLETE', 10, 103.95]]);
  });

  it('an OCO placement never answered is found at the restart by both its values', async () => {
    const s = await inPosition();
    const b = backstop(s.id)!;
    t.repos.backstops.update(b.id, { state: 'placing', brokerRef: null }, t.clock.now());
    const crashed = t;
    await crashed.kill();
    cleanups.push(() => crashed.closeDb());
    t = await startKiteEngine({ fake, at: '2026-03-09T03:46:00Z', kiteOptions: { stale_after_ms: 60_000 }, reuse: { repos: crashed.repos, user: crashed.user, account: crashed.account, closeDb: () => {} } });
    await t.engine.recover();
    await waitFor('adopted', () => backstop(s.id)?.state === 'resting');
    expect(backstop(s.id)).toMatchObject({ brokerRef: b.brokerRef, targetPrice: 105 });
    expect(gtts().filter((g) => g.status === 'active')).toHaveLength(1);
  });

  it('a take-profit too close for Kite was left out (a single-leg GTT rests) and the answer lost: the restart finds that GTT, and places no second one', async () => {
    // The target 100.2 is within Kite's 0.25 % of the price 100: the adapter leaves it out.
    const s = await inPosition({ target: 100.2 });
    const b = backstop(s.id)!;
    expect(b).toMatchObject({ targetPrice: null });
    expect(gtts()).toEqual([expect.objectContaining({ type: 'single' })]);
    // As the journal had it before the answer: placing, the take-profit asked for, no trigger id.
    t.repos.backstops.update(b.id, { state: 'placing', brokerRef: null, targetPrice: 100.2, targetLimitPrice: 99.2 }, t.clock.now());
    const crashed = t;
    await crashed.kill();
    cleanups.push(() => crashed.closeDb());
    t = await startKiteEngine({ fake, at: '2026-03-09T03:46:00Z', kiteOptions: { stale_after_ms: 60_000 }, reuse: { repos: crashed.repos, user: crashed.user, account: crashed.account, closeDb: () => {} } });
    await t.engine.recover();
    await waitFor('adopted', () => backstop(s.id)?.state === 'resting');
    expect(backstop(s.id)).toMatchObject({ brokerRef: b.brokerRef, version: 1, targetPrice: null });
    expect(gtts().filter((g) => g.status === 'active')).toHaveLength(1);
  });
});
