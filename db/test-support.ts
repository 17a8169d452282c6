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
import { asBrokerAccountId, asStrategyId, type UserId } from '../engine/core/ids';
import type { Exchange, Repeat, Strategy, StrategyStatus } from '../engine/core/types';
import { specFromV1, type StoredStrategySpec, type V1StrategyRow } from '../engine/core/strategy-spec';
import { createRepos, type BrokerAccount, type Repos, type User } from './repos';

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
 * 60 s BUY grace. Override any key of its spec with `spec`, its status with `status`.
 *
 * @example const { user, strategy } = seedStrategy(repos, { spec: { stop_loss: 99 } });
 */
export function seedStrategy(
  repos: Repos,
  opts: { readonly userId?: UserId; readonly email?: string; readonly now?: number; readonly spec?: Partial<StoredStrategySpec>; readonly status?: StrategyStatus } = {},
): Seeded {
  const { now, user, account } = seedOwner(repos, opts, 'seedStrategy');
  const spec: StoredStrategySpec = { ...specFromV1(v1Fields(account.id)), ...opts.spec };
  return { user, account, strategy: repos.strategies.create({ userId: user.id, status: opts.status ?? 'idle', spec }, now) };
}

/** A strategy row as a v1 install wrote it, in its columns (camelCase). */
export interface V1Strategy {
  readonly brokerAccountId: number;
  readonly symbol: string;
  readonly exchange: Exchange;
  readonly qty: number;
  readonly buyTime: string;
  readonly sellTime: string;
  readonly stopLoss: number;
  readonly timezone: string;
  readonly repeat: Repeat;
  readonly buyGraceMs: number;
  readonly status: StrategyStatus;
}

/** seedStrategy's default strategy on `accountId`, in v1's fields. */
function v1Fields(accountId: number, over: Partial<V1Strategy> = {}): V1StrategyRow & { status: StrategyStatus } {
  const v: V1Strategy = {
    brokerAccountId: accountId,
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
    ...over,
  };
  return {
    broker_account_id: v.brokerAccountId,
    symbol: v.symbol,
    exchange: v.exchange,
    qty: v.qty,
    buy_time: v.buyTime,
    sell_time: v.sellTime,
    stop_loss: v.stopLoss,
    timezone: v.timezone,
    repeat: v.repeat,
    buy_grace_ms: v.buyGraceMs,
    status: v.status,
  };
}

/** The user (new unless `userId`) and a paper account of theirs. */
function seedOwner(repos: Repos, opts: { readonly userId?: UserId; readonly email?: string; readonly now?: number }, caller: string): { now: number; user: User; account: BrokerAccount } {
  const now = opts.now ?? 1_700_000_000_000;
  const user =
    opts.userId !== undefined
      ? repos.users.getById(opts.userId)
      : repos.users.create({ email: opts.email ?? `trader-${++seedCounter}@example.com`, passwordHash: 'test-hash', createdAt: now });
  if (!user) throw new Error(`${caller}: no user ${opts.userId}`);
  const account = repos.brokerAccounts.create({ userId: user.id, broker: 'paper', label: 'Paper', status: 'connected', credentialsCiphertext: null, createdAt: now });
  return { now, user, account };
}

/**
 * seedStrategy on a database migrated only to before 0006 (strategies without `spec`): the
 * strategy row is written in its v1 columns with raw SQL, as a v1 install wrote it (`strategy`
 * overrides seedStrategy's default in those columns). Its `spec` is what migration 0006 is to make
 * of it (specFromV1).
 *
 * @example migrateTo(db, 5); const { strategy } = seedV1Strategy(db, { strategy: { buyGraceMs: 1_500 } });
 */
export function seedV1Strategy(db: Db, opts: { readonly userId?: UserId; readonly now?: number; readonly strategy?: Partial<V1Strategy> } = {}): Seeded {
  const { now, user, account } = seedOwner(createRepos(db), opts, 'seedV1Strategy');
  const { status, ...row } = v1Fields(account.id, opts.strategy);
  const id = db.sqlite
    .prepare(
      `INSERT INTO strategies (user_id, broker_account_id, symbol, exchange, qty, buy_time, sell_time, stop_loss, timezone, repeat, buy_grace_ms, status, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(user.id, row.broker_account_id, row.symbol, row.exchange, row.qty, row.buy_time, row.sell_time, row.stop_loss, row.timezone, row.repeat, row.buy_grace_ms, status, now, now).lastInsertRowid;
  return {
    user,
    account,
    strategy: {
      id: asStrategyId(Number(id)),
      userId: user.id,
      brokerAccountId: asBrokerAccountId(row.broker_account_id),
      symbol: row.symbol,
      exchange: row.exchange,
      spec: specFromV1(row),
      status,
      createdAt: now,
      updatedAt: now,
    },
  };
}
