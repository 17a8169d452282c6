import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from './client';
import { appliedMigrationCount, MIGRATIONS_FOLDER, pendingMigrationCount } from './migrate';
import { asRunId, asUserId, clientOrderId } from '../engine/core/ids';
import { createRepos, type NewOrder } from './repos';
import { SPEC_VERSION, specFromV1, type V1StrategyRow } from '../engine/core/strategy-spec';
import { runPlanOf } from '../engine/core/run-plan-spec';
import { migrateTo, migrationCount, seedStrategy, seedV1Strategy, type Seeded } from './test-support';

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
/** Every row of `table`, by id, as SQLite holds it. */
const rowsOf = (db: Db, table: string) => db.sqlite.prepare(`SELECT * FROM ${table} ORDER BY id`).all() as Record<string, unknown>[];

/**
 * Journals an order of a seeded strategy's run straight into SQLite (a schema older than the repos
 * know), on the strategy's instrument unless `symbol` and `exchange` say another.
 */
function journalInto(db: Db, userId: number, symbol?: string, exchange?: string) {
  const orderSql = db.sqlite.prepare(
    `INSERT INTO orders (run_id, strategy_id, user_id, broker_account_id, leg, side, slot, attempt, client_order_id, symbol, exchange, qty, status, scheduled_at, filled_qty, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, 1000, ?, 1, 1)`,
  );
  return (s: Seeded, runId: number, leg: 'BUY' | 'SELL', attempt: number, status: string, filled: number) => {
    const slot = leg === 'BUY' ? 'entry' : 'exit';
    orderSql.run(runId, s.strategy.id, userId, s.account.id, leg, leg === 'BUY' ? 'buy' : 'sell', slot, attempt, clientOrderId('k3x9a1', s.strategy.id, '2026-03-09', slot, attempt), symbol ?? s.strategy.symbol, exchange ?? s.strategy.exchange, status, filled);
  };
}

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

/** What drizzle-kit writes to change a SQLite table: copy, drop the original, rename (0008's rebuild of strategies, to the same columns). */
function rebuildStrategiesSql(): string {
  return readFileSync(join(MIGRATIONS_FOLDER, '0008_strategy_spec_only.sql'), 'utf8');
}

