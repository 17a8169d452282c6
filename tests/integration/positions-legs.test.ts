/**
 * Trail, move to cost and re-entry per position (issue 19, slice 4): each set on the strategy for
 * every position or on a position for itself, copied into the position's run plan, and carried out
 * by that position's own run: a short's trail follows its premium down; a position that stops out
 * re-enters the contract the day chose for it (journaled in its plan), whatever the index did
 * since, under its own `tp` ids (position and leg); the group's "exit all" ends every re-entry.
 * Monday 7 December 2026, IST, on the paper broker (its NIFTY chain priced by Black-Scholes from
 * the index: at 26 012 the ATM 26 000 CE is 97.95 and the PE 85.95; at 26 100, 150.5 and 50.5).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../support/engine-harness';
import type { Strategy } from '../../engine/core/types';
import { positionClientOrderId } from '../../engine/core/ids';

let t: TestEngine;
afterEach(async () => t?.close());

/** 09:00 IST. */
const MONDAY_0900_IST = '2026-12-07T03:30:00Z';
const DAY = '2026-12-07';
const NIFTY = { symbol: 'NIFTY', exchange: 'NFO', qty: 1, buy_time: '09:20:00', sell_time: '15:10:00', stop_loss: 40, stop_loss_mode: 'points', timezone: 'Asia/Kolkata' };

/** A strategy of `positions` on NIFTY with the strategy keys `over`, created through the service. */
const groupStrategy = (positions: readonly Record<string, unknown>[], over: Record<string, unknown> = {}): Promise<Strategy> => t.create({ ...NIFTY, positions, ...over });

const groupOf = (id: Strategy['id']) => t.repos.runs.groupInternal(id, DAY);
const id = (s: Strategy, p: number, slot: 'entry' | 'exit', legNo = 0) => positionClientOrderId('test01', s.id, DAY, p, slot, 1, legNo);
const premium = (symbol: string) => t.paper.data.priceOf('NFO', symbol);

describe('a trailing stop per position', () => {
  it('a short straddle whose CE trails: the CE\'s stop follows its premium down and it is bought back at the trailed level, while the PE keeps its own stop', async () => {
    t = await startTestEngine({ at: MONDAY_0900_IST, paper: { startPrices: { 'NSE:NIFTY 50': 26_012 } } });
    const s = await groupStrategy([
      { side: 'sell', option_right: 'CE', trail: 10, trail_mode: 'points' },
      { side: 'sell', option_right: 'PE' },
    ]);
    expect(s.spec.positions![0]).toMatchObject({ trail: 10 });
    await t.start(s.id);
    await t.until('2026-12-07T03:50:01Z');
    const [ce0, pe0] = groupOf(s.id);
    expect(ce0!.plan).toMatchObject({ trail: 10, trail_mode: 'points', position_no: 0 });
    expect(pe0!.plan).not.toHaveProperty('trail');
    // The CE's trail (10 above its entry) is tighter than its 40-point stop from the start; the PE has its 40 points.
    expect(ce0!.levels).toMatchObject({ stopKind: 'TRAIL_STOP', stop: ce0!.entryPrice! + 10, trail: { offset: 10, best: ce0!.entryPrice } });
    expect(pe0!.levels).toMatchObject({ stopKind: 'STOPLOSS', stop: pe0!.entryPrice! + 40, trail: null });

    // 62 down: the call's premium falls (a short's gain), so its stop follows it down; the put rises, short of its stop.
    t.paper.setPrice('NSE:NIFTY 50', 25_950);
    await t.until('2026-12-07T03:51:00Z');
    const low = premium(ce0!.plan!.symbol);
    expect(low).toBeLessThan(ce0!.entryPrice! - 20);
    const trailed = groupOf(s.id)[0]!.levels!;
    expect(trailed).toMatchObject({ stopKind: 'TRAIL_STOP', trail: { best: low } });
    expect(trailed.stop).toBeCloseTo(low + 10, 6);
    expect(trailed.stop).toBeLessThan(ce0!.entryPrice!);
    expect(t.eventsOf('stop_moved').filter((e) => e.runId === ce0!.id).every((e) => e.why === 'trail' && e.to < e.from)).toBe(true);
    expect(t.eventsOf('stop_moved').filter((e) => e.runId === pe0!.id)).toEqual([]);

    // 38 back up: the call's premium is past its trailed stop, still below its entry (and far from entry + 40); the put is short of its own stop.
    t.paper.setPrice('NSE:NIFTY 50', 25_988);
    expect(premium(ce0!.plan!.symbol)).toBeGreaterThanOrEqual(trailed.stop);
    expect(premium(ce0!.plan!.symbol)).toBeLessThan(ce0!.entryPrice!);
    await t.until('2026-12-07T03:52:00Z');
    const [ce, pe] = groupOf(s.id);
    expect(ce).toMatchObject({ state: 'EXITED_BY_SL', exitLeg: 'TRAIL_STOP', positionQty: 0 });
    expect(ce!.exitPrice!).toBeGreaterThanOrEqual(trailed.stop);
    expect(ce!.exitPrice!).toBeLessThan(ce!.entryPrice!);
    expect(t.eventsOf('stop_loss_triggered')).toMatchObject([{ runId: ce!.id, trailing: true, stopLoss: trailed.stop }]);
    expect(pe).toMatchObject({ state: 'IN_POSITION', levels: { stop: pe0!.entryPrice! + 40, stopKind: 'STOPLOSS' } });
    expect(t.repos.strategies.getInternal(s.id)!.status).toBe('running');

    // The PE is bought back at the SELL time.
    await t.until('2026-12-07T09:40:01Z');
    expect(t.repos.runs.getInternal(pe!.id)).toMatchObject({ state: 'SOLD', exitLeg: 'SELL' });
    expect(t.paper.placedOrders().map((o) => [o.request.clientOrderId, o.request.side])).toEqual([
      [id(s, 0, 'entry'), 'sell'],
      [id(s, 1, 'entry'), 'sell'],
      [id(s, 0, 'exit'), 'buy'],
      [id(s, 1, 'exit'), 'buy'],
    ]);
  });
});

