/**
 * The backstops of a multi-position strategy at Kite (issues 19 and 20), through the real adapter
 * and the loopback fake: a short straddle that leaves `backstop` out takes Kite's default (on), so
 * each position's GTT rests on its own contract under an id of its own (the backstop id names the
 * position: before, position 1's would have had position 0's id). Each exit deletes its own GTT
 * only; a GTT that fires ends only its own position; a restart matches each GTT to its own row
 * (Kite's GTTs carry no id of ours: found by instrument, side, quantity and trigger). Judged by the
 * fake's order book and GTT list: no second exit, no position left without its GTT.
 * Monday 2026-12-07: BUY 09:20 IST (03:50Z), SELL 09:30 IST (04:00Z); NIFTY at 26 012, the ATM
 * call at 100 and put at 90, each with a 40-point stop (a short's: above its entry).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { strategyDto } from '../../engine/api/dto';
import { backstopId, parseBackstopId } from '../../engine/core/ids';
import type { Strategy } from '../../engine/core/types';
import { startKiteFake, type KiteFake } from '../fakes/kite/kite-fake';
import { startKiteEngine, type KiteTestEngine } from '../fakes/kite/kite-engine-harness';
import { DEFAULT_INSTRUMENTS } from '../fakes/kite/fake-instruments';
import { fakeOptionChain } from '../fakes/kite/fake-option-chain';
import { waitFor } from '../fakes/kite/wait-for';

let fake: KiteFake;
let t: KiteTestEngine;
const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
  await t?.close();
  await fake?.close();
});

const CE = 'NIFTY26D0826000CE';
const PE = 'NIFTY26D0826000PE';
const DAY = '2026-12-07';
const STRADDLE = {
  symbol: 'NIFTY',
  exchange: 'NFO',
  qty: 1,
  buy_time: '09:20:00',
  sell_time: '09:30:00',
  stop_loss: 40,
  stop_loss_mode: 'points',
  positions: [
    { side: 'sell', option_right: 'CE' },
    { side: 'sell', option_right: 'PE' },
  ],
};
const engineArgs = (at: string) => ({ at, kiteOptions: { stale_after_ms: 60_000 }, stalePrice: { staleAfterMs: 30 * 60_000 } });

async function bothHeld(more: Record<string, unknown> = {}, resting = true): Promise<Strategy> {
  fake = await startKiteFake({
    instruments: [...DEFAULT_INSTRUMENTS, ...fakeOptionChain({ today: DAY, holidays: [] })],
    prices: { 'NIFTY 50': 26_012, [CE]: 100, [PE]: 90 },
    heartbeatMs: 10,
    now: () => t?.clock.now() ?? Date.now(),
  });
  t = await startKiteEngine({ fake, ...engineArgs('2026-12-07T03:49:00Z') });
  const s = await t.create({ ...STRADDLE, ...more });
  await t.start(s.id);
  await t.drive('2026-12-07T03:50:05Z', 500);
  if (resting) await waitFor('both GTTs resting', () => rows(s).every((b) => b?.state === 'resting'));
  expect(group(s).map((r) => [r.positionNo, r.state, r.positionQty])).toEqual([
    [0, 'IN_POSITION', 65],
    [1, 'IN_POSITION', 65],
  ]);
  return s;
}

const group = (s: Strategy) => t.repos.runs.groupInternal(s.id, DAY);
/** Each position's backstop row, by position. */
const rows = (s: Strategy) => group(s).map((r) => t.repos.backstops.listByRunInternal(r.id)[0]);
const activeGtts = () => fake.gtts().filter((g) => g.status === 'active') as Array<{ id: number; condition: { tradingsymbol: string; trigger_values: number[] }; orders: Array<{ transaction_type: string; quantity: number }> }>;
/** The buy-backs: a short option's exit goes as a LIMIT across the market (kite-exit-chase.ts), a fired GTT's as its LIMIT. */
const buys = () => fake.orders().filter((o) => o.transaction_type === 'BUY').map((o) => [o.tradingsymbol, o.order_type, o.status, o.quantity]);

