/**
 * The short crash soak that runs in CI: the daemon killed at every named crash point and at random
 * moments, checked at the broker. `npm run soak` runs the long one (see the README for its figures).
 */
import { describe, expect, it } from 'vitest';
import { runCrashSoak } from '../soak/crash-soak';
import { CRASH_POINTS } from '../../engine/execution/crash-points';

describe('crash soak (short)', () => {
  it('kill -9 at every crash point and at random: no double order, no lost exit, journal resolved, database intact', async () => {
    const report = await runCrashSoak({ cycles: CRASH_POINTS.length + 2, strategiesPerCycle: 3, seed: 20261125 });
    expect(report.problems).toEqual([]);
    expect(report.duplicates).toBe(0);
    expect(report.lostExits).toBe(0);
    expect(report.unresolvedOrders).toBe(0);
    expect(report.integrity).toBe('ok');
    for (const point of CRASH_POINTS) expect(report.kills.crashPoints[point], point).toBeGreaterThanOrEqual(1);
    expect(report.kills.random).toBe(2);
    // Every strategy bought exactly once or was visibly missed; every BUY was exited.
    expect(report.ordersAtBroker.buys + report.missedBuys).toBe(report.strategies);
    expect(report.ordersAtBroker.exits).toBe(report.ordersAtBroker.buys);
  }, 240_000);
});
