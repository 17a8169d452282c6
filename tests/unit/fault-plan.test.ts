/**
 * The fakes' fault table (tests/fakes/fault-plan.ts): a rule with `exitsOnly` hits a placement
 * only under an exit's client order id (core/ids.ts, attempt 1 or later), so the crash soak's
 * faults meant for exits never meet an entry, a re-entry or a backstop placed meanwhile.
 */
import { describe, expect, it } from 'vitest';
import { FaultPlan } from '../fakes/fault-plan';
import { asStrategyId, backstopId, clientOrderId } from '../../engine/core/ids';

const DAY = '2026-12-07';
const id = (slot: 'entry' | 'exit', attempt = 1, legNo = 0) => clientOrderId('k3x9a1', asStrategyId(7), DAY, slot, attempt, legNo);

describe('FaultPlan exitsOnly', () => {
  it('passes entries, re-entries, backstops and foreign ids by, and spends its uses on exits alone', () => {
    const plan = new FaultPlan<string>();
    plan.add({ route: 'POST /api/v3/order', fault: 'refused', exitsOnly: true, times: 2 });
    expect(plan.take('POST', '/api/v3/order', id('entry'))).toBeUndefined();
    expect(plan.take('POST', '/api/v3/order', id('entry', 1, 1))).toBeUndefined();
    expect(plan.take('POST', '/api/v3/order', backstopId('k3x9a1', asStrategyId(7), DAY, 0, 2))).toBeUndefined();
    expect(plan.take('POST', '/api/v3/order', 'web_1234')).toBeUndefined();
    expect(plan.take('POST', '/api/v3/order', null)).toBeUndefined();
    expect(plan.take('DELETE', '/api/v3/order', id('exit'))).toBeUndefined();
    expect(plan.take('POST', '/api/v3/order', id('exit', 1, 2))).toBe('refused');
    expect(plan.take('POST', '/api/v3/order', id('exit', 2))).toBe('refused');
    expect(plan.pending()).toBe(0);
  });

  it('without exitsOnly, hits whatever comes on its route first', () => {
    const plan = new FaultPlan<string>();
    plan.add({ route: 'POST /v2/orders', fault: '429' });
    expect(plan.take('POST', '/v2/orders', id('entry'))).toBe('429');
    expect(plan.take('POST', '/v2/orders', id('exit'))).toBeUndefined();
  });
});
