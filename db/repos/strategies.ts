/** Strategies. A strategy may only point at a broker account of its own user. */
import { and, asc, eq, sql } from 'drizzle-orm';
import { asBrokerAccountId, asStrategyId, asUserId, type BrokerAccountId, type StrategyId, type UserId } from '../../engine/core/ids';
import type { Exchange, Repeat, Strategy, StrategyStatus } from '../../engine/core/types';
import type { Orm } from '../client';
import { brokerAccounts, strategies } from '../schema';
import { ForeignKeyViolation, translated } from './errors';
import { pick } from './json';
import { placeholders, rawTable } from './prepared';

export type NewStrategy = Omit<Strategy, 'id' | 'createdAt' | 'updatedAt'>;

/** What an edit may change; id, userId and createdAt never move. */
export type StrategyPatch = Partial<Omit<NewStrategy, 'userId'>>;

const PATCHABLE = [
  'brokerAccountId',
  'symbol',
  'exchange',
  'qty',
  'buyTime',
  'sellTime',
  'stopLoss',
  'timezone',
  'repeat',
  'buyGraceMs',
  'status',
] as const satisfies readonly (keyof StrategyPatch)[];

export interface StrategiesRepo {
  /** @throws ForeignKeyViolation (field 'brokerAccountId') when the account is not the user's. */
  create(input: NewStrategy, now: number): Strategy;
  get(userId: UserId, id: StrategyId): Strategy | undefined;
  /** Engine-internal (recovery, execution): no user filter. */
  getInternal(id: StrategyId): Strategy | undefined;
  /** The user's strategies, oldest first. */
  list(userId: UserId): Strategy[];
  /** Engine-internal: every user's strategies in `status` (recovery re-arms 'running'). */
  listByStatusInternal(status: StrategyStatus): Strategy[];
  /**
   * Applies `patch` to the user's strategy; undefined when it is not theirs.
   * @throws ForeignKeyViolation (field 'brokerAccountId') when moving to an account not the user's.
   */
  update(userId: UserId, id: StrategyId, patch: StrategyPatch, now: number): Strategy | undefined;
  /** Engine-internal status change; undefined for no such strategy. */
  setStatusInternal(id: StrategyId, status: StrategyStatus, now: number): Strategy | undefined;
  /**
   * Deletes the user's strategy with its runs and their orders (ON DELETE CASCADE); false when
   * it is not theirs. The caller refuses while it is running or has an order in flight.
   */
  delete(userId: UserId, id: StrategyId): boolean;
}

type Row = typeof strategies.$inferSelect;

function toStrategy(row: Row): Strategy {
  return {
    id: asStrategyId(row.id),
    userId: asUserId(row.userId),
    brokerAccountId: asBrokerAccountId(row.brokerAccountId),
    symbol: row.symbol,
    // Text columns written only from the typed inputs above.
    exchange: row.exchange as Exchange,
    qty: row.qty,
    buyTime: row.buyTime,
    sellTime: row.sellTime,
    stopLoss: row.stopLoss,
    timezone: row.timezone,
    repeat: row.repeat as Repeat,
    buyGraceMs: row.buyGraceMs,
    status: row.status as StrategyStatus,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export function createStrategiesRepo(orm: Orm): StrategiesRepo {
  const mine = (userId: UserId, id: StrategyId) => and(eq(strategies.id, id), eq(strategies.userId, userId));

  // Hot paths (every order, every start), prepared once (prepared.ts).
  const ownedAccount = orm
    .select({ id: brokerAccounts.id })
    .from(brokerAccounts)
    .where(and(eq(brokerAccounts.id, sql.placeholder('accountId')), eq(brokerAccounts.userId, sql.placeholder('userId'))))
    .prepare();
  // Read for every order: on better-sqlite3 itself (rawTable).
  const t = rawTable(orm.$client, strategies);
  const byId = t.prepare(`SELECT ${t.columns} FROM ${t.name} WHERE "id" = ?`);
  const byUserAndId = orm
    .select()
    .from(strategies)
    .where(and(eq(strategies.id, sql.placeholder('id')), eq(strategies.userId, sql.placeholder('userId'))))
    .prepare();
  const columns = ['userId', 'brokerAccountId', 'symbol', 'exchange', 'qty', 'buyTime', 'sellTime', 'stopLoss', 'timezone', 'repeat', 'buyGraceMs', 'status', 'createdAt', 'updatedAt'];
  const insert = orm.insert(strategies).values(placeholders(columns) as never).returning().prepare();
  const setStatus = orm
    .update(strategies)
    .set(placeholders(['status', 'updatedAt']))
    .where(eq(strategies.id, sql.placeholder('id')))
    .returning()
    .prepare();

  function assertAccountOwned(userId: UserId, accountId: BrokerAccountId): void {
    const owned = ownedAccount.get({ accountId, userId });
    if (!owned) throw new ForeignKeyViolation(`broker account ${accountId} not found`, 'brokerAccountId');
  }

  return {
    create(input, now) {
      assertAccountOwned(input.userId, input.brokerAccountId);
      const row = translated(() =>
        insert.get({
          userId: input.userId,
          brokerAccountId: input.brokerAccountId,
          symbol: input.symbol,
          exchange: input.exchange,
          qty: input.qty,
          buyTime: input.buyTime,
          sellTime: input.sellTime,
          stopLoss: input.stopLoss,
          timezone: input.timezone,
          repeat: input.repeat,
          buyGraceMs: input.buyGraceMs,
          status: input.status,
          createdAt: now,
          updatedAt: now,
        }),
      );
      return toStrategy(row);
    },
    get(userId, id) {
      const row = byUserAndId.get({ id, userId });
      return row && toStrategy(row);
    },
    getInternal(id) {
      const row = t.row(byId.get(id));
      return row && toStrategy(row);
    },
    list(userId) {
      return orm.select().from(strategies).where(eq(strategies.userId, userId)).orderBy(asc(strategies.id)).all().map(toStrategy);
    },
    listByStatusInternal(status) {
      return orm.select().from(strategies).where(eq(strategies.status, status)).orderBy(asc(strategies.id)).all().map(toStrategy);
    },
    update(userId, id, patch, now) {
      if (patch.brokerAccountId !== undefined) assertAccountOwned(userId, patch.brokerAccountId);
      const row = translated(() =>
        orm
          .update(strategies)
          .set({ ...pick(patch, PATCHABLE), updatedAt: now })
          .where(mine(userId, id))
          .returning()
          .get(),
      );
      return row && toStrategy(row);
    },
    setStatusInternal(id, status, now) {
      const row = setStatus.get({ id, status, updatedAt: now });
      return row && toStrategy(row);
    },
    delete(userId, id) {
      return orm.delete(strategies).where(mine(userId, id)).run().changes > 0;
    },
  };
}
