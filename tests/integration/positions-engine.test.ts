/**
 * Two positions of one strategy's day, each its own run (issue 19, the group a multi-position
 * strategy's arm will create; made here by hand, on one stock, until the manager arms groups):
 * each position's orders carry their own `tp` client id under the strategy's one lock, its levels
 * fire for its own run only, its runtime hash is its own, and the day ends (the strategy completes,
 * its keys go) only once every position's run is over.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../support/engine-harness';
import { positionClientOrderId, type StrategyId } from '../../engine/core/ids';
import type { Run } from '../../engine/core/types';
import { runtimeFields } from '../../engine/runtime/runtime-mapping';
import { runPlanOf } from '../../engine/core/run-plan-spec';

let t: TestEngine;
afterEach(async () => t?.close());

/** Gives the strategy's armed run position 0 and adds position 1 beside it (stop at `stop`), both by position plans. */
async function secondPosition(strategyId: StrategyId, stop: number): Promise<[Run, Run]> {
  const first = t.run(strategyId);
  const p0 = t.repos.runs.update(first.id, { plan: { ...first.plan!, position_no: 0 } }, t.clock.now());
  const { id: _id, createdAt: _c, updatedAt: _u, ...fields } = p0;
  const p1 = t.repos.runs.create({ ...fields, positionNo: 1, plan: { ...p0.plan!, stop_loss: stop, position_no: 1 } }, t.clock.now());
  await t.runtime.arm(strategyId, 'NYSE:AAPL', { symbol: 'AAPL' }, runtimeFields(p1), 1);
  return [p0, p1];
}

describe('the positions of one strategy day', () => {
  it('each places under its own tp id, stops out alone, and the strategy completes only when the last is over', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:00:00Z' });
    const s = await t.create();
    await t.start(s.id);
    const [p0, p1] = await secondPosition(s.id, 97);

    await t.until('2026-03-09T13:30:00Z');
    // The BUY job enters position 0; position 1's entry is stepped as the group's next entry will be.
    t.engine.manager.stepAndApply(s, t.repos.runs.getInternal(p1.id)!, { type: 'entry_due', scheduledAt: Date.parse('2026-03-09T13:30:00Z'), lateByMs: 0, lastPrice: 100, dueLabel: '09:30' });
    await t.until('2026-03-09T13:31:00Z');
    const id = (p: number, slot: 'entry' | 'exit') => positionClientOrderId('test01', s.id, '2026-03-09', p, slot);
    expect(t.paper.placedOrders().map((o) => o.request.clientOrderId)).toEqual([id(0, 'entry'), id(1, 'entry')]);
    expect(t.repos.runs.groupInternal(s.id, '2026-03-09').map((r) => [r.positionNo, r.state, r.positionQty])).toEqual([
      [0, 'IN_POSITION', 10],
      [1, 'IN_POSITION', 10],
    ]);
    expect(await t.runtime.readRuntime(s.id, 1)).toMatchObject({ runId: p1.id, state: 'IN_POSITION', positionQty: 10 });
    expect(t.engine.market.isStopArmed(s.id, 0) && t.engine.market.isStopArmed(s.id, 1)).toBe(true);

    // 96 is under position 1's stop (97), above position 0's (95): only position 1 exits.
    t.paper.setPrice('NYSE:AAPL', 96);
    await t.until('2026-03-09T13:32:00Z');
    expect(t.repos.runs.getInternal(p1.id)).toMatchObject({ state: 'EXITED_BY_SL', exitLeg: 'STOPLOSS', positionQty: 0 });
    expect(t.repos.runs.getInternal(p0.id)).toMatchObject({ state: 'IN_POSITION', positionQty: 10 });
    expect(t.paper.placedOrders().map((o) => o.request.clientOrderId)).toEqual([id(0, 'entry'), id(1, 'entry'), id(1, 'exit')]);
    // Position 1's day is over, the group's is not: the strategy runs on, position 0 keeps its stop and keys.
    expect(t.repos.strategies.getInternal(s.id)!.status).toBe('running');
    expect(t.engine.market.isStopArmed(s.id, 0)).toBe(true);
    expect(t.engine.market.isStopArmed(s.id, 1)).toBe(false);
    expect(await t.runtime.readRuntime(s.id)).toMatchObject({ runId: p0.id, state: 'IN_POSITION' });
    expect(await t.runtime.readRuntime(s.id, 1)).toMatchObject({ state: 'EXITED_BY_SL' });

    await t.until('2026-03-09T19:55:00Z');
    expect(t.repos.runs.getInternal(p0.id)).toMatchObject({ state: 'SOLD', exitLeg: 'SELL' });
    expect(t.paper.placedOrders().map((o) => o.request.clientOrderId)).toEqual([id(0, 'entry'), id(1, 'entry'), id(1, 'exit'), id(0, 'exit')]);
    expect(t.repos.strategies.getInternal(s.id)!.status).toBe('completed');
    expect(await t.runtime.readRuntime(s.id)).toBeNull();
    expect(await t.runtime.readRuntime(s.id, 1)).toBeNull();
    expect(await t.runtime.strategiesOn('NYSE:AAPL')).toEqual([]);
  });

  it('ends the day once when the last two positions end in one commit: one completion, one teardown', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:00:00Z' });
    const s = await t.create();
    await t.start(s.id);
    const runs = await secondPosition(s.id, 80);
    // Two ends written in one transaction (two fills applied in one commit of broker answers), their events published after it.
    const now = t.clock.now();
    t.repos.transaction(() => runs.map((r) => t.repos.runs.update(r.id, { state: 'SKIPPED', reason: 'test' }, now)));
    for (const r of runs) t.engine.bus.publish({ type: 'run_state_changed', userId: r.userId, strategyId: r.strategyId, runId: r.id, from: 'ARMED', to: 'SKIPPED', reason: 'test', at: now });
    await t.engine.manager.settle();
    expect(t.eventsOf('strategy_completed')).toHaveLength(1);
    expect(t.repos.strategies.getInternal(s.id)!.status).toBe('completed');
    expect(await t.runtime.readRuntime(s.id, 1)).toBeNull();
  });

  it('refuses to edit, delete or start a strategy while any position of its last day is open', async () => {
    t = await startTestEngine({ at: '2026-03-09T13:00:00Z' });
    const s = await t.create();
    const day = { strategyId: s.id, userId: t.user.id, tradingDate: '2026-03-09', buyAt: 1, sellAt: 2 };
    t.repos.runs.create({ ...day, state: 'SOLD' }, t.clock.now());
    t.repos.runs.create({ ...day, positionNo: 1, state: 'IN_POSITION', positionQty: 5, plan: { ...runPlanOf(s.spec), position_no: 1 } }, t.clock.now());
    await expect(t.engine.strategies.update(t.user.id, s.id, { qty: 3 })).rejects.toThrow(/cannot be edited while its last run's position 2 is IN_POSITION with 5 held/);
    await expect(t.engine.strategies.delete(t.user.id, s.id)).rejects.toThrow(/cannot be deleted while its last run's position 2 is IN_POSITION/);
    await expect(t.start(s.id)).rejects.toThrow(/the last run is still IN_POSITION/);
    expect(t.repos.strategies.getInternal(s.id)).toMatchObject({ status: 'idle' });
  });
});
