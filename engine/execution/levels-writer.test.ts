/**
 * The levels writer on a real SQLite database and a fake clock: how many commits the moves of a
 * turn cost, how often one run is written, what a write says (stop_moved), and what it leaves
 * alone (a run that has left its position, another leg).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../core/fake-clock';
import type { EngineEvent } from '../core/events';
import type { RunId } from '../core/ids';
import { resolveLevels, ratchet } from '../core/run-policy/levels';
import { PLAN } from '../core/run-policy/test-support';
import type { Levels, RunState } from '../core/types';
import { openTestDb, seedStrategy, type Seeded, type TestDb } from '../../db/test-support';
import type { Repos } from '../../db/repos';
import type { LevelsMoved } from '../market/market-listener';
import { LevelsWriter } from './levels-writer';

const T0 = Date.parse('2026-03-09T14:00:00Z');
const trailing = resolveLevels({ ...PLAN, stopLoss: 90, trail: 2 }, 100, 0.05);
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

let db: TestDb;
let seeded: Seeded;
let clock: FakeClock;
let events: EngineEvent[];
let commits: number;
let errors: unknown[];
let refuse: boolean;

beforeEach(() => {
  db = openTestDb();
  seeded = seedStrategy(db.repos);
  clock = new FakeClock(T0);
  events = [];
  commits = 0;
  errors = [];
  refuse = false;
});
afterEach(() => db.close());

/** The writer over the real repos, its commits counted (and refused while `refuse`). */
function writer(options: ConstructorParameters<typeof LevelsWriter>[1] = {}): LevelsWriter {
  const repos: Pick<Repos, 'transaction' | 'runs'> = {
    runs: db.repos.runs,
    transaction: (fn, opts) => {
      commits++;
      if (refuse) throw new Error('SQLITE_FULL: database or disk is full');
      return db.repos.transaction(fn, opts);
    },
  };
  return new LevelsWriter({ repos, bus: { publish: (e) => void events.push(e) }, clock, logger: { error: (obj: unknown) => void errors.push(obj) } }, options);
}

function position(state: RunState = 'IN_POSITION', tradingDate = '2026-03-09'): RunId {
  const run = db.repos.runs.create({ strategyId: seeded.strategy.id, userId: seeded.user.id, tradingDate, state, buyAt: T0, sellAt: T0 + 3_600_000, positionQty: 10, levels: trailing }, T0);
  return run.id;
}

/** The moves of `runId` at each price in turn, as the market listener reports them. */
function movesAt(runId: RunId, prices: readonly number[], from: Levels = trailing, legNo = 0): { moves: LevelsMoved[]; last: Levels } {
  let levels = from;
  const moves = prices.map((price) => {
    const r = ratchet(levels, 'long', price);
    levels = r.levels;
    return { strategyId: seeded.strategy.id, runId, userId: seeded.user.id, legNo, levels, moved: r.moved, price, at: clock.now() };
  });
  return { moves, last: levels };
}

const stored = (runId: RunId) => db.repos.runs.getInternal(runId)!.levels;
const told = () => events.map((e) => (e.type === 'stop_moved' ? [e.runId, e.why, e.from, e.to, e.best] : [e.type]));

