import { beforeEach, describe, expect, it } from 'vitest';
import { asStrategyId } from '../../engine/core/ids';
import { openTestDb, seedStrategy, type Seeded, type TestDb } from '../test-support';
import { ForeignKeyViolation } from './errors';
import { UnreadableStrategy } from './strategies';
import { SPEC_VERSION, specFromV1 } from '../../engine/core/strategy-spec';

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
      spec: specFromV1({ broker_account_id: a.account.id, symbol: 'RELIANCE', exchange: 'NSE', qty: 1, buy_time: '09:20:00', sell_time: '15:10:00', stop_loss: 2800, timezone: 'Asia/Kolkata', repeat: 'daily', buy_grace_ms: 60_000 }),
      status: 'idle',
      createdAt: 100,
      updatedAt: 100,
    });
    expect(t.repos.strategies.get(a.user.id, a.strategy.id)).toEqual(a.strategy);
    expect(t.repos.strategies.getInternal(a.strategy.id)).toEqual(a.strategy);
    expect(t.repos.strategies.list(a.user.id)).toEqual([a.strategy]);
  });

  it('keeps the spec as JSON without the keys kept as columns, under SPEC_VERSION', () => {
    const row = t.db.sqlite.prepare('SELECT spec, spec_version FROM strategies WHERE id = ?').get(a.strategy.id) as { spec: string; spec_version: number };
    expect(row.spec_version).toBe(SPEC_VERSION);
    const { broker_account_id: _a, symbol: _s, exchange: _e, ...rest } = a.strategy.spec;
    expect(JSON.parse(row.spec)).toEqual(rest);
  });

  it('a strategy whose stored spec does not parse is refused loudly, for that strategy alone', () => {
    const damage = (spec: string | null, version = SPEC_VERSION) => t.db.sqlite.prepare('UPDATE strategies SET spec = ?, spec_version = ?, updated_at = updated_at + 1 WHERE id = ?').run(spec, version, a.strategy.id);
    const refused = (why: RegExp) => {
      expect(() => t.repos.strategies.getInternal(a.strategy.id)).toThrow(UnreadableStrategy);
      expect(() => t.repos.strategies.get(a.user.id, a.strategy.id)).toThrow(why);
      expect(t.repos.strategies.list(a.user.id)).toEqual([]);
      expect(t.repos.strategies.listByStatusInternal('idle').map((s) => s.id)).toEqual([b.strategy.id]);
      expect(t.repos.strategies.unreadableInternal('idle').map((e) => [e.strategyId, e.message])).toEqual([[a.strategy.id, expect.stringMatching(why)]]);
      // What it is and where it trades still reads, and B is untouched.
      expect(t.repos.strategies.identityInternal(a.strategy.id)).toEqual({ id: a.strategy.id, userId: a.user.id, brokerAccountId: a.account.id, symbol: 'RELIANCE', exchange: 'NSE', status: 'idle' });
      expect(t.repos.strategies.getInternal(b.strategy.id)).toEqual(b.strategy);
      // The user's own reads that do not need the spec: what lists leave out is listed as damaged, by its identity.
      expect(t.repos.strategies.identity(a.user.id, a.strategy.id)).toEqual(t.repos.strategies.identityInternal(a.strategy.id));
      expect(t.repos.strategies.identity(b.user.id, a.strategy.id)).toBeUndefined();
      expect(t.repos.strategies.damaged(a.user.id)).toEqual([{ ...t.repos.strategies.identityInternal(a.strategy.id), reason: expect.any(String) }]);
      expect(t.repos.strategies.damaged(b.user.id)).toEqual([]);
    };
    const spec = JSON.parse(t.db.sqlite.prepare('SELECT spec FROM strategies WHERE id = ?').pluck().get(a.strategy.id) as string) as Record<string, unknown>;
    damage(JSON.stringify({ ...spec, stop_loss: -5 }));
    refused(/strategy \d+: its stored spec cannot be read \(stop_loss must be greater than 0\)/);
    damage('{"qty":');
    refused(/spec is not JSON/);
    // A row without its spec cannot be written at all (NOT NULL since 0008).
    expect(() => damage(null)).toThrow(/NOT NULL constraint failed: strategies\.spec/);
    expect(() => t.db.sqlite.prepare('UPDATE strategies SET spec_version = NULL WHERE id = ?').run(a.strategy.id)).toThrow(/NOT NULL constraint failed: strategies\.spec_version/);
    damage(JSON.stringify(spec), 3);
    refused(/spec_version 3 is not 2/);
    // It can still be stopped: the status changes and its identity comes back.
    expect(t.repos.strategies.setStatusIdentityInternal(a.strategy.id, 'stopped', 200)).toMatchObject({ id: a.strategy.id, status: 'stopped' });
    expect(() => t.repos.strategies.setStatusInternal(a.strategy.id, 'idle', 201)).toThrow(UnreadableStrategy);
    damage(JSON.stringify(spec));
    expect(t.repos.strategies.getInternal(a.strategy.id)!.spec).toEqual(a.strategy.spec);
  });

  it("refuses a strategy on another user's broker account", () => {
    const spec = { ...a.strategy.spec, broker_account_id: b.account.id };
    expect(() => t.repos.strategies.create({ ...a.strategy, spec }, 1)).toThrow(ForeignKeyViolation);
    expect(() => t.repos.strategies.update(a.user.id, a.strategy.id, { spec }, 2)).toThrow(ForeignKeyViolation);
  });

  it('updates only patchable fields and bumps updatedAt', () => {
    // A whole row as a patch must not move the strategy to another user or id.
    const patch = { ...b.strategy, spec: { ...b.strategy.spec, broker_account_id: a.account.id, stop_loss: 2750, qty: 3 } };
    const s = t.repos.strategies.update(a.user.id, a.strategy.id, patch, 200);
    expect(s).toMatchObject({ id: a.strategy.id, userId: a.user.id, spec: { stop_loss: 2750, qty: 3 }, createdAt: 100, updatedAt: 200 });
    // The spec is written in the same statement as the columns of its identity keys, and read afresh after it.
    expect(t.repos.strategies.getInternal(a.strategy.id)!.spec).toMatchObject({ broker_account_id: a.account.id, stop_loss: 2750, qty: 3, symbol: 'RELIANCE' });
    // A second edit in the same millisecond (same updated_at) is read too, not the spec parsed before it.
    t.repos.strategies.update(a.user.id, a.strategy.id, { spec: { ...a.strategy.spec, stop_loss: 2700, symbol: 'INFY', exchange: 'BSE' } }, 200);
    expect(t.repos.strategies.getInternal(a.strategy.id)).toMatchObject({ symbol: 'INFY', exchange: 'BSE', spec: { stop_loss: 2700, symbol: 'INFY', exchange: 'BSE' } });
    expect(t.repos.strategies.identityInternal(a.strategy.id)).toMatchObject({ symbol: 'INFY', exchange: 'BSE', brokerAccountId: a.account.id });
    expect(t.repos.strategies.update(a.user.id, a.strategy.id, {}, 300)?.updatedAt).toBe(300);
  });

  it("user B cannot read, update or delete user A's strategy", () => {
    expect(t.repos.strategies.get(b.user.id, a.strategy.id)).toBeUndefined();
    expect(t.repos.strategies.list(b.user.id)).toEqual([b.strategy]);
    expect(t.repos.strategies.update(b.user.id, a.strategy.id, { spec: { ...a.strategy.spec, broker_account_id: b.account.id, qty: 99 } }, 2)).toBeUndefined();
    expect(t.repos.strategies.delete(b.user.id, a.strategy.id)).toBe(false);
    expect(t.repos.strategies.get(a.user.id, a.strategy.id)?.spec.qty).toBe(1);
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
