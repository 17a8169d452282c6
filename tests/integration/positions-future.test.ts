/**
 * The index's future as a position of a group (issue 19: "each leg: BUY or SELL, CE/PE (or the
 * futures/equity instrument)"): `option_right: 'FUT'` chooses the month's future (or a listed
 * expiry date) from the derivatives master with the option positions, from one index price, its
 * lots from the master; it is entered, stopped and exited as any position. On the paper chain
 * (the future priced at the simulated index) and on the Kite fake's NFO master (FUT rows, segment
 * NFO-FUT, as Kite's dump lists them). Monday 7 December 2026, IST: the December monthly, and its
 * future, expire on Tuesday the 29th.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../engine/core/fake-clock';
import { openTestDb } from '../../db/test-support';
import { kiteBrokerKind } from '../../engine/brokers/kite';
import { positionClientOrderId } from '../../engine/core/ids';
import { strategyDto } from '../../engine/api/dto';
import type { Strategy } from '../../engine/core/types';
import { engineOnBroker, startTestEngine, type EngineOnBroker, type TestEngine } from '../support/engine-harness';
import { startKiteFake, type KiteFake } from '../fakes/kite/kite-fake';
import { waitFor } from '../fakes/kite/wait-for';

const DAY = '2026-12-07';
const NIFTY = { symbol: 'NIFTY', exchange: 'NFO', qty: 1, buy_time: '09:20:00', sell_time: '15:10:00', stop_loss: 40, stop_loss_mode: 'points', timezone: 'Asia/Kolkata' };
/** A covered call: the month's future bought, a call two strikes out sold against it. */
const COVERED_CALL = [
  { side: 'buy', option_right: 'FUT' },
  { side: 'sell', option_right: 'CE', option_strike: 'atm+2' },
];

describe('a future among the positions, on the paper chain', () => {
  let t: TestEngine;
  afterEach(async () => t?.close());
  const id = (s: Strategy, p: number, slot: 'entry' | 'exit') => positionClientOrderId('test01', s.id, DAY, p, slot, 1, 0);

  it('buys the month\'s future (lots from the master, priced at the index) before the call it covers; its own stop closes it alone', async () => {
    t = await startTestEngine({ at: '2026-12-07T03:30:00Z', paper: { startPrices: { 'NSE:NIFTY 50': 26_012 } } });
    const s = await t.create({ ...NIFTY, positions: COVERED_CALL });
    expect(s.spec.positions![0]).toEqual({ side: 'buy', option_right: 'FUT' });
    // As the API and the form show it (an edit sends it back): the month's future.
    expect(strategyDto(s, []).positions![0]).toMatchObject({ option_right: 'FUT', option_expiry: 'current_month', option_strike: 'atm' });
    await t.start(s.id);
    await t.until('2026-12-07T03:50:01Z');
    const [fut0, ce0] = t.repos.runs.groupInternal(s.id, DAY);
    expect(fut0).toMatchObject({
      state: 'IN_POSITION',
      positionQty: 65,
      plan: { symbol: 'NIFTY26DECFUT', exchange: 'NFO', qty: 65, option_right: 'FUT', option_contract: { right: 'FUT', expiry: '2026-12-29', strike: null, atm: null, lot_size: 65, lots: 1, spot: 26_012 } },
    });
    expect(fut0!.entryPrice).toBe(26_012);
    expect(fut0!.levels).toMatchObject({ stop: 26_012 - 40 });
    expect(ce0).toMatchObject({ state: 'IN_POSITION', plan: { symbol: 'NIFTY26D0826100CE' } });
    // The future (a buy) before the sold call, as a hedge before the short it covers.
    expect(t.paper.placedOrders().map((o) => [o.request.clientOrderId, o.request.instrument.symbol, o.request.side])).toEqual([
      [id(s, 0, 'entry'), 'NIFTY26DECFUT', 'buy'],
      [id(s, 1, 'entry'), 'NIFTY26D0826100CE', 'sell'],
    ]);

    // 60 down: the future is past its 40-point stop; the sold call falls, in its favour.
    t.paper.setPrice('NSE:NIFTY 50', 25_952);
    await t.until('2026-12-07T03:51:00Z');
    const [fut, ce] = t.repos.runs.groupInternal(s.id, DAY);
    expect(fut).toMatchObject({ state: 'EXITED_BY_SL', exitLeg: 'STOPLOSS', positionQty: 0 });
    expect(ce).toMatchObject({ state: 'IN_POSITION' });
    await t.until('2026-12-07T09:40:01Z');
    expect(t.repos.runs.getInternal(ce!.id)).toMatchObject({ state: 'SOLD', exitLeg: 'SELL' });
    expect(t.repos.strategies.getInternal(s.id)!.status).toBe('completed');
  });

  it('counts the dte filter to the first option position\'s expiry, not the future\'s; refuses dte when every position is a future', async () => {
    t = await startTestEngine({ at: '2026-12-07T03:30:00Z', paper: { startPrices: { 'NSE:NIFTY 50': 26_012 } } });
    // Monday: the call's weekly expiry is Tuesday (dte 1), the future's the 29th (dte 22).
    const s = await t.create({ ...NIFTY, repeat: 'daily', dte: [1], positions: COVERED_CALL });
    await t.start(s.id);
    await t.until('2026-12-07T03:50:01Z');
    expect(t.repos.runs.groupInternal(s.id, DAY).map((r) => r.state)).toEqual(['IN_POSITION', 'IN_POSITION']);
    const futures = t.create({ ...NIFTY, repeat: 'daily', dte: [1], positions: [COVERED_CALL[0], { side: 'sell', option_right: 'FUT', option_expiry: '2027-01-26' }] });
    await expect(futures).rejects.toMatchObject({ fields: [{ field: 'dte', message: "dte counts the days to an option position's expiry, and every position is a future: leave dte out" }] });
  });

  it('refuses at save the next weekly expiry or a strike rule for a future, naming the position\'s key; nothing is saved', async () => {
    t = await startTestEngine({ at: '2026-12-07T03:30:00Z', paper: { startPrices: { 'NSE:NIFTY 50': 26_012 } } });
    const refused = t.create({ ...NIFTY, positions: [{ side: 'buy', option_right: 'FUT', option_expiry: 'next_week', option_strike: 'atm+1' }, COVERED_CALL[1]] });
    await expect(refused).rejects.toMatchObject({
      fields: [
        { field: 'positions.0.option_expiry', message: "option_expiry next_week names a weekly expiry, and futures expire monthly: use current_month (the default for a future) or a listed expiry date YYYY-MM-DD (the next month's future)" },
        { field: 'positions.0.option_strike', message: 'option_strike applies to an option: a future has no strike; leave it out' },
      ],
    });
    expect(t.repos.strategies.list(t.user.id)).toEqual([]);
  });
});

