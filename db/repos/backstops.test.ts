/**
 * The backstop journal: one row per run leg, written before the broker call; the open ones are
 * what recovery asks the broker about, and the unique indexes keep a second stop off a leg.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { openTestDb, seedStrategy, type Seeded, type TestDb } from '../test-support';
import { UniqueViolation } from './errors';
import type { NewBackstop } from './backstops';
import type { Run } from '../../engine/core/types';

let t: TestDb;
let a: Seeded;
let run: Run;

beforeEach(() => {
  t?.close();
  t = openTestDb();
  a = seedStrategy(t.repos);
  run = t.repos.runs.create({ strategyId: a.strategy.id, userId: a.user.id, tradingDate: '2026-03-09', state: 'IN_POSITION', buyAt: 1000, sellAt: 2000 }, 10);
});

const placing = (over: Partial<NewBackstop> = {}): NewBackstop => ({
  runId: run.id,
  strategyId: a.strategy.id,
  userId: a.user.id,
  brokerAccountId: a.account.id,
  legNo: 0,
  version: 1,
  clientOrderId: 'tbk3x9a17do000160001',
  symbol: 'RELIANCE',
  exchange: 'NSE',
  side: 'sell',
  qty: 10,
  triggerPrice: 2800,
  limitPrice: null,
  state: 'placing',
  ...over,
});

describe('backstops repo', () => {
  it('journals a placement with the broker\'s answers empty, and reads it back by leg and by id', () => {
    const b = t.repos.backstops.insert(placing(), 20);
    expect(b).toMatchObject({ ...placing(), brokerRef: null, nextTriggerPrice: null, filledQty: 0, fillPrice: null, done: false, reason: null, createdAt: 20, updatedAt: 20 });
    expect(t.repos.backstops.findByLegInternal(run.id, 0)).toEqual(b);
    expect(t.repos.backstops.findByLegInternal(run.id, 1)).toBeUndefined();
    expect(t.repos.backstops.findByClientOrderIdInternal(a.account.id, 'tbk3x9a17do000160001')).toEqual(b);
  });

  it('keeps the modify times a move journals, none at first; unreadable text reads as none rather than stopping the leg', () => {
    const b = t.repos.backstops.insert(placing(), 20);
    expect(b.modifiesSentAt).toEqual([]);
    expect(t.repos.backstops.update(b.id, { state: 'modifying', modifiesSentAt: [1_000, 2_000] }, 30).modifiesSentAt).toEqual([1_000, 2_000]);
    // A later write that leaves them out keeps them.
    expect(t.repos.backstops.update(b.id, { state: 'resting' }, 40).modifiesSentAt).toEqual([1_000, 2_000]);
    t.db.sqlite.prepare("UPDATE backstops SET modifies_sent_at = 'not json' WHERE id = ?").run(b.id);
    expect(t.repos.backstops.findByLegInternal(run.id, 0)).toMatchObject({ state: 'resting', modifiesSentAt: [] });
  });

  it('lists as open only what may rest at the broker', () => {
    const b = t.repos.backstops.insert(placing(), 20);
    expect(t.repos.backstops.listOpenInternal().map((x) => x.id)).toEqual([b.id]);
    for (const state of ['resting', 'modifying', 'cancelling'] as const) {
      t.repos.backstops.update(b.id, { state }, 30);
      expect(t.repos.backstops.listOpenInternal()).toHaveLength(1);
    }
    for (const state of ['cancelled', 'fired', 'rejected'] as const) {
      t.repos.backstops.update(b.id, { state }, 30);
      expect(t.repos.backstops.listOpenInternal()).toEqual([]);
    }
  });

  it('updates a move and a fire, and refuses a second backstop on the leg or a reused id', () => {
    const b = t.repos.backstops.insert(placing(), 20);
    const moved = t.repos.backstops.update(b.id, { state: 'resting', version: 2, clientOrderId: 'tbk3x9a17do000160002', brokerRef: 'o-2', triggerPrice: 2810 }, 40);
    expect(moved).toMatchObject({ version: 2, clientOrderId: 'tbk3x9a17do000160002', brokerRef: 'o-2', triggerPrice: 2810, updatedAt: 40, createdAt: 20 });
    const fired = t.repos.backstops.update(b.id, { state: 'fired', filledQty: 10, fillPrice: 2805, done: true }, 50);
    expect(fired).toMatchObject({ state: 'fired', filledQty: 10, fillPrice: 2805, done: true });
    expect(() => t.repos.backstops.insert(placing({ clientOrderId: 'other' }), 60)).toThrow(UniqueViolation);
    expect(() => t.repos.backstops.insert(placing({ legNo: 1, clientOrderId: 'tbk3x9a17do000160002' }), 60)).toThrow(UniqueViolation);
    expect(() => t.repos.backstops.update(9999, { state: 'cancelled' }, 60)).toThrow(/no backstop 9999/);
    expect(t.repos.backstops.listByRunInternal(run.id)).toEqual([fired]);
  });
});
