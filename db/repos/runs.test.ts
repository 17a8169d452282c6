import { beforeEach, describe, expect, it } from 'vitest';
import { asRunId } from '../../engine/core/ids';
import type { RunState } from '../../engine/core/types';
import { openTestDb, seedStrategy, type Seeded, type TestDb } from '../test-support';
import { UniqueViolation } from './errors';
import { runPlanOf } from '../../engine/core/run-plan-spec';
import type { NewRun } from './runs';
import { createRepos } from './index';

let t: TestDb;
let a: Seeded;
let b: Seeded;

beforeEach(() => {
  t?.close();
  t = openTestDb();
  a = seedStrategy(t.repos, { email: 'alice@example.com' });
  b = seedStrategy(t.repos, { email: 'bob@example.com' });
});

const newRun = (s: Seeded, tradingDate: string, state: RunState = 'ARMED'): NewRun => ({
  strategyId: s.strategy.id,
  userId: s.user.id,
  tradingDate,
  state,
  buyAt: 1000,
  sellAt: 2000,
});

describe('runs repo', () => {
  it('creates a run with defaults for the progress fields', () => {
    const r = t.repos.runs.create(newRun(a, '2026-03-09'), 10);
    expect(r).toEqual({
      id: r.id,
      strategyId: a.strategy.id,
      userId: a.user.id,
      tradingDate: '2026-03-09',
      state: 'ARMED',
      buyAt: 1000,
      sellAt: 2000,
      positionQty: 0,
      unsoldQty: 0,
      entryPrice: null,
      exitPrice: null,
      exitLeg: null,
      lastAction: null,
      lastActionAt: null,
      reason: null,
      stopRequested: false,
      stopKeep: false,
      exitAll: null,
      legNo: 0,
      positionNo: 0,
      plan: null,
      levels: null,
      reentryAt: null,
      reentryCutoffAt: null,
      squareOffAt: null,
      createdAt: 10,
      updatedAt: 10,
    });
    expect(t.repos.runs.get(a.user.id, r.id)).toEqual(r);
    expect(t.repos.runs.getInternal(r.id)).toEqual(r);
    expect(t.repos.runs.findInternal(a.strategy.id, '2026-03-09')).toEqual(r);
    expect(t.repos.runs.findInternal(a.strategy.id, '2026-03-10')).toBeUndefined();
  });

  it('a second run for the same strategy and day is a UniqueViolation', () => {
    t.repos.runs.create(newRun(a, '2026-03-09'), 10);
    expect(() => t.repos.runs.create(newRun(a, '2026-03-09'), 11)).toThrow(UniqueViolation);
    expect(() => t.repos.runs.create(newRun(b, '2026-03-09'), 11)).not.toThrow();
  });

  it('a day holds one run per position: its group, read by position; latest is the group\'s position 0', () => {
    t.repos.runs.create(newRun(a, '2026-03-09'), 1);
    const p1 = t.repos.runs.create({ ...newRun(a, '2026-03-10'), positionNo: 1 }, 2);
    const p0 = t.repos.runs.create(newRun(a, '2026-03-10'), 3);
    expect(() => t.repos.runs.create({ ...newRun(a, '2026-03-10'), positionNo: 1 }, 4)).toThrow(UniqueViolation);
    expect(t.repos.runs.findInternal(a.strategy.id, '2026-03-10', 1)).toEqual(p1);
    expect(t.repos.runs.findInternal(a.strategy.id, '2026-03-10')).toEqual(p0);
    expect(t.repos.runs.groupInternal(a.strategy.id, '2026-03-10').map((r) => r.id)).toEqual([p0.id, p1.id]);
    expect(t.repos.runs.latestInternal(a.strategy.id)).toEqual(p0);
    expect(t.repos.runs.latestGroupInternal(a.strategy.id)).toEqual([p0, p1]);
    expect(t.repos.runs.latestGroupInternal(b.strategy.id)).toEqual([]);
    // The user's read of the same group; another user's strategy reads as none.
    expect(t.repos.runs.latestGroup(a.user.id, a.strategy.id)).toEqual([p0, p1]);
    expect(t.repos.runs.latestGroup(b.user.id, a.strategy.id)).toEqual([]);
  });

  it("lists the history by day, a day's groups newest first and each group by position; pages by (date, run id) walk the same order", () => {
    const c = seedStrategy(t.repos, { userId: a.user.id });
    // Position 1 made first on the 9th, as a re-arm could; a's group of three on the 10th, then c's one run that day.
    const g9 = [1, 0].map((p) => t.repos.runs.create({ ...newRun(a, '2026-03-09'), positionNo: p }, 1)).reverse();
    const g10 = [0, 1, 2].map((p) => t.repos.runs.create({ ...newRun(a, '2026-03-10'), positionNo: p }, 2));
    const single = t.repos.runs.create(newRun(c, '2026-03-10'), 3);
    const order = [single, ...g10, ...g9].map((r) => r.id);
    const ids = (rows: readonly { readonly run: { readonly id: number } }[]) => rows.map((r) => r.run.id);
    expect(ids(t.repos.runs.history(a.user.id, {}))).toEqual(order);
    expect(ids(t.repos.runs.history(a.user.id, { strategyId: a.strategy.id }))).toEqual([...g10, ...g9].map((r) => r.id));
    for (const limit of [1, 2, 3]) {
      const walked: number[] = [];
      let before: { tradingDate: string; id: ReturnType<typeof asRunId> } | undefined;
      for (let pages = 0; pages < 10; pages++) {
        const page = t.repos.runs.history(a.user.id, { limit, ...(before ? { before } : {}) });
        walked.push(...ids(page));
        if (page.length < limit) break;
        const last = page.at(-1)!.run;
        before = { tradingDate: last.tradingDate, id: last.id };
      }
      expect(walked, `limit ${limit}`).toEqual(order);
    }
    // A cursor whose run is gone (its strategy deleted) reads as a group of its own id: the groups made before it follow.
    expect(ids(t.repos.runs.history(a.user.id, { before: { tradingDate: '2026-03-10', id: asRunId(g10[1]!.id + 0.5) } }))).toEqual(order.slice(1));
  });

  it('refuses a run whose plan names another position than the run', () => {
    const plan = { ...runPlanOf(a.strategy.spec), position_no: 1 };
    expect(() => t.repos.runs.create({ ...newRun(a, '2026-03-12'), plan }, 1)).toThrow('a run of position 0 cannot take the plan of position 1');
    expect(t.repos.runs.findInternal(a.strategy.id, '2026-03-12')).toBeUndefined();
    expect(t.repos.runs.create({ ...newRun(a, '2026-03-12'), positionNo: 1, plan }, 1).plan?.position_no).toBe(1);
  });

  it('updates progress fields, including booleans and nulls', () => {
    const r = t.repos.runs.create(newRun(a, '2026-03-09'), 10);
    const u = t.repos.runs.update(
      r.id,
      { state: 'IN_POSITION', positionQty: 1, entryPrice: 2900.5, exitLeg: 'STOPLOSS', stopRequested: true, lastAction: 'BUY', lastActionAt: 1001 },
      20,
    );
    expect(u).toMatchObject({ state: 'IN_POSITION', positionQty: 1, entryPrice: 2900.5, exitLeg: 'STOPLOSS', stopRequested: true, createdAt: 10, updatedAt: 20 });
    expect(t.repos.runs.update(r.id, { entryPrice: null, stopRequested: false }, 21)).toMatchObject({ entryPrice: null, stopRequested: false });
    // Every read path gives the boolean column as a boolean, as drizzle maps it.
    expect(t.repos.runs.getInternal(r.id)).toMatchObject({ stopRequested: false, entryPrice: null });
    t.repos.runs.update(r.id, { stopRequested: true }, 22);
    expect(t.repos.runs.getInternal(r.id)!.stopRequested).toBe(true);
    // Which STOP is pending is written and read back (true: keep the position).
    expect(t.repos.runs.update(r.id, { stopKeep: true }, 22)).toMatchObject({ stopRequested: true, stopKeep: true });
    expect(t.repos.runs.getInternal(r.id)!.stopKeep).toBe(true);
    t.repos.runs.update(r.id, { stopKeep: false }, 22);
    expect(t.repos.runs.findInternal(r.strategyId, '2026-03-09')!.stopRequested).toBe(true);
    expect(t.repos.runs.get(r.userId, r.id)).toEqual(t.repos.runs.getInternal(r.id));
    expect(() => t.repos.runs.update(asRunId(999), { state: 'SOLD' }, 1)).toThrow(/not found/);
  });

  it('moves to the next leg, and a new run may start at a given leg', () => {
    const r = t.repos.runs.create(newRun(a, '2026-03-09'), 10);
    expect(t.repos.runs.update(r.id, { legNo: 1 }, 11).legNo).toBe(1);
    expect(t.repos.runs.getInternal(r.id)?.legNo).toBe(1);
    expect(t.repos.runs.create({ ...newRun(a, '2026-03-10'), legNo: 2 }, 12).legNo).toBe(2);
  });

  it('latest and listForStrategy go newest trading date first', () => {
    t.repos.runs.create(newRun(a, '2026-03-10'), 1);
    t.repos.runs.create(newRun(a, '2026-03-09'), 2);
    t.repos.runs.create(newRun(a, '2026-03-11'), 3);
    expect(t.repos.runs.latestInternal(a.strategy.id)?.tradingDate).toBe('2026-03-11');
    t.repos.runs.update(t.repos.runs.findInternal(a.strategy.id, '2026-03-11')!.id, { stopRequested: true }, 4);
    expect(t.repos.runs.latestInternal(a.strategy.id)).toEqual(t.repos.runs.findInternal(a.strategy.id, '2026-03-11'));
    expect(t.repos.runs.latestInternal(a.strategy.id)?.stopRequested).toBe(true);
    expect(t.repos.runs.listForStrategy(a.user.id, a.strategy.id, 2).map((r) => r.tradingDate)).toEqual(['2026-03-11', '2026-03-10']);
    expect(t.repos.runs.latestInternal(b.strategy.id)).toBeUndefined();
  });

  it("user B cannot read user A's runs", () => {
    const r = t.repos.runs.create(newRun(a, '2026-03-09'), 10);
    expect(t.repos.runs.get(b.user.id, r.id)).toBeUndefined();
    expect(t.repos.runs.listForStrategy(b.user.id, a.strategy.id, 10)).toEqual([]);
  });

  it('lists non-terminal runs (ERROR included) across users', () => {
    // Every state there is: a final state left out of TERMINAL_RUN_STATES would be recovered as unfinished.
    const states: RunState[] = ['ARMED', 'BUYING', 'IN_POSITION', 'EXITING', 'ERROR', 'SOLD', 'EXITED_BY_SL', 'EXITED_BY_TARGET', 'MISSED_BUY', 'SKIPPED', 'STOPPED'];
    states.forEach((state, i) => t.repos.runs.create(newRun(i % 2 ? b : a, `2026-03-${String(i + 1).padStart(2, '0')}`, state), 1));
    expect(t.repos.runs.listNonTerminalInternal().map((r) => r.state)).toEqual(['ARMED', 'BUYING', 'IN_POSITION', 'EXITING', 'ERROR']);
  });
});

