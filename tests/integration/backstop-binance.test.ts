/**
 * The backstop at Binance spot (issue 22 slice 5, issue 20), through the real engine, the real
 * CCXT adapter and the loopback Binance fake: a STOP_LOSS sell rests once the entry fills, for
 * the BTC the account holds free (0.00149 after the buy's fee in BTC, not the 0.0015 bought), and
 * locks it; every exit of the engine cancels it first, so the SELL sells the unlocked balance; a
 * trade through both stops ends the run once; a stop that fired while no process was up is found
 * at the restart, the leg ends BACKSTOP with its fill and no second exit goes. Judged by the
 * fake's record of orders. Sunday 2026-12-06, UTC: BUY 03:00, SELL 03:01; BTC/USDT at 60 000,
 * the stop-loss at 55 000.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Strategy } from '../../engine/core/types';
import { startCcxtTestEngine, type CcxtTestEngine } from '../fakes/binance/ccxt-engine-harness';
import { eventually } from '../fakes/alpaca/eventually';

let t: CcxtTestEngine | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const at = (iso: string) => Date.parse(iso);
const backstop = (s: Strategy) => t!.repos.backstops.listByRunInternal(t!.run(s.id).id)[0];
/** Every order the venue took or refused: id prefix (tb: backstop, tc: entry or exit), type, side, quantity, outcome. */
const record = () => t!.fake.received().map((o) => [o.newClientOrderId?.slice(0, 2), o.type, o.side, o.quantity, o.outcome.split(' ')[0]]);
const stops = () => t!.fake.orders().filter((o) => o.type === 'STOP_LOSS');

async function inPosition(body: Record<string, unknown> = {}): Promise<Strategy> {
  t = await startCcxtTestEngine({ at: '2026-12-06T02:59:50Z' });
  // Left out, Binance's default rests one (CCXT_BACKSTOP_BY_DEFAULT), as at Alpaca and Kite.
  const s = await t.create(body);
  await t.start(s.id);
  await eventually(() => t!.fake.streamSubscriptions().flat().includes('btcusdt@trade') && t!.fake.userDataSubscriptions() === 1, { what: 'the trade stream and the user stream' });
  await t.clock.advanceTo(at('2026-12-06T03:00:00Z'));
  await eventually(() => backstop(s)?.state === 'resting', { what: 'the backstop resting', timeoutMs: 10_000 });
  expect(t.run(s.id)).toMatchObject({ state: 'IN_POSITION', positionQty: 0.0015 });
  return s;
}

