/**
 * A multi-position strategy's day as the manager runs it (issue 19, slice 4 part 2): the group's
 * runs, one per position, created in one transaction from the spec's positions and armed in the
 * runtime store under their positions; every contract chosen from one index price at the warm-up
 * and journaled before any order; the entries one after the other (longs first), a failed one
 * unwinding the group; the time exit, STOP and the kill switch over every position (shorts first);
 * restarts between the entries. Monday 7 December 2026, IST, on the paper broker.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../support/engine-harness';
import { storedStrategySpec } from '../../engine/core/strategy-spec';
import type { Strategy } from '../../engine/core/types';
import { backstopId, positionClientOrderId } from '../../engine/core/ids';

let t: TestEngine;
afterEach(async () => t?.close());

/** 09:00 IST. */
const MONDAY_0900_IST = '2026-12-07T03:30:00Z';
const NIFTY = { symbol: 'NIFTY', exchange: 'NFO', option_right: 'CE', qty: 2, buy_time: '09:20:00', sell_time: '15:10:00', stop_loss: 40, stop_loss_mode: 'points', timezone: 'Asia/Kolkata' };
const STRADDLE = [
  { side: 'sell', option_right: 'CE' },
  { side: 'sell', option_right: 'PE', lots: 1, stop_loss: 30 },
];

/** A strategy of `positions` on NIFTY, created through the service. */
async function groupStrategy(positions: readonly Record<string, unknown>[] = STRADDLE): Promise<Strategy> {
  const { option_right: _r, ...index } = NIFTY;
  return t.create({ ...index, positions });
}