describe("a short straddle's backstops at Kite (backstop left out: Kite's default, on)", () => {
  it('rests one GTT per position on its own contract, under ids naming the position; the SELL deletes each its own', async () => {
    const s = await bothHeld();
    expect(strategyDto(t.repos.strategies.getInternal(s.id)!, [], { backstopByDefault: true })).toMatchObject({ backstop_on: true });
    const [b0, b1] = rows(s);
    expect([b0, b1].map((b) => [b!.symbol, b!.side, b!.qty, b!.triggerPrice])).toEqual([
      [CE, 'buy', 65, 140],
      [PE, 'buy', 65, 130],
    ]);
    expect([b0!.clientOrderId, b1!.clientOrderId]).toEqual([backstopId('test01', s.id, DAY, 0, 1, 0), backstopId('test01', s.id, DAY, 0, 1, 1)]);
    expect([parseBackstopId(b0!.clientOrderId).positionNo, parseBackstopId(b1!.clientOrderId).positionNo]).toEqual([0, 1]);
    const gtts = activeGtts();
    expect(gtts.map((g) => [g.id, g.condition.tradingsymbol, g.condition.trigger_values, g.orders[0]!.transaction_type, g.orders[0]!.quantity]).sort()).toEqual(
      [
        [Number(b0!.brokerRef), CE, [140], 'BUY', 65],
        [Number(b1!.brokerRef), PE, [130], 'BUY', 65],
      ].sort(),
    );

    await t.drive('2026-12-07T04:00:05Z', 1_000);
    await waitFor('both bought back', () => group(s).every((r) => r.state === 'SOLD'));
    expect(buys()).toEqual([
      [CE, 'LIMIT', 'COMPLETE', 65],
      [PE, 'LIMIT', 'COMPLETE', 65],
    ]);
    expect(activeGtts()).toEqual([]);
    expect(rows(s).map((b) => b!.state)).toEqual(['cancelled', 'cancelled']);
    const deletes = fake.requests().filter((r) => r.method === 'DELETE' && r.path.startsWith('/gtt/')).map((r) => r.path);
    expect(deletes.sort()).toEqual([`/gtt/triggers/${b0!.brokerRef}`, `/gtt/triggers/${b1!.brokerRef}`].sort());
  });

  it("a GTT that fires ends only its own position; the other keeps its GTT until the SELL, which deletes only that one", async () => {
    const s = await bothHeld();
    const [b0, b1] = rows(s);
    // The engine's own stop never sees the price (the ticker silent): only the GTT can act.
    fake.ticker.stall(true);
    fake.setPrice(CE, 141);
    const firedAt = t.clock.now();
    await t.drive(new Date(firedAt + 10_500).toISOString(), 500);
    await waitFor('the call stopped out', () => group(s)[0]!.state === 'EXITED_BY_SL');
    expect(group(s).map((r) => [r.state, r.exitLeg, r.positionQty])).toEqual([
      ['EXITED_BY_SL', 'BACKSTOP', 0],
      ['IN_POSITION', null, 65],
    ]);
    expect(rows(s).map((b) => b!.state)).toEqual(['fired', 'resting']);
    expect(activeGtts().map((g) => g.id)).toEqual([Number(b1!.brokerRef)]);
    fake.ticker.stall(false);

    const before = fake.requests().length;
    await t.drive('2026-12-07T04:00:05Z', 5_000);
    await waitFor('the put bought back', () => group(s)[1]!.state === 'SOLD');
    expect(buys()).toEqual([
      [CE, 'LIMIT', 'COMPLETE', 65],
      [PE, 'LIMIT', 'COMPLETE', 65],
    ]);
    expect(fake.requests().slice(before).filter((r) => r.method === 'DELETE' && r.path.startsWith('/gtt/')).map((r) => r.path)).toEqual([`/gtt/triggers/${b1!.brokerRef}`]);
    expect(b0!.brokerRef).not.toBe(b1!.brokerRef);
    expect(t.repos.strategies.getInternal(s.id)!.status).toBe('completed');
  });

  it('a restart matches each GTT to its own position: placements never answered adopted, one fired while dead ends only its position, no second GTT', async () => {
    const s = await bothHeld();
    const refs = rows(s).map((b) => b!.brokerRef);
    // Both placements' answers were lost with the process (the GTTs are at Kite; the journal never heard).
    for (const b of rows(s)) t.repos.backstops.update(b!.id, { state: 'placing', brokerRef: null }, t.clock.now());
    const crashed = t;
    await crashed.kill();
    cleanups.push(() => crashed.closeDb());
    // While the daemon is dead the put's premium jumps past its GTT's trigger: Kite buys it back.
    fake.setPrice(PE, 131);
    await waitFor("the put's GTT order filled", () => fake.orders().some((o) => o.tradingsymbol === PE && o.transaction_type === 'BUY' && o.status === 'COMPLETE'));

    t = await startKiteEngine({ fake, ...engineArgs('2026-12-07T03:52:00Z'), reuse: { repos: crashed.repos, user: crashed.user, account: crashed.account, closeDb: () => {} } });
    await t.engine.recover();
    await t.drive('2026-12-07T03:52:10Z', 500);
    await waitFor('the put stopped out, the call still protected', () => group(s)[1]!.state === 'EXITED_BY_SL' && rows(s)[0]!.state === 'resting');
    expect(rows(s).map((b) => [b!.state, b!.brokerRef])).toEqual([
      ['resting', refs[0]],
      ['fired', refs[1]],
    ]);
    expect(group(s).map((r) => [r.state, r.exitLeg, r.positionQty])).toEqual([
      ['IN_POSITION', null, 65],
      ['EXITED_BY_SL', 'BACKSTOP', 0],
    ]);
    expect(activeGtts().map((g) => [g.id, g.condition.tradingsymbol])).toEqual([[Number(refs[0]), CE]]);
    expect(fake.requests().filter((r) => r.method === 'POST' && r.path === '/gtt/triggers')).toHaveLength(2);

    await t.drive('2026-12-07T04:00:05Z', 5_000);
    await waitFor('the call bought back', () => group(s)[0]!.state === 'SOLD');
    expect(buys()).toEqual([
      [PE, 'LIMIT', 'COMPLETE', 65],
      [CE, 'LIMIT', 'COMPLETE', 65],
    ]);
    expect(activeGtts()).toEqual([]);
  });

  it('takes a margin beyond each stop with backstop true, and places nothing with backstop false (the DTO says so)', async () => {
    const s = await bothHeld({ backstop: true, backstop_margin: 2 });
    expect(rows(s).map((b) => [b!.symbol, b!.triggerPrice])).toEqual([
      [CE, 142],
      [PE, 132],
    ]);
    const off = await t.create({ ...STRADDLE, backstop: false, buy_time: '09:21:00' });
    expect(strategyDto(off, [], { backstopByDefault: true })).toMatchObject({ backstop: false, backstop_on: false });
    await t.start(off.id);
    await t.drive('2026-12-07T03:51:05Z', 500);
    await waitFor('both entered', () => t.repos.runs.groupInternal(off.id, DAY).every((r) => r.state === 'IN_POSITION'));
    await t.drive('2026-12-07T03:51:30Z', 1_000);
    expect(t.repos.runs.groupInternal(off.id, DAY).flatMap((r) => t.repos.backstops.listByRunInternal(r.id))).toEqual([]);
    expect(activeGtts()).toHaveLength(2);
  });

  it("stops to cost: the call's GTT fires and ends the call; only the put's GTT moves, to the put's entry", async () => {
    const s = await bothHeld({ stops_to_cost_on_stop: true });
    const [b0, b1] = rows(s);
    // The put's premium falls first (its stop at cost will be above the price), then the call's
    // jumps past its stop: Kite's GTT fires on that trade, before the engine's own stop sees a tick.
    fake.setPrice(PE, 80);
    await t.drive(new Date(t.clock.now() + 1_000).toISOString(), 500);
    fake.setPrice(CE, 141);
    await t.drive(new Date(t.clock.now() + 2_000).toISOString(), 500);
    await waitFor('the call stopped out', () => group(s)[0]!.state === 'EXITED_BY_SL');
    expect(group(s)[0]).toMatchObject({ exitLeg: 'BACKSTOP', positionQty: 0 });
    await t.drive(new Date(t.clock.now() + 2_000).toISOString(), 500);
    await waitFor("the put's GTT at its entry", () => rows(s)[1]?.triggerPrice === 90 && rows(s)[1]?.state === 'resting');
    expect(rows(s).map((b) => [b!.state, b!.clientOrderId])).toEqual([
      ['fired', b0!.clientOrderId],
      ['resting', backstopId('test01', s.id, DAY, 0, 2, 1)],
    ]);
    expect(activeGtts().map((g) => [g.id, g.condition.tradingsymbol, g.condition.trigger_values])).toEqual([[Number(b1!.brokerRef), PE, [90]]]);
    expect(buys()).toEqual([[CE, 'LIMIT', 'COMPLETE', 65]]);
    expect(group(s)[1]).toMatchObject({ state: 'IN_POSITION', positionQty: 65 });
  });
});