describe('the backstop at Binance', () => {
  it('`backstop: false`: none rests, the SELL sells the free 0.00149, no STOP_LOSS sent', async () => {
    t = await startCcxtTestEngine({ at: '2026-12-06T02:59:50Z' });
    const s = await t.create({ backstop: false });
    await t.start(s.id);
    await eventually(() => t!.fake.streamSubscriptions().flat().includes('btcusdt@trade') && t!.fake.userDataSubscriptions() === 1, { what: 'the trade stream and the user stream' });
    await t.clock.advanceTo(at('2026-12-06T03:00:00Z'));
    await eventually(() => t!.run(s.id).state === 'IN_POSITION', { clock: t.clock, stepMs: 250, what: 'IN_POSITION', timeoutMs: 10_000 });
    await t.clock.advanceTo(at('2026-12-06T03:01:00Z'));
    await eventually(() => t!.run(s.id).state === 'SOLD', { clock: t.clock, stepMs: 250, what: 'SOLD', timeoutMs: 10_000 });
    expect(record()).toEqual([
      ['tc', 'MARKET', 'BUY', '0.0015', 'placed'],
      ['tc', 'MARKET', 'SELL', '0.00149', 'placed'],
    ]);
    expect(backstop(s)).toBeUndefined();
  });

  it('left out, rests as a STOP_LOSS for the 0.00149 held (the default), locking it; at the SELL time it is cancelled first and the SELL sells the unlocked 0.00149', async () => {
    const s = await inPosition();
    expect(s.spec.backstop ?? null).toBeNull();
    expect(stops()).toEqual([expect.objectContaining({ side: 'SELL', origQty: '0.00149000', stopPrice: '55000.00000000', status: 'NEW', isWorking: false, clientOrderId: backstop(s)!.clientOrderId })]);
    expect(t!.fake.balance('BTC')).toEqual({ free: '0.00000850', locked: '0.00149000' });
    // The run counts the 0.0015 bought; its backstop covers what the venue holds.
    expect(backstop(s)).toMatchObject({ qty: 0.00149, triggerPrice: 55_000, limitPrice: null });
    expect(t!.eventsOf('backstop_placed')).toEqual([expect.objectContaining({ qty: 0.00149, triggerPrice: 55_000 })]);

    await t!.clock.advanceTo(at('2026-12-06T03:01:00Z'));
    await eventually(() => t!.run(s.id).state === 'SOLD', { clock: t!.clock, stepMs: 250, what: 'SOLD', timeoutMs: 10_000 });
    expect(record()).toEqual([
      ['tc', 'MARKET', 'BUY', '0.0015', 'placed'],
      ['tb', 'STOP_LOSS', 'SELL', '0.00149', 'placed'],
      ['tc', 'MARKET', 'SELL', '0.00149', 'placed'],
    ]);
    // The cancel went before the SELL: no SELL was refused for a locked balance.
    const requests = t!.fake.requests().map((r) => `${r.method} ${r.path}`);
    expect(requests.indexOf('DELETE /api/v3/order')).toBeGreaterThan(-1);
    expect(requests.indexOf('DELETE /api/v3/order')).toBeLessThan(requests.lastIndexOf('POST /api/v3/order'));
    expect(stops()).toEqual([expect.objectContaining({ status: 'CANCELED' })]);
    expect(backstop(s)?.state).toBe('cancelled');
    expect(t!.run(s.id)).toMatchObject({ state: 'SOLD', positionQty: 0, exitLeg: 'SELL' });
    expect(t!.fake.balance('BTC')).toEqual({ free: '0.00000850', locked: '0.00000000' });
  });

  it("the engine's own stop, above the backstop (margin 500): the stop order is cancelled, then the 0.00149 sold once", async () => {
    const s = await inPosition({ backstop_margin: 500, backstop_margin_mode: 'points' });
    expect(stops()).toEqual([expect.objectContaining({ stopPrice: '54500.00000000' })]);
    t!.fake.setPrice('BTCUSDT', '54800');
    await eventually(() => t!.run(s.id).state === 'EXITED_BY_SL', { clock: t!.clock, stepMs: 250, what: 'EXITED_BY_SL', timeoutMs: 10_000 });
    await t!.engine.idle();
    expect(record()).toEqual([
      ['tc', 'MARKET', 'BUY', '0.0015', 'placed'],
      ['tb', 'STOP_LOSS', 'SELL', '0.00149', 'placed'],
      ['tc', 'MARKET', 'SELL', '0.00149', 'placed'],
    ]);
    expect(stops()).toEqual([expect.objectContaining({ status: 'CANCELED', executedQty: '0.00000000' })]);
    expect(t!.run(s.id)).toMatchObject({ exitLeg: 'STOPLOSS', positionQty: 0 });
    // A later trade through the old stop finds nothing resting.
    t!.fake.setPrice('BTCUSDT', '54000');
    await t!.clock.advanceTo(at('2026-12-06T03:02:00Z'));
    await t!.engine.idle();
    expect(record()).toHaveLength(3);
  });

  it('a trade through both stops at once: one exit, the backstop\'s fill (BACKSTOP), no SELL of the engine\'s own', async () => {
    const s = await inPosition();
    t!.fake.setPrice('BTCUSDT', '54000');
    await eventually(() => t!.run(s.id).state === 'EXITED_BY_SL', { clock: t!.clock, stepMs: 250, what: 'EXITED_BY_SL', timeoutMs: 10_000 });
    await t!.clock.advanceTo(at('2026-12-06T03:02:00Z'));
    await t!.engine.idle();
    expect(record()).toEqual([
      ['tc', 'MARKET', 'BUY', '0.0015', 'placed'],
      ['tb', 'STOP_LOSS', 'SELL', '0.00149', 'placed'],
    ]);
    expect(stops()).toEqual([expect.objectContaining({ status: 'FILLED', executedQty: '0.00149000' })]);
    expect(t!.run(s.id)).toMatchObject({ exitLeg: 'BACKSTOP', positionQty: 0 });
    expect(t!.run(s.id).reason).toContain('Not at the broker: 0.00001 of the 0.0015');
    expect(t!.eventsOf('backstop_fired')).toEqual([expect.objectContaining({ filledQty: 0.00149, fillPrice: 54_000 })]);
  });

  it('fired while no process was up: the restart ends the leg with its fill (BACKSTOP), and no second exit goes', async () => {
    const s = await inPosition();
    const first = t!;
    // The process is gone before the market moves: nothing of it hears the fill.
    await first.broker.stop();
    first.fake.setPrice('BTCUSDT', '54000');
    expect(stops()).toEqual([expect.objectContaining({ status: 'FILLED' })]);
    t = await first.restart('2026-12-06T03:00:40Z');
    await t.engine.recover();
    await eventually(() => t!.run(s.id).state === 'EXITED_BY_SL', { clock: t.clock, stepMs: 250, what: 'EXITED_BY_SL', timeoutMs: 10_000 });
    expect(t.run(s.id)).toMatchObject({ exitLeg: 'BACKSTOP', positionQty: 0 });
    await t.clock.advanceTo(at('2026-12-06T03:02:00Z'));
    await t.engine.idle();
    expect(record()).toEqual([
      ['tc', 'MARKET', 'BUY', '0.0015', 'placed'],
      ['tb', 'STOP_LOSS', 'SELL', '0.00149', 'placed'],
    ]);
    expect(backstop(s)).toMatchObject({ state: 'fired', filledQty: 0.00149, done: true });
  });


  it('resting across a restart: found by its id and kept; the SELL afterwards cancels it first and sells the unlocked 0.00149', async () => {
    const s = await inPosition();
    t = await t!.restart('2026-12-06T03:00:30Z');
    await t.engine.recover();
    // Recovery looks the stop up by origClientOrderId (not awaited by recover()).
    await eventually(() => t!.fake.requests().some((r) => r.method === 'GET' && r.path === '/api/v3/order' && r.status === 200), { what: 'the lookup at the restart' });
    await t.engine.idle();
    expect(backstop(s)).toMatchObject({ state: 'resting', version: 1 });
    expect(stops()).toEqual([expect.objectContaining({ status: 'NEW' })]);
    await t.clock.advanceTo(at('2026-12-06T03:01:00Z'));
    await eventually(() => t!.run(s.id).state === 'SOLD', { clock: t.clock, stepMs: 250, what: 'SOLD', timeoutMs: 10_000 });
    expect(record()).toEqual([
      ['tc', 'MARKET', 'BUY', '0.0015', 'placed'],
      ['tb', 'STOP_LOSS', 'SELL', '0.00149', 'placed'],
      ['tc', 'MARKET', 'SELL', '0.00149', 'placed'],
    ]);
    expect(stops()).toEqual([expect.objectContaining({ status: 'CANCELED', executedQty: '0.00000000' })]);
  });

  it('the journal unavailable at the SELL: the stop is cancelled unjournaled, then the emergency exit sells the 0.00149 unlocked, once', async () => {
    const s = await inPosition();
    const refuseWrites = (on: boolean) => t!.db.sqlite.pragma(`query_only = ${on ? 'ON' : 'OFF'}`);
    refuseWrites(true);
    try {
      await t!.clock.advanceTo(at('2026-12-06T03:01:00Z'));
      await eventually(() => t!.fake.received().length === 3, { what: 'the SELL at the venue', timeoutMs: 10_000 });
      expect(t!.eventsOf('storage_failed')).toEqual([expect.objectContaining({ leg: 'SELL', action: 'sent_unjournaled' })]);
    } finally {
      refuseWrites(false);
    }
    await eventually(() => t!.run(s.id).state === 'SOLD', { what: 'SOLD once journaled', clock: t!.clock, stepMs: 500, timeoutMs: 10_000 });
    expect(record()).toEqual([
      ['tc', 'MARKET', 'BUY', '0.0015', 'placed'],
      ['tb', 'STOP_LOSS', 'SELL', '0.00149', 'placed'],
      ['tc', 'MARKET', 'SELL', '0.00149', 'placed'],
    ]);
    expect(stops()).toEqual([expect.objectContaining({ status: 'CANCELED', executedQty: '0.00000000' })]);
    expect(t!.run(s.id)).toMatchObject({ state: 'SOLD', positionQty: 0 });
  });

  it('follows a trailing stop: each move cancels the stop and places its next version, the latest level resting; a fall through it is one exit', async () => {
    const s = await inPosition({ trail: 5000 });
    expect(stops()).toEqual([expect.objectContaining({ stopPrice: '55000.00000000', status: 'NEW' })]);
    for (const [i, price] of ['60600', '61200'].entries()) {
      await t!.clock.advance(1_000);
      t!.fake.setPrice('BTCUSDT', price);
      // The levels are written (and the backstop moved) at most once a second per run (levels-writer.ts).
      await eventually(() => t!.eventsOf('backstop_moved').length === i + 1, { clock: t!.clock, stepMs: 250, what: `the backstop's move ${i + 1}`, timeoutMs: 10_000 });
    }
    expect(backstop(s)).toMatchObject({ state: 'resting', version: 3, triggerPrice: 56_200, qty: 0.00149 });
    expect(stops().map((o) => [o.stopPrice, o.status])).toEqual([
      ['55000.00000000', 'CANCELED'],
      ['55600.00000000', 'CANCELED'],
      ['56200.00000000', 'NEW'],
    ]);
    expect(t!.fake.balance('BTC')).toEqual({ free: '0.00000850', locked: '0.00149000' });
    t!.fake.setPrice('BTCUSDT', '56100');
    await eventually(() => t!.run(s.id).state === 'EXITED_BY_SL', { clock: t!.clock, stepMs: 250, what: 'EXITED_BY_SL', timeoutMs: 10_000 });
    await t!.engine.idle();
    // One sale: the backstop's (a trade through it fills it first) or the engine's after its cancel, never both.
    const sales = t!.fake.orders().filter((o) => o.side === 'SELL' && o.executedQty !== '0.00000000');
    expect(sales).toHaveLength(1);
    expect(sales[0]).toMatchObject({ executedQty: '0.00149000' });
    expect(t!.run(s.id)).toMatchObject({ positionQty: 0 });
  });
});
