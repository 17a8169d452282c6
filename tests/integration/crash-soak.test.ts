/**
 * The short crash soak that runs in CI: the daemon killed at every named crash point and at random
 * moments, trading the whole strategy mix in every cycle (a long and a short on a time exit, a
 * long's stop, a short's target and a long's trailing stop crossed by the fake's prices, and a long
 * that re-enters twice after its stop, each leg's stop crossed, and a long whose backstop fires at
 * the fake while no daemon is up), every position with its backstop at the broker, with the cases
 * of invariants 8 and 9 played in every cycle (an edit after STOP, a PATCH racing START, a 429
 * storm or a refused attempt on the exits), checked at the broker per leg. `npm run soak` runs the
 * long one, and `npm run soak -- --broker kite` the same on the Kite fake with GTTs (see the README
 * for both figures); and one cycle of the same mix on the Kite fake, its backstops GTTs (killed
 * before a GTT's placement, once a GTT rests so it fires with no daemon up, and after one's deletion
 * for an exit), with a hedged short straddle of NIFTY options beside it (three positions, closed by
 * its MTM target's "exit all") and Kite's faults on the exits (a 429 storm, an OrderException, an
 * RMS rejection); and one cycle of the longs on the Binance fake through CCXT, each with its
 * STOP_LOSS backstop, killed after a send past the entries, an exit meeting a refused placement. A run that finds a
 * problem keeps its data dir and prints where.
 */
import { describe, expect, it } from 'vitest';
import { FIRE_WHILE_DOWN, runCrashSoak, type SoakKill } from '../soak/crash-soak';
import { CRASH_POINTS } from '../../engine/execution/crash-points';
import { KINDS } from '../soak/soak-mix';

