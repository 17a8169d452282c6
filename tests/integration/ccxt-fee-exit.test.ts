/**
 * Fee-aware exits on a CCXT account (issue 22, plan §4 "Sells"), through the real engine and the
 * real CCXT adapter against the loopback Binance fake. Binance takes a buy's taker fee out of the
 * coin received unless it is paid in BNB ("commissionAsset" of each fill; the fake: 0.1 % of what
 * is received, rounded up to 8 places), so 0.0015 BTC bought is 0.0014985 BTC held, and a sale
 * of 0.0015 is refused -2010 "insufficient balance", a refusal that does not pass: the exit would
 * be given up with the position open. The exit asks the balance first (`netQty`: BTC free + locked,
 * floored to the step 0.00001) and sells 0.00149; the run ends SOLD (or EXITED_BY_SL) at 0 and
 * says what was left (0.0000085 BTC stays as dust at the venue, 0.0000015 was the fee).
 *
 * Sunday 2026-12-06, UTC (a crypto strategy's default zone): BUY 03:00, SELL 03:01.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { clientOrderId, type StrategyId } from '../../engine/core/ids';
import type { FakeBinanceOptions } from '../fakes/binance/fake-binance';
import { startCcxtTestEngine, type CcxtTestEngine } from '../fakes/binance/ccxt-engine-harness';
import { eventually } from '../fakes/alpaca/eventually';

const at = (iso: string) => Date.parse(iso);

let t: CcxtTestEngine | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const startCcxt = (fake: FakeBinanceOptions = {}) => startCcxtTestEngine({ at: '2026-12-06T02:59:50Z', fake });

const cid = (id: StrategyId, slot: 'entry' | 'exit', attempt = 1) => clientOrderId('test01', id, '2026-12-06', slot, attempt);
const NOTE = "Not at the broker: 0.00001 of the 0.0015 held by this run (the broker's fee taken in the asset bought, a remainder under one order step, or sold elsewhere); attempt 1 sells the 0.00149 it holds";

/** Armed, then bought at 03:00: 0.0015 BTC filled, 0.0014985 held after the fee. */
async function bought(fakeOpts: FakeBinanceOptions = {}): Promise<{ id: StrategyId }> {
  t = await startCcxt(fakeOpts);
  // Without a backstop (set false though Binance's default is none too): the exit's own quantity rule alone; with a
  // STOP_LOSS resting (locking the 0.00149) it is tests/integration/backstop-binance.test.ts.
  const s = await t.create({ backstop: false });
  await t.start(s.id);
  await eventually(() => t!.fake.streamSubscriptions().flat().includes('btcusdt@trade') && t!.fake.userDataSubscriptions() === 1, { what: 'the trade stream and the user stream' });
  await t.clock.advanceTo(at('2026-12-06T03:00:00Z'));
  await eventually(() => t!.run(s.id).state === 'IN_POSITION', { what: 'IN_POSITION', timeoutMs: 10_000 });
  return s;
}

