/**
 * A strategy that sells first (side 'sell', a short) end to end: on the paper broker with a fake
 * clock, its entry is a sell at the BUY time and every exit buys back, its stop above the price
 * and its target below, its P&L counted the short way round; and where the broker cannot sell
 * first (a Kite account on delivery, CNC; an Alpaca asset hard to borrow) it is refused at
 * create, naming `side`. Judged by what the broker was sent.
 * Monday 2026-03-09, New York: BUY 09:30 (13:30Z), SELL 15:55 (19:55Z); AAPL starts at 100.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../support/engine-harness';
import { runtimeDto } from '../../engine/api/dto';
import type { Strategy } from '../../engine/core/types';
import { startAlpacaTestEngine, type AlpacaTestEngine } from '../fakes/alpaca/alpaca-engine-harness';
import { startKiteFake, type KiteFake } from '../fakes/kite/kite-fake';
import { startKiteEngine, type KiteTestEngine } from '../fakes/kite/kite-engine-harness';

let t: TestEngine;
let alpaca: AlpacaTestEngine | undefined;
let kite: KiteTestEngine | undefined;
let kiteFake: KiteFake | undefined;
afterEach(async () => {
  await t?.close();
  await alpaca?.close();
  await kite?.close();
  await kiteFake?.close();
  alpaca = kite = kiteFake = undefined;
});

const AAPL = 'NYSE:AAPL';

async function tick(price: number): Promise<void> {
  t.paper.setPrice(AAPL, price);
  await t.clock.advance(1_000);
  await t.engine.idle();
}

/** Sold 10 AAPL short at 09:30 by a strategy with these keys (a stop 105 above unless they say otherwise). */
async function shortAt100(keys: Record<string, unknown>): Promise<Strategy> {
  t = await startTestEngine({ at: '2026-03-09T13:00:00Z' });
  const s = await t.create({ side: 'sell', stop_loss: 105, ...keys });
  expect(s.spec.side).toBe('sell');
  await t.start(s.id);
  await t.until('2026-03-09T13:30:00Z');
  expect(t.run(s.id)).toMatchObject({ state: 'IN_POSITION', positionQty: 10 });
  return s;
}

const brokerRecord = () => t.paper.placedOrders().map((o) => [o.request.side, o.request.qty]);
const pnl = (s: Strategy) => runtimeDto(t.run(s.id), 10).realized_pnl;

describe('a short on the paper broker', () => {
  it('sells first at the BUY time; a rise to its stop above buys back once as STOPLOSS, at a loss', async () => {
    const s = await shortAt100({});
    expect(brokerRecord()).toEqual([['sell', 10]]);
    expect(t.run(s.id).levels).toMatchObject({ entry: 100, stop: 105, target: null });
    await tick(104.9);
    expect(brokerRecord()).toEqual([['sell', 10]]);
    await tick(105.3);
    expect(t.run(s.id)).toMatchObject({ state: 'EXITED_BY_SL', exitLeg: 'STOPLOSS', positionQty: 0 });
    await t.until('2026-03-09T19:56:00Z');
    expect(brokerRecord()).toEqual([
      ['sell', 10],
      ['buy', 10],
    ]);
    expect(pnl(s)).toBeLessThan(0);
  });

  it('a fall to its target below (in points from the fill) buys back as TARGET, at a profit; a fall never moves its stop down', async () => {
    const s = await shortAt100({ target: 3, target_mode: 'points' });
    expect(t.run(s.id).levels).toMatchObject({ entry: 100, stop: 105, target: 97 });
    await tick(97.5);
    expect(t.run(s.id).levels).toMatchObject({ stop: 105 });
    await tick(96.9);
    expect(t.run(s.id)).toMatchObject({ state: 'EXITED_BY_TARGET', exitLeg: 'TARGET' });
    expect(brokerRecord()).toEqual([
      ['sell', 10],
      ['buy', 10],
    ]);
    expect(pnl(s)).toBeGreaterThan(0);
  });

  it('a trailing stop follows the lowest price down, and a rise back to it buys back as TRAIL_STOP', async () => {
    const s = await shortAt100({ trail: 2 });
    expect(t.run(s.id).levels).toMatchObject({ stop: 102, stopKind: 'TRAIL_STOP' });
    await tick(96);
    expect(t.run(s.id).levels).toMatchObject({ stop: 98, trail: { best: 96 } });
    await tick(97.9);
    expect(brokerRecord()).toEqual([['sell', 10]]);
    await tick(98);
    expect(t.run(s.id)).toMatchObject({ state: 'EXITED_BY_SL', exitLeg: 'TRAIL_STOP' });
    expect(brokerRecord()).toEqual([
      ['sell', 10],
      ['buy', 10],
    ]);
  });

  it('at the SELL time the time exit buys back what is short', async () => {
    const s = await shortAt100({});
    await t.until('2026-03-09T19:56:00Z');
    expect(t.run(s.id)).toMatchObject({ state: 'SOLD', exitLeg: 'SELL', positionQty: 0 });
    expect(brokerRecord()).toEqual([
      ['sell', 10],
      ['buy', 10],
    ]);
  });

  it('a short whose last price is already at its stop above is SKIPPED at the BUY time, nothing sent', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:00:00Z' });
    const s = await t.create({ side: 'sell', stop_loss: 100 });
    await t.start(s.id);
    await t.until('2026-03-09T13:31:00Z');
    expect(t.run(s.id)).toMatchObject({ state: 'SKIPPED', reason: 'Short sale skipped: last price 100 was already at or above the stop-loss 100' });
    expect(brokerRecord()).toEqual([]);
  });
});

