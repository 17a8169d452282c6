/**
 * The short crash soak that runs in CI: the daemon killed at every named crash point and at random
 * moments, with the cases of invariants 8 and 9 played in every cycle (an edit after STOP, a PATCH
 * racing START, a 429 storm or a refused attempt on the exits), checked at the broker. `npm run
 * soak` runs the long one (see the README for its figures). A run that finds a problem keeps its
 * data dir and prints where.
 */
import { describe, expect, it } from 'vitest';
import { runCrashSoak } from '../soak/crash-soak';
import { CRASH_POINTS } from '../../engine/execution/crash-points';

describe('crash soak (short)', () => {
  it('kill -9 at every crash point and at random, with edits, races, 429 storms and refused exits: no double order, no lost exit, journal resolved, database intact', async () => {
    const report = await runCrashSoak({ cycles: CRASH_POINTS.length + 2, strategiesPerCycle: 3, seed: 20261125 });
    console.info(`crash soak report: ${JSON.stringify(report)}`);
    expect(report.problems, `data dir kept at ${report.kept?.dataDir}`).toEqual([]);
    expect(report.duplicates).toBe(0);
    expect(report.lostExits).toBe(0);
    expect(report.wrongOrders).toBe(0);
    expect(report.unresolvedOrders).toBe(0);
    expect(report.integrity).toBe('ok');
    for (const point of CRASH_POINTS) expect(report.kills.crashPoints[point], point).toBeGreaterThanOrEqual(1);
    expect(report.kills.random).toBe(2);
    // Every strategy bought exactly once or was visibly missed; every position bought was closed.
    expect(report.ordersAtBroker.buys + report.missedBuys).toBe(report.strategies);
    expect(report.ordersAtBroker.exitedPositions).toBe(report.ordersAtBroker.buys);
    // Invariant 8: an edit after STOP, its exit in flight, is refused; a PATCH racing START went one way or the other.
    expect(report.editsAfterStop.refused).toBeGreaterThanOrEqual(1);
    expect(report.patchStartRaces.patchFirst + report.patchStartRaces.startFirst).toBe(report.cycles);
    // Invariant 9: an exit rate-limited past the adapter's retries was placed again under its id and sold.
    expect(report.storms.survived).toBeGreaterThanOrEqual(1);
    // Invariant 9: a refused exit was sold by attempt 2, its own client order id.
    expect(report.refusedExits.retriedAsNewAttempt).toBeGreaterThanOrEqual(1);
    expect(report.ordersAtBroker.exitAttempts['2'] ?? 0).toBeGreaterThanOrEqual(1);
  }, 420_000); // ~1.5-3 min; the rest is room for a late cycle to be waited for (crash-soak.ts)
});
