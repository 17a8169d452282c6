/**
 * One index option leg end to end on the paper broker (issue 19): the contract chosen a few
 * seconds before the BUY from the simulated index (NIFTY ATM CE, nearest weekly), journaled in the
 * run's plan before any order, bought at the BUY time in lots, sold at the SELL time; a restart
 * between the choice and the order reuses the journaled contract; a stop in points of premium; a
 * rule no listed contract meets skips the BUY, saying why. And a short straddle (two positions)
 * through the HTTP API, as a trader makes and watches one. Monday 7 December 2026, IST.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../support/engine-harness';
import { PAPER_OPTIONS, startApiHarness, type ApiHarness } from '../support/api-harness';
import { asBrokerAccountId, asStrategyId, positionClientOrderId } from '../../engine/core/ids';
import type { PaperBroker } from '../../engine/brokers/paper/paper-broker';

let t: TestEngine;
let h: ApiHarness | undefined;
afterEach(async () => {
  await t?.close();
  await h?.close();
  h = undefined;
});

const at = (iso: string) => Date.parse(iso);
/** 09:00 IST. */
const MONDAY_0900_IST = '2026-12-07T03:30:00Z';
const NIFTY = { symbol: 'NIFTY', exchange: 'NFO', option_right: 'CE', qty: 2, buy_time: '09:20:00', sell_time: '15:10:00', stop_loss: 40, stop_loss_mode: 'points', timezone: 'Asia/Kolkata' };