describe('an exit-all flag not as written', () => {
  it('is read as the unwind, and said once with the run and the text', () => {
    const said: [Record<string, unknown>, string][] = [];
    const repos = createRepos(t.db, { warn: (obj, msg) => said.push([obj, msg]) });
    const r = repos.runs.create(newRun(a, '2026-03-09'), 10);
    t.db.sqlite.prepare('UPDATE runs SET exit_all = ? WHERE id = ?').run('mtm_stopp', r.id);
    expect(repos.runs.getInternal(r.id)!.exitAll).toBe('unwind');
    expect(repos.runs.getInternal(r.id)!.exitAll).toBe('unwind');
    expect(said).toEqual([[{ runId: r.id, exitAll: 'mtm_stopp' }, `run ${r.id}: its exit-all flag (runs.exit_all) "mtm_stopp" is not one Tradeclock writes; read as unwind, every position of its group exits`]]);
    // A flag as written says nothing.
    repos.runs.update(r.id, { exitAll: 'mtm_target' }, 20);
    expect(repos.runs.getInternal(r.id)!.exitAll).toBe('mtm_target');
    expect(said).toHaveLength(1);
  });

  it('is said once per repository, not once per process: another repository (a restart, another database) says it again', () => {
    const said: string[] = [];
    const first = createRepos(t.db, { warn: (_obj, msg) => said.push(msg) });
    const r = first.runs.create(newRun(a, '2026-03-09'), 10);
    t.db.sqlite.prepare('UPDATE runs SET exit_all = ? WHERE id = ?').run('mtm_stopp', r.id);
    first.runs.getInternal(r.id);
    first.runs.getInternal(r.id);
    expect(said).toHaveLength(1);
    const second = createRepos(t.db, { warn: (_obj, msg) => said.push(msg) });
    expect(second.runs.getInternal(r.id)!.exitAll).toBe('unwind');
    expect(said).toHaveLength(2);
  });
});
