import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from './client';
import { appliedMigrationCount, MIGRATIONS_FOLDER, pendingMigrationCount } from './migrate';
import { createRepos } from './repos';
import { migrateTo, migrationCount, seedStrategy } from './test-support';

let dir: string;
const open: Db[] = [];
const track = (db: Db) => (open.push(db), db);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tradeclock-migrate-test-'));
});
afterEach(() => {
  for (const db of open.splice(0)) db.close();
  rmSync(dir, { recursive: true, force: true });
});

const tableNames = (db: Db) =>
  db.sqlite.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite_%'`).pluck().all();

/** db/migrations plus one extra migration `sql` (statements split by drizzle's breakpoint marker). */
function folderWithExtra(tag: string, sql: string): string {
  const folder = join(dir, 'migrations');
  mkdirSync(join(folder, 'meta'), { recursive: true });
  const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as {
    entries: { idx: number; when: number; tag: string; version: string; breakpoints: boolean }[];
  };
  for (const e of journal.entries) copyFileSync(join(MIGRATIONS_FOLDER, `${e.tag}.sql`), join(folder, `${e.tag}.sql`));
  const last = journal.entries.at(-1)!;
  journal.entries.push({ idx: last.idx + 1, when: last.when + 1, tag, version: last.version, breakpoints: true });
  writeFileSync(join(folder, 'meta', '_journal.json'), JSON.stringify(journal));
  writeFileSync(join(folder, `${tag}.sql`), sql);
  return folder;
}

/** What drizzle-kit writes to change a SQLite table: copy, drop the original, rename. */
function rebuildStrategiesSql(): string {
  const init = readFileSync(join(MIGRATIONS_FOLDER, '0000_init.sql'), 'utf8');
  const create = init.split('--> statement-breakpoint').find((s) => s.includes('CREATE TABLE `strategies`'))!;
  return [
    'PRAGMA foreign_keys=OFF;',
    create.replace('CREATE TABLE `strategies`', 'CREATE TABLE `__new_strategies`'),
    'INSERT INTO `__new_strategies` SELECT * FROM `strategies`;',
    'DROP TABLE `strategies`;',
    'ALTER TABLE `__new_strategies` RENAME TO `strategies`;',
    'PRAGMA foreign_keys=ON;',
  ].join('\n--> statement-breakpoint\n');
}

describe('migrateTo', () => {
  it('steps the real migrations: 0 leaves no tables, then init creates them all', () => {
    const db = track(openDatabase(':memory:', { migrate: false }));
    migrateTo(db, 0);
    expect(tableNames(db)).toEqual([]);
    migrateTo(db, 1);
    expect(appliedMigrationCount(db)).toBe(1);
    expect(tableNames(db)).toHaveLength(7);
    const { strategy } = seedStrategy(createRepos(db));
    expect(strategy.id).toBe(1);
  });

  it('0001 adds the stored instruments to a database of 0000, which keeps its data', () => {
    const db = track(openDatabase(':memory:', { migrate: false }));
    migrateTo(db, 1);
    const { account, strategy } = seedStrategy(createRepos(db));
    migrateTo(db, 2);
    const repos = createRepos(db);
    expect(repos.strategies.getInternal(strategy.id)?.symbol).toBe(strategy.symbol);
    expect(repos.instruments.findInternal(account.id, 'NSE', 'RELIANCE')).toBeUndefined();
    repos.instruments.saveInternal([{ brokerAccountId: account.id, exchange: 'NSE', symbol: 'RELIANCE', brokerRef: '738561', tickSize: 0.05, resolvedAt: 1 }]);
    expect(repos.instruments.findInternal(account.id, 'NSE', 'RELIANCE')?.brokerRef).toBe('738561');
  });

  it('0002 numbers the orders of a database of 0001 as first attempts, and lets an exit take a second', () => {
    const db = track(openDatabase(':memory:', { migrate: false }));
    migrateTo(db, 2);
    const { strategy, user, account } = seedStrategy(createRepos(db));
    const insert = (slot: string, attempt: number | null, clientId: string) =>
      db.sqlite
        .prepare(
          `INSERT INTO orders (run_id, strategy_id, user_id, broker_account_id, leg, side, slot, ${attempt === null ? '' : 'attempt, '}client_order_id, symbol, exchange, qty, status, scheduled_at, filled_qty, created_at, updated_at)
           VALUES (1, ?, ?, ?, ?, ?, ?, ${attempt === null ? '' : `${attempt}, `}?, 'RELIANCE', 'NSE', 5, 'rejected', 1, 0, 1, 1)`,
        )
        .run(strategy.id, user.id, account.id, slot === 'entry' ? 'BUY' : 'SELL', slot === 'entry' ? 'buy' : 'sell', slot, clientId);
    db.sqlite.prepare(`INSERT INTO runs (strategy_id, user_id, trading_date, state, buy_at, sell_at, position_qty, stop_requested, created_at, updated_at) VALUES (?, ?, '2026-03-09', 'ERROR', 1, 2, 5, 0, 1, 1)`).run(strategy.id, user.id);
    insert('exit', null, 'tcold1');
    // Before 0002 the slot took one order, ever.
    expect(() => insert('exit', null, 'tcold2')).toThrow(/UNIQUE/);
    migrateTo(db, 3);
    const repos = createRepos(db);
    const old = repos.orders.findByClientOrderIdInternal(account.id, 'tcold1');
    expect(old?.attempt).toBe(1);
    insert('exit', 2, 'tcold2');
    expect(repos.orders.findBySlotInternal(old!.runId, 'exit')?.clientOrderId).toBe('tcold2');
    expect(() => insert('exit', 2, 'tcold3')).toThrow(/UNIQUE/);
  });

  it('0003 adds price bars to a database of 0002, which keeps its runs and orders', () => {
    const db = track(openDatabase(':memory:', { migrate: false }));
    migrateTo(db, 3);
    const { strategy, user, account } = seedStrategy(createRepos(db));
    db.sqlite.prepare(`INSERT INTO runs (strategy_id, user_id, trading_date, state, buy_at, sell_at, position_qty, exit_price, stop_requested, created_at, updated_at) VALUES (?, ?, '2026-03-09', 'SOLD', 1, 2, 0, 101, 0, 1, 1)`).run(strategy.id, user.id);
    expect(tableNames(db)).not.toContain('price_bars');
    migrateTo(db, 4);
    const repos = createRepos(db);
    expect(repos.runs.findInternal(strategy.id, '2026-03-09')).toMatchObject({ state: 'SOLD', exitPrice: 101 });
    repos.priceBars.saveInternal([{ brokerAccountId: account.id, exchange: 'NSE', symbol: 'RELIANCE', minute: 60_000, open: 1, high: 2, low: 1, close: 2, ticks: 3 }]);
    expect(repos.priceBars.listInternal(account.id, 'NSE', 'RELIANCE', 0, 60_000, 10)).toHaveLength(1);
  });

  it('a later plain open continues from where migrateTo stopped', () => {
    const file = join(dir, 'stepped.sqlite');
    const db = openDatabase(file, { migrate: false });
    migrateTo(db, 1);
    db.close();
    const reopened = track(openDatabase(file));
    expect(appliedMigrationCount(reopened)).toBe(migrationCount());
  });

  it('refuses to go backwards or past the end', () => {
    const db = track(openDatabase(':memory:'));
    expect(() => migrateTo(db, 0)).toThrow(/cannot go back/);
    expect(() => migrateTo(db, migrationCount() + 1)).toThrow(/must be 0\.\./);
  });

  it('supports the N-1, seed, N, check pattern for a data-changing migration', () => {
    const folder = folderWithExtra('0001_upper_symbols', 'UPDATE `strategies` SET `symbol` = upper(`symbol`);');
    const db = track(openDatabase(':memory:', { migrate: false }));
    const n = migrationCount(folder);
    migrateTo(db, n - 1, folder);
    const { strategy } = seedStrategy(createRepos(db), { strategy: { symbol: 'infy' } });
    migrateTo(db, n, folder);
    expect(db.sqlite.prepare('SELECT symbol FROM strategies WHERE id = ?').pluck().get(strategy.id)).toBe('INFY');
  });
});

