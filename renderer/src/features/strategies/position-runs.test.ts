import { describe, expect, it } from 'vitest';
import type { RuntimeDto, StrategyDto } from '../../lib/api-types';
import { groupSummary, openPositions, positionLines, realizedOf, runsOf } from './position-runs';

const run = (positionNo: number | null, r: Partial<RuntimeDto>): RuntimeDto => ({ run_id: 10 + (positionNo ?? 0), position_no: positionNo, state: 'ARMED', position_qty: 0, entry_price: null, realized_pnl: null, levels: null, contract: null, ...r }) as RuntimeDto;
const contract = (symbol: string) => ({ symbol }) as RuntimeDto['contract'];
const STRADDLE = [
  { side: 'sell', option_right: 'CE', option_expiry: 'current_week', option_strike: 'atm', lots: null, stop_loss: null, stop_loss_mode: null, target: null, target_mode: null },
  { side: 'sell', option_right: 'PE', option_expiry: 'current_week', option_strike: 'atm', lots: 1, stop_loss: 30, stop_loss_mode: null, target: null, target_mode: null },
] as const;
const straddle = (runs: RuntimeDto[]): StrategyDto => ({ positions: STRADDLE, runtime: runs[0] ?? null, position_runs: runs, status: 'running' }) as unknown as StrategyDto;

describe('a strategy with positions, run by run', () => {
  const ce = run(0, { state: 'IN_POSITION', position_qty: 130, entry_price: 81.25, contract: contract('NIFTY26D0826000CE'), levels: { stop: 121.25 } as RuntimeDto['levels'] });
  const pe = run(1, { state: 'IN_POSITION', position_qty: 65, entry_price: 76.5, contract: contract('NIFTY26D0826000PE') });

  it('counts every open position, not position 0 alone', () => {
    expect(openPositions(straddle([ce, pe]))).toBe(2);
    expect(openPositions(straddle([{ ...ce, state: 'EXITED_BY_SL', position_qty: 0 }, pe]))).toBe(1);
    // An entry in flight is open: STOP and the kill switch close it.
    expect(openPositions(straddle([run(0, { state: 'BUYING' }), run(1, {})]))).toBe(1);
    expect(groupSummary(straddle([ce, pe]))).toBe('2 positions open');
    expect(groupSummary(straddle([{ ...ce, state: 'EXITED_BY_SL', position_qty: 0 }, pe]))).toBe('1 of 2 positions open');
    expect(groupSummary(straddle([run(0, { state: 'SOLD' }), run(1, { state: 'SOLD' })]))).toBe('2 positions, none open');
    expect(groupSummary(straddle([]))).toBeNull();
  });

  it('names each position by number, side and contract (its rule until chosen), with its state, holding and stop', () => {
    expect(positionLines(straddle([ce, pe]))).toEqual([
      'Position 1 · sell NIFTY26D0826000CE · In position · 130 @ 81.25, stop 121.25',
      'Position 2 · sell NIFTY26D0826000PE · In position · 65 @ 76.50',
    ]);
    expect(positionLines(straddle([run(0, {}), run(1, { state: 'SKIPPED' })]))).toEqual(['Position 1 · sell CE atm · Armed', 'Position 2 · sell PE atm · Skipped']);
    // Each position's own backstop while it holds; none once it is closed.
    const gtt = (trigger: number, ref: string) => ({ state: 'resting', trigger_price: trigger, target_price: null, broker_ref: ref }) as RuntimeDto['backstop'];
    expect(positionLines(straddle([{ ...ce, backstop: gtt(121.25, '1001') }, { ...pe, backstop: gtt(106.5, '1002') }]))).toEqual([
      'Position 1 · sell NIFTY26D0826000CE · In position · 130 @ 81.25, stop 121.25 · Backstop 121.25 resting at the broker (1001)',
      'Position 2 · sell NIFTY26D0826000PE · In position · 65 @ 76.50 · Backstop 106.50 resting at the broker (1002)',
    ]);
    expect(positionLines(straddle([{ ...ce, state: 'SOLD', position_qty: 0, backstop: gtt(121.25, '1001') }]))![0]).toBe('Position 1 · sell NIFTY26D0826000CE · Sold');
    expect(positionLines(straddle([]))).toEqual(['Position 1 · sell CE atm', 'Position 2 · sell PE atm']);
  });

  it('adds the realized P&L of every position', () => {
    expect(realizedOf(straddle([{ ...ce, realized_pnl: -5200 }, { ...pe, realized_pnl: 3250.5 }]))).toBe(-1949.5);
    expect(realizedOf(straddle([ce, pe]))).toBeNull();
  });
});

describe('a strategy of one position', () => {
  const single = (runtime: RuntimeDto | null, position_runs: RuntimeDto[] = runtime ? [runtime] : []) => ({ positions: null, runtime, position_runs }) as unknown as StrategyDto;

  it('reads its one run, also from an answer that carries only runtime', () => {
    const held = run(null, { state: 'IN_POSITION', position_qty: 10 });
    expect(runsOf(single(held))).toEqual([held]);
    expect(runsOf(single(held, []))).toEqual([held]);
    expect(openPositions(single(held))).toBe(1);
    expect(openPositions(single(null))).toBe(0);
    expect(groupSummary(single(held))).toBeNull();
    expect(positionLines(single(held))).toBeNull();
  });
});
