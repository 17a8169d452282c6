/**
 * Runs: one per strategy per trading day and position (unique index runs_strategy_date); a
 * strategy without `positions` has one run a day, position 0. A day's runs of one strategy are its group.
 */
import { and, desc, eq, gte, lt, lte, notInArray, or, sql, type SQL } from 'drizzle-orm';
import { asRunId, asStrategyId, asUserId, type RunId, type StrategyId, type UserId } from '../../engine/core/ids';
import { EXIT_ALL_REASONS, type ExitAllReason, type Leg, type Levels, type Run, type RunState } from '../../engine/core/types';
import type { z } from 'zod';
import { levelsSpec, runPlanSpec, type RunPlanSpec } from '../../engine/core/run-plan-spec';
import type { Orm } from '../client';
import { orders, runs, strategies } from '../schema';
import { translated } from './errors';
import { fillsOf, type OrderFill } from './orders';
import { pick } from './json';
import { byShape, ID, placeholders, rawTable } from './prepared';

/** States after which a run places no more orders (core/run-state.ts isTerminal). */
export const TERMINAL_RUN_STATES = ['SOLD', 'EXITED_BY_SL', 'EXITED_BY_TARGET', 'MISSED_BUY', 'SKIPPED', 'STOPPED'] as const satisfies readonly RunState[];

/** The fields that change as a run progresses. */
export type RunPatch = Partial<
  Pick<
    Run,
    | 'state'
    | 'buyAt'
    | 'sellAt'
    | 'positionQty'
    | 'unsoldQty'
    | 'entryPrice'
    | 'exitPrice'
    | 'exitLeg'
    | 'lastAction'
    | 'lastActionAt'
    | 'reason'
    | 'stopRequested'
    | 'stopKeep'
    | 'exitAll'
    | 'legNo'
    | 'plan'
    | 'levels'
    | 'reentryAt'
    | 'reentryCutoffAt'
    | 'squareOffAt'
  >
>;

const PATCHABLE = [
  'state',
  'buyAt',
  'sellAt',
  'positionQty',
  'unsoldQty',
  'entryPrice',
  'exitPrice',
  'exitLeg',
  'lastAction',
  'lastActionAt',
  'reason',
  'stopRequested',
  'stopKeep',
  'exitAll',
  'legNo',
  'plan',
  'levels',
  'reentryAt',
  'reentryCutoffAt',
  'squareOffAt',
] as const satisfies readonly (keyof RunPatch)[];

/** A new run: identity and schedule required; the rest defaults to no position, nulls, false, leg 0, position 0. */
export type NewRun = Pick<Run, 'strategyId' | 'userId' | 'tradingDate' | 'state' | 'buyAt' | 'sellAt'> & Partial<Pick<Run, 'positionNo'>> & RunPatch;

/** Which runs GET /runs lists: all of the user's, narrowed by strategy and trading dates (inclusive). */
export interface RunHistoryQuery {
  readonly strategyId?: StrategyId;
  /** "YYYY-MM-DD", inclusive. */
  readonly from?: string;
  /** "YYYY-MM-DD", inclusive. */
  readonly to?: string;
  /**
   * Only runs after this one in the listing's order (trading date descending, then its day's groups newest first, each by position).
   * A run deleted since (with its strategy) counts as a group of its own id: the page starts with the groups made before it.
   */
  readonly before?: { readonly tradingDate: string; readonly id: RunId };
  /** Only runs with an exit fill (what P&L totals need). */
  readonly exitedOnly?: boolean;
  /** At most this many; all when left out. */
  readonly limit?: number;
}

/**
 * A run with what its journal says was traded: the instrument and account come from the entry
 * order (invariant 8: a strategy can be edited later), else from the strategy (a run that never
 * bought); boughtQty is what its entries filled, over every leg, null without an entry order;
 * fills are its filled orders when it re-entered (legNo above 0; none otherwise), for the P&L of
 * each leg (execution/realized-pnl.ts legFills).
 */
export interface RunHistoryRow {
  readonly run: Run;
  readonly symbol: string;
  readonly exchange: string;
  readonly brokerAccountId: number;
  readonly boughtQty: number | null;
  readonly fills: readonly OrderFill[];
}