describe('an index option on the paper broker', () => {
  it('chooses NIFTY ATM CE of the nearest weekly before the BUY, journals it, buys it in lots and sells it at the SELL time', async () => {
    t = await startTestEngine({ at: MONDAY_0900_IST, paper: { startPrices: { 'NSE:NIFTY 50': 26_012 } } });
    const s = await t.create(NIFTY);
    expect(s).toMatchObject({ symbol: 'NIFTY', exchange: 'NFO', spec: { option_right: 'CE', qty: 2, timezone: 'Asia/Kolkata' } });
    const armed = await t.start(s.id);
    expect(armed.plan).toMatchObject({ symbol: 'NIFTY', option_right: 'CE' });
    expect(armed.plan!.option_contract).toBeUndefined();
    // Until its contract is chosen, the run watches the index its strike is chosen from.
    expect(t.paper.data.subscriptions()).toEqual(['NSE:NIFTY 50']);

    await t.until('2026-12-07T03:49:57.499Z');
    expect(t.run(s.id).plan!.option_contract).toBeUndefined();
    await t.until('2026-12-07T03:49:57.5Z'); // 2.5 s before the BUY
    expect(t.orders(s.id)).toEqual([]);
    expect(t.run(s.id)).toMatchObject({
      state: 'ARMED',
      plan: {
        symbol: 'NIFTY26D0826000CE',
        exchange: 'NFO',
        qty: 130,
        option_contract: { underlying: 'NIFTY', expiry: '2026-12-08', strike: 26_000, right: 'CE', lot_size: 65, lots: 2, spot: 26_012, atm: 26_000, premium: null, resolved_at: at('2026-12-07T03:49:57.5Z') },
      },
    });
    expect(t.paper.data.subscriptions()).toContain('NFO:NIFTY26D0826000CE');

    await t.until('2026-12-07T03:50:00Z');
    const [buy] = t.orders(s.id);
    const premium = t.paper.data.priceOf('NFO', 'NIFTY26D0826000CE');
    expect(buy).toMatchObject({ leg: 'BUY', symbol: 'NIFTY26D0826000CE', exchange: 'NFO', qty: 130, status: 'filled', fillPrice: premium, scheduledAt: at('2026-12-07T03:50:00Z') });
    expect(premium).toBeGreaterThan(12);
    // The stop is 40 points of premium below the fill, on the contract's 0.05 step.
    expect(t.run(s.id)).toMatchObject({ state: 'IN_POSITION', positionQty: 130, entryPrice: premium, levels: { stop: Math.round((premium - 40) * 100) / 100, tick: 0.05 } });

    await t.until('2026-12-07T09:40:00Z'); // 15:10 IST
    expect(t.orders(s.id).map((o) => [o.leg, o.symbol, o.qty, o.status])).toEqual([
      ['BUY', 'NIFTY26D0826000CE', 130, 'filled'],
      ['SELL', 'NIFTY26D0826000CE', 130, 'filled'],
    ]);
    expect(t.run(s.id)).toMatchObject({ state: 'SOLD', positionQty: 0, exitLeg: 'SELL' });
  });

  it('reuses the journaled contract after a restart between the choice and the order, whatever the index did meanwhile', async () => {
    t = await startTestEngine({ at: MONDAY_0900_IST, paper: { startPrices: { 'NSE:NIFTY 50': 26_012 } } });
    const s = await t.create(NIFTY);
    await t.start(s.id);
    await t.until('2026-12-07T03:49:58Z');
    expect(t.run(s.id).plan).toMatchObject({ symbol: 'NIFTY26D0826000CE', qty: 130 });
    expect(t.orders(s.id)).toEqual([]);

    // Killed here; the new process's index has moved two strikes up.
    t = await t.restart({ startPrices: { 'NSE:NIFTY 50': 26_110 } });
    await t.engine.recover();
    await t.until('2026-12-07T03:50:00Z');
    expect(t.orders(s.id).map((o) => [o.leg, o.symbol, o.qty])).toEqual([['BUY', 'NIFTY26D0826000CE', 130]]);
    expect(t.paper.placedOrders().map((o) => o.request.instrument.symbol)).toEqual(['NIFTY26D0826000CE']);
    expect(t.run(s.id).plan!.option_contract).toMatchObject({ spot: 26_012, strike: 26_000 });
  });

  it('chooses the contract at the BUY itself when no warm-up came, and sells on a stop in points of premium', async () => {
    // Armed 1 s before the BUY: the warm-up 2.5 s ahead is already past.
    t = await startTestEngine({ at: '2026-12-07T03:49:59Z', paper: { startPrices: { 'NSE:NIFTY 50': 26_012 } } });
    const s = await t.create({ ...NIFTY, option_right: 'PE', option_strike: 'atm+2', stop_loss: 10 });
    await t.start(s.id);
    await t.until('2026-12-07T03:50:00Z');
    const [buy] = t.orders(s.id);
    // +2 is out of the money for a put: two listed strikes below the money.
    expect(buy).toMatchObject({ leg: 'BUY', symbol: 'NIFTY26D0825900PE', qty: 130, status: 'filled' });
    const entry = buy!.fillPrice!;
    expect(t.run(s.id).levels).toMatchObject({ stop: Math.round((entry - 10) * 100) / 100 });
    // 20 points up, the put's premium is still above its stop; 300 up, it falls through it.
    t.paper.setPrice('NSE:NIFTY 50', 26_032);
    await t.until('2026-12-07T03:51:00Z');
    expect(t.paper.data.priceOf('NFO', 'NIFTY26D0825900PE')).toBeGreaterThan(entry - 10);
    expect(t.orders(s.id)).toHaveLength(1);
    t.paper.setPrice('NSE:NIFTY 50', 26_312);
    await t.until('2026-12-07T03:53:00Z');
    expect(t.paper.data.priceOf('NFO', 'NIFTY26D0825900PE')).toBeLessThan(entry - 10);
    expect(t.orders(s.id).map((o) => [o.leg, o.symbol, o.status])).toEqual([
      ['BUY', 'NIFTY26D0825900PE', 'filled'],
      ['STOPLOSS', 'NIFTY26D0825900PE', 'filled'],
    ]);
    expect(t.run(s.id)).toMatchObject({ state: 'EXITED_BY_SL', positionQty: 0 });
  });

  it('chooses by premium: the call whose premium is nearest the value', async () => {
    t = await startTestEngine({ at: MONDAY_0900_IST, paper: { startPrices: { 'NSE:NIFTY 50': 26_012 } } });
    const s = await t.create({ ...NIFTY, option_strike: 'premium:20' });
    await t.start(s.id);
    await t.until('2026-12-07T03:50:00Z');
    const chosen = t.run(s.id).plan!.option_contract!;
    const price = (strike: number) => t.paper.data.priceOf('NFO', `NIFTY26D08${strike}CE`);
    expect(chosen.premium).not.toBeNull();
    expect(Math.abs(chosen.premium! - 20)).toBeLessThanOrEqual(Math.abs(price(chosen.strike! + 50) - 20));
    expect(Math.abs(chosen.premium! - 20)).toBeLessThanOrEqual(Math.abs(price(chosen.strike! - 50) - 20));
    expect(chosen.strike).toBeGreaterThan(26_000);
    expect(t.orders(s.id)[0]).toMatchObject({ symbol: `NIFTY26D08${chosen.strike}CE`, status: 'filled' });
  });

  it('skips the BUY, saying why, when no listed contract meets the rule', async () => {
    t = await startTestEngine({ at: MONDAY_0900_IST });
    const s = await t.create({ ...NIFTY, symbol: 'BANKNIFTY' });
    await t.start(s.id);
    await t.until('2026-12-07T03:50:00Z');
    expect(t.orders(s.id)).toEqual([]);
    expect(t.run(s.id)).toMatchObject({ state: 'SKIPPED', reason: 'BUY skipped: no BANKNIFTY CE can be chosen: BANKNIFTY lists monthly expiries only (2026-12-29, 2027-01-26, 2027-02-23): choose the current month or a date' });
    expect(t.repos.strategies.getInternal(s.id)!.status).toBe('completed');
  });

  it('refuses at create what cannot be known before the BUY, naming the field', async () => {
    t = await startTestEngine({ at: MONDAY_0900_IST });
    await expect(t.create({ ...NIFTY, stop_loss_mode: 'price' })).rejects.toMatchObject({ fields: [expect.objectContaining({ field: 'stop_loss_mode' })] });
    await expect(t.create({ ...NIFTY, symbol: 'INFY' })).rejects.toMatchObject({ fields: [expect.objectContaining({ field: 'symbol', message: expect.stringContaining('NIFTY, BANKNIFTY, FINNIFTY, SENSEX') })] });
    await expect(t.create({ ...NIFTY, exchange: 'BFO' })).rejects.toMatchObject({ fields: [expect.objectContaining({ field: 'exchange', message: "exchange must be NFO (or left out) for NIFTY's options" })] });
    await expect(t.create({ ...NIFTY, symbol: 'SENSEX', exchange: 'BSE', option_right: null })).rejects.toMatchObject({ fields: [expect.objectContaining({ field: 'symbol', message: 'symbol SENSEX on BSE is an index: it has a price but cannot be ordered; to trade its options, set option_right' })] });
    await expect(t.create({ symbol: 'AAPL', option_strike: 'atm+1' })).rejects.toMatchObject({ fields: [expect.objectContaining({ field: 'option_strike' })] });
  });

  it('sells a short straddle created through the API: both sold under position ids, one stopped out alone, the other bought back at the SELL time, each run saying its position', async () => {
    const api = await startApiHarness({ at: MONDAY_0900_IST });
    h = api;
    const { token } = await api.register();
    const connected = await api.call('POST', '/broker/connect', { token, body: { broker: 'paper', label: 'Paper', options: { ...PAPER_OPTIONS, startPrices: { 'NSE:NIFTY 50': 26_012 } } } });
    expect(connected.status).toBe(201);
    const accountId = connected.body.id as number;
    const paper = (await api.engine.brokers.get(asBrokerAccountId(accountId))) as PaperBroker;
    const { option_right: _r, ...index } = NIFTY;
    const positions = [
      { side: 'sell', option_right: 'CE' },
      { side: 'sell', option_right: 'PE', lots: 1, stop_loss: 30 },
    ];
    // A sound body with an unsound position: refused naming the position's key, nothing saved.
    const refused = await api.createStrategy(token, accountId, { ...index, positions: [{ ...positions[0], lots: 0 }, positions[1]] });
    expect(refused.status).toBe(400);
    expect(refused.body.error.fields).toEqual([{ field: 'positions.0.lots', message: 'lots must be greater than 0' }]);
    expect((await api.call('GET', '/strategy', { token })).body.strategies).toEqual([]);

    const created = await api.createStrategy(token, accountId, { ...index, positions });
    expect(created.status).toBe(201);
    const id = created.body.id as number;
    expect(created.body).toMatchObject({ symbol: 'NIFTY', exchange: 'NFO', option_right: null, runtime: null, position_runs: [] });
    expect(created.body.positions).toEqual([
      { side: 'sell', option_right: 'CE', option_expiry: 'current_week', option_strike: 'atm', lots: null, stop_loss: null, stop_loss_mode: null, target: null, target_mode: null, trail: null, trail_mode: null, move_stop_to_cost_after: null, move_stop_to_cost_mode: null, reentries: null },
      { side: 'sell', option_right: 'PE', option_expiry: 'current_week', option_strike: 'atm', lots: 1, stop_loss: 30, stop_loss_mode: null, target: null, target_mode: null, trail: null, trail_mode: null, move_stop_to_cost_after: null, move_stop_to_cost_mode: null, reentries: null },
    ]);
    expect((await api.call('POST', '/strategy/start', { token, body: { strategy_id: id } })).status).toBe(200);
    const strategy = async () => (await api.call('GET', `/strategy/${id}`, { token })).body;
    const runs = async () => (await api.call('GET', `/runs?strategy_id=${id}`, { token })).body.runs as Record<string, any>[];
    expect((await strategy()).position_runs.map((r: any) => [r.position_no, r.state, r.contract])).toEqual([
      [0, 'ARMED', null],
      [1, 'ARMED', null],
    ]);

    await api.advanceTo('2026-12-07T03:50:00Z');
    const tp = (p: number, slot: 'entry' | 'exit') => positionClientOrderId('test01', asStrategyId(id), '2026-12-07', p, slot);
    expect(paper.placedOrders().map((o) => [o.request.clientOrderId, o.request.instrument.symbol, o.request.side, o.request.qty])).toEqual([
      [tp(0, 'entry'), 'NIFTY26D0826000CE', 'sell', 130],
      [tp(1, 'entry'), 'NIFTY26D0826000PE', 'sell', 65],
    ]);
    const held = await strategy();
    expect(held.runtime).toMatchObject({ position_no: 0, state: 'IN_POSITION', position_qty: 130, contract: { symbol: 'NIFTY26D0826000CE', right: 'CE', lots: 2, qty: 130 } });
    expect(held.position_runs.map((r: any) => [r.position_no, r.state, r.position_qty, r.contract.symbol])).toEqual([
      [0, 'IN_POSITION', 130, 'NIFTY26D0826000CE'],
      [1, 'IN_POSITION', 65, 'NIFTY26D0826000PE'],
    ]);

    // The index 300 up: the short call's premium rises through its 40-point stop; the put's falls.
    paper.setPrice('NSE:NIFTY 50', 26_312);
    await api.advanceTo('2026-12-07T03:53:00Z');
    const oneStopped = await strategy();
    expect(oneStopped.status).toBe('running');
    expect(oneStopped.position_runs.map((r: any) => [r.position_no, r.state, r.position_qty, r.exit_leg])).toEqual([
      [0, 'EXITED_BY_SL', 0, 'STOPLOSS'],
      [1, 'IN_POSITION', 65, null],
    ]);
    expect(oneStopped.position_runs[0].realized_pnl).toBeLessThan(0);

    await api.advanceTo('2026-12-07T09:40:00Z'); // 15:10 IST
    expect(paper.placedOrders().map((o) => [o.request.clientOrderId, o.request.side])).toEqual([
      [tp(0, 'entry'), 'sell'],
      [tp(1, 'entry'), 'sell'],
      [tp(0, 'exit'), 'buy'],
      [tp(1, 'exit'), 'buy'],
    ]);
    const done = await strategy();
    expect(done.status).toBe('completed');
    expect(done.position_runs.map((r: any) => [r.position_no, r.state, r.exit_leg])).toEqual([
      [0, 'EXITED_BY_SL', 'STOPLOSS'],
      [1, 'SOLD', 'SELL'],
    ]);
    // GET /runs: the day's two runs, each saying its position and its contract, as traded.
    const listed = await runs();
    expect(listed.map((r) => [r.trading_date, r.position_no, r.symbol, r.contract.symbol, r.state, r.bought_qty, r.sold_qty])).toEqual(
      expect.arrayContaining([
        ['2026-12-07', 0, 'NIFTY26D0826000CE', 'NIFTY26D0826000CE', 'EXITED_BY_SL', 130, 130],
        ['2026-12-07', 1, 'NIFTY26D0826000PE', 'NIFTY26D0826000PE', 'SOLD', 65, 65],
      ]),
    );
    expect(listed).toHaveLength(2);
    const pnl = done.position_runs.map((r: any) => r.realized_pnl as number);
    expect(listed.map((r) => r.realized_pnl).sort()).toEqual([...pnl].sort());
  });
});