describe('LevelsWriter', () => {
  it('200 moves of one run in one turn are one commit of the latest levels and one stop_moved, from the first stop to the last', async () => {
    const w = writer();
    const run = position();
    // A trail of 5 below a move to cost at 102: the stop goes to the entry first, then trails.
    const wide = resolveLevels({ ...PLAN, stopLoss: 90, trail: 5, moveStopToCostAfter: 2, moveStopToCostMode: 'points' }, 100, 0.05);
    const { moves, last } = movesAt(run, Array.from({ length: 200 }, (_, i) => (2001 + i) / 20), wide);
    for (const m of moves) w.moved(m);
    expect(commits).toBe(0);
    await nextTurn();
    expect(commits).toBe(1);
    expect(stored(run)).toEqual(last);
    expect(last).toMatchObject({ stop: 105, trail: { best: 110 }, costAt: null });
    // The move to cost (103) came first among them, and is what the event says, once.
    expect(told()).toEqual([[run, 'cost', 95, 105, 110]]);
  });

  it('moves of many runs in one turn share one commit', async () => {
    const w = writer();
    const runs = ['2026-03-09', '2026-03-10', '2026-03-11'].map((d) => position('IN_POSITION', d));
    for (const run of runs) for (const m of movesAt(run, [101, 102]).moves) w.moved(m);
    await nextTurn();
    expect(commits).toBe(1);
    expect(runs.map((r) => stored(r)?.stop)).toEqual([100, 100, 100]);
    expect(events).toHaveLength(3);
  });

  it('a run is written at most once a second: moves after a write wait for it, and the latest of them is written then', async () => {
    const w = writer();
    const run = position();
    const { moves } = movesAt(run, [101, 101.5, 102.5, 102]);
    w.moved(moves[0]!);
    await nextTurn();
    expect(stored(run)?.stop).toBe(99);
    w.moved(moves[1]!);
    await nextTurn();
    await clock.advance(500);
    w.moved(moves[2]!);
    w.moved(moves[3]!);
    await nextTurn();
    expect([commits, stored(run)?.stop]).toEqual([1, 99]);
    await clock.advance(499);
    expect(commits).toBe(1);
    await clock.advance(1);
    expect([commits, stored(run)?.stop]).toEqual([2, 100.5]);
    expect(told()).toEqual([
      [run, 'trail', 98, 99, 101],
      [run, 'trail', 99, 100.5, 102.5],
    ]);
  });

  it('a run that has left its position, or is on another leg, is not written; its moves are still told', async () => {
    const w = writer();
    const exiting = position('EXITING', '2026-03-09');
    const otherLeg = position('IN_POSITION', '2026-03-10');
    for (const m of movesAt(exiting, [101]).moves) w.moved(m);
    for (const m of movesAt(otherLeg, [101], trailing, 1).moves) w.moved(m);
    await nextTurn();
    expect([stored(exiting), stored(otherLeg)]).toEqual([trailing, trailing]);
    expect(told().map((e) => e[0])).toEqual([exiting, otherLeg]);
  });

  it('a refused commit is logged, its moves told, and its levels written a second later', async () => {
    const w = writer();
    const run = position();
    refuse = true;
    for (const m of movesAt(run, [101]).moves) w.moved(m);
    await nextTurn();
    expect([stored(run), errors.length, events.length]).toEqual([trailing, 1, 1]);
    refuse = false;
    await clock.advance(1_000);
    expect(stored(run)?.stop).toBe(99);
    expect(events).toHaveLength(1);
  });

  it('at most maxBatch runs per commit, the rest in the next turn', async () => {
    const w = writer({ maxBatch: 2 });
    const runs = ['2026-03-09', '2026-03-10', '2026-03-11'].map((d) => position('IN_POSITION', d));
    for (const run of runs) for (const m of movesAt(run, [101]).moves) w.moved(m);
    await nextTurn();
    expect(runs.map((r) => stored(r)?.stop)).toEqual([99, 99, 98]);
    await nextTurn();
    expect(commits).toBe(2);
    expect(runs.map((r) => stored(r)?.stop)).toEqual([99, 99, 99]);
  });

  it('stop writes what waits at once, due or not, and takes no more', async () => {
    const w = writer();
    const run = position();
    const { moves } = movesAt(run, [101, 102, 103.5]);
    w.moved(moves[0]!);
    await nextTurn();
    w.moved(moves[1]!);
    w.stop();
    expect(stored(run)?.stop).toBe(100);
    w.moved(moves[2]!);
    await clock.advance(2_000);
    expect(stored(run)?.stop).toBe(100);
  });
});