describe('crash soak (short)', () => {
  it('kill -9 at every crash point and at random, longs and shorts exiting by time, stop, target and trail, a long re-entering after its stops, with edits, races, 429 storms and refused exits: no double order, no lost exit, no position left, journal resolved, database intact', async () => {
    // Every crash point in three cycles, two or three kills each (each after the first at a hit its restarted daemon surely
    // reaches), then two random kills, the first within a second of a backstop resting so it fires while no daemon is up: one crash
    // point a cycle (eight cycles, 134 s at load 0-5, 169 s at 12-13) left CI no room for the Binance cycle. The faults
    // go in where a cycle's kills leave time before its SELL: every cycle but the first, mostly (they hit exits only).
    const crashPoints: ReadonlyArray<readonly SoakKill[]> = [
      ['after-journal', 'after-send:1'],
      // A re-entry first (its stop is crossed within a second of the fill, so the re-entries may be over before a later kill).
      ['before-reentry-journal:1', 'after-fill:1'],
      // The third daemon's first send is the exit whose backstop its predecessor cancelled: killed once the broker answered
      // it, unrecorded (the double sell's moment). A send counted past the entries was not reached in time by its daemon.
      ['before-backstop', 'after-backstop-cancel:1', 'after-send:1'],
    ];
    expect(new Set(crashPoints.flat().map((p) => p.split(':')[0]))).toEqual(new Set(CRASH_POINTS));
    const report = await runCrashSoak({ crashPoints, cycles: crashPoints.length + 2, strategiesPerCycle: KINDS.length, seed: 20261125 });
    console.info(`crash soak report: ${JSON.stringify(report)}`);
    expect(report.problems, `data dir kept at ${report.kept?.dataDir}`).toEqual([]);
    expect(report.duplicates).toBe(0);
    expect(report.lostExits).toBe(0);
    expect(report.wrongOrders).toBe(0);
    expect(report.unresolvedOrders).toBe(0);
    expect(report.openAfterDay).toBe(0);
    expect(report.integrity).toBe('ok');
    for (const point of CRASH_POINTS) expect(report.kills.crashPoints[point], point).toBeGreaterThanOrEqual(1);
    expect(report.kills.random).toBe(2);
    // Every strategy entered its legs or was visibly missed; every leg entered was closed.
    const days = Object.values(report.ordersAtBroker.legsPerRun).reduce((n, x) => n + x, 0);
    expect(days + report.missedBuys).toBe(report.strategies);
    expect(report.ordersAtBroker.exitedLegs).toBe(report.ordersAtBroker.entries);
    // Re-entries: the re-entering long went through all three legs at least once; only it has more than one leg (the judge counts any other as a duplicate).
    expect(report.ordersAtBroker.legsPerRun['3'] ?? 0).toBeGreaterThanOrEqual(1);
    expect(report.reentries.entered).toBeGreaterThanOrEqual(2);
    expect(report.reentries.entered).toBeLessThanOrEqual(report.reentries.allowed);
    // The mix traded: shorts sold first, and each scripted price closed a position by its own exit.
    expect(report.ordersAtBroker.entriesBySide.sell).toBeGreaterThanOrEqual(report.cycles);
    for (const trigger of ['STOPLOSS', 'TARGET', 'TRAIL_STOP']) expect(report.triggers[trigger]?.fired, trigger).toBeGreaterThanOrEqual(1);
    expect(report.exitsByKind.SELL).toBeGreaterThanOrEqual(1);
    // Invariant 8: an edit after STOP, its exit in flight, is refused; a PATCH racing START went one way or the other.
    expect(report.editsAfterStop.refused).toBeGreaterThanOrEqual(1);
    expect(report.patchStartRaces.patchFirst + report.patchStartRaces.startFirst).toBe(report.cycles);
    // Invariant 9: an exit rate-limited past the adapter's retries was placed again under its id and sold.
    expect(report.storms.survived).toBeGreaterThanOrEqual(1);
    // Invariant 9: a refused exit was sold by attempt 2, its own client order id.
    expect(report.refusedExits.retriedAsNewAttempt).toBeGreaterThanOrEqual(1);
    expect(report.ordersAtBroker.exitAttempts['2'] ?? 0).toBeGreaterThanOrEqual(1);
    // The backstop (Alpaca's default): every filled entry protected at the broker in time or exited first, none left resting after its day,
    // some closing legs (a stop crossed), and one fired while no daemon was up, the next daemon ending its leg with that fill alone.
    expect(report.backstops.unprotected).toBe(0);
    expect(report.backstops.protectedInTime + report.backstops.exitFirst).toBe(report.backstops.filledEntries);
    expect(report.backstops.leftResting).toBe(0);
    expect(report.backstops.firedLegs).toBeGreaterThanOrEqual(1);
    expect(report.backstops.firedWhileDown).toBeGreaterThanOrEqual(1);
    expect(report.exitsByKind.BACKSTOP).toBeGreaterThanOrEqual(report.backstops.firedWhileDown);
    // Each exit after its backstop's cancel within the bound of daemon time. (The leg killed at after-backstop-cancel is one
    // of the cycle's SELL-time exits, which its storm or refusal meets too, so it is left out here; the Kite cycle times one.)
    expect(report.backstops.cancelToExit.late).toBe(0);
    expect(report.backstops.cancelToExit.timed).toBeGreaterThanOrEqual(report.cycles);
  }, 420_000); // ~1.5-2.5 min on 2 busy cores; the rest is room for a late cycle to be waited for (crash-soak.ts)

  it('on the Kite fake: kill -9 before a GTT is placed and after one is deleted for an exit, a GTT fired while no daemon is up, the whole mix and a hedged straddle, 429s and refused exits: every filled entry protected by a GTT in time or exited first, none left, no double exit, each position once and in the group\'s order', async () => {
    // One cycle, killed three times: at a GTT's placement, once the long-backstop's GTT rests (fired while down), and
    // after a GTT's deletion for an exit; CI's wall time allows no more (a fourth kill, at the group's after-exit-all, took
    // the test from ~30 to ~50 s here: scripts/soak.ts --broker kite kills there, and the long one runs every point).
    const report = await runCrashSoak({ broker: 'kite', crashPoints: [['before-backstop', FIRE_WHILE_DOWN, 'after-backstop-cancel:1']], cycles: 1, strategiesPerCycle: KINDS.length, seed: 20261207 });
    console.info(`crash soak report (kite): ${JSON.stringify(report)}`);
    expect(report.problems, `data dir kept at ${report.kept?.dataDir}`).toEqual([]);
    expect(report.broker).toBe('kite');
    expect(report.duplicates).toBe(0);
    expect(report.lostExits).toBe(0);
    expect(report.wrongOrders).toBe(0);
    expect(report.unresolvedOrders).toBe(0);
    expect(report.openAfterDay).toBe(0);
    expect(report.integrity).toBe('ok');
    expect(report.kills.crashPoints['before-backstop']).toBe(1);
    expect(report.kills.crashPoints['after-backstop-cancel']).toBe(1);
    expect(report.ordersAtBroker.exitedLegs).toBe(report.ordersAtBroker.entries);
    // The group (issue 19): each position entered at most once and exited exactly once, the hedge in first and out last,
    // nothing left open; closed by its MTM target's exit-all, or at the SELL time when the kills held an entry back past it.
    expect(report.groups).toMatchObject({ strategies: 1, days: 1, duplicates: 0, lostExits: 0, wrongOrders: 0, outOfOrder: 0 });
    expect(report.groups!.positionsEntered).toBeGreaterThanOrEqual(2);
    expect(report.groups!.positionsExited).toBe(report.groups!.positionsEntered);
    expect(report.groups!.mtmDays + report.groups!.sellDays).toBe(1);
    // Kite's faults on the exits (issue 20): an exit rate-limited and placed again under its id, a refused one (an
    // OrderException, an RMS rejection) sold by a later attempt under its own, and no fault on an entry.
    expect(report.storms.placedAgain).toBeGreaterThanOrEqual(1);
    expect(report.storms.survived).toBe(1);
    expect(report.refusedExits.retriedAsNewAttempt).toBeGreaterThanOrEqual(1);
    // Every filled entry had its GTT within the bound, or an exit came first; none rests after its day.
    expect(report.backstops.unprotected).toBe(0);
    expect(report.backstops.protectedInTime).toBeGreaterThanOrEqual(3); // at least the two time exits and the long-backstop
    // (A leg whose exit a fault met may have had no GTT yet, its exit decided and held back by the fault: faultMet.)
    expect(report.backstops.protectedInTime + report.backstops.exitFirst + report.backstops.faultMet).toBe(report.backstops.filledEntries);
    expect(report.backstops.leftResting).toBe(0);
    // A GTT fired while no daemon was up: the next daemon ended its leg with that fill (journal leg BACKSTOP), no exit of its own.
    expect(report.backstops.firedWhileDown).toBeGreaterThanOrEqual(1);
    expect(report.exitsByKind.BACKSTOP).toBeGreaterThanOrEqual(report.backstops.firedWhileDown);
    // A GTT that followed the trailing stop did so within the modify budget (whether the trail's GTT rests before its
    // rise depends on the kills here; the long run counts the moves).
    expect(report.backstops.modifies!.maxPerMinute).toBeLessThanOrEqual(report.backstops.modifies!.budgetPerMinute);
    // Each exit (or a new GTT) within the bound after its GTT's deletion, or, a daemon killed between the two, within Kite's
    // listing bound plus it. (Whether the kill at after-backstop-cancel falls in such a window depends on the interleaving:
    // the backstop it clears may be one whose placement an earlier kill cut short, never at Kite.)
    expect(report.backstops.cancelToExit.late).toBe(0);
    expect(report.backstops.cancelToExit.timed).toBeGreaterThanOrEqual(2); // at least the two time exits
  }, 180_000); // ~25 s; the rest is room for a late cycle

  it('on the Binance fake: kill -9 after a send past the entries, the longs in fractional quantities through CCXT, each with its STOP_LOSS backstop, a refused exit: no double order, no lost exit beyond dust, every filled entry protected in time or exited first, none left resting', async () => {
    // One cycle of the five longs (time, stop, trail, re-entering stop, long-backstop), killed once after the sixth send, past
    // the five entries: an exit's or the re-entering long's next entry (a scripted stop crossed is mostly closed by its
    // STOP_LOSS at the fake, which the engine does not send). The restart fires the long-backstop's stop while no daemon is
    // up. The refusal goes in before the SELL and hits exits only. scripts/soak.ts --broker binance runs the long one, with
    // the backstop's crash points. The balance stays 2 s stale after each cancel here too (the soak's default): an exit
    // refused right after its backstop's cancel reads nothing free at its attempt 2 and reads again (held-qty.ts), where it
    // used to end the run in ERROR with the coins left at Binance and no stop.
    const report = await runCrashSoak({ broker: 'binance', crashPoints: [['after-send:6']], cycles: 1, strategiesPerCycle: 5, seed: 20261207 });
    console.info(`crash soak report (binance): ${JSON.stringify(report)}`);
    expect(report.problems, `data dir kept at ${report.kept?.dataDir}`).toEqual([]);
    expect(report.broker).toBe('binance');
    expect(report.duplicates).toBe(0);
    expect(report.lostExits).toBe(0);
    expect(report.wrongOrders).toBe(0);
    expect(report.unresolvedOrders).toBe(0);
    expect(report.openAfterDay).toBe(0);
    expect(report.integrity).toBe('ok');
    expect(report.kills.crashPoints['after-send']).toBe(1);
    expect(report.missedBuys).toBe(0);
    expect(report.ordersAtBroker.entries).toBeGreaterThanOrEqual(report.strategies);
    expect(report.ordersAtBroker.exitedLegs).toBe(report.ordersAtBroker.entries);
    // Invariant 9: the refusal ("Market is closed.", one that may pass) met an exit, which its attempt 2 sold under its own id.
    expect(report.refusedExits.injected).toBe(1);
    expect(report.refusedExits.retriedAsNewAttempt).toBeGreaterThanOrEqual(1);
    expect(report.ordersAtBroker.exitAttempts['2'] ?? 0).toBeGreaterThanOrEqual(1);
    // The backstops, asked for with backstop: true: STOP_LOSS orders rested at the fake, every filled entry protected within the
    // bound or exited first (the problems name one too late, a leg past its cancel's bound or a stop left after the day), and
    // at least one exit timed from its backstop's cancel (the long-time's SELL; the long-backstop's too unless it fired while
    // no daemon was up; a trail's move; the refusal leaves one leg out at most).
    expect(report.backstops.filledEntries).toBeGreaterThanOrEqual(4);
    expect(report.backstops.protectedInTime).toBeGreaterThanOrEqual(1);
    expect(report.backstops.protectedInTime + report.backstops.exitFirst).toBe(report.backstops.filledEntries);
    expect(report.backstops.cancelToExit.timed).toBeGreaterThanOrEqual(1);
  }, 180_000); // ~25 s (its SELL 13.5 s after the BUY: a Binance restart opens its CCXT session); the rest is room for a late cycle
});