describe('where the broker cannot sell first, a short is refused at create, naming side', () => {
  const refusal = async (create: Promise<unknown>) => {
    const err = await create.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'validation_failed' });
    return (err as { fields: Array<{ field: string; message: string }> }).fields;
  };

  it('Alpaca: an asset hard to borrow is refused; one shortable and easy to borrow is taken', async () => {
    alpaca = await startAlpacaTestEngine({
      at: '2026-03-09T13:00:00Z',
      fake: { assets: [{ symbol: 'AAPL' }, { symbol: 'GME', shortable: true, easyToBorrow: false }] },
    });
    expect(await refusal(alpaca.create({ side: 'sell', symbol: 'GME', stop_loss: 130 }))).toEqual([
      { field: 'side', message: 'side sell (sell first): GME cannot be sold first at this broker (Alpaca sells first only what is shortable and easy to borrow)' },
    ]);
    expect((await alpaca.create({ side: 'sell', symbol: 'AAPL', stop_loss: 130 })).spec).toMatchObject({ side: 'sell', symbol: 'AAPL' });
  });

  it('Kite: an account on CNC (delivery) is refused; on MIS (intraday) it is taken', async () => {
    kiteFake = await startKiteFake({ prices: { INFY: 100 } });
    kite = await startKiteEngine({ fake: kiteFake, at: '2026-03-09T03:44:00Z', kiteOptions: { product: 'CNC' } });
    expect(await refusal(kite.create({ side: 'sell', stop_loss: 110 }))).toEqual([
      { field: 'side', message: 'side sell (sell first) is not available at this kite account: it cannot sell what it does not hold (product CNC is delivery; an account set to MIS, intraday, can)' },
    ]);
    // A position's side is checked as the strategy's: each short position named; the longs are taken.
    const straddle = { symbol: 'NIFTY', exchange: 'NFO', stop_loss: 40, stop_loss_mode: 'points', timezone: 'Asia/Kolkata' };
    const cannot = 'side sell (sell first) is not available at this kite account: it cannot sell what it does not hold (product CNC is delivery; an account set to MIS, intraday, can)';
    expect(await refusal(kite.create({ ...straddle, positions: [{ side: 'buy', option_right: 'CE', option_strike: 'atm+4' }, { side: 'sell', option_right: 'CE' }, { side: 'sell', option_right: 'PE' }] }))).toEqual([
      { field: 'positions.1.side', message: cannot },
      { field: 'positions.2.side', message: cannot },
    ]);
    expect((await kite.create({ ...straddle, positions: [{ side: 'buy', option_right: 'CE' }, { side: 'buy', option_right: 'PE' }] })).spec.positions).toHaveLength(2);
    await kite.close();
    kite = await startKiteEngine({ fake: kiteFake, at: '2026-03-09T03:44:00Z' });
    expect((await kite.create({ side: 'sell', stop_loss: 110 })).spec).toMatchObject({ side: 'sell', symbol: 'INFY' });
  });
});
