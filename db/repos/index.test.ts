import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../client';
import { openTestDb, seedStrategy } from '../test-support';
import { createRepos } from '.';
import { UniqueViolation } from './errors';

describe('repos.transaction', () => {
  it('commits every write of fn and returns its value', () => {
    const { repos } = openTestDb();
    const value = repos.transaction(() => {
      repos.settings.set('a', '1');
      repos.settings.set('b', '2');
      return 42;
    });
    expect(value).toBe(42);
    expect([repos.settings.get('a'), repos.settings.get('b')]).toEqual(['1', '2']);
  });

  it('a transaction that throws leaves nothing written', () => {
    const { repos } = openTestDb();
    const { user, strategy } = seedStrategy(repos);
    const run = repos.runs.create({ strategyId: strategy.id, userId: user.id, tradingDate: '2026-03-09', state: 'ARMED', buyAt: 1, sellAt: 2 }, 1);
    expect(() =>
      repos.transaction(() => {
        repos.runs.update(run.id, { state: 'BUYING' }, 2);
        repos.events.append({ userId: user.id, type: 'x', payload: {}, at: 2 });
        repos.runs.create({ strategyId: strategy.id, userId: user.id, tradingDate: '2026-03-09', state: 'ARMED', buyAt: 1, sellAt: 2 }, 2);
      }),
    ).toThrow(UniqueViolation);
    expect(repos.runs.getInternal(run.id)?.state).toBe('ARMED');
    expect(repos.events.list(user.id)).toEqual([]);
  });

  it('a nested transaction that throws rolls back only itself', () => {
    const { repos } = openTestDb();
    repos.transaction(() => {
      repos.settings.set('outer', '1');
      expect(() =>
        repos.transaction(() => {
          repos.settings.set('inner', '1');
          throw new Error('boom');
        }),
      ).toThrow('boom');
    });
    expect(repos.settings.get('outer')).toBe('1');
    expect(repos.settings.get('inner')).toBeUndefined();
  });

  it('refuses an async fn and rolls back what it wrote before its first await', () => {
    const { repos } = openTestDb();
    expect(() =>
      repos.transaction(async () => {
        repos.settings.set('async', '1');
      }),
    ).toThrow(/synchronous/);
    expect(repos.settings.get('async')).toBeUndefined();
  });

  it('waitForLock: false fails at once while another connection holds the write lock, then waits again as before', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tc-lock-'));
    const db = openDatabase(join(dir, 'tradeclock.sqlite'));
    const other = new Database(join(dir, 'tradeclock.sqlite'));
    try {
      const repos = createRepos(db);
      const waitMs = db.sqlite.pragma('busy_timeout', { simple: true }) as number;
      expect(waitMs).toBeGreaterThan(1_000);
      other.exec('BEGIN IMMEDIATE');
      const t0 = performance.now();
      expect(() => repos.transaction(() => repos.settings.set('a', '1'), { waitForLock: false })).toThrow(/locked|busy/i);
      expect(performance.now() - t0).toBeLessThan(waitMs / 2);
      expect(db.sqlite.pragma('busy_timeout', { simple: true })).toBe(waitMs);
      other.exec('ROLLBACK');
      expect(repos.transaction(() => (repos.settings.set('a', '1'), repos.settings.get('a')), { waitForLock: false })).toBe('1');
      expect(db.sqlite.pragma('busy_timeout', { simple: true })).toBe(waitMs);
    } finally {
      other.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