describe('re-entry per position', () => {
  it('the CE stops out and re-enters once, on the contract it traded (not the new ATM), under its own leg id, while the PE holds', async () => {
    t = await startTestEngine({ at: MONDAY_0900_IST, paper: { startPrices: { 'NSE:NIFTY 50': 26_012 } } });
    const s = await groupStrategy(
      [
        { side: 'sell', option_right: 'CE', reentries: 1 },
        { side: 'sell', option_right: 'PE' },
      ],
      { reentry_cutoff: '12:00:00' },
    );
    await t.start(s.id);
    await t.until('2026-12-07T03:50:01Z');
    const [ce0, pe0] = groupOf(s.id);
    expect([ce0!.plan!.reentries, pe0!.plan!.reentries]).toEqual([1, 0]);
    const contract = ce0!.plan!.symbol;
    expect(contract).toBe('NIFTY26D0826000CE');

    // 88 up: the call's premium passes its 40-point stop (150.5, from 97.95); the put falls, in the short's favour.
    t.paper.setPrice('NSE:NIFTY 50', 26_100);
    await t.until('2026-12-07T03:51:00Z');
    const [ce, pe] = groupOf(s.id);
    // Re-entered at once (RE-ASAP), on the day's contract: the ATM is now 26 100, the contract still 26 000.
    expect(ce).toMatchObject({ state: 'IN_POSITION', legNo: 1, positionQty: 65, plan: { symbol: contract, option_contract: { strike: 26_000 } } });
    expect(Math.abs(ce!.entryPrice! - premium(contract))).toBeLessThan(1);
    expect(ce!.entryPrice!).toBeGreaterThan(ce0!.entryPrice! + 40);
    expect(ce!.levels!.stop).toBeCloseTo(ce!.entryPrice! + 40, 6);
    expect(pe).toMatchObject({ state: 'IN_POSITION', legNo: 0, levels: { stop: pe0!.entryPrice! + 40 } });
    expect(t.eventsOf('reentry_scheduled')).toMatchObject([{ runId: ce!.id, legNo: 1, of: 1, after: 'STOPLOSS' }]);
    // A position that may re-enter is not over: its contract stays watched through the stop-out.
    expect([0, 1].map((p) => t.engine.market.isWatching(s.id, p))).toEqual([true, true]);
    expect(t.orders(s.id).map((o) => [o.clientOrderId, o.symbol, o.leg, o.legNo, o.status])).toEqual([
      [id(s, 0, 'entry'), contract, 'BUY', 0, 'filled'],
      [id(s, 1, 'entry'), 'NIFTY26D0826000PE', 'BUY', 0, 'filled'],
      [id(s, 0, 'exit'), contract, 'STOPLOSS', 0, 'filled'],
      [id(s, 0, 'entry', 1), contract, 'BUY', 1, 'filled'],
    ]);

    // Both bought back at the SELL time, the CE's leg 1 under its own exit id; the strategy completes.
    await t.until('2026-12-07T09:40:01Z');
    expect(groupOf(s.id).map((r) => [r.state, r.exitLeg, r.legNo])).toEqual([
      ['SOLD', 'SELL', 1],
      ['SOLD', 'SELL', 0],
    ]);
    expect(t.paper.placedOrders().map((o) => o.request.clientOrderId).slice(4)).toEqual([id(s, 0, 'exit', 1), id(s, 1, 'exit')]);
    expect(new Set(t.orders(s.id).map((o) => o.clientOrderId)).size).toBe(6);
    expect(t.repos.strategies.getInternal(s.id)!.status).toBe('completed');
  });

  it('two positions stopped out by one move each re-enter on their own timer: one waiting does not cancel the other\'s', async () => {
    t = await startTestEngine({ at: MONDAY_0900_IST, paper: { startPrices: { 'NSE:NIFTY 50': 26_012 } } });
    // A short call and a long put both lose as the index rises: one move takes both stops.
    const s = await groupStrategy(
      [
        { side: 'sell', option_right: 'CE' },
        { side: 'buy', option_right: 'PE', stop_loss: 10 },
      ],
      { reentries: 1, reentry_cutoff: '12:00:00' },
    );
    await t.start(s.id);
    await t.until('2026-12-07T03:50:01Z');
    t.paper.setPrice('NSE:NIFTY 50', 26_100);
    await t.until('2026-12-07T03:51:00Z');
    const group = groupOf(s.id);
    expect(t.eventsOf('reentry_scheduled').map((e) => e.runId).sort()).toEqual(group.map((r) => r.id).sort());
    expect(group.map((r) => [r.state, r.legNo, r.positionQty])).toEqual([
      ['IN_POSITION', 1, 65],
      ['IN_POSITION', 1, 65],
    ]);
    // The day's entries long before short; then each position's stop exit and its re-entry, each under its position and leg.
    const orders = t.orders(s.id).map((o) => [o.clientOrderId, o.leg, o.status]);
    expect(orders.slice(0, 2)).toEqual([
      [id(s, 1, 'entry'), 'BUY', 'filled'],
      [id(s, 0, 'entry'), 'BUY', 'filled'],
    ]);
    expect(orders.slice(2).sort()).toEqual(
      [
        [id(s, 0, 'exit'), 'STOPLOSS', 'filled'],
        [id(s, 1, 'exit'), 'STOPLOSS', 'filled'],
        [id(s, 0, 'entry', 1), 'BUY', 'filled'],
        [id(s, 1, 'entry', 1), 'BUY', 'filled'],
      ].sort(),
    );
  });
});

