/**
 * A position's stop-loss or target as an absolute premium (issue 19: "per-leg stop-loss and target
 * in points, % of premium, or absolute premium"): `stop_loss_mode: 'price'` on the position, kept
 * as it is at the fill, while the other positions keep the strategy's points. At the entry, a
 * contract whose last premium has already reached such a level is not entered (the group's
 * failure rule then decides the others), as a single position's entry past a price level is
 * skipped. Monday 7 December 2026, IST, on the paper broker (its NIFTY chain priced by
 * Black-Scholes from the index: at 26 012 the ATM 26 000 CE is about 97.5 and the PE 85.5; at
 * 26 040 the CE is about 113).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../support/engine-harness';
import type { Strategy } from '../../engine/core/types';
import { positionClientOrderId } from '../../engine/core/ids';
import { strategyDto } from '../../engine/api/dto';

let t: TestEngine;
afterEach(async () => t?.close());

/** 09:00 IST. */
const MONDAY_0900_IST = '2026-12-07T03:30:00Z';
const DAY = '2026-12-07';
const NIFTY = { symbol: 'NIFTY', exchange: 'NFO', qty: 1, buy_time: '09:20:00', sell_time: '15:10:00', stop_loss: 40, stop_loss_mode: 'points', timezone: 'Asia/Kolkata' };

const groupStrategy = (positions: readonly Record<string, unknown>[], over: Record<string, unknown> = {}): Promise<Strategy> => t.create({ ...NIFTY, positions, ...over });
const groupOf = (id: Strategy['id']) => t.repos.runs.groupInternal(id, DAY);
const premium = (symbol: string) => t.paper.data.priceOf('NFO', symbol);
const id = (s: Strategy, p: number, slot: 'entry' | 'exit') => positionClientOrderId('test01', s.id, DAY, p, slot, 1, 0);

