import { beforeAll, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../engine/core/events';
import { asRunId } from '../../engine/core/ids';
import { openTestDb, seedStrategy, type Seeded } from '../test-support';

const { repos } = openTestDb();
let a: Seeded;
let b: Seeded;
const ids: number[] = [];

beforeAll(() => {
  a = seedStrategy(repos, { email: 'alice@example.com' });
  b = seedStrategy(repos, { email: 'bob@example.com' });
  const other = repos.strategies.create({ ...a.strategy, spec: { ...a.strategy.spec, symbol: 'TCS' } }, 1);
  for (let i = 0; i < 6; i++) {
    const strategyId = i % 2 ? other.id : a.strategy.id;
    const ev: EngineEvent = { type: 'strategy_completed', userId: a.user.id, strategyId, at: 100 + i };
    ids.push(repos.events.append({ ...ev, payload: ev }));
  }
  repos.events.append({ userId: b.user.id, type: 'feed_status', payload: { state: 'down' }, at: 1 });
});

describe('events repo', () => {
  it('appends and lists newest first with the payload parsed', () => {
    const list = repos.events.list(a.user.id);
    expect(list.map((e) => e.id)).toEqual([...ids].reverse());
    expect(list[0]).toEqual({
      id: ids[5],
      userId: a.user.id,
      strategyId: list[0]!.strategyId,
      runId: null,
      type: 'strategy_completed',
      payload: { type: 'strategy_completed', userId: a.user.id, strategyId: list[0]!.strategyId, at: 105 },
      at: 105,
    });
  });

  it('filters by strategy and pages with beforeId / afterId / limit', () => {
    expect(repos.events.list(a.user.id, { strategyId: a.strategy.id }).map((e) => e.id)).toEqual([ids[4], ids[2], ids[0]]);
    expect(repos.events.list(a.user.id, { beforeId: ids[3], limit: 2 }).map((e) => e.id)).toEqual([ids[2], ids[1]]);
    expect(repos.events.list(a.user.id, { afterId: ids[3] }).map((e) => e.id)).toEqual([ids[5], ids[4]]);
  });

  it('clamps the limit to 1..500', () => {
    expect(repos.events.list(a.user.id, { limit: 0 })).toHaveLength(1);
    for (let i = 0; i < 520; i++) repos.events.append({ userId: b.user.id, type: 'x', payload: {}, at: i });
    expect(repos.events.list(b.user.id, { limit: 10_000 })).toHaveLength(500);
    expect(repos.events.list(b.user.id)).toHaveLength(100);
  });

  it("user B never sees user A's events", () => {
    expect(repos.events.list(b.user.id, { strategyId: a.strategy.id })).toEqual([]);
    const runId = asRunId(1);
    const id = repos.events.append({ userId: a.user.id, runId, type: 'x', payload: {}, at: 1 });
    expect(repos.events.list(b.user.id, { afterId: id - 1 })).toEqual([]);
    expect(repos.events.list(a.user.id, { afterId: id - 1 })[0]?.runId).toBe(runId);
  });
});