describe('migrateTo', () => {
  it('steps the real migrations: 0 leaves no tables, then init creates them all', () => {
    const db = track(openDatabase(':memory:', { migrate: false }));
    migrateTo(db, 0);
    expect(tableNames(db)).toEqual([]);
    migrateTo(db, 1);
    expect(appliedMigrationCount(db)).toBe(1);
    expect(tableNames(db)).toHaveLength(7);
    const { strategy } = seedV1Strategy(db);
    expect(strategy.id).toBe(1);
  });

  it('0001 adds the stored instruments to a database of 0000, which keeps its data', () => {
    const db = track(openDatabase(':memory:', { migrate: false }));
    migrateTo(db, 1);
    const { account, strategy } = seedV1Strategy(db);
    migrateTo(db, 2);
    expect(db.sqlite.prepare('SELECT symbol FROM strategies WHERE id = ?').pluck().get(strategy.id)).toBe(strategy.symbol);
    // In SQL: today's repo writes columns later migrations add (0013's qty step).
    const refOf = () => db.sqlite.prepare("SELECT broker_ref FROM instruments WHERE broker_account_id = ? AND exchange = 'NSE' AND symbol = 'RELIANCE'").pluck().get(account.id);
    expect(refOf()).toBeUndefined();
    db.sqlite.prepare("INSERT INTO instruments (broker_account_id, exchange, symbol, broker_ref, tick_size, resolved_at) VALUES (?, 'NSE', 'RELIANCE', '738561', 0.05, 1)").run(account.id);
    expect(refOf()).toBe('738561');
  });

  it('0002 numbers the orders of a database of 0001 as first attempts, and lets an exit take a second', () => {
    const db = track(openDatabase(':memory:', { migrate: false }));
    migrateTo(db, 2);
    const { strategy, user, account } = seedV1Strategy(db);
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
    // Read with SQL: today's repositories also name the columns later migrations add.
    const attemptOf = (clientId: string) => db.sqlite.prepare('SELECT attempt FROM orders WHERE client_order_id = ?').pluck().get(clientId);
    expect(attemptOf('tcold1')).toBe(1);
    insert('exit', 2, 'tcold2');
    expect(attemptOf('tcold2')).toBe(2);
    expect(() => insert('exit', 2, 'tcold3')).toThrow(/UNIQUE/);
  });

  it('0003 adds price bars to a database of 0002, which keeps its runs and orders', () => {
    const db = track(openDatabase(':memory:', { migrate: false }));
    migrateTo(db, 3);
    const { strategy, user, account } = seedV1Strategy(db);
    db.sqlite.prepare(`INSERT INTO runs (strategy_id, user_id, trading_date, state, buy_at, sell_at, position_qty, exit_price, stop_requested, created_at, updated_at) VALUES (?, ?, '2026-03-09', 'SOLD', 1, 2, 0, 101, 0, 1, 1)`).run(strategy.id, user.id);
    expect(tableNames(db)).not.toContain('price_bars');
    migrateTo(db, 4);
    const repos = createRepos(db);
    expect(db.sqlite.prepare(`SELECT state, exit_price AS exitPrice FROM runs WHERE strategy_id = ? AND trading_date = '2026-03-09'`).get(strategy.id)).toEqual({ state: 'SOLD', exitPrice: 101 });
    repos.priceBars.saveInternal([{ brokerAccountId: account.id, exchange: 'NSE', symbol: 'RELIANCE', minute: 60_000, open: 1, high: 2, low: 1, close: 2, ticks: 3 }]);
    expect(repos.priceBars.listInternal(account.id, 'NSE', 'RELIANCE', 0, 60_000, 10)).toHaveLength(1);
  });

  it('0005 numbers the legs of a database of 0004 with live runs as leg 0, adding columns only, and keys the journal by leg', () => {
    const file = join(dir, 'legs.sqlite');
    const db = track(openDatabase(file, { migrate: false }));
    migrateTo(db, 5);
    const seeded = [seedV1Strategy(db)];
    seeded.push(seedV1Strategy(db, { userId: seeded[0]!.user.id }), seedV1Strategy(db, { userId: seeded[0]!.user.id }));
    const runSql = db.sqlite.prepare(
      `INSERT INTO runs (strategy_id, user_id, trading_date, state, buy_at, sell_at, position_qty, entry_price, exit_price, exit_leg, last_action, last_action_at, stop_requested, created_at, updated_at)
       VALUES (?, ?, '2026-03-09', ?, 1000, 9000, ?, 100, ?, ?, ?, 5000, 0, 1, 5000)`,
    );
    const orderSql = db.sqlite.prepare(
      `INSERT INTO orders (run_id, strategy_id, user_id, broker_account_id, leg, side, slot, attempt, client_order_id, broker_order_id, symbol, exchange, qty, status, scheduled_at, filled_qty, fill_price, reject_reason, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'RELIANCE', 'NSE', 10, ?, 1000, ?, ?, ?, 1, 1)`,
    );
    const cid = (s: Seeded, slot: 'entry' | 'exit', attempt = 1) => clientOrderId('k3x9a1', s.strategy.id, '2026-03-09', slot, attempt);
    const journal = (s: Seeded, runId: number, leg: string, attempt: number, status: string, filledQty: number, reject: string | null = null) =>
      orderSql.run(runId, s.strategy.id, s.user.id, s.account.id, leg, leg === 'BUY' ? 'buy' : 'sell', leg === 'BUY' ? 'entry' : 'exit', attempt, cid(s, leg === 'BUY' ? 'entry' : 'exit', attempt), `B-${runId}-${leg}-${attempt}`, status, filledQty, filledQty > 0 ? 100 : null, reject);
    const [exiting, holding, sold] = seeded as [Seeded, Seeded, Seeded];
    // EXITING on its second attempt (the first refused for a reason that may pass), IN_POSITION, SOLD.
    const exitingRun = Number(runSql.run(exiting.strategy.id, exiting.user.id, 'EXITING', 10, null, 'SELL', 'X_ATTEMPT_2').lastInsertRowid);
    journal(exiting, exitingRun, 'BUY', 1, 'filled', 10);
    journal(exiting, exitingRun, 'SELL', 1, 'rejected', 0, 'price band');
    journal(exiting, exitingRun, 'SELL', 2, 'sent', 0);
    const holdingRun = Number(runSql.run(holding.strategy.id, holding.user.id, 'IN_POSITION', 10, null, null, 'BUY').lastInsertRowid);
    journal(holding, holdingRun, 'BUY', 1, 'filled', 10);
    const soldRun = Number(runSql.run(sold.strategy.id, sold.user.id, 'SOLD', 0, 101, 'SELL', 'SELL').lastInsertRowid);
    journal(sold, soldRun, 'BUY', 1, 'filled', 10);
    journal(sold, soldRun, 'SELL', 1, 'filled', 10);
    const rows = (table: string) => rowsOf(db, table);
    const indexes = () => db.sqlite.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'orders' AND sql IS NOT NULL ORDER BY name`).pluck().all();
    const runsBefore = rows('runs');
    const ordersBefore = rows('orders');
    expect(indexes()).toContain('orders_run_slot_attempt');

    migrateTo(db, 6);

    // Every row as it was, plus the new columns at their defaults: leg 0, no plan, levels or re-entry yet.
    expect(rows('runs')).toEqual(runsBefore.map((r) => ({ ...r, leg_no: 0, plan: null, levels: null, reentry_at: null })));
    expect(rows('orders')).toEqual(ordersBefore.map((o) => ({ ...o, leg_no: 0 })));
    expect(db.sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.sqlite.pragma('foreign_key_check')).toEqual([]);
    expect(indexes()).toEqual(['orders_account_client_id', 'orders_open', 'orders_run_leg_slot_attempt', 'orders_strategy', 'orders_user']);
    // Added, not rebuilt: a rebuild would copy the tables and drop the originals.
    expect(readFileSync(join(MIGRATIONS_FOLDER, '0005_leg_numbers.sql'), 'utf8')).not.toMatch(/CREATE TABLE|DROP TABLE/);

    // The repositories read the current schema.
    migrateTo(db, migrationCount());
    const repos = createRepos(db);
    expect(repos.runs.getInternal(asRunId(exitingRun))).toMatchObject({ state: 'EXITING', positionQty: 10, lastAction: 'X_ATTEMPT_2', legNo: 0 });
    expect(repos.runs.getInternal(asRunId(holdingRun))).toMatchObject({ state: 'IN_POSITION', positionQty: 10, entryPrice: 100, legNo: 0 });
    expect(repos.runs.getInternal(asRunId(soldRun))).toMatchObject({ state: 'SOLD', exitPrice: 101, legNo: 0 });
    // The pending exit reads as leg 0's latest attempt, under the id clientOrderId still derives for it.
    expect(repos.orders.findBySlotInternal(asRunId(exitingRun), 'exit')).toMatchObject({ attempt: 2, status: 'sent', legNo: 0, clientOrderId: cid(exiting, 'exit', 2) });
    expect(repos.orders.findBySlotInternal(asRunId(exitingRun), 'exit', 0)?.clientOrderId).toBe('tck3x9a1' + exiting.strategy.id.toString(36) + '2603092');

    // The journal key is now (run, leg, slot, attempt): leg 0's first exit is taken, leg 1's is not.
    const exit = (legNo: number, clientOrderId: string): NewOrder => ({
      runId: asRunId(holdingRun), strategyId: holding.strategy.id, userId: holding.user.id, brokerAccountId: holding.account.id,
      leg: 'SELL', side: 'sell', slot: 'exit', legNo, clientOrderId, symbol: 'RELIANCE', exchange: 'NSE', qty: 10, status: 'pending', scheduledAt: 9000,
    });
    expect(repos.orders.insert(exit(0, cid(holding, 'exit')), 9000).legNo).toBe(0);
    expect(() => repos.orders.insert(exit(0, 'tcsecond'), 9001)).toThrow(expect.objectContaining({ name: 'UniqueViolation', columns: ['run_id', 'leg_no', 'slot', 'attempt'] }));
    const leg1 = clientOrderId('k3x9a1', holding.strategy.id, '2026-03-09', 'exit', 1, 1);
    expect(repos.orders.insert(exit(1, leg1), 9002)).toMatchObject({ legNo: 1, attempt: 1, clientOrderId: leg1 });
    expect(repos.orders.findBySlotInternal(asRunId(holdingRun), 'exit', 1)?.clientOrderId).toBe(leg1);
  });

  it('0006 writes each v1 strategy as its spec (exactly specFromV1) and gives every unfinished run its plan; runs and orders intact', () => {
    const file = join(dir, 'spec.sqlite');
    const db = track(openDatabase(file, { migrate: false }));
    migrateTo(db, 6);
    const first = seedV1Strategy(db);
    const userId = first.user.id;
    // Edge values a v1 row may hold: the bounds of stop_loss, 8 decimals, a grace of 0 and of a fraction of a second, the largest qty.
    const seeded = [
      first,
      seedV1Strategy(db, { userId, strategy: { stopLoss: 1e-8, qty: 1_000_000, buyGraceMs: 0, repeat: 'once', timezone: 'America/New_York', exchange: 'NYSE', symbol: 'BRK.B' } }),
      seedV1Strategy(db, { userId, strategy: { stopLoss: 1e9, buyGraceMs: 3_600_000 } }),
      seedV1Strategy(db, { userId, strategy: { stopLoss: 123.45678901, buyTime: '00:00:00', sellTime: '23:59:59' } }),
      seedV1Strategy(db, { userId, strategy: { symbol: 'M&M', status: 'running' } }),
      seedV1Strategy(db, { userId, strategy: { stopLoss: 0.30000000000000004, buyGraceMs: 1_500, status: 'running' } }),
    ];
    const runSql = db.sqlite.prepare(
      `INSERT INTO runs (strategy_id, user_id, trading_date, state, buy_at, sell_at, position_qty, entry_price, exit_price, exit_leg, last_action, last_action_at, stop_requested, created_at, updated_at)
       VALUES (?, ?, '2026-03-09', ?, 1000, 9000, ?, ?, ?, ?, ?, 5000, 0, 1, 5000)`,
    );
    const journal = journalInto(db, userId, 'RELIANCE', 'NSE');
    const run = (s: Seeded, state: string, qty: number, exitPrice: number | null = null) =>
      Number(runSql.run(s.strategy.id, userId, state, qty, qty > 0 || exitPrice ? 100 : null, exitPrice, exitPrice ? 'SELL' : null, state).lastInsertRowid);
    const [armedS, buyingS, holdingS, exitingS, errorS, soldS] = seeded as [Seeded, Seeded, Seeded, Seeded, Seeded, Seeded];
    const armed = run(armedS, 'ARMED', 0);
    const buying = run(buyingS, 'BUYING', 0);
    journal(buyingS, buying, 'BUY', 1, 'pending', 0);
    const holding = run(holdingS, 'IN_POSITION', 1);
    journal(holdingS, holding, 'BUY', 1, 'filled', 1);
    const exiting = run(exitingS, 'EXITING', 1);
    journal(exitingS, exiting, 'BUY', 1, 'filled', 1);
    journal(exitingS, exiting, 'SELL', 1, 'rejected', 0);
    journal(exitingS, exiting, 'SELL', 2, 'sent', 0);
    const error = run(errorS, 'ERROR', 1);
    journal(errorS, error, 'BUY', 1, 'filled', 1);
    journal(errorS, error, 'SELL', 1, 'rejected', 0);
    const sold = run(soldS, 'SOLD', 0, 101);
    journal(soldS, sold, 'BUY', 1, 'filled', 1);
    journal(soldS, sold, 'SELL', 1, 'filled', 1);
    const rows = (table: string) => rowsOf(db, table);
    const strategiesBefore = rows('strategies');
    const runsBefore = rows('runs');
    const ordersBefore = rows('orders');

    migrateTo(db, 7);

    // Every strategy as it was, plus its spec: the JSON with the column keys is exactly specFromV1 of the v1 row.
    const after = rows('strategies');
    expect(after.map(({ spec: _s, spec_version: _v, ...rest }) => rest)).toEqual(strategiesBefore);
    after.forEach((row, i) => {
      expect(row.spec_version).toBe(SPEC_VERSION);
      const spec = { ...(JSON.parse(row.spec as string) as object), broker_account_id: row.broker_account_id, symbol: row.symbol, exchange: row.exchange };
      expect(spec).toEqual(seeded[i]!.strategy.spec);
      expect(spec).toEqual(specFromV1(row as unknown as V1StrategyRow));
    });
    // Unfinished runs (ERROR included) got their plan, exactly runPlanOf of that spec; a finished run did not. Nothing else moved.
    const plans = new Map([armed, buying, holding, exiting, error].map((id, i) => [id, runPlanOf(seeded[i]!.strategy.spec)]));
    expect(rows('runs').map((r) => ({ ...r, plan: r.plan === null ? null : JSON.parse(r.plan as string) }))).toEqual(runsBefore.map((r) => ({ ...r, plan: plans.get(r.id as number) ?? null })));
    expect(rows('orders')).toEqual(ordersBefore);
    expect(db.sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.sqlite.pragma('foreign_key_check')).toEqual([]);
    expect(readFileSync(join(MIGRATIONS_FOLDER, '0006_strategy_spec.sql'), 'utf8')).not.toMatch(/CREATE TABLE|DROP TABLE/);

    // The repositories read them: each spec that keeps today's rules parses (a fraction of a second's
    // grace, or 17 significant digits, never could be sent; such a row is refused, alone).
    migrateTo(db, migrationCount());
    const repos = createRepos(db);
    expect(repos.strategies.getInternal(armedS.strategy.id)!.spec).toEqual(armedS.strategy.spec);
    expect(repos.strategies.getInternal(buyingS.strategy.id)!.spec.stop_loss).toBe(1e-8);
    expect(repos.strategies.getInternal(errorS.strategy.id)!.spec.symbol).toBe('M&M');
    expect(() => repos.strategies.getInternal(soldS.strategy.id)).toThrow(/stop_loss must have at most 8 decimals/);
    expect(repos.strategies.unreadableInternal('running').map((e) => e.strategyId)).toEqual([soldS.strategy.id]);
    expect(repos.runs.getInternal(asRunId(holding))!.plan).toMatchObject({ stop_loss: 1e9, qty: 1 });
    expect(repos.runs.getInternal(asRunId(exiting))).toMatchObject({ state: 'EXITING', positionQty: 1, plan: { stop_loss: 123.45678901 } });
    expect(repos.orders.findBySlotInternal(asRunId(exiting), 'exit')).toMatchObject({ attempt: 2, status: 'sent' });
    expect(repos.runs.getInternal(asRunId(sold))!.plan).toBeNull();
  });

  it('0007 records which STOP is pending: every existing run reads as "close" (today\'s meaning of stop_requested), adding a column only', () => {
    const db = track(openDatabase(join(dir, 'keep.sqlite'), { migrate: false }));
    migrateTo(db, 6);
    const s = seedV1Strategy(db);
    migrateTo(db, 7);
    const runSql = db.sqlite.prepare(
      `INSERT INTO runs (strategy_id, user_id, trading_date, state, buy_at, sell_at, position_qty, stop_requested, created_at, updated_at)
       VALUES (?, ?, ?, ?, 1000, 9000, ?, ?, 1, 1)`,
    );
    const pending = Number(runSql.run(s.strategy.id, s.user.id, '2026-03-09', 'BUYING', 0, 1).lastInsertRowid);
    const none = Number(runSql.run(s.strategy.id, s.user.id, '2026-03-10', 'IN_POSITION', 5, 0).lastInsertRowid);
    const before = db.sqlite.prepare('SELECT * FROM runs ORDER BY id').all() as Record<string, unknown>[];

    migrateTo(db, 8);

    const after = db.sqlite.prepare('SELECT * FROM runs ORDER BY id').all() as Record<string, unknown>[];
    expect(after).toEqual(before.map((r) => ({ ...r, stop_keep: 0 })));
    migrateTo(db, migrationCount());
    const repos = createRepos(db);
    expect(repos.runs.getInternal(asRunId(pending))).toMatchObject({ stopRequested: true, stopKeep: false });
    expect(repos.runs.getInternal(asRunId(none))).toMatchObject({ stopRequested: false, stopKeep: false });
    repos.runs.update(asRunId(pending), { stopKeep: true }, 2);
    expect(repos.runs.getInternal(asRunId(pending))!.stopKeep).toBe(true);
    expect(readFileSync(join(MIGRATIONS_FOLDER, '0007_stop_keep.sql'), 'utf8')).not.toMatch(/CREATE TABLE|DROP TABLE|UPDATE/);
  });

  it('0009 adds the re-entry cut-off and square-off instants: null (none) for every existing run, adding columns only', () => {
    const db = track(openDatabase(join(dir, 'cutoffs.sqlite'), { migrate: false }));
    migrateTo(db, 6);
    const s = seedV1Strategy(db);
    migrateTo(db, 9);
    db.sqlite
      .prepare(`INSERT INTO runs (strategy_id, user_id, trading_date, state, buy_at, sell_at, position_qty, created_at, updated_at) VALUES (?, ?, '2026-03-09', 'IN_POSITION', 1000, 9000, 5, 1, 1)`)
      .run(s.strategy.id, s.user.id);
    const before = db.sqlite.prepare('SELECT * FROM runs ORDER BY id').all() as Record<string, unknown>[];

    migrateTo(db, 10);

    const after = db.sqlite.prepare('SELECT * FROM runs ORDER BY id').all() as Record<string, unknown>[];
    expect(after).toEqual(before.map((r) => ({ ...r, reentry_cutoff_at: null, square_off_at: null })));
    // Read by today's repositories once the later migrations' columns exist too.
    migrateTo(db, migrationCount());
    expect(createRepos(db).runs.listNonTerminalInternal().map((r) => [r.reentryCutoffAt, r.squareOffAt])).toEqual([[null, null]]);
    expect(readFileSync(join(MIGRATIONS_FOLDER, '0009_run_cutoffs.sql'), 'utf8')).not.toMatch(/CREATE TABLE|DROP TABLE|UPDATE/);
  });

  it('0017 gives every existing backstop an empty modify record (no move in the last minute), adding a column only', () => {
    const db = track(openDatabase(join(dir, 'modifies.sqlite'), { migrate: false }));
    migrateTo(db, 17);
    const s = seedStrategy(createRepos(db));
    // The run by SQL: today's runs repository reads runs.position_no, which 0018 adds.
    const runId = Number(
      db.sqlite
        .prepare(`INSERT INTO runs (strategy_id, user_id, trading_date, state, buy_at, sell_at, position_qty, created_at, updated_at) VALUES (?, ?, '2026-03-09', 'IN_POSITION', 1000, 9000, 10, 1, 1)`)
        .run(s.strategy.id, s.user.id).lastInsertRowid,
    );
    db.sqlite
      .prepare(
        `INSERT INTO backstops (run_id, strategy_id, user_id, broker_account_id, leg_no, version, client_order_id, broker_ref, symbol, exchange, side, qty, trigger_price, state, created_at, updated_at)
         VALUES (?, ?, ?, ?, 0, 3, 'tbk3x9a17do000160003', '112127', 'INFY', 'NSE', 'sell', 10, 98, 'resting', 1, 2)`,
      )
      .run(runId, s.strategy.id, s.user.id, s.account.id);
    const before = rowsOf(db, 'backstops');

    migrateTo(db, 18);

    expect(rowsOf(db, 'backstops')).toEqual(before.map((r) => ({ ...r, modifies_sent_at: '[]' })));
    migrateTo(db, migrationCount());
    expect(createRepos(db).backstops.findByLegInternal(asRunId(runId), 0)).toMatchObject({ version: 3, state: 'resting', modifiesSentAt: [] });
    expect(readFileSync(join(MIGRATIONS_FOLDER, '0017_backstop_modifies_sent_at.sql'), 'utf8')).not.toMatch(/CREATE TABLE|DROP TABLE|UPDATE/);
  });

  it('0018 numbers every existing run position 0, adding a column only, and lets a day hold one run per position', () => {
    const db = track(openDatabase(join(dir, 'positions.sqlite'), { migrate: false }));
    migrateTo(db, 6);
    const s = seedV1Strategy(db);
    migrateTo(db, 18);
    const insertRun = (position: number | null) =>
      db.sqlite
        .prepare(
          `INSERT INTO runs (strategy_id, user_id, trading_date, state, buy_at, sell_at, position_qty, ${position === null ? '' : 'position_no, '}created_at, updated_at) VALUES (?, ?, '2026-03-09', 'IN_POSITION', 1000, 9000, 5, ${position === null ? '' : `${position}, `}1, 1)`,
        )
        .run(s.strategy.id, s.user.id);
    insertRun(null);
    const before = rowsOf(db, 'runs');

    migrateTo(db, 19);

    expect(rowsOf(db, 'runs')).toEqual(before.map((r) => ({ ...r, position_no: 0 })));
    // The repository reads the runs table as the latest schema has it (0021 adds exit_all).
    migrateTo(db, migrationCount());
    expect(createRepos(db).runs.listNonTerminalInternal().map((r) => r.positionNo)).toEqual([0]);
    expect(() => insertRun(0)).toThrow(/UNIQUE/);
    insertRun(1);
    expect(createRepos(db).runs.groupInternal(s.strategy.id, '2026-03-09').map((r) => r.positionNo)).toEqual([0, 1]);
    expect(readFileSync(join(MIGRATIONS_FOLDER, '0018_runs_position_no.sql'), 'utf8')).not.toMatch(/CREATE TABLE|DROP TABLE|UPDATE/);
  });

  it('0008 keeps only the identity columns and the spec: every strategy, run and order survives the rebuild, ids are never given again', () => {
    const db = track(openDatabase(join(dir, 'spec-only.sqlite'), { migrate: false }));
    migrateTo(db, 6);
    const first = seedV1Strategy(db, { strategy: { status: 'running' } });
    const userId = first.user.id;
    const more = (symbol: string, stopLoss: number) => seedV1Strategy(db, { userId, strategy: { symbol, stopLoss, status: 'running', exchange: 'NYSE', timezone: 'America/New_York' } });
    const seeded = [first, more('AAPL', 95), more('MSFT', 300.5), more('TSLA', 150)];
    const gone = seeded.pop()!;
    db.sqlite.prepare('DELETE FROM strategies WHERE id = ?').run(gone.strategy.id);
    migrateTo(db, 8); // 0006 writes the specs, 0007; the state a 0007 install is in
    const [armedS, holdingS, soldS] = seeded as [Seeded, Seeded, Seeded];
    const runSql = db.sqlite.prepare(
      `INSERT INTO runs (strategy_id, user_id, trading_date, state, buy_at, sell_at, position_qty, entry_price, exit_price, exit_leg, last_action, last_action_at, stop_requested, plan, created_at, updated_at)
       VALUES (?, ?, '2026-03-09', ?, 1000, 9000, ?, ?, ?, ?, ?, 5000, 0, ?, 1, 5000)`,
    );
    const run = (s: Seeded, state: string, qty: number, exitPrice: number | null = null) =>
      Number(runSql.run(s.strategy.id, userId, state, qty, qty > 0 || exitPrice ? 100 : null, exitPrice, exitPrice ? 'SELL' : null, state, exitPrice ? null : JSON.stringify(runPlanOf(s.strategy.spec))).lastInsertRowid);
    const journal = journalInto(db, userId);
    const armed = run(armedS, 'ARMED', 0);
    const holding = run(holdingS, 'IN_POSITION', 1);
    journal(holdingS, holding, 'BUY', 1, 'filled', 1);
    journal(holdingS, holding, 'SELL', 1, 'rejected', 0);
    const sold = run(soldS, 'SOLD', 0, 101);
    journal(soldS, sold, 'BUY', 1, 'filled', 1);
    journal(soldS, sold, 'SELL', 1, 'filled', 1);
    const rows = (table: string) => rowsOf(db, table);
    const strategiesBefore = rows('strategies');
    const runsBefore = rows('runs');
    const ordersBefore = rows('orders');
    const keep = ['id', 'user_id', 'broker_account_id', 'symbol', 'exchange', 'spec', 'spec_version', 'status', 'created_at', 'updated_at'];

    migrateTo(db, 9);

    // Each strategy keeps its identity columns and its spec text byte for byte; the v1 columns are gone.
    expect(rows('strategies')).toEqual(strategiesBefore.map((r) => Object.fromEntries(keep.map((k) => [k, r[k]]))));
    expect(db.sqlite.prepare(`SELECT name FROM pragma_table_info('strategies')`).pluck().all()).toEqual(keep);
    expect(db.sqlite.prepare(`SELECT name, "notnull" FROM pragma_table_info('strategies') WHERE name LIKE 'spec%'`).all()).toEqual([
      { name: 'spec', notnull: 1 },
      { name: 'spec_version', notnull: 1 },
    ]);
    expect(db.sqlite.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'strategies' ORDER BY name`).pluck().all()).toEqual(['strategies_status', 'strategies_user']);
    // Runs and their journal are untouched: no cascade from the DROP, nothing dangling.
    expect(rows('runs')).toEqual(runsBefore);
    expect(rows('orders')).toEqual(ordersBefore);
    expect(db.sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.sqlite.pragma('foreign_key_check')).toEqual([]);
    expect(db.sqlite.pragma('foreign_keys', { simple: true })).toBe(1);

    // The repositories read them as before; a new strategy never takes the deleted one's id (its client order ids may still be at the broker).
    migrateTo(db, migrationCount());
    const repos = createRepos(db);
    for (const s of seeded) expect(repos.strategies.getInternal(s.strategy.id)).toEqual(s.strategy);
    expect(repos.runs.getInternal(asRunId(armed))).toMatchObject({ state: 'ARMED', plan: runPlanOf(armedS.strategy.spec) });
    expect(repos.runs.getInternal(asRunId(holding))).toMatchObject({ state: 'IN_POSITION', positionQty: 1, plan: { stop_loss: 95, symbol: 'AAPL' } });
    expect(repos.orders.findBySlotInternal(asRunId(sold), 'exit')).toMatchObject({ status: 'filled', filledQty: 1 });
    const next = seedStrategy(repos, { userId });
    expect(next.strategy.id).toBe(gone.strategy.id + 1);
    // Deleting a strategy still takes its runs and journal with it once foreign keys are back on.
    expect(repos.strategies.delete(asUserId(userId), soldS.strategy.id)).toBe(true);
    expect(repos.runs.getInternal(asRunId(sold))).toBeUndefined();
    expect(db.sqlite.prepare('SELECT count(*) FROM orders WHERE run_id = ?').pluck().get(sold)).toBe(0);
  });

  it('0008 refuses to upgrade a file holding a strategy without its spec, and leaves it as it was', () => {
    const db = track(openDatabase(join(dir, 'no-spec.sqlite'), { migrate: false }));
    migrateTo(db, 8);
    // A row no version since 0006 wrote: its v1 columns only.
    const { strategy, user } = seedV1Strategy(db, { strategy: { status: 'running' } });
    db.sqlite.prepare(`INSERT INTO runs (strategy_id, user_id, trading_date, state, buy_at, sell_at, position_qty, stop_requested, created_at, updated_at) VALUES (?, ?, '2026-03-09', 'IN_POSITION', 1, 2, 5, 0, 1, 1)`).run(strategy.id, user.id);
    const before = ['strategies', 'runs'].map((t) => db.sqlite.prepare(`SELECT * FROM ${t} ORDER BY id`).all());

    // drizzle names the statement (its comment says why) and gives SQLite's refusal as the cause.
    expect(() => migrateTo(db, 9)).toThrow(
      expect.objectContaining({ message: expect.stringMatching(/A row without its spec/), cause: expect.objectContaining({ message: 'NOT NULL constraint failed: __new_strategies.spec' }) }),
    );

    expect(appliedMigrationCount(db)).toBe(8);
    expect(['strategies', 'runs'].map((t) => db.sqlite.prepare(`SELECT * FROM ${t} ORDER BY id`).all())).toEqual(before);
    expect(tableNames(db)).not.toContain('__new_strategies');
    expect(db.sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
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
    const { strategy } = seedStrategy(createRepos(db), { spec: { symbol: 'infy' } });
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