describe('an absolute premium per position', () => {
  it('a short straddle whose CE stops at a premium of 110: bought back when its premium reaches it, while the PE keeps its 40 points', async () => {
    t = await startTestEngine({ at: MONDAY_0900_IST, paper: { startPrices: { 'NSE:NIFTY 50': 26_012 } } });
    const s = await groupStrategy([
      { side: 'sell', option_right: 'CE', stop_loss: 110, stop_loss_mode: 'price', target: 60, target_mode: 'price' },
      { side: 'sell', option_right: 'PE' },
    ]);
    expect(strategyDto(s, []).positions![0]).toMatchObject({ stop_loss: 110, stop_loss_mode: 'price', target: 60, target_mode: 'price' });
    await t.start(s.id);
    await t.until('2026-12-07T03:50:01Z');
    const [ce0, pe0] = groupOf(s.id);
    expect(ce0).toMatchObject({ state: 'IN_POSITION', plan: { stop_loss: 110, stop_loss_mode: 'price' }, levels: { stop: 110, target: 60, stopKind: 'STOPLOSS' } });
    expect(ce0!.entryPrice!).toBeLessThan(110);
    expect(pe0!.levels).toMatchObject({ stop: pe0!.entryPrice! + 40, target: null });

    // Up: the call's premium is past 110 but short of its entry + 40 (the points it would have had); the put falls in the short's favour.
    t.paper.setPrice('NSE:NIFTY 50', 26_040);
    expect(premium(ce0!.plan!.symbol)).toBeGreaterThan(110);
    expect(premium(ce0!.plan!.symbol)).toBeLessThan(ce0!.entryPrice! + 40);
    await t.until('2026-12-07T03:51:00Z');
    const [ce, pe] = groupOf(s.id);
    expect(ce!.exitPrice!).toBeLessThan(ce0!.entryPrice! + 40);
    expect(ce).toMatchObject({ state: 'EXITED_BY_SL', exitLeg: 'STOPLOSS', positionQty: 0 });
    expect(t.eventsOf('stop_loss_triggered')).toMatchObject([{ runId: ce!.id, stopLoss: 110 }]);
    expect(pe).toMatchObject({ state: 'IN_POSITION', levels: { stop: pe0!.entryPrice! + 40 } });
    // The closed CE is no longer watched (nor streamed to the page); the PE still is.
    expect([0, 1].map((p) => t.engine.market.isWatching(s.id, p))).toEqual([false, true]);
    expect(t.engine.market.watched().map((w) => w.key)).toEqual([`1|NFO:${pe!.plan!.symbol}`]);

    await t.until('2026-12-07T09:40:01Z');
    expect(t.orders(s.id).map((o) => [o.clientOrderId, o.leg, o.status])).toEqual([
      [id(s, 0, 'entry'), 'BUY', 'filled'],
      [id(s, 1, 'entry'), 'BUY', 'filled'],
      [id(s, 0, 'exit'), 'STOPLOSS', 'filled'],
      [id(s, 1, 'exit'), 'SELL', 'filled'],
    ]);
  });

  it('a CE whose premium is already past its stop premium at the entry is not sold; unwind (the default) enters no other position', async () => {
    t = await startTestEngine({ at: MONDAY_0900_IST, paper: { startPrices: { 'NSE:NIFTY 50': 26_012 } } });
    // A short's stop of 90 is below the call's 97.95: selling it would be stopped out at once, at a loss.
    const s = await groupStrategy([
      { side: 'sell', option_right: 'CE', stop_loss: 90, stop_loss_mode: 'price' },
      { side: 'sell', option_right: 'PE' },
    ]);
    await t.start(s.id);
    await t.until('2026-12-07T03:50:05Z');
    const [ce, pe] = groupOf(s.id);
    expect(ce).toMatchObject({ state: 'SKIPPED', positionQty: 0 });
    expect(ce!.reason).toMatch(/^Short sale skipped: last price 9[7-8]\.\d+ was already at or above the stop-loss 90$/);
    expect(pe).toMatchObject({ state: 'SKIPPED', reason: 'Short sale skipped: position 1 was not entered, so the group is closed (on_position_failure unwind)' });
    expect(t.paper.placedOrders()).toEqual([]);
  });

  /** The CE's ticks not arrived yet at its entry: the feed has no last price of it (the index's and the PE's come). */
  function noTickOfTheCall(): void {
    const market = t.engine.ctx.market;
    const lastPrice = market.lastPrice.bind(market);
    market.lastPrice = (accountId, key) => (key.endsWith('CE') ? undefined : lastPrice(accountId, key));
  }

  it('a CE with a stop premium and no tick yet at its entry: the broker is asked its premium first, and past the stop it is not sold', async () => {
    t = await startTestEngine({ at: MONDAY_0900_IST, paper: { startPrices: { 'NSE:NIFTY 50': 26_012 } } });
    const s = await groupStrategy([
      { side: 'sell', option_right: 'CE', stop_loss: 90, stop_loss_mode: 'price' },
      { side: 'sell', option_right: 'PE' },
    ]);
    noTickOfTheCall();
    await t.start(s.id);
    await t.until('2026-12-07T03:50:05Z');
    const [ce] = groupOf(s.id);
    expect(ce!.reason).toMatch(/^Short sale skipped: last price 9[7-8]\.\d+ was already at or above the stop-loss 90$/);
    expect(t.paper.placedOrders()).toEqual([]);
  });

  it('a CE with a stop premium whose price neither the feed nor the broker has: skipped saying why, and unwind enters no other position', async () => {
    t = await startTestEngine({ at: MONDAY_0900_IST, paper: { startPrices: { 'NSE:NIFTY 50': 26_012 } } });
    const s = await groupStrategy([
      { side: 'sell', option_right: 'CE', stop_loss: 180, stop_loss_mode: 'price' },
      { side: 'sell', option_right: 'PE' },
    ]);
    noTickOfTheCall();
    const data = t.paper.data;
    const [held, quote] = [data.lastPrice.bind(data), data.quote.bind(data)];
    data.lastPrice = (i) => (i.symbol.endsWith('CE') ? null : held(i));
    data.quote = async (is) => (await quote(is)).filter((q) => !q.symbol.endsWith('CE'));
    await t.start(s.id);
    await t.until('2026-12-07T03:50:05Z');
    const [ce, pe] = groupOf(s.id);
    expect(ce).toMatchObject({ state: 'SKIPPED', reason: `Short sale skipped: no price of ${ce!.plan!.symbol} has arrived nor could be quoted, and its stop-loss is the premium 180: a fill already past it would be closed at once` });
    expect(pe).toMatchObject({ state: 'SKIPPED', reason: 'Short sale skipped: position 1 was not entered, so the group is closed (on_position_failure unwind)' });
    expect(t.paper.placedOrders()).toEqual([]);
  });

  it('with on_position_failure keep, the others are entered without it; a target premium already reached skips its position too', async () => {
    t = await startTestEngine({ at: MONDAY_0900_IST, paper: { startPrices: { 'NSE:NIFTY 50': 26_012 } } });
    // A short's target of 90 is above the put's 85.95: it would be taken at once, paying the spread twice.
    const s = await groupStrategy(
      [
        { side: 'sell', option_right: 'CE' },
        { side: 'sell', option_right: 'PE', target: 90, target_mode: 'price' },
      ],
      { on_position_failure: 'keep' },
    );
    await t.start(s.id);
    await t.until('2026-12-07T03:50:05Z');
    const [ce, pe] = groupOf(s.id);
    expect(pe).toMatchObject({ state: 'SKIPPED' });
    expect(pe!.reason).toMatch(/^Short sale skipped: last price 8[5-6]\.\d+ was already at or below the target 90$/);
    expect(ce).toMatchObject({ state: 'IN_POSITION', exitAll: null });
    expect(t.paper.placedOrders().map((o) => o.request.clientOrderId)).toEqual([id(s, 0, 'entry')]);
  });
});
