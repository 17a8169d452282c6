/**
 * A position's run plan (issue 19): the flat plan of a strategy of one option position, so the
 * unchanged run policy trades it; each key the position leaves out is the strategy's.
 */
import { describe, expect, it } from 'vitest';
import { runPlanFrom, runPlanOfPosition, runPlanSpec } from './run-plan-spec';
import { settledSpec, strategySpec } from './strategy-spec';
import { resolveLevels } from './run-policy/levels';

const straddleBody = {
  broker_account_id: 3,
  symbol: 'NIFTY',
  qty: 2,
  buy_time: '09:20',
  sell_time: '15:10',
  square_off_time: '15:15',
  stop_loss: 30,
  stop_loss_mode: 'percent',
  target: 50,
  target_mode: 'percent',
  positions: [
    { side: 'buy', option_right: 'CE', option_strike: 'atm+4', lots: 1, target: 40, target_mode: 'points' },
    { side: 'sell', option_right: 'CE', option_expiry: 'next_week' },
    { side: 'sell', option_right: 'PE', stop_loss: 20, stop_loss_mode: 'points' },
  ],
};
const straddle = settledSpec(strategySpec.parse(straddleBody), 'NFO', 'Asia/Kolkata');

describe('runPlanOfPosition', () => {
  it('gives each position the plan of one option position: its side, contract rule, lots and levels, else the strategy\'s', () => {
    expect(runPlanOfPosition(straddle, 1)).toEqual({
      broker_account_id: 3,
      symbol: 'NIFTY',
      exchange: 'NFO',
      option_right: 'CE',
      option_expiry: 'next_week',
      position_no: 1,
      side: 'sell',
      qty: 2,
      buy_grace_seconds: 60,
      square_off_time: '15:15:00',
      stop_loss: 30,
      stop_loss_mode: 'percent',
      target: 50,
      target_mode: 'percent',
      trail_mode: 'points',
      move_stop_to_cost_mode: 'points',
      reentries: 0,
      reentry_after: 'stop_loss',
    });
    expect(runPlanOfPosition(straddle, 0)).toMatchObject({ side: 'buy', option_strike: 'atm+4', qty: 1, stop_loss: 30, stop_loss_mode: 'percent', target: 40, target_mode: 'points', position_no: 0 });
    expect(runPlanOfPosition(straddle, 2)).toMatchObject({ side: 'sell', option_right: 'PE', qty: 2, stop_loss: 20, stop_loss_mode: 'points', target: 50, target_mode: 'percent' });
  });

  it("copies the strategy's backstop keys into every position's plan; left out, the broker's default", () => {
    const on = settledSpec(strategySpec.parse({ ...straddleBody, backstop: true, backstop_margin: 2, backstop_margin_mode: 'percent' }), 'NFO', 'Asia/Kolkata');
    for (const n of [0, 1, 2]) expect(runPlanOfPosition(on, n)).toMatchObject({ position_no: n, backstop: true, backstop_margin: 2, backstop_margin_mode: 'percent' });
    const off = settledSpec(strategySpec.parse({ ...straddleBody, backstop: false }), 'NFO', 'Asia/Kolkata');
    expect(runPlanOfPosition(off, 1)).toMatchObject({ backstop: false });
    expect(runPlanOfPosition(straddle, 1)).not.toHaveProperty('backstop');
    expect(runPlanSpec.parse(runPlanOfPosition(on, 2))).toEqual(runPlanOfPosition(on, 2));
  });

  it('is a plan runs.plan reads back, and the run policy\'s plan of a short or a long', () => {
    for (const n of [0, 1, 2]) expect(runPlanSpec.parse(runPlanOfPosition(straddle, n))).toEqual(runPlanOfPosition(straddle, n));
    expect(runPlanFrom(runPlanOfPosition(straddle, 2))).toMatchObject({ side: 'short', qty: 2, stopLoss: 20, stopLossMode: 'points', target: 50, targetMode: 'percent', reentries: 0 });
    expect(runPlanFrom(runPlanOfPosition(straddle, 0)).side).toBe('long');
  });

  it("carries a position's absolute premium to the run policy, whose levels keep it as it is at any fill", () => {
    const body = { ...straddleBody, positions: [straddleBody.positions[0], { side: 'sell', option_right: 'CE', stop_loss: 180, stop_loss_mode: 'price', target: 60.5, target_mode: 'price' }, straddleBody.positions[2]] };
    const spec = settledSpec(strategySpec.parse(body), 'NFO', 'Asia/Kolkata');
    const plan = runPlanOfPosition(spec, 1);
    expect(plan).toMatchObject({ stop_loss: 180, stop_loss_mode: 'price', target: 60.5, target_mode: 'price' });
    expect(runPlanSpec.parse(plan)).toEqual(plan);
    expect(resolveLevels(runPlanFrom(plan), 120, 0.05)).toMatchObject({ entry: 120, stop: 180, target: 60.5 });
    // The others keep the strategy's percent.
    expect(runPlanOfPosition(spec, 2)).toMatchObject({ stop_loss: 20, stop_loss_mode: 'points', target: 50, target_mode: 'percent' });
  });

  it('refuses a position the strategy does not have', () => {
    expect(() => runPlanOfPosition(straddle, 3)).toThrow('strategy has no position 3');
  });

  it('copies the group\'s rules into every position\'s plan, and reads them back', () => {
    const grouped = settledSpec(strategySpec.parse({ ...straddleBody, mtm_stop: 2500, mtm_target: 4000, on_position_failure: 'keep', stops_to_cost_on_stop: true }), 'NFO', 'Asia/Kolkata');
    for (const n of [0, 1, 2]) {
      const plan = runPlanOfPosition(grouped, n);
      expect(plan).toMatchObject({ mtm_stop: 2500, mtm_target: 4000, on_position_failure: 'keep', stops_to_cost_on_stop: true, position_no: n });
      expect(runPlanSpec.parse(plan)).toEqual(plan);
    }
    expect(Object.keys(runPlanOfPosition(straddle, 0)).filter((k) => k.startsWith('mtm') || k === 'on_position_failure' || k === 'stops_to_cost_on_stop')).toEqual([]);
  });

  it('gives each position its trail, move to cost and re-entries, its own else the strategy\'s, with the strategy\'s re-entry rule and cut-off', () => {
    const legs = settledSpec(
      strategySpec.parse({
        ...straddleBody,
        trail: 10,
        trail_mode: 'points',
        reentries: 1,
        reentry_after: 'either',
        reentry_cutoff: '13:00',
        positions: [
          { side: 'sell', option_right: 'CE', trail: 25, trail_mode: 'percent' },
          { side: 'sell', option_right: 'PE', move_stop_to_cost_after: 12, move_stop_to_cost_mode: 'percent', reentries: 0 },
          { side: 'buy', option_right: 'CE', option_strike: 'atm+4', reentries: 3 },
        ],
      }),
      'NFO',
      'Asia/Kolkata',
    );
    const [ce, pe, hedge] = [0, 1, 2].map((n) => runPlanOfPosition(legs, n));
    expect(ce).toMatchObject({ trail: 25, trail_mode: 'percent', move_stop_to_cost_mode: 'points', reentries: 1, reentry_after: 'either', reentry_cutoff: '13:00:00' });
    expect(ce).not.toHaveProperty('move_stop_to_cost_after');
    expect(pe).toMatchObject({ trail: 10, trail_mode: 'points', move_stop_to_cost_after: 12, move_stop_to_cost_mode: 'percent', reentries: 0 });
    expect(hedge).toMatchObject({ trail: 10, reentries: 3 });
    for (const plan of [ce, pe, hedge]) expect(runPlanSpec.parse(plan)).toEqual(plan);
    // The run policy's plan: a short's trail (it follows the premium down, levels.ts) and its re-entries.
    expect(runPlanFrom(ce!)).toMatchObject({ side: 'short', trail: 25, trailMode: 'percent', moveStopToCostAfter: null, reentries: 1, reentryAfter: 'either' });
    expect(runPlanFrom(pe!)).toMatchObject({ trail: 10, moveStopToCostAfter: 12, moveStopToCostMode: 'percent', reentries: 0 });
    // Without any of them on the strategy or a position: none, as before.
    expect(runPlanFrom(runPlanOfPosition(straddle, 0))).toMatchObject({ trail: null, moveStopToCostAfter: null, reentries: 0 });
  });
});
