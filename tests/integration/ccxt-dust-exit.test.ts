/**
 * A remainder under the pair's least order (issue 22, the fee-aware exits' "Left"), through the
 * real engine and CCXT adapter against the Binance fake. Binance refuses an order under LOT_SIZE
 * `minQty` or whose value is under NOTIONAL `minNotional` (BTCUSDT: 5 USDT) with -1013 "Filter
 * failure: …" (filters.md, errors.md), however often it is sent. A MARKET exit that runs out of
 * book fills part and EXPIRES (enums.md, order status EXPIRED: "MARKET orders that partially
 * fill"; the fake's `limitNextMarket`); what is left may be too small to sell: it is dust, the run
 * is closed saying so, and no order is sent to be refused (before, attempt 2 was refused -1013 and
 * the run ended in ERROR with a "position" no order could close). A remainder that can be sold is
 * sold by attempt 2. An entry under the least value is refused at create.
 *
 * Sunday 2026-12-06, UTC: BUY 03:00 of 0.0015 BTC at 60 000 (0.0014985 held after the fee in BTC),
 * SELL 03:01.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { clientOrderId, type StrategyId } from '../../engine/core/ids';
import { startCcxtTestEngine, type CcxtTestEngine } from '../fakes/binance/ccxt-engine-harness';
import { eventually } from '../fakes/alpaca/eventually';

const at = (iso: string) => Date.parse(iso);

let t: CcxtTestEngine | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const cid = (id: StrategyId, slot: 'entry' | 'exit', attempt = 1) => clientOrderId('test01', id, '2026-12-06', slot, attempt);

async function bought(): Promise<{ id: StrategyId }> {
  t = await startCcxtTestEngine({ at: '2026-12-06T02:59:50Z' });
  // No backstop (set false though Binance's default is none too): the subject is the exit's own orders.
  const s = await t.create({ backstop: false });
  await t.start(s.id);
  await eventually(() => t!.fake.streamSubscriptions().flat().includes('btcusdt@trade') && t!.fake.userDataSubscriptions() === 1, { what: 'the trade stream and the user stream' });
  await t.clock.advanceTo(at('2026-12-06T03:00:00Z'));
  await eventually(() => t!.run(s.id).state === 'IN_POSITION', { what: 'IN_POSITION', timeoutMs: 10_000 });
  return s;
}

/** The SELL at 03:01 meets a book holding only `depth` BTC: it fills that much and the rest expires; then the retry's second. */
async function sellIntoThinBook(id: StrategyId, depth: string, endsIn: string): Promise<void> {
  t!.fake.limitNextMarket('BTCUSDT', depth);
  await t!.clock.advanceTo(at('2026-12-06T03:01:00Z'));
  await eventually(() => t!.orders(id).some((o) => o.attempt === 1 && o.leg === 'SELL' && o.status === 'cancelled'), { what: 'attempt 1 part-filled and expired', timeoutMs: 10_000 });
  await t!.clock.advance(1_000); // EXIT_RETRY_MS[0]: attempt 2 is due
  await eventually(() => t!.run(id).state === endsIn, { what: endsIn, timeoutMs: 10_000 });
  await t!.engine.idle();
}