export interface RunsRepo {
  /**
   * @throws UniqueViolation (table 'runs', columns ['strategy_id', 'trading_date', 'position_no']) for a second run of the position that day.
   * @throws Error when the plan's `position_no` is not the run's position (an engine bug).
   */
  create(input: NewRun, now: number): Run;
  get(userId: UserId, id: RunId): Run | undefined;
  /** Engine-internal: no user filter. */
  getInternal(id: RunId): Run | undefined;
  /** Engine-internal: the strategy's run of position `positionNo` (0 unless it has `positions`) on `tradingDate` ("YYYY-MM-DD"). */
  findInternal(strategyId: StrategyId, tradingDate: string, positionNo?: number): Run | undefined;
  /** Engine-internal: the strategy's runs on `tradingDate`, one per position, by position. */
  groupInternal(strategyId: StrategyId, tradingDate: string): Run[];
  /** Engine-internal: the strategy's run with the latest trading date (of that day's group, the lowest position). */
  latestInternal(strategyId: StrategyId): Run | undefined;
  /** Engine-internal: every run of the strategy's latest trading date, by position; empty when it has none. */
  latestGroupInternal(strategyId: StrategyId): Run[];
  /** The user's runs of one strategy's latest trading date, by position (one for a strategy without positions); empty when it has none. */
  latestGroup(userId: UserId, strategyId: StrategyId): Run[];
  /** The user's runs of one strategy, latest trading date first, at most `limit`. */
  listForStrategy(userId: UserId, strategyId: StrategyId, limit: number): Run[];
  /** The user's runs, latest trading date first (then the day's latest group, each by position), with their entry's fills. */
  history(userId: UserId, query: RunHistoryQuery): RunHistoryRow[];
  /**
   * Engine-internal: applies `patch` and returns the new row.
   * @throws Error when there is no such run (an engine bug, not user input).
   */
  update(id: RunId, patch: RunPatch, now: number): Run;
  /**
   * Engine-internal: the levels of leg `legNo`'s open position, moved at the tick (the levels
   * writer). Written only while the run holds that leg's position (IN_POSITION): once it has left
   * it, the move wrote the levels as they then stood. Returns whether the row was written.
   */
  moveLevelsInternal(id: RunId, legNo: number, levels: Levels, now: number): boolean;
  /** Engine-internal: every user's runs not in a terminal state (ERROR included), for recovery. */
  listNonTerminalInternal(): Run[];
}

type Row = typeof runs.$inferSelect;

/** Parsed plans by their text (readPlan). */
const plans = new Map<string, RunPlanSpec>();
const PLANS_KEPT = 10_000;

/**
 * One of the run's JSON columns as stored, read by the rules it was written by.
 * @throws Error naming the run and the key when the text does not read: the run is refused, never given defaults.
 */
