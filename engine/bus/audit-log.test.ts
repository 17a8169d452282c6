import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { openTestDb, seedStrategy, type Seeded, type TestDb } from '../../db/test-support';
import type { Repos, TransactionOptions } from '../../db/repos';
import type { EngineEvent } from '../core/events';
import { asRunId } from '../core/ids';
import { EventBus } from './event-bus';
import { recordEvents } from './audit-log';

let t: TestDb;
let s: Seeded;
let commits: number;
let repos: Repos;
let writes: Array<() => void>;

beforeEach(() => {
  t = openTestDb();
  s = seedStrategy(t.repos);
  commits = 0;
  writes = [];
  repos = {
    ...t.repos,
    transaction<T>(fn: () => T, options?: TransactionOptions): T {
      const out = t.repos.transaction(fn, options);
      commits++;
      return out;
    },
  };
});
afterEach(() => t.close());

const missed = (lateByMs: number): EngineEvent => ({ type: 'buy_missed', userId: s.user.id, strategyId: s.strategy.id, runId: asRunId(1), lateByMs, at: 1_000 + lateByMs });
const stored = () => t.repos.events.list(s.user.id, { limit: 500 }).reverse().map((e) => (e.payload as { lateByMs: number }).lateByMs);

describe('recordEvents', () => {
  it('writes the events of one turn in one commit, when the deferred write runs', () => {
    const bus = new EventBus();
    recordEvents(bus, repos, pino({ level: 'silent' }), (write) => writes.push(write));
    bus.publish(missed(1));
    bus.publish(missed(2));
    expect(writes).toHaveLength(1);
    expect(stored()).toEqual([]);
    writes[0]!();
    expect(stored()).toEqual([1, 2]);
    expect(commits).toBe(1);
  });

  it('writes a backlog of more than 500 events in commits of 500, in order, each deferring the rest', () => {
    const bus = new EventBus();
    recordEvents(bus, repos, pino({ level: 'silent' }), (write) => writes.push(write));
    for (let i = 0; i < 1_250; i++) bus.publish(missed(i));
    writes[0]!();
    expect(commits).toBe(1);
    expect(t.repos.events.list(s.user.id, { limit: 1 })[0]!.payload).toMatchObject({ lateByMs: 499 });
    expect(writes).toHaveLength(2);
    writes[1]!();
    writes[2]!();
    expect(commits).toBe(3);
    expect(writes).toHaveLength(3);
    const all = t.db.sqlite.prepare("SELECT json_extract(payload, '$.lateByMs') AS n FROM events ORDER BY id").pluck().all();
    expect(all).toEqual(Array.from({ length: 1_250 }, (_, i) => i));
  });

  it('writes what still waits when it is stopped', () => {
    const bus = new EventBus();
    const stop = recordEvents(bus, repos, pino({ level: 'silent' }), (write) => writes.push(write));
    bus.publish(missed(7));
    stop();
    expect(stored()).toEqual([7]);
    expect(commits).toBe(1);
    writes[0]!(); // the write deferred before the stop finds nothing to do (no empty transaction)
    expect(commits).toBe(1);
    bus.publish(missed(8));
    expect(stored()).toEqual([7]);
  });
});