describe('an exit at Binance whose remainder is under the least order', () => {
  it('0.00004 BTC left after a part-filled SELL (worth 2.4 USDT, under 5) is dust: SOLD with the reason saying so, no attempt 2 sent to be refused -1013', async () => {
    const s = await bought();
    await sellIntoThinBook(s.id, '0.00145', 'SOLD');

    // Attempt 1 sold 0.00145 of the 0.00149 held; nothing else went to Binance (before: attempt 2 of 0.00004, refused -1013 NOTIONAL, ERROR).
    expect(t!.fake.received().map((o) => [o.newClientOrderId, o.side, o.quantity, o.outcome])).toEqual([
      [cid(s.id, 'entry'), 'BUY', '0.0015', 'placed #1'],
      [cid(s.id, 'exit'), 'SELL', '0.00149', 'placed #2'],
    ]);
    expect(t!.fake.orders().map((o) => [o.clientOrderId, o.status, o.executedQty])).toEqual([
      [cid(s.id, 'entry'), 'FILLED', '0.00150000'],
      [cid(s.id, 'exit'), 'EXPIRED', '0.00145000'],
    ]);
    const run = t!.run(s.id);
    expect(run).toMatchObject({ state: 'SOLD', positionQty: 0, exitLeg: 'SELL', exitPrice: 60000, lastAction: 'SELL_DUST' });
    expect(run.reason).toMatch(/^Dust left at the broker: the 0\.00004 left of this run's 0\.0015 cannot be sold \(worth 2\.4 at 60000, under the least order value of 5\); the run is closed with it, not sold\./);
    expect(t!.orders(s.id).map((o) => [o.leg, o.attempt, o.qty, o.status, o.filledQty])).toEqual([
      ['BUY', 1, 0.0015, 'filled', 0.0015],
      ['SELL', 1, 0.00149, 'cancelled', 0.00145],
    ]);
    expect(t!.fake.balance('BTC')).toEqual({ free: '0.00004850', locked: '0.00000000' });
  });

  it('0.00009 BTC left (worth 5.4 USDT, over 5) is sold by attempt 2: SOLD at 0, both attempts at Binance', async () => {
    const s = await bought();
    await sellIntoThinBook(s.id, '0.0014', 'SOLD');

    expect(t!.fake.received().map((o) => [o.newClientOrderId, o.quantity, o.outcome])).toEqual([
      [cid(s.id, 'entry'), '0.0015', 'placed #1'],
      [cid(s.id, 'exit'), '0.00149', 'placed #2'],
      [cid(s.id, 'exit', 2), '0.00009', 'placed #3'],
    ]);
    const run = t!.run(s.id);
    expect(run).toMatchObject({ state: 'SOLD', positionQty: 0, exitLeg: 'SELL' });
    expect(run.reason ?? '').not.toMatch(/Dust/);
    expect(t!.fake.balance('BTC')).toEqual({ free: '0.00000850', locked: '0.00000000' });
  });

  it('a remainder under the least quantity is dust too, whatever the price (a pair with minQty 0.0001)', async () => {
    t = await startCcxtTestEngine({
      at: '2026-12-06T02:59:50Z',
      fake: { symbols: [{ symbol: 'BTCUSDT', baseAsset: 'BTC', quoteAsset: 'USDT', tickSize: '0.01000000', minPrice: '0.01000000', maxPrice: '1000000.00000000', stepSize: '0.00001000', minQty: '0.00010000', maxQty: '9000.00000000', minNotional: '1.00000000' }] },
    });
    const s = await t.create({ qty: '0.0015', backstop: false });
    await t.start(s.id);
    await eventually(() => t!.fake.streamSubscriptions().flat().includes('btcusdt@trade') && t!.fake.userDataSubscriptions() === 1, { what: 'the streams' });
    await t.clock.advanceTo(at('2026-12-06T03:00:00Z'));
    await eventually(() => t!.run(s.id).state === 'IN_POSITION', { what: 'IN_POSITION', timeoutMs: 10_000 });
    await sellIntoThinBook(s.id, '0.00144', 'SOLD');

    expect(t!.fake.received()).toHaveLength(2);
    expect(t!.run(s.id).reason).toMatch(/^Dust left at the broker: the 0\.00005 left of this run's 0\.0015 cannot be sold \(under the least order quantity of 0\.0001\)/);
  });

  it('an entry worth under the least order value at the venue price is refused at create, naming the figure', async () => {
    t = await startCcxtTestEngine({ at: '2026-12-06T02:59:50Z' });
    // 0.00008 BTC at 60 000 is 4.8 USDT, under BTCUSDT's 5.
    await expect(t.create({ qty: '0.00008' })).rejects.toThrow(/5/);
    expect(t.fake.received()).toEqual([]);
  });

  it('a backstop asked for whose stop is worth under the least order value is refused at create, naming the figures; left to the default it is not', async () => {
    t = await startCcxtTestEngine({ at: '2026-12-06T02:59:50Z' });
    // 0.0001 BTC is worth 6 USDT at 60 000, but 4.5 at its stop of 45 000: Binance would refuse that STOP_LOSS -1013 NOTIONAL.
    await expect(t.create({ qty: '0.0001', stop_loss: 45_000, backstop: true })).rejects.toThrow("backstop: the stop of qty 0.0001 at 45000 is worth 4.5, under BTC/USDT's least order value of 5");
    // In points below the last price: about 60 000 − 15 000.
    await expect(t.create({ qty: '0.0001', stop_loss: 15_000, stop_loss_mode: 'points', backstop: true })).rejects.toThrow(/at about 45000 is worth 4\.5/);
    await expect(t.create({ qty: '0.0001', stop_loss: 45_000 })).resolves.toMatchObject({ spec: expect.objectContaining({ qty: 0.0001 }) });
    expect(t.fake.received()).toEqual([]);
  });
});