function readColumn<T>(runId: number, text: string, column: 'plan' | 'levels', schema: z.ZodType<T>): T {
  const its = `run ${runId}: its ${column} (runs.${column})`;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`${its} ${column === 'plan' ? 'is' : 'are'} not JSON`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new Error(`${its} cannot be read: ${parsed.error.issues.map((i) => `${i.path.join('.') || column}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

/** A run's plan, parsed once per text: it is read on every step of its order path and never changes once written. */
function readPlan(runId: number, text: string): RunPlanSpec {
  const known = plans.get(text);
  if (known) return known;
  const plan = readColumn(runId, text, 'plan', runPlanSpec);
  if (plans.size >= PLANS_KEPT) plans.clear();
  plans.set(text, plan);
  return plan;
}

const jsonOrNull = (v: object | null | undefined) => (v === undefined ? undefined : v === null ? null : JSON.stringify(v));

/** The columns of a patch: the plan and the levels as JSON text. */
function columnsOf(patch: RunPatch) {
  const { plan, levels, ...rest } = pick(patch, PATCHABLE);
  return { ...rest, plan: jsonOrNull(plan), levels: jsonOrNull(levels) };
}

function rowToRun(row: Row, warn: RepoWarn, warned: Set<string>): Run {
  return {
    id: asRunId(row.id),
    strategyId: asStrategyId(row.strategyId),
    userId: asUserId(row.userId),
    tradingDate: row.tradingDate,
    // Text columns written only from the typed inputs above.
    state: row.state as RunState,
    buyAt: row.buyAt,
    sellAt: row.sellAt,
    positionQty: row.positionQty,
    unsoldQty: row.unsoldQty,
    entryPrice: row.entryPrice,
    exitPrice: row.exitPrice,
    exitLeg: row.exitLeg as Leg | null,
    lastAction: row.lastAction,
    lastActionAt: row.lastActionAt,
    reason: row.reason,
    stopRequested: row.stopRequested,
    stopKeep: row.stopKeep,
    exitAll: readExitAll(row.id, row.exitAll, warn, warned),
    legNo: row.legNo,
    positionNo: row.positionNo,
    plan: row.plan === null ? null : readPlan(row.id, row.plan),
    // Not cached: written on every move of a trail.
    levels: row.levels === null ? null : readColumn(row.id, row.levels, 'levels', levelsSpec),
    reentryAt: row.reentryAt,
    reentryCutoffAt: row.reentryCutoffAt,
    squareOffAt: row.squareOffAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** Where a repository says that a row read is not as written (the daemon's logger; process warnings without one). */
export type RepoWarn = (obj: Record<string, unknown>, msg: string) => void;

/**
 * runs.exit_all as written (a reason of EXIT_ALL_REASONS); an unknown text is still a flag, read
 * as the group's unwind (every position exits), and said once with the run's id and the text.
 * `warned`: the runs and texts said already, the repository's own (a group is read on every tick
 * of its positions, the warning once per run and text).
 */
function readExitAll(runId: number, text: string | null, warn: RepoWarn, warned: Set<string>): ExitAllReason | null {
  if (text === null) return null;
  if ((EXIT_ALL_REASONS as readonly string[]).includes(text)) return text as ExitAllReason;
  const key = `${runId}|${text}`;
  if (!warned.has(key)) {
    warned.add(key);
    warn({ runId, exitAll: text }, `run ${runId}: its exit-all flag (runs.exit_all) "${text}" is not one Tradeclock writes; read as unwind, every position of its group exits`);
  }
  return 'unwind';
}

const processWarning: RepoWarn = (_obj, msg) => process.emitWarning(msg);

const newest = [desc(runs.tradingDate), desc(runs.id)];

/**
 * A run's day's group as one key: the lowest run id of its strategy's runs that day (a group's runs
 * are made in one transaction; a strategy without positions has one run a day, its own id). The
 * history lists a day's groups newest first and each group's runs by position, so position 1 comes
 * before 2, and a strategy without positions keeps the order by id it always had.
 */
const groupKey = sql`(SELECT min(g.id) FROM runs g WHERE g.strategy_id = ${runs.strategyId} AND g.trading_date = ${runs.tradingDate})`;

/**
 * The rows after the cursor's run in the history's order (date, group newest first, position):
 * the cursor stays "date:run id" and its run's group and position are read from the table. A
 * cursor run gone since (its strategy deleted, with every run of it) counts as a group of its own
 * id: the next page starts with the groups made before it, skipping none.
 */
function afterInHistory(before: { readonly tradingDate: string; readonly id: RunId }): SQL {
  const key = sql`coalesce((SELECT min(g.id) FROM runs g JOIN runs c ON c.strategy_id = g.strategy_id AND c.trading_date = g.trading_date WHERE c.id = ${before.id}), ${before.id})`;
  const position = sql`coalesce((SELECT c.position_no FROM runs c WHERE c.id = ${before.id}), -1)`;
  return or(
    lt(runs.tradingDate, before.tradingDate),
    and(eq(runs.tradingDate, before.tradingDate), or(sql`${groupKey} < ${key}`, and(sql`${groupKey} = ${key}`, sql`${runs.positionNo} > ${position}`))),
  )!;
}

export function createRunsRepo(orm: Orm, warn: RepoWarn = processWarning): RunsRepo {
  /** The unknown exit_all texts said already, by run: this repository's, never the module's. */
  const warned = new Set<string>();
  const toRun = (row: Row) => rowToRun(row, warn, warned);
  const one = (where: SQL | undefined) => {
    const row = orm.select().from(runs).where(where).get();
    return row && toRun(row);
  };
  // The engine's hot paths, prepared once (prepared.ts); the order path's on better-sqlite3 itself (rawTable).
  const t = rawTable(orm.$client, runs);
  const byId = t.prepare(`SELECT ${t.columns} FROM ${t.name} WHERE "id" = ?`);
  const byStrategyDate = t.prepare(`SELECT ${t.columns} FROM ${t.name} WHERE ${t.column('strategyId')} = ? AND ${t.column('tradingDate')} = ? AND ${t.column('positionNo')} = ?`);
  const latest = t.prepare(`SELECT ${t.columns} FROM ${t.name} WHERE ${t.column('strategyId')} = ? ORDER BY ${t.column('tradingDate')} DESC, ${t.column('positionNo')}, "id" DESC LIMIT 1`);
  const moveLevels = t.prepare(`UPDATE ${t.name} SET ${t.column('levels')} = ?, ${t.column('updatedAt')} = ? WHERE "id" = ? AND ${t.column('legNo')} = ? AND ${t.column('state')} = 'IN_POSITION'`);
  const group = (strategyId: StrategyId, tradingDate: string) =>
    orm.select().from(runs).where(and(eq(runs.strategyId, strategyId), eq(runs.tradingDate, tradingDate))).orderBy(runs.positionNo).all().map(toRun);
  const insert = byShape((keys) => orm.insert(runs).values(placeholders(keys) as never).returning().prepare());
  return {
    create(input, now) {
      // The position is in the row (keys, levels, the group) and in the plan (the client ids): one number, never two.
      const planned = input.plan?.position_no;
      if (planned !== undefined && planned !== (input.positionNo ?? 0)) throw new Error(`a run of position ${input.positionNo ?? 0} cannot take the plan of position ${planned}`);
      const values = {
        ...columnsOf(input),
        strategyId: input.strategyId,
        userId: input.userId,
        tradingDate: input.tradingDate,
        positionNo: input.positionNo ?? 0,
        state: input.state,
        buyAt: input.buyAt,
        sellAt: input.sellAt,
        createdAt: now,
        updatedAt: now,
      };
      const row = translated(() => insert(values).get(values));
      return toRun(row);
    },
    get: (userId, id) => one(and(eq(runs.id, id), eq(runs.userId, userId))),
    getInternal(id) {
      const row = t.row(byId.get(id));
      return row && toRun(row);
    },
    findInternal(strategyId, tradingDate, positionNo = 0) {
      const row = t.row(byStrategyDate.get(strategyId, tradingDate, positionNo));
      return row && toRun(row);
    },
    groupInternal: (strategyId, tradingDate) => group(strategyId, tradingDate),
    latestInternal(strategyId) {
      const row = t.row(latest.get(strategyId));
      return row && toRun(row);
    },
    latestGroupInternal(strategyId) {
      const first = t.row(latest.get(strategyId));
      return first ? group(strategyId, first.tradingDate) : [];
    },
    latestGroup(userId, strategyId) {
      const mine = and(eq(runs.userId, userId), eq(runs.strategyId, strategyId));
      const day = orm.select({ tradingDate: runs.tradingDate }).from(runs).where(mine).orderBy(desc(runs.tradingDate)).limit(1).get();
      return day ? orm.select().from(runs).where(and(mine, eq(runs.tradingDate, day.tradingDate))).orderBy(runs.positionNo).all().map(toRun) : [];
    },
    listForStrategy(userId, strategyId, limit) {
      return orm
        .select()
        .from(runs)
        .where(and(eq(runs.userId, userId), eq(runs.strategyId, strategyId)))
        .orderBy(...newest)
        .limit(Math.max(0, Math.floor(limit)))
        .all()
        .map(toRun);
    },
    history(userId, q) {
      const entryOf = (column: SQL) => sql`(SELECT ${column} FROM ${orders} WHERE ${orders.runId} = ${runs.id} AND ${orders.slot} = 'entry' ORDER BY ${orders.legNo}, ${orders.attempt} LIMIT 1)`;
      const where = and(
        eq(runs.userId, userId),
        q.strategyId === undefined ? undefined : eq(runs.strategyId, q.strategyId),
        q.from === undefined ? undefined : gte(runs.tradingDate, q.from),
        q.to === undefined ? undefined : lte(runs.tradingDate, q.to),
        q.exitedOnly ? sql`${runs.exitPrice} IS NOT NULL` : undefined,
        q.before === undefined ? undefined : afterInHistory(q.before),
      );
      const query = orm
        .select({
          run: runs,
          symbol: sql<string>`coalesce(${entryOf(sql`${orders.symbol}`)}, ${strategies.symbol})`,
          exchange: sql<string>`coalesce(${entryOf(sql`${orders.exchange}`)}, ${strategies.exchange})`,
          brokerAccountId: sql<number>`coalesce(${entryOf(sql`${orders.brokerAccountId}`)}, ${strategies.brokerAccountId})`,
          boughtQty: sql<number | null>`(SELECT sum(${orders.filledQty}) FROM ${orders} WHERE ${orders.runId} = ${runs.id} AND ${orders.slot} = 'entry')`,
        })
        .from(runs)
        .innerJoin(strategies, eq(strategies.id, runs.strategyId))
        .where(where)
        .orderBy(desc(runs.tradingDate), desc(groupKey), runs.positionNo);
      const rows = (q.limit === undefined ? query.all() : query.limit(Math.max(0, Math.floor(q.limit))).all()).map((r) => ({ ...r, run: toRun(r.run) }));
      // Only a run that re-entered needs its fills leg by leg; the one-leg run (nearly all) reads its row.
      const fills = fillsOf(orm, rows.filter((r) => r.run.legNo > 0).map((r) => r.run.id));
      return rows.map((r) => ({ ...r, fills: fills.filter((f) => f.runId === r.run.id) }));
    },
    update(id, patch, now) {
      const set = { ...columnsOf(patch), updatedAt: now };
      const row = t.row(translated(() => t.updateById(set).get({ ...t.bind(set), [ID]: id })));
      if (!row) throw new Error(`run ${id} not found`);
      return toRun(row);
    },
    moveLevelsInternal(id, legNo, levels, now) {
      return moveLevels.run(JSON.stringify(levels), now, id, legNo).changes > 0;
    },
    listNonTerminalInternal() {
      return orm.select().from(runs).where(notInArray(runs.state, [...TERMINAL_RUN_STATES])).orderBy(runs.id).all().map(toRun);
    },
  };
}
