/**
 * Helpers for tests across the repo: a real in-memory SQLite with the real migrations, and a
 * way to step migrations one at a time.
 *
 * Testing a data-changing migration N (CONVENTIONS 7) — seed with raw SQL, because repositories
 * follow the newest schema, not N-1's:
 *
 * @example
 * const db = openDatabase(':memory:', { migrate: false });
 * migrateTo(db, N - 1);
 * db.sqlite.prepare('INSERT INTO strategies (...) VALUES (...)').run(...);
 * migrateTo(db, N);
 * expect(db.sqlite.prepare('SELECT ... FROM strategies').get()).toEqual(...);
 * db.close();
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Db } from './client';
import { appliedMigrationCount, applyMigrations, MIGRATIONS_FOLDER } from './migrate';
import { asStrategyId, type UserId } from '../engine/core/ids';
import type { Strategy } from '../engine/core/types';
import { createRepos, type BrokerAccount, type NewStrategy, type Repos, type User } from './repos';
import { specOfV1 } from './repos/strategies';

export interface TestDb {
  readonly db: Db;
  readonly repos: Repos;
  close(): void;
}

/**
 * A fresh, fully migrated in-memory database and its repositories. Each call is independent.
 *
 * @example
 * const { repos, close } = openTestDb();
 * afterEach(close);
 */
export function openTestDb(): TestDb {
  const db = openDatabase(':memory:');
  return { db, repos: createRepos(db), close: () => db.close() };
}

interface Journal {
  entries: { idx: number; when: number; tag: string }[];
}

function readJournal(folder: string): Journal & Record<string, unknown> {
  return JSON.parse(readFileSync(join(folder, 'meta', '_journal.json'), 'utf8')) as Journal & Record<string, unknown>;
}

/** How many migrations `folder` holds (default db/migrations). */
export function migrationCount(folder: string = MIGRATIONS_FOLDER): number {
  return readJournal(folder).entries.length;
}

/**
 * Applies the first `n` migrations of `folder` (default db/migrations) to a database opened with
 * `{ migrate: false }`. Forward only: throws if the database already has more than `n`.
 * Migrations keep their hashes and timestamps, so a later plain openDatabase continues from here.
 */
export function migrateTo(db: Db, n: number, folder: string = MIGRATIONS_FOLDER): void {
  const journal = readJournal(folder);
  if (!Number.isInteger(n) || n < 0 || n > journal.entries.length) {
    throw new Error(`migrateTo: n must be 0..${journal.entries.length}, got ${n}`);
  }
  const applied = appliedMigrationCount(db);
  if (applied > n) throw new Error(`migrateTo: database already has ${applied} migrations, cannot go back to ${n}`);
  if (n === 0) return;
  // drizzle's migrator applies a whole folder; give it a copy that ends at migration n.
  const dir = mkdtempSync(join(tmpdir(), 'tradeclock-migrate-'));
  try {
    mkdirSync(join(dir, 'meta'));
    const entries = journal.entries.slice(0, n);
    writeFileSync(join(dir, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries }));
    for (const e of entries) copyFileSync(join(folder, `${e.tag}.sql`), join(dir, `${e.tag}.sql`));
    applyMigrations(db, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

let seedCounter = 0;

export interface Seeded {
  readonly user: User;
  readonly account: BrokerAccount;
  readonly strategy: Strategy;
}

/**
 * A user (new, unless `userId` is given), a paper broker account and an idle strategy on it:
 * RELIANCE on NSE, qty 1, BUY 09:20:00, SELL 15:10:00, stop-loss 2800, Asia/Kolkata, daily,
 * 60 s BUY grace. Override any strategy field with `strategy`.
 *
 * @example const { user, strategy } = seedStrategy(repos, { strategy: { stopLoss: 99 } });
 */
export function seedStrategy(
  repos: Repos,
  opts: { readonly userId?: UserId; readonly email?: string; readonly now?: number; readonly strategy?: Partial<NewStrategy> } = {},
): Seeded {
  const { now, user, account, strategy } = seedOwner(repos, opts, 'seedStrategy');
  return { user, account, strategy: repos.strategies.create(strategy, now) };
}

/** The user (new unless `userId`), a paper account, and the default strategy on it with `opts.strategy` over it. */
function seedOwner(
  repos: Repos,
  opts: { readonly userId?: UserId; readonly email?: string; readonly now?: number; readonly strategy?: Partial<NewStrategy> },
  caller: string,
): { now: number; user: User; account: BrokerAccount; strategy: NewStrategy } {
  const now = opts.now ?? 1_700_000_000_000;
  const user =
    opts.userId !== undefined
      ? repos.users.getById(opts.userId)
      : repos.users.create({ email: opts.email ?? `trader-${++seedCounter}@example.com`, passwordHash: 'test-hash', createdAt: now });
  if (!user) throw new Error(`${caller}: no user ${opts.userId}`);
  const account = repos.brokerAccounts.create({ userId: user.id, broker: 'paper', label: 'Paper', status: 'connected', credentialsCiphertext: null, createdAt: now });
  const strategy: NewStrategy = {
    userId: user.id,
    brokerAccountId: account.id,
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
    ...opts.strategy,
  };
  return { now, user, account, strategy };
}

/**
 * seedStrategy on a database migrated only to before 0006 (strategies without `spec`): the
 * strategy row is written in its v1 columns with raw SQL, as a v1 install wrote it. Its `spec` is
 * what migration 0006 is to make of it (specFromV1).
 *
 * @example migrateTo(db, 5); const { strategy } = seedV1Strategy(db, { strategy: { buyGraceMs: 1_500 } });
 */
export function seedV1Strategy(
  db: Db,
  opts: { readonly userId?: UserId; readonly now?: number; readonly strategy?: Partial<NewStrategy> } = {},
): Seeded {
  const { now, user, account, strategy: v } = seedOwner(createRepos(db), opts, 'seedV1Strategy');
  const id = db.sqlite
    .prepare(
      `INSERT INTO strategies (user_id, broker_account_id, symbol, exchange, qty, buy_time, sell_time, stop_loss, timezone, repeat, buy_grace_ms, status, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(v.userId, v.brokerAccountId, v.symbol, v.exchange, v.qty, v.buyTime, v.sellTime, v.stopLoss, v.timezone, v.repeat, v.buyGraceMs, v.status, now, now).lastInsertRowid;
  return { user, account, strategy: { ...v, id: asStrategyId(Number(id)), spec: specOfV1(v), createdAt: now, updatedAt: now } };
}