describe('a group of positions armed by the manager', () => {
  it('creates one run per position, each with its position plan, armed in the runtime store under its position', async () => {
    t = await startTestEngine({ at: MONDAY_0900_IST, paper: { startPrices: { 'NSE:NIFTY 50': 26_012 } } });
    const s = await groupStrategy();
    const armed = await t.start(s.id);
    const group = t.repos.runs.groupInternal(s.id, '2026-12-07');
    expect(armed.id).toBe(group[0]!.id);
    expect(group.map((r) => [r.positionNo, r.state, r.buyAt, r.sellAt])).toEqual([
      [0, 'ARMED', Date.parse('2026-12-07T03:50:00Z'), Date.parse('2026-12-07T09:40:00Z')],
      [1, 'ARMED', Date.parse('2026-12-07T03:50:00Z'), Date.parse('2026-12-07T09:40:00Z')],
    ]);
    expect(group[0]!.plan).toMatchObject({ position_no: 0, side: 'sell', option_right: 'CE', qty: 2, stop_loss: 40 });
    expect(group[1]!.plan).toMatchObject({ position_no: 1, side: 'sell', option_right: 'PE', qty: 1, stop_loss: 30 });
    expect(await t.runtime.readRuntime(s.id, 0)).toMatchObject({ runId: group[0]!.id, state: 'ARMED' });
    expect(await t.runtime.readRuntime(s.id, 1)).toMatchObject({ runId: group[1]!.id, state: 'ARMED' });
    expect(t.eventsOf('strategy_armed')).toMatchObject([{ strategyId: s.id, runId: group[0]!.id }]);
  });

  it("chooses every position's contract from one index price at the warm-up and journals them all before any order", async () => {
    t = await startTestEngine({ at: MONDAY_0900_IST, paper: { startPrices: { 'NSE:NIFTY 50': 26_012 } } });
    const s = await groupStrategy();
    await t.start(s.id);
    await t.until('2026-12-07T03:49:57.499Z');
    expect(t.repos.runs.groupInternal(s.id, '2026-12-07').map((r) => r.plan!.option_contract)).toEqual([undefined, undefined]);
    await t.until('2026-12-07T03:49:57.5Z'); // 2.5 s before the BUY
    expect(t.orders(s.id)).toEqual([]);
    const [ce, pe] = t.repos.runs.groupInternal(s.id, '2026-12-07');
    const chosen = { expiry: '2026-12-08', strike: 26_000, lot_size: 65, spot: 26_012, atm: 26_000, resolved_at: Date.parse('2026-12-07T03:49:57.5Z') };
    expect(ce).toMatchObject({ state: 'ARMED', plan: { symbol: 'NIFTY26D0826000CE', exchange: 'NFO', qty: 130, position_no: 0, option_contract: { ...chosen, right: 'CE', lots: 2 } } });
    expect(pe).toMatchObject({ state: 'ARMED', plan: { symbol: 'NIFTY26D0826000PE', exchange: 'NFO', qty: 65, position_no: 1, option_contract: { ...chosen, right: 'PE', lots: 1 } } });
  });

  it("chooses no contract while a position's rule resolves to another position's contract, and enters nothing", async () => {
    // Started 50 s before the BUY: the premium read here is the premium at the warm-up and the BUY.
    t = await startTestEngine({ at: '2026-12-07T03:49:10Z', paper: { startPrices: { 'NSE:NIFTY 50': 26_012 } } });
    // The ATM rule and a premium rule of the ATM call's premium differ as rules, and are one contract.
    const atmPremium = Math.round(t.paper.data.priceOf('NFO', 'NIFTY26D0826000CE'));
    const s = await groupStrategy([
      { side: 'sell', option_right: 'CE' },
      { side: 'buy', option_right: 'CE', option_strike: `premium:${atmPremium}` },
    ]);
    await t.start(s.id);
    await t.until('2026-12-07T03:49:57.5Z');
    expect(t.repos.runs.groupInternal(s.id, '2026-12-07').map((r) => r.plan!.option_contract)).toEqual([undefined, undefined]);
    // At the BUY, chosen again and refused again: every position skipped, saying why, nothing entered.
    await t.until('2026-12-07T03:50:01Z');
    const why = "position 2: NIFTY26D0826000CE is position 1's contract too: one contract is one position";
    expect(t.repos.runs.groupInternal(s.id, '2026-12-07').map((r) => [r.state, r.reason])).toEqual([
      ['SKIPPED', `Short sale skipped: no contract is chosen until every position's can be (${why})`],
      ['SKIPPED', "BUY skipped: NIFTY26D0826000CE is position 1's contract too: one contract is one position"],
    ]);
    expect(t.paper.placedOrders()).toEqual([]);
    expect(t.repos.strategies.getInternal(s.id)!.status).toBe('completed');
  });

  it('sells a straddle at the BUY one position after the other, stops one out alone and buys the other back at the SELL time', async () => {
    t = await startTestEngine({ at: MONDAY_0900_IST, paper: { startPrices: { 'NSE:NIFTY 50': 26_012 } } });
    const s = await groupStrategy();
    await t.start(s.id);
    await t.until('2026-12-07T03:50:00Z');
    const id = (p: number, slot: 'entry' | 'exit') => positionClientOrderId('test01', s.id, '2026-12-07', p, slot);
    // Both shorts: the trader's order. The CE's entry went first, the PE's after the CE's answer.
    expect(t.paper.placedOrders().map((o) => [o.request.clientOrderId, o.request.instrument.symbol, o.request.side, o.request.qty])).toEqual([
      [id(0, 'entry'), 'NIFTY26D0826000CE', 'sell', 130],
      [id(1, 'entry'), 'NIFTY26D0826000PE', 'sell', 65],
    ]);
    const [ce, pe] = t.repos.runs.groupInternal(s.id, '2026-12-07');
    expect([ce!.state, pe!.state]).toEqual(['IN_POSITION', 'IN_POSITION']);
    expect(t.paper.data.subscriptions()).toEqual(expect.arrayContaining(['NFO:NIFTY26D0826000CE', 'NFO:NIFTY26D0826000PE']));
    expect(t.engine.market.isStopArmed(s.id, 0) && t.engine.market.isStopArmed(s.id, 1)).toBe(true);

    // The index 300 up: the short call's premium rises past its 40-point stop, the put's falls.
    t.paper.setPrice('NSE:NIFTY 50', 26_312);
    await t.until('2026-12-07T03:53:00Z');
    expect(t.repos.runs.getInternal(ce!.id)).toMatchObject({ state: 'EXITED_BY_SL', exitLeg: 'STOPLOSS', positionQty: 0 });
    expect(t.repos.runs.getInternal(pe!.id)).toMatchObject({ state: 'IN_POSITION', positionQty: 65 });
    expect(t.repos.strategies.getInternal(s.id)!.status).toBe('running');

    await t.until('2026-12-07T09:40:00Z'); // 15:10 IST
    expect(t.repos.runs.getInternal(pe!.id)).toMatchObject({ state: 'SOLD', exitLeg: 'SELL', positionQty: 0 });
    expect(t.paper.placedOrders().map((o) => [o.request.clientOrderId, o.request.side])).toEqual([
      [id(0, 'entry'), 'sell'],
      [id(1, 'entry'), 'sell'],
      [id(0, 'exit'), 'buy'],
      [id(1, 'exit'), 'buy'],
    ]);
    expect(t.repos.strategies.getInternal(s.id)!.status).toBe('completed');
    expect(await t.runtime.readRuntime(s.id, 1)).toBeNull();
  });

  it('with backstop true, rests a stop at the broker per position under its own id, each cancelled before its buy-back', async () => {
    t = await startTestEngine({ at: MONDAY_0900_IST, paper: { startPrices: { 'NSE:NIFTY 50': 26_012 } } });
    const { option_right: _r, ...index } = NIFTY;
    const s = await t.create({ ...index, backstop: true, positions: STRADDLE });
    await t.start(s.id);
    await t.until('2026-12-07T03:50:05Z');
    const stops = () => t.repos.runs.groupInternal(s.id, '2026-12-07').map((r) => t.repos.backstops.listByRunInternal(r.id).map((b) => [b.clientOrderId, b.symbol, b.side, b.state]));
    expect(stops()).toEqual([
      [[backstopId('test01', s.id, '2026-12-07', 0, 1, 0), 'NIFTY26D0826000CE', 'buy', 'resting']],
      [[backstopId('test01', s.id, '2026-12-07', 0, 1, 1), 'NIFTY26D0826000PE', 'buy', 'resting']],
    ]);
    await t.until('2026-12-07T09:40:05Z');
    expect(t.repos.runs.groupInternal(s.id, '2026-12-07').map((r) => [r.state, r.exitLeg])).toEqual([
      ['SOLD', 'SELL'],
      ['SOLD', 'SELL'],
    ]);
    expect(stops().map((rows) => rows.map((b) => b[3]))).toEqual([['cancelled'], ['cancelled']]);
  });

  it('buys a hedge before the short that needs its margin, and closes the short first at the SELL time', async () => {
    t = await startTestEngine({ at: MONDAY_0900_IST, paper: { startPrices: { 'NSE:NIFTY 50': 26_012 } } });
    const s = await groupStrategy([
      { side: 'sell', option_right: 'CE' },
      { side: 'buy', option_right: 'CE', option_strike: 'atm+4', stop_loss: 90, stop_loss_mode: 'percent' },
    ]);
    await t.start(s.id);
    await t.until('2026-12-07T09:40:00Z');
    expect(t.paper.placedOrders().map((o) => [o.request.instrument.symbol, o.request.side])).toEqual([
      ['NIFTY26D0826200CE', 'buy'],
      ['NIFTY26D0826000CE', 'sell'],
      ['NIFTY26D0826000CE', 'buy'],
      ['NIFTY26D0826200CE', 'sell'],
    ]);
  });

  it('STOP ends every position of the group; a START then arms the same day again in place; the kill switch buys both back', async () => {
    t = await startTestEngine({ at: MONDAY_0900_IST, paper: { startPrices: { 'NSE:NIFTY 50': 26_012 } } });
    const s = await groupStrategy();
    await t.start(s.id);
    const before = t.repos.runs.groupInternal(s.id, '2026-12-07');
    await t.engine.manager.stop(t.user.id, s.id);
    expect(t.repos.runs.groupInternal(s.id, '2026-12-07').map((r) => r.state)).toEqual(['STOPPED', 'STOPPED']);
    await t.start(s.id);
    expect(t.repos.runs.groupInternal(s.id, '2026-12-07').map((r) => [r.id, r.state])).toEqual(before.map((r) => [r.id, 'ARMED']));

    // Stopped again and edited to one option: that day's group cannot be re-armed as one run.
    await t.engine.manager.stop(t.user.id, s.id);
    const { positions: _p, ...rest } = s.spec;
    t.repos.strategies.update(t.user.id, s.id, { spec: storedStrategySpec.parse({ ...rest, side: 'sell', option_right: 'CE' }) }, t.clock.now());
    await expect(t.start(s.id)).rejects.toThrow("today's runs (2026-12-07) were armed with 2 positions and the strategy now has one: it can start from the next trading day");
    expect(t.repos.runs.groupInternal(s.id, '2026-12-07').map((r) => r.state)).toEqual(['STOPPED', 'STOPPED']);
    t.repos.strategies.update(t.user.id, s.id, { spec: s.spec }, t.clock.now());
    await t.start(s.id);

    await t.until('2026-12-07T03:51:00Z');
    expect(t.repos.runs.groupInternal(s.id, '2026-12-07').map((r) => r.state)).toEqual(['IN_POSITION', 'IN_POSITION']);
    await t.engine.manager.stopAll(t.user.id);
    await t.until('2026-12-07T03:52:00Z');
    expect(t.repos.runs.groupInternal(s.id, '2026-12-07').map((r) => [r.state, r.positionQty])).toEqual([
      ['STOPPED', 0],
      ['STOPPED', 0],
    ]);
    expect(t.paper.placedOrders().map((o) => o.request.side)).toEqual(['sell', 'sell', 'buy', 'buy']);
  });

  it('restarted between the two entries, sends the second once, on the journaled contract, and never the first again', async () => {
    let hits = 0;
    const crashPoints = {
      hit: (point: string) => {
        // The second position's entry is in the journal, not sent: the process dies here.
        if (point === 'after-journal' && ++hits === 2) throw new Error('the process died here');
      },
    };
    t = await startTestEngine({ at: MONDAY_0900_IST, paper: { startPrices: { 'NSE:NIFTY 50': 26_012 } }, crashPoints });
    const s = await groupStrategy();
    await t.start(s.id);
    await t.until('2026-12-07T03:50:00Z');
    expect(hits).toBe(2);
    const id = (p: number) => positionClientOrderId('test01', s.id, '2026-12-07', p, 'entry');
    expect(t.paper.placedOrders().map((o) => o.request.clientOrderId)).toEqual([id(0)]);
    expect(t.orders(s.id).map((o) => [o.clientOrderId, o.status])).toEqual([
      [id(0), 'filled'],
      [id(1), 'pending'],
    ]);

    // The new process's index has moved a strike up (a choice now would take 26050): the journaled contracts stand.
    t = await t.restart({ startPrices: { 'NSE:NIFTY 50': 26_060 } });
    await t.engine.recover();
    await t.until('2026-12-07T03:50:30Z');
    expect(t.paper.placedOrders().map((o) => [o.request.clientOrderId, o.request.instrument.symbol])).toEqual([[id(1), 'NIFTY26D0826000PE']]);
    expect(t.orders(s.id).map((o) => [o.clientOrderId, o.symbol, o.status])).toEqual([
      [id(0), 'NIFTY26D0826000CE', 'filled'],
      [id(1), 'NIFTY26D0826000PE', 'filled'],
    ]);
    expect(t.repos.runs.groupInternal(s.id, '2026-12-07').map((r) => [r.state, r.plan!.option_contract!.spot])).toEqual([
      ['IN_POSITION', 26_012],
      ['IN_POSITION', 26_012],
    ]);
  });

  it('restarted with the first entry journaled and unsent, sends it once, then the second after its answer', async () => {
    let hits = 0;
    const crashPoints = {
      hit: (point: string) => {
        // The first position's entry is in the journal, not sent: the process dies here.
        if (point === 'after-journal' && ++hits === 1) throw new Error('the process died here');
      },
    };
    t = await startTestEngine({ at: MONDAY_0900_IST, paper: { startPrices: { 'NSE:NIFTY 50': 26_012 } }, crashPoints });
    const s = await groupStrategy();
    await t.start(s.id);
    await t.until('2026-12-07T03:50:00Z');
    const id = (p: number) => positionClientOrderId('test01', s.id, '2026-12-07', p, 'entry');
    expect(t.paper.placedOrders()).toEqual([]);
    expect(t.orders(s.id).map((o) => [o.clientOrderId, o.status])).toEqual([[id(0), 'pending']]);
    expect(t.repos.runs.groupInternal(s.id, '2026-12-07').map((r) => r.state)).toEqual(['BUYING', 'ARMED']);

    t = await t.restart();
    await t.engine.recover();
    await t.until('2026-12-07T03:50:30Z');
    expect(t.paper.placedOrders().map((o) => o.request.clientOrderId)).toEqual([id(0), id(1)]);
    expect(t.orders(s.id).map((o) => [o.clientOrderId, o.status])).toEqual([
      [id(0), 'filled'],
      [id(1), 'filled'],
    ]);
  });

  it('restarted with the first entry filled and the second not journaled, enters the second once and never the first again', async () => {
    // The process dies once the CE's fill is in the journal, before anything follows it: the PE's entry is never journaled.
    t = await startTestEngine({ at: MONDAY_0900_IST, paper: { startPrices: { 'NSE:NIFTY 50': 26_012 } }, crashAt: { point: 'after-fill' } });
    const s = await groupStrategy();
    await t.start(s.id);
    await t.until('2026-12-07T03:50:00Z');
    const id = (p: number, slot: 'entry' | 'exit' = 'entry') => positionClientOrderId('test01', s.id, '2026-12-07', p, slot);
    expect(t.paper.placedOrders().map((o) => o.request.clientOrderId)).toEqual([id(0)]);
    expect(t.orders(s.id).map((o) => [o.clientOrderId, o.status])).toEqual([[id(0), 'filled']]);
    expect(t.repos.runs.groupInternal(s.id, '2026-12-07').map((r) => r.state)).toEqual(['IN_POSITION', 'ARMED']);
    // The engine ended at the crash: nothing more of it ran while the clock moved on.
    await t.until('2026-12-07T03:50:10Z');
    expect(t.orders(s.id)).toHaveLength(1);

    // The new process's index has moved a strike up (a choice now would take 26050): the journaled contracts stand.
    t = await t.restart({ startPrices: { 'NSE:NIFTY 50': 26_060 } });
    await t.engine.recover();
    await t.until('2026-12-07T03:50:30Z');
    expect(t.paper.placedOrders().map((o) => [o.request.clientOrderId, o.request.instrument.symbol, o.request.side])).toEqual([[id(1), 'NIFTY26D0826000PE', 'sell']]);
    expect(t.orders(s.id).map((o) => [o.clientOrderId, o.status])).toEqual([
      [id(0), 'filled'],
      [id(1), 'filled'],
    ]);
    expect(t.repos.runs.groupInternal(s.id, '2026-12-07').map((r) => r.state)).toEqual(['IN_POSITION', 'IN_POSITION']);
    expect([0, 1].map((p) => t.engine.market.isStopArmed(s.id, p))).toEqual([true, true]);

    await t.until('2026-12-07T09:40:00Z');
    expect(t.paper.placedOrders().map((o) => o.request.clientOrderId)).toEqual([id(1), id(0, 'exit'), id(1, 'exit')]);
    expect(t.repos.runs.groupInternal(s.id, '2026-12-07').map((r) => r.state)).toEqual(['SOLD', 'SOLD']);
  });

  it('unwinds when the short after the hedge is refused: the hedge is sold at once and nothing more is entered', async () => {
    t = await startTestEngine({ at: MONDAY_0900_IST, paper: { startPrices: { 'NSE:NIFTY 50': 26_012 } } });
    const s = await groupStrategy([
      { side: 'sell', option_right: 'CE' },
      { side: 'buy', option_right: 'CE', option_strike: 'atm+4', stop_loss: 90, stop_loss_mode: 'percent' },
    ]);
    await t.start(s.id);
    // The hedge filled: the broker refuses the next order (the short's entry).
    t.engine.bus.on('run_state_changed', (e) => {
      if (e.to === 'IN_POSITION' && t.paper.placedOrders().length === 1) t.paper.failNextPlace('reject-lasting');
    });
    await t.until('2026-12-07T03:51:00Z');
    const [short, hedge] = t.repos.runs.groupInternal(s.id, '2026-12-07');
    expect(short).toMatchObject({ state: 'ERROR', positionQty: 0 });
    expect(hedge).toMatchObject({ state: 'SOLD', exitLeg: 'SELL', positionQty: 0 });
    expect(t.orders(s.id).map((o) => [o.symbol, o.side, o.status])).toEqual([
      ['NIFTY26D0826200CE', 'buy', 'filled'],
      ['NIFTY26D0826000CE', 'sell', 'rejected'],
      ['NIFTY26D0826200CE', 'sell', 'filled'],
    ]);
    expect(t.repos.strategies.getInternal(s.id)!.status).toBe('completed');
  });

  it('restarted with both positions held, watches each contract under its position and buys both back at the SELL time', async () => {
    t = await startTestEngine({ at: MONDAY_0900_IST, paper: { startPrices: { 'NSE:NIFTY 50': 26_012 } } });
    const s = await groupStrategy();
    await t.start(s.id);
    await t.until('2026-12-07T03:51:00Z');
    expect(t.repos.runs.groupInternal(s.id, '2026-12-07').map((r) => r.state)).toEqual(['IN_POSITION', 'IN_POSITION']);

    t = await t.restart({ startPrices: { 'NSE:NIFTY 50': 26_012 } });
    await t.engine.recover();
    await t.until('2026-12-07T03:52:00Z');
    expect(t.paper.data.subscriptions()).toEqual(expect.arrayContaining(['NFO:NIFTY26D0826000CE', 'NFO:NIFTY26D0826000PE']));
    expect([0, 1].map((p) => t.engine.market.isWatching(s.id, p) && t.engine.market.isStopArmed(s.id, p))).toEqual([true, true]);
    expect(t.paper.placedOrders()).toEqual([]);

    await t.until('2026-12-07T09:40:00Z');
    const exit = (p: number) => positionClientOrderId('test01', s.id, '2026-12-07', p, 'exit');
    expect(t.paper.placedOrders().map((o) => [o.request.clientOrderId, o.request.side])).toEqual([
      [exit(0), 'buy'],
      [exit(1), 'buy'],
    ]);
    expect(t.repos.runs.groupInternal(s.id, '2026-12-07').map((r) => r.state)).toEqual(['SOLD', 'SOLD']);
    expect(t.repos.strategies.getInternal(s.id)!.status).toBe('completed');
  });
});
