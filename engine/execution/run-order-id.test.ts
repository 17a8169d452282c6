import { describe, expect, it } from 'vitest';
import { asStrategyId, parseClientOrderId } from '../core/ids';
import { runOrderId } from './run-order-id';
import type { RunPlanSpec } from '../core/run-plan-spec';

const run = (plan: Partial<RunPlanSpec> | null) => ({ strategyId: asStrategyId(42), tradingDate: '2026-03-09', plan: plan as RunPlanSpec | null });

describe('runOrderId', () => {
  it('keeps the tc/tr ids of a run without a position byte for byte', () => {
    expect(runOrderId('k3x9a1', run(null), { slot: 'entry', attempt: 1, legNo: 0 })).toBe('tck3x9a116260309E');
    expect(runOrderId('k3x9a1', run({ symbol: 'INFY' }), { slot: 'exit', attempt: 2, legNo: 0 })).toBe('tck3x9a1162603092');
    expect(runOrderId('k3x9a1', run({ symbol: 'INFY' }), { slot: 'exit', attempt: 1, legNo: 1 })).toBe('trk3x9a17do000161X');
  });

  it('gives each position of a multi-position run its own tp id, read back with its position', () => {
    const ids = [0, 1].map((p) => runOrderId('k3x9a1', run({ position_no: p }), { slot: 'entry', attempt: 1, legNo: 0 }));
    expect(ids).toEqual(['tpk3x9a17do0001600E', 'tpk3x9a17do0001610E']);
    expect(parseClientOrderId(runOrderId('k3x9a1', run({ position_no: 1 }), { slot: 'exit', attempt: 3, legNo: 0 }))).toMatchObject({ positionNo: 1, slot: 'exit', attempt: 3, strategyId: 42 });
  });
});