describe('an exit at Binance after a buy whose fee was taken in BTC', () => {
  it('the SELL sells the 0.00149 held, not the 0.0015 bought: SOLD at 0, the rest named, nothing refused', async () => {
    const s = await bought();
    expect(t!.run(s.id).positionQty).toBe(0.0015);
    expect(t!.fake.balance('BTC')).toEqual({ free: '0.00149850', locked: '0.00000000' });

    await t!.clock.advanceTo(at('2026-12-06T03:01:00Z'));
    await eventually(() => t!.run(s.id).state === 'SOLD', { what: 'SOLD', timeoutMs: 10_000 });
    await t!.engine.idle();

    expect(t!.fake.received().map((o) => [o.newClientOrderId, o.side, o.quantity, o.outcome])).toEqual([
      [cid(s.id, 'entry'), 'BUY', '0.0015', 'placed #1'],
      [cid(s.id, 'exit'), 'SELL', '0.00149', 'placed #2'],
    ]);
    const run = t!.run(s.id);
    expect(run).toMatchObject({ state: 'SOLD', positionQty: 0, exitLeg: 'SELL', reason: NOTE });
    expect(t!.orders(s.id).map((o) => [o.leg, o.attempt, o.qty, o.status, o.filledQty])).toEqual([
      ['BUY', 1, 0.0015, 'filled', 0.0015],
      ['SELL', 1, 0.00149, 'filled', 0.00149],
    ]);
    // What stays at the venue: under one step, so no order could sell it.
    expect(t!.fake.balance('BTC')).toEqual({ free: '0.00000850', locked: '0.00000000' });
    expect(t!.eventsOf('exit_suppressed')).toEqual([]);
    expect(t!.eventsOf('exit_retry_scheduled')).toEqual([]);
  });

  it('a stop-loss on a trade-stream tick sells the 0.00149 held: EXITED_BY_SL at 0', async () => {
    const s = await bought();
    t!.fake.setPrice('BTCUSDT', '54000');
    await eventually(() => t!.run(s.id).state === 'EXITED_BY_SL', { what: 'EXITED_BY_SL', timeoutMs: 10_000 });
    await t!.engine.idle();
    expect(t!.eventsOf('stop_loss_triggered')).toEqual([expect.objectContaining({ price: 54_000, stopLoss: 55_000 })]);
    // The stream's trade, not a REST quote standing in for a silent stream.
    expect(t!.eventsOf('stop_loss_triggered')[0]).not.toHaveProperty('priceSource');
    expect(t!.fake.received().map((o) => [o.side, o.quantity, o.outcome])).toEqual([
      ['BUY', '0.0015', 'placed #1'],
      ['SELL', '0.00149', 'placed #2'],
    ]);
    expect(t!.run(s.id)).toMatchObject({ state: 'EXITED_BY_SL', positionQty: 0, exitLeg: 'STOPLOSS', exitPrice: 54_000, reason: NOTE });
  });

  it('where the fee is not taken in BTC (paid in BNB or the quote; the fake charging none), the whole 0.0015 sells', async () => {
    const s = await bought({ takerCommission: '0' });
    expect(t!.fake.balance('BTC').free).toBe('0.00150000');
    await t!.clock.advanceTo(at('2026-12-06T03:01:00Z'));
    await eventually(() => t!.run(s.id).state === 'SOLD', { what: 'SOLD', timeoutMs: 10_000 });
    expect(t!.fake.received().map((o) => [o.side, o.quantity])).toEqual([
      ['BUY', '0.0015'],
      ['SELL', '0.0015'],
    ]);
    expect(t!.run(s.id)).toMatchObject({ state: 'SOLD', positionQty: 0, reason: null });
    expect(t!.fake.balance('BTC').free).toBe('0.00000000');
  });

  it('BTC held before the buy: the exit sells what the run bought, no more', async () => {
    const s = await bought({ balances: { USDT: '10000', BTC: '0.5' } });
    await t!.clock.advanceTo(at('2026-12-06T03:01:00Z'));
    await eventually(() => t!.run(s.id).state === 'SOLD', { what: 'SOLD', timeoutMs: 10_000 });
    expect(t!.fake.received().map((o) => [o.side, o.quantity])).toEqual([
      ['BUY', '0.0015'],
      ['SELL', '0.0015'],
    ]);
    expect(t!.run(s.id)).toMatchObject({ state: 'SOLD', positionQty: 0, reason: null });
  });

  it('the journal unavailable at the SELL: the emergency exit sells the 0.00149 held, and its row written once storage is back says so', async () => {
    const s = await bought();
    const refuseWrites = (on: boolean) => t!.db.sqlite.pragma(`query_only = ${on ? 'ON' : 'OFF'}`);
    refuseWrites(true);
    try {
      await t!.clock.advanceTo(at('2026-12-06T03:01:00Z'));
      await eventually(() => t!.fake.received().length === 2, { what: 'the SELL at the venue', timeoutMs: 10_000 });
      expect(t!.eventsOf('storage_failed')).toEqual([expect.objectContaining({ leg: 'SELL', action: 'sent_unjournaled' })]);
    } finally {
      refuseWrites(false);
    }
    await eventually(() => t!.run(s.id).state === 'SOLD', { what: 'SOLD once journaled', clock: t!.clock, stepMs: 500, timeoutMs: 10_000 });
    expect(t!.fake.received().map((o) => [o.newClientOrderId, o.side, o.quantity, o.outcome])).toEqual([
      [cid(s.id, 'entry'), 'BUY', '0.0015', 'placed #1'],
      [cid(s.id, 'exit'), 'SELL', '0.00149', 'placed #2'],
    ]);
    expect(t!.orders(s.id).map((o) => [o.leg, o.qty, o.status, o.filledQty])).toEqual([
      ['BUY', 0.0015, 'filled', 0.0015],
      ['SELL', 0.00149, 'filled', 0.00149],
    ]);
    expect(t!.run(s.id)).toMatchObject({ state: 'SOLD', positionQty: 0, reason: NOTE });
  });

  it('the balance cannot be asked (a 5xx, a cut connection): the SELL waits and asks again, then sells the 0.00149 held, once', async () => {
    const s = await bought();
    t!.fake.injectFault({ route: 'GET /api/v3/account', fault: { kind: 'error', status: 503, code: -1008, msg: 'Server is currently overloaded with other requests. Please try again in a few minutes.' } });
    t!.fake.injectFault({ route: 'GET /api/v3/account', fault: { kind: 'drop' } });
    const sellAt = at('2026-12-06T03:01:00Z');
    await t!.clock.advanceTo(at('2026-12-06T03:01:00Z'));
    await eventually(() => t!.run(s.id).state === 'SOLD', { what: 'SOLD after asking again', clock: t!.clock, stepMs: 500, timeoutMs: 10_000 });
    // Not before the engine asked again (EXIT_AGAIN_MS: 1 s, then 2 s).
    expect(t!.orders(s.id).find((o) => o.leg === 'SELL')!.createdAt).toBeGreaterThanOrEqual(sellAt + 1_000);
    const asked = t!.fake.requests().filter((r) => r.path === '/api/v3/account').map((r) => r.status);
    // The fake logs no line for a cut connection: the 503, then the answer after it.
    expect(asked).toEqual([503, 200]);
    expect(t!.fake.requests().filter((r) => r.path === '/api/v3/order').length).toBe(2);
    expect(t!.eventsOf('exit_suppressed')).toEqual([]);
    expect(t!.fake.received().map((o) => [o.side, o.quantity, o.outcome])).toEqual([
      ['BUY', '0.0015', 'placed #1'],
      ['SELL', '0.00149', 'placed #2'],
    ]);
    expect(t!.run(s.id)).toMatchObject({ state: 'SOLD', positionQty: 0, reason: NOTE });
  });

  it('a strategy that sells first is refused at create: a spot account cannot sell what it does not hold', async () => {
    t = await startCcxt();
    await expect(t.create({ side: 'sell', stop_loss: 65_000 })).rejects.toThrow(/side sell \(sell first\) is not available at this binance account: it cannot sell what it does not hold/);
    expect(t.repos.strategies.list(t.user.id)).toEqual([]);
  });
});