describe('applyMigrations and foreign keys', () => {
  function seedJournal(db: Db) {
    const repos = createRepos(db);
    const { user, account, strategy } = seedStrategy(repos);
    const run = repos.runs.create({ strategyId: strategy.id, userId: user.id, tradingDate: '2026-03-09', state: 'IN_POSITION', buyAt: 1, sellAt: 2 }, 1);
    repos.orders.insert(
      { runId: run.id, strategyId: strategy.id, userId: user.id, brokerAccountId: account.id, leg: 'BUY', side: 'buy', slot: 'entry', clientOrderId: 'tcabc', symbol: 'RELIANCE', exchange: 'NSE', qty: 1, status: 'filled', scheduledAt: 1 },
      1,
    );
  }
  const count = (db: Db, table: string) => db.sqlite.prepare(`SELECT count(*) FROM ${table}`).pluck().get();

  it('a drizzle-kit table rebuild of strategies keeps its runs and orders, and foreign keys come back on', () => {
    const folder = folderWithExtra('0001_rebuild_strategies', rebuildStrategiesSql());
    const file = join(dir, 'rebuild.sqlite');
    const db = openDatabase(file, { migrate: false });
    migrateTo(db, migrationCount(folder) - 1, folder);
    seedJournal(db);
    migrateTo(db, migrationCount(folder), folder);
    expect(count(db, 'runs')).toBe(1);
    expect(count(db, 'orders')).toBe(1);
    expect(db.sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    db.close();
  });

  it('(why) with foreign keys on, drizzle’s migrator alone would cascade the rebuild into the journal', () => {
    const folder = folderWithExtra('0001_rebuild_strategies', rebuildStrategiesSql());
    const db = track(openDatabase(':memory:', { migrate: false }));
    migrateTo(db, migrationCount(folder) - 1, folder);
    seedJournal(db);
    db.sqlite.pragma('foreign_keys = ON');
    migrate(db.orm, { migrationsFolder: folder });
    expect(count(db, 'orders')).toBe(0);
  });

  it('throws when a migration leaves a dangling reference', () => {
    const orphan = "INSERT INTO `runs` (strategy_id, user_id, trading_date, state, buy_at, sell_at, created_at, updated_at) VALUES (999, 1, '2026-03-09', 'ARMED', 1, 2, 1, 1);";
    const folder = folderWithExtra('0001_orphan', orphan);
    const db = track(openDatabase(':memory:', { migrate: false }));
    expect(() => migrateTo(db, migrationCount(folder), folder)).toThrow(/foreign key violation/);
    expect(db.sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
  });

  it('refuses to run inside a transaction', () => {
    const db = track(openDatabase(':memory:', { migrate: false }));
    expect(() => db.sqlite.transaction(() => migrateTo(db, 1))()).toThrow(/inside a transaction/);
  });
});

describe('pendingMigrationCount', () => {
  it('counts what applyMigrations would apply: all on a fresh file, the rest after N, none when current', () => {
    const db = track(openDatabase(':memory:', { migrate: false }));
    expect(pendingMigrationCount(db)).toBe(migrationCount());
    migrateTo(db, 1);
    expect(pendingMigrationCount(db)).toBe(migrationCount() - 1);
    migrateTo(db, migrationCount());
    expect(pendingMigrationCount(db)).toBe(0);
  });
});