describe('a future among the positions, on Kite', () => {
  let fake: KiteFake;
  let t: EngineOnBroker;
  let closeDb: () => void;
  afterEach(async () => {
    await t?.stopEngine();
    closeDb?.();
    await fake?.close();
  });

  it('chooses NIFTY26DECFUT from the fake\'s NFO master (its FUT row, lot 65) with the call, and sends the future first', async () => {
    const clock = new FakeClock(Date.parse('2026-12-07T03:49:50Z'));
    fake = await startKiteFake({ now: () => clock.now(), prices: { 'NIFTY 50': 26_010, NIFTY26DECFUT: 26_080, NIFTY26D0826100CE: 60 } });
    const db = openTestDb();
    closeDb = () => db.close();
    const broker = kiteBrokerKind().create({ clock, credentials: fake.credentials(), options: fake.options() });
    t = await engineOnBroker({ clock, repos: db.repos, broker, brokerKind: 'kite', strategyDefaults: {} });
    const s = await t.create({ ...NIFTY, positions: COVERED_CALL });
    await t.start(s.id);
    await t.clock.advanceTo(Date.parse('2026-12-07T03:50:00Z'));
    await waitFor('both sent', () => fake.orders().length === 2);
    const [fut, ce] = db.repos.runs.groupInternal(s.id, DAY);
    expect(fut!.plan).toMatchObject({ symbol: 'NIFTY26DECFUT', exchange: 'NFO', qty: 65, option_contract: { right: 'FUT', expiry: '2026-12-29', strike: null, spot: 26_010 } });
    expect(ce!.plan).toMatchObject({ symbol: 'NIFTY26D0826100CE', qty: 65 });
    expect(fake.orders().map((o) => [o.tradingsymbol, o.exchange, o.transaction_type, o.quantity])).toEqual([
      ['NIFTY26DECFUT', 'NFO', 'BUY', 65],
      ['NIFTY26D0826100CE', 'NFO', 'SELL', 65],
    ]);
  });
});
