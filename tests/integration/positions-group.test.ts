/**
 * A multi-position strategy's day as the manager arms it (issue 19, slice 4 part 2): the group's
 * runs, one per position, created in one transaction from the spec's positions, each armed in the
 * runtime store under its position, and the group's jobs holding every run. The service still
 * refuses `positions` (not available yet), so the strategy is made as a one-option strategy and
 * its stored spec then given the positions through the repository: the spec is the one the service
 * will save once `positions` is offered. Monday 7 December 2026, IST, on the paper broker.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../support/engine-harness';
import { storedStrategySpec, type StoredStrategySpec } from '../../engine/core/strategy-spec';
import type { Strategy } from '../../engine/core/types';

let t: TestEngine;
afterEach(async () => t?.close());

/** 09:00 IST. */
const MONDAY_0900_IST = '2026-12-07T03:30:00Z';
const NIFTY = { symbol: 'NIFTY', exchange: 'NFO', option_right: 'CE', qty: 2, buy_time: '09:20:00', sell_time: '15:10:00', stop_loss: 40, stop_loss_mode: 'points', timezone: 'Asia/Kolkata' };
const STRADDLE = [
  { side: 'sell', option_right: 'CE' },
  { side: 'sell', option_right: 'PE', lots: 1, stop_loss: 30 },
];

/** A strategy of `positions` on NIFTY (written through the repository: the service refuses positions yet). */
async function groupStrategy(positions: readonly Record<string, unknown>[] = STRADDLE): Promise<Strategy> {
  const single = await t.create(NIFTY);
  const { option_right: _r, side: _s, ...rest } = single.spec;
  const spec: StoredStrategySpec = storedStrategySpec.parse({ ...rest, positions });
  return t.repos.strategies.update(t.user.id, single.id, { spec }, t.clock.now())!;
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
    expect(group[0]!.plan).toMatchObject({ position_no: 0, side: 'sell', option_right: 'CE', qty: 2, stop_loss: 40, backstop: false });
    expect(group[1]!.plan).toMatchObject({ position_no: 1, side: 'sell', option_right: 'PE', qty: 1, stop_loss: 30, backstop: false });
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

  it("leaves unchosen a position whose rule resolves to another position's contract", async () => {
    t = await startTestEngine({ at: MONDAY_0900_IST, paper: { startPrices: { 'NSE:NIFTY 50': 26_012 } } });
    // The ATM rule and a premium rule of the ATM call's premium differ as rules, and are one contract.
    const atmPremium = Math.round(t.paper.data.priceOf('NFO', 'NIFTY26D0826000CE'));
    const s = await groupStrategy([
      { side: 'sell', option_right: 'CE' },
      { side: 'buy', option_right: 'CE', option_strike: `premium:${atmPremium}` },
    ]);
    await t.start(s.id);
    await t.until('2026-12-07T03:49:57.5Z');
    const [first, second] = t.repos.runs.groupInternal(s.id, '2026-12-07');
    expect(first!.plan).toMatchObject({ symbol: 'NIFTY26D0826000CE' });
    expect(second!.plan!.option_contract).toBeUndefined();
  });
});
