/**
 * The backstop at Alpaca (a stop order, which reserves the position while it rests), through the
 * real adapter and the loopback fake: the engine's SELL is never refused with "insufficient qty
 * available" (the stop is cancelled and the cancel awaited first), and a process that died while
 * the stop rested finds at its restart what became of it: fired (the leg ends with its fill, no
 * second exit), resting (kept), or gone (placed again). Judged by the fake's record of orders.
 * Monday 2026-03-09, New York: BUY 09:30 (13:30Z); AAPL at 100, the stop at 95.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startAlpacaTestEngine, type AlpacaTestEngine } from '../fakes/alpaca/alpaca-engine-harness';
import { eventually } from '../fakes/alpaca/eventually';
import type { Strategy } from '../../engine/core/types';

let t: AlpacaTestEngine;
afterEach(async () => t?.close());

const at = (iso: string) => Date.parse(iso);
const sells = () => t.fake.received().filter((o) => o.side === 'sell').map((o) => [o.clientOrderId?.slice(0, 2), o.qty, o.outcome]);
const backstop = (s: Strategy) => t.repos.backstops.listByRunInternal(t.run(s.id).id)[0];

async function inPosition(): Promise<Strategy> {
  t = await startAlpacaTestEngine({ at: '2026-03-09T13:29:50Z', fake: { prices: { AAPL: 100 } } });
  const s = await t.create({ buy_time: '09:30:00', sell_time: '10:00:00' });
  await t.start(s.id);
  await t.clock.advanceTo(at('2026-03-09T13:30:00Z'));
  await eventually(() => backstop(s)?.state === 'resting', { what: 'the backstop resting' });
  expect(t.run(s.id)).toMatchObject({ state: 'IN_POSITION', positionQty: 10 });
  return s;
}

describe('the backstop at Alpaca', () => {
  it('rests as a stop order; at the SELL time it is cancelled first and the SELL is accepted, not refused for a reserved position', async () => {
    const s = await inPosition();
    expect(t.fake.orders().filter((o) => o.type === 'stop')).toEqual([expect.objectContaining({ side: 'sell', qty: '10', stop_price: '95', status: 'new' })]);
    await t.clock.advanceTo(at('2026-03-09T14:00:00Z'));
    await eventually(() => t.run(s.id).state === 'SOLD', { clock: t.clock, stepMs: 250, what: 'SOLD' });
    expect(sells()).toEqual([
      ['tb', '10', 'accepted'],
      ['tc', '10', 'accepted'],
    ]);
    expect(t.fake.orders().find((o) => o.type === 'stop')).toMatchObject({ status: 'canceled' });
    expect(backstop(s)?.state).toBe('cancelled');
  });

  it("a cancel Alpaca takes before carrying it out: the SELL leaves on the stream's 'canceled', the clock not moved to the next read-back", async () => {
    const s = await inPosition();
    t.fake.holdCancels(true);
    const readBacks = () => t.fake.requests().filter((r) => r.method === 'GET' && r.path.startsWith('/v2/orders:by_client_order_id')).length;
    const before = readBacks();
    await t.clock.advanceTo(at('2026-03-09T14:00:00Z'));
    // DELETE answered 204, and the read-back after it still finds the stop resting (pending_cancel): the exit waits.
    await eventually(() => t.fake.requests().some((r) => r.method === 'DELETE') && readBacks() > before, { what: 'the cancel taken and read back' });
    expect(t.fake.orders().find((o) => o.type === 'stop')).toMatchObject({ status: 'pending_cancel' });
    expect(backstop(s)?.state).toBe('cancelling');
    const waitingSince = t.clock.now();
    // Alpaca carries the cancel out: its trade_updates `canceled` is the answer; the next read-back (250 ms by the clock) never comes.
    t.fake.confirmCancels();
    await eventually(() => t.run(s.id).state === 'SOLD', { what: 'SOLD on the stream event' });
    expect(t.clock.now()).toBe(waitingSince);
    expect(sells()).toEqual([
      ['tb', '10', 'accepted'],
      ['tc', '10', 'accepted'],
    ]);
    expect(backstop(s)?.state).toBe('cancelled');
  });

  it('fired while the process was dead: the restart ends the leg with its fill (BACKSTOP), and no second exit goes', async () => {
    const s = await inPosition();
    const first = t;
    first.fake.setPrice('AAPL', 90);
    t = await first.restart('2026-03-09T13:40:00Z');
    await t.engine.recover();
    await eventually(() => t.run(s.id).state === 'EXITED_BY_SL', { clock: t.clock, stepMs: 250, what: 'EXITED_BY_SL' });
    expect(t.run(s.id)).toMatchObject({ exitLeg: 'BACKSTOP', positionQty: 0 });
    await t.clock.advanceTo(at('2026-03-09T14:01:00Z'));
    expect(sells()).toEqual([['tb', '10', 'accepted']]);
    expect(t.fake.positions()).toEqual([]);
  });

  it('resting across the restart: kept as it is, and the SELL afterwards cancels it first', async () => {
    const s = await inPosition();
    t = await t.restart('2026-03-09T13:40:00Z');
    await t.engine.recover();
    await eventually(() => t.fake.tradeListeners().length === 1, { what: 'trade stream up' });
    expect(backstop(s)).toMatchObject({ state: 'resting', version: 1 });
    await t.clock.advanceTo(at('2026-03-09T14:00:00Z'));
    await eventually(() => t.run(s.id).state === 'SOLD', { clock: t.clock, stepMs: 250, what: 'SOLD' });
    expect(sells()).toEqual([
      ['tb', '10', 'accepted'],
      ['tc', '10', 'accepted'],
    ]);
  });

  it('gone while the process was dead (cancelled at the broker): the restart places its next version for the position still held', async () => {
    const s = await inPosition();
    const v1 = backstop(s)!;
    t.fake.restateOrder(v1.clientOrderId, 'canceled');
    t = await t.restart('2026-03-09T13:40:00Z');
    await t.engine.recover();
    await eventually(() => backstop(s)?.version === 2 && backstop(s)?.state === 'resting', { what: 'version 2 resting' });
    expect(t.fake.orders().filter((o) => o.type === 'stop').map((o) => [o.client_order_id, o.status])).toEqual([
      [v1.clientOrderId, 'canceled'],
      // Resting: 'accepted' until the fake's own step makes it 'new'.
      [backstop(s)!.clientOrderId, expect.stringMatching(/^(accepted|new)$/)],
    ]);
    expect(backstop(s)!.clientOrderId).not.toBe(v1.clientOrderId);
  });

  it('is Alpaca\'s default: a strategy that leaves it out gets one; one that turns it off gets none, and its one SELL goes as before', async () => {
    await inPosition();
    const off = await t.create({ symbol: 'AAPL', buy_time: '09:31:00', sell_time: '09:40:00', backstop: false });
    await t.start(off.id);
    await t.clock.advanceTo(at('2026-03-09T13:31:00Z'));
    await eventually(() => t.run(off.id).state === 'IN_POSITION', { what: 'the second in position' });
    await t.clock.advanceTo(at('2026-03-09T13:40:00Z'));
    await eventually(() => t.run(off.id).state === 'SOLD', { clock: t.clock, stepMs: 250, what: 'SOLD' });
    expect(backstop(off)).toBeUndefined();
    // The stop orders are the first strategy's alone.
    expect(t.fake.orders().filter((o) => o.type === 'stop').map((o) => o.client_order_id)).toEqual([expect.stringMatching(/^tb/)]);
    expect(t.fake.orders().filter((o) => o.type === 'stop')).toHaveLength(1);
  });

  it('a position held without a backstop (the process died between the fill and the placement) gets one at the restart', async () => {
    // The process dies at the crash point before the backstop's placement: nothing of it journaled or sent.
    const died = { hit: (point: string) => { if (point === 'before-backstop') throw new Error('killed before the backstop'); } };
    t = await startAlpacaTestEngine({ at: '2026-03-09T13:29:50Z', fake: { prices: { AAPL: 100 } }, crashPoints: died });
    const s = await t.create({ buy_time: '09:30:00', sell_time: '10:00:00' });
    await t.start(s.id);
    await t.clock.advanceTo(at('2026-03-09T13:30:00Z'));
    await eventually(() => t.run(s.id).state === 'IN_POSITION', { what: 'IN_POSITION' });
    expect(backstop(s)).toBeUndefined();
    expect(t.fake.orders().filter((o) => o.type === 'stop')).toEqual([]);
    t = await t.restart('2026-03-09T13:31:00Z');
    await t.engine.recover();
    await eventually(() => backstop(s)?.state === 'resting', { what: 'the backstop placed at the restart' });
    expect(t.fake.orders().filter((o) => o.type === 'stop')).toEqual([expect.objectContaining({ side: 'sell', qty: '10', stop_price: '95', client_order_id: backstop(s)!.clientOrderId })]);
  });

  it('killed between the backstop\'s cancel and the exit\'s journal: the position still held gets its next version at the restart', async () => {
    const s = await inPosition();
    const v1 = backstop(s)!;
    // The dead process had cancelled it (the broker confirmed, the journal wrote it) and died before journaling its SELL.
    const stops = t.broker.restingStops!;
    const ref = { clientOrderId: v1.clientOrderId, brokerRef: v1.brokerRef, instrument: (await t.broker.instruments.resolve('AAPL', 'NYSE'))!, side: 'sell' as const, qty: 10, triggerPrice: 95 };
    // Journaled 'cancelling' before the call, as the keeper does (the stream's 'canceled' is then
    // its own cancel's, not a stop gone at the broker to place again).
    t.repos.backstops.update(v1.id, { state: 'cancelling' }, t.clock.now());
    // Alpaca confirms a cancel after its 204 (pending_cancel, then canceled): the answer may be
    // unknown until then, and the lookup settles it.
    const cancelled = await stops.cancel(ref);
    if (cancelled.kind === 'unknown') for (let i = 0; i < 50 && (await stops.lookup(ref))?.status !== 'cancelled'; i++) await new Promise((resolve) => setImmediate(resolve));
    expect((await stops.lookup(ref))?.status).toBe('cancelled');
    t.repos.backstops.update(v1.id, { state: 'cancelled' }, t.clock.now());
    t = await t.restart('2026-03-09T13:40:00Z');
    await t.engine.recover();
    await eventually(() => backstop(s)?.version === 2 && backstop(s)?.state === 'resting', { what: 'version 2 resting' });
    expect(t.fake.orders().filter((o) => o.type === 'stop' && o.status !== 'canceled')).toEqual([expect.objectContaining({ client_order_id: backstop(s)!.clientOrderId, stop_price: '95' })]);
  });
});
