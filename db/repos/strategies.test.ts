import { beforeEach, describe, expect, it } from 'vitest';
import { asStrategyId } from '../../engine/core/ids';
import { openTestDb, seedStrategy, type Seeded, type TestDb } from '../test-support';
import { ForeignKeyViolation } from './errors';

let t: TestDb;
let a: Seeded;
let b: Seeded;

beforeEach(() => {
  t?.close();
  t = openTestDb();
  a = seedStrategy(t.repos, { email: 'alice@example.com', now: 100 });
  b = seedStrategy(t.repos, { email: 'bob@example.com', now: 100 });
});

describe('strategies repo', () => {
  it('creates a strategy with typed fields and timestamps', () => {
    expect(a.strategy).toEqual({
      id: a.strategy.id,
      userId: a.user.id,
      brokerAccountId: a.account.id,
      symbol: 'RELIANCE',
      exchange: 'NSE',
      qty: 1,
      buyTime: '09:20:00',
      sellTime: '15:10:00',
      stopLoss: 2800,
      timezone: 'Asia/Kolkata',
      repeat: 'daily',
      buyGraceMs: 60_000,
      status: 'idle',
      createdAt: 100,
      updatedAt: 100,
    });
    expect(t.repos.strategies.get(a.user.id, a.strategy.id)).toEqual(a.strategy);
    expect(t.repos.strategies.getInternal(a.strategy.id)).toEqual(a.strategy);
    expect(t.repos.strategies.list(a.user.id)).toEqual([a.strategy]);
  });

  it("refuses a strategy on another user's broker account", () => {
    const input = { ...a.strategy, brokerAccountId: b.account.id };
    expect(() => t.repos.strategies.create(input, 1)).toThrow(ForeignKeyViolation);
    expect(() => t.repos.strategies.update(a.user.id, a.strategy.id, { brokerAccountId: b.account.id }, 2)).toThrow(ForeignKeyViolation);
  });

  it('updates only patchable fields and bumps updatedAt', () => {
    // A whole row as a patch must not move the strategy to another user or id.
    const patch = { ...b.strategy, brokerAccountId: a.account.id, stopLoss: 2750, qty: 3 };
    const s = t.repos.strategies.update(a.user.id, a.strategy.id, patch, 200);
    expect(s).toMatchObject({ id: a.strategy.id, userId: a.user.id, stopLoss: 2750, qty: 3, createdAt: 100, updatedAt: 200 });
    expect(t.repos.strategies.update(a.user.id, a.strategy.id, {}, 300)?.updatedAt).toBe(300);
  });

  it("user B cannot read, update or delete user A's strategy", () => {
    expect(t.repos.strategies.get(b.user.id, a.strategy.id)).toBeUndefined();
    expect(t.repos.strategies.list(b.user.id)).toEqual([b.strategy]);
    expect(t.repos.strategies.update(b.user.id, a.strategy.id, { qty: 99 }, 2)).toBeUndefined();
    expect(t.repos.strategies.delete(b.user.id, a.strategy.id)).toBe(false);
    expect(t.repos.strategies.get(a.user.id, a.strategy.id)?.qty).toBe(1);
  });

  it('sets status internally, lists by status', () => {
    expect(t.repos.strategies.setStatusInternal(a.strategy.id, 'running', 5)).toMatchObject({ status: 'running', updatedAt: 5 });
    t.repos.strategies.create({ ...a.strategy, status: 'running' }, 6);
    expect(t.repos.strategies.listByStatusInternal('running').map((s) => s.userId)).toEqual([a.user.id, a.user.id]);
    expect(t.repos.strategies.setStatusInternal(asStrategyId(999), 'stopped', 5)).toBeUndefined();
  });

  it('deletes with its runs and orders', () => {
    const run = t.repos.runs.create({ strategyId: a.strategy.id, userId: a.user.id, tradingDate: '2026-03-09', state: 'ARMED', buyAt: 1, sellAt: 2 }, 1);
    expect(t.repos.strategies.delete(a.user.id, a.strategy.id)).toBe(true);
    expect(t.repos.strategies.get(a.user.id, a.strategy.id)).toBeUndefined();
    expect(t.repos.runs.getInternal(run.id)).toBeUndefined();
  });
});