describe('re-entry and the group\'s exit-all', () => {
  it('a stop-out on the tick that reaches the MTM stop ends the position: no re-entry after the group\'s exit-all', async () => {
    t = await startTestEngine({ at: MONDAY_0900_IST, paper: { startPrices: { 'NSE:NIFTY 50': 26_012 } } });
    const s = await groupStrategy(
      [
        { side: 'sell', option_right: 'CE' },
        { side: 'sell', option_right: 'PE' },
      ],
      { reentries: 2, reentry_cutoff: '12:00:00', mtm_stop: 1000 },
    );
    await t.start(s.id);
    await t.until('2026-12-07T03:50:01Z');
    // 88 up: the call's own 40-point stop and the group's MTM stop (a loss of about 1 100, or 3 400 on the call's tick alone) on one tick.
    t.paper.setPrice('NSE:NIFTY 50', 26_100);
    await t.until('2026-12-07T03:51:00Z');
    const [ce, pe] = groupOf(s.id);
    // The call's own stop went first (its exit at the broker when the flag was written): it ends by it, re-entries left or not.
    expect(ce).toMatchObject({ state: 'EXITED_BY_SL', exitLeg: 'STOPLOSS', exitAll: 'mtm_stop', legNo: 0, positionQty: 0 });
    expect(pe).toMatchObject({ state: 'SOLD', exitLeg: 'SELL', exitAll: 'mtm_stop', legNo: 0 });
    expect(t.eventsOf('reentry_scheduled')).toEqual([]);

    // The cut-off and the SELL time pass: nothing more is sent.
    await t.until('2026-12-07T09:41:00Z');
    expect(t.orders(s.id).map((o) => [o.clientOrderId, o.leg])).toEqual([
      [id(s, 0, 'entry'), 'BUY'],
      [id(s, 1, 'entry'), 'BUY'],
      [id(s, 0, 'exit'), 'STOPLOSS'],
      [id(s, 1, 'exit'), 'SELL'],
    ]);
    expect(t.repos.strategies.getInternal(s.id)!.status).toBe('completed');
  });

  it('a stop-out while the group\'s exit-all flag cannot be journaled is not re-entered: no BUY goes out before the flag lands', async () => {
    t = await startTestEngine({ at: MONDAY_0900_IST, paper: { startPrices: { 'NSE:NIFTY 50': 26_012 } } });
    const s = await groupStrategy(
      [
        { side: 'sell', option_right: 'CE' },
        { side: 'sell', option_right: 'PE' },
      ],
      { reentries: 2, reentry_cutoff: '12:00:00', mtm_stop: 1000 },
    );
    await t.start(s.id);
    await t.until('2026-12-07T03:50:01Z');
    // The flag's transaction fails once (a busy database), and is tried again 1 s later.
    const runs = t.repos.runs;
    const update = runs.update.bind(runs);
    const refused: number[] = [];
    runs.update = (runId, patch, now) => {
      if (patch.exitAll !== undefined && refused.length < 1) {
        refused.push(t.clock.now());
        throw new Error('SQLITE_BUSY: database is locked');
      }
      return update(runId, patch, now);
    };
    // 88 up: the call's own stop and the group's MTM stop on one tick; the call's stop fill comes while the flag is not journaled.
    t.paper.setPrice('NSE:NIFTY 50', 26_100);
    await t.until('2026-12-07T03:51:00Z');
    expect(refused).toHaveLength(1);
    const [ce, pe] = groupOf(s.id);
    // The call's stop filled while the group was closing: it ends by its stop, as with the flag written (no leg waits to be refused).
    expect(ce).toMatchObject({ state: 'EXITED_BY_SL', exitLeg: 'STOPLOSS', legNo: 0, positionQty: 0 });
    expect(pe).toMatchObject({ state: 'SOLD', exitLeg: 'SELL', positionQty: 0 });
    expect(t.eventsOf('reentry_scheduled')).toEqual([]);

    // The cut-off and the SELL time pass: no re-entry, nothing more sent.
    await t.until('2026-12-07T09:41:00Z');
    expect(t.paper.placedOrders().map((o) => [o.request.clientOrderId, o.request.side])).toEqual([
      [id(s, 0, 'entry'), 'sell'],
      [id(s, 1, 'entry'), 'sell'],
      [id(s, 0, 'exit'), 'buy'],
      [id(s, 1, 'exit'), 'buy'],
    ]);
  });

  it('a re-entered position\'s closed leg counts in the MTM: the index back where it began reaches no MTM target the re-entry alone would', async () => {
    t = await startTestEngine({ at: MONDAY_0900_IST, paper: { startPrices: { 'NSE:NIFTY 50': 26_012 } } });
    const s = await groupStrategy(
      [
        { side: 'sell', option_right: 'CE', reentries: 1 },
        { side: 'sell', option_right: 'PE' },
      ],
      { reentry_cutoff: '12:00:00', mtm_target: 3000 },
    );
    await t.start(s.id);
    await t.until('2026-12-07T03:50:01Z');
    // 88 up: the call stops out (a loss of about 3 400 on its lot) and is sold again at about 150.5.
    t.paper.setPrice('NSE:NIFTY 50', 26_100);
    await t.until('2026-12-07T03:51:00Z');
    expect(groupOf(s.id).map((r) => [r.state, r.legNo])).toEqual([
      ['IN_POSITION', 1],
      ['IN_POSITION', 0],
    ]);
    // Back to 26 012: the re-entered call gains about 3 400 and the put gives back its gain. The
    // group has made about nothing; counting the call's open leg alone it would be 3 400, past the target.
    t.paper.setPrice('NSE:NIFTY 50', 26_012);
    await t.until('2026-12-07T03:52:00Z');
    expect(groupOf(s.id).map((r) => [r.state, r.exitAll])).toEqual([
      ['IN_POSITION', null],
      ['IN_POSITION', null],
    ]);
    expect(t.orders(s.id).filter((o) => o.leg === 'SELL')).toEqual([]);
  });

  it('stops to cost: a stop-out followed by its re-entry moves the other position\'s stop to its entry all the same', async () => {
    t = await startTestEngine({ at: MONDAY_0900_IST, paper: { startPrices: { 'NSE:NIFTY 50': 26_012 } } });
    const s = await groupStrategy(
      [
        { side: 'sell', option_right: 'CE', reentries: 1 },
        { side: 'sell', option_right: 'PE' },
      ],
      { reentry_cutoff: '12:00:00', stops_to_cost_on_stop: true },
    );
    await t.start(s.id);
    await t.until('2026-12-07T03:50:01Z');
    const pe0 = groupOf(s.id)[1]!;
    t.paper.setPrice('NSE:NIFTY 50', 26_100);
    await t.until('2026-12-07T03:51:00Z');
    const [ce, pe] = groupOf(s.id);
    expect(ce).toMatchObject({ state: 'IN_POSITION', legNo: 1 });
    expect(pe).toMatchObject({ state: 'IN_POSITION', levels: { stop: pe0.entryPrice, stopKind: 'STOPLOSS' } });
    expect(t.eventsOf('stop_moved')).toMatchObject([{ runId: pe!.id, why: 'cost', from: pe0.entryPrice! + 40, to: pe0.entryPrice }]);
    // The re-entered call's own stop is from its new fill, untouched.
    expect(ce!.levels!.stop).toBeCloseTo(ce!.entryPrice! + 40, 6);
  });

  it('stops to cost after a crash: a stop-out followed by its re-entry is caught up on restart from the journal, and the re-entered leg keeps its own stop', async () => {
    t = await startTestEngine({ at: MONDAY_0900_IST, paper: { startPrices: { 'NSE:NIFTY 50': 26_012 } } });
    const s = await groupStrategy(
      [
        { side: 'sell', option_right: 'CE', reentries: 1 },
        { side: 'sell', option_right: 'PE' },
      ],
      { reentry_cutoff: '12:00:00', stops_to_cost_on_stop: true },
    );
    await t.start(s.id);
    await t.until('2026-12-07T03:50:01Z');
    const pe0 = groupOf(s.id)[1]!;
    // The process dies once the call's stop fill is journaled, before the put's stop is moved; the call re-enters.
    const manager = t.engine.manager;
    const stepAndApply = manager.stepAndApply.bind(manager);
    manager.stepAndApply = (strategy, run, event) => {
      if (event.type === 'stop_to_cost') throw new Error('the process died here');
      return stepAndApply(strategy, run, event);
    };
    t.paper.setPrice('NSE:NIFTY 50', 26_100);
    await t.until('2026-12-07T03:51:00Z');
    const ce1 = groupOf(s.id)[0]!;
    expect(ce1).toMatchObject({ state: 'IN_POSITION', legNo: 1 });
    expect(groupOf(s.id)[1]!.levels!.stop).toBe(pe0.entryPrice! + 40);

    t = await t.restart({ startPrices: { 'NSE:NIFTY 50': 26_100 } });
    await t.engine.recover();
    await t.until('2026-12-07T03:51:30Z');
    const [ce, pe] = groupOf(s.id);
    expect(pe).toMatchObject({ state: 'IN_POSITION', levels: { stop: pe0.entryPrice, stopKind: 'STOPLOSS' } });
    // The call's leg 1 was entered after the stop-out: its stop stays 40 points from its own fill.
    expect(ce).toMatchObject({ state: 'IN_POSITION', legNo: 1 });
    expect(ce!.levels!.stop).toBeCloseTo(ce1.entryPrice! + 40, 6);
    expect(t.eventsOf('stop_moved')).toMatchObject([{ runId: pe0.id, why: 'cost', from: pe0.entryPrice! + 40, to: pe0.entryPrice }]);
  });
});

