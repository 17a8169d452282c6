/** Strategies. A strategy may only point at a broker account of its own user. */
import { and, asc, eq, sql, type SQL } from 'drizzle-orm';
import { asBrokerAccountId, asStrategyId, asUserId, type BrokerAccountId, type StrategyId, type UserId } from '../../engine/core/ids';
import type { Exchange, Strategy, StrategyIdentity, StrategyStatus } from '../../engine/core/types';
import { SPEC_VERSION, storedStrategySpec, type StoredStrategySpec } from '../../engine/core/strategy-spec';
import type { Orm } from '../client';
import { brokerAccounts, strategies } from '../schema';
import { ForeignKeyViolation, translated } from './errors';
import { placeholders, rawTable } from './prepared';

/** A new strategy: its spec as kept, whose identity keys the repository writes as columns in the same statement. */
export interface NewStrategy {
  readonly userId: UserId;
  readonly status: StrategyStatus;
  readonly spec: StoredStrategySpec;
}

/** What an edit may change: the whole spec (the service merges and checks it), the status. id, userId and createdAt never move. */
export interface StrategyPatch {
  readonly spec?: StoredStrategySpec;
  readonly status?: StrategyStatus;
}

/**
 * A strategy row whose stored spec does not parse. Raised for that strategy alone: it is never
 * read with defaults, and a list leaves it out (recovery names it, and its unfinished run keeps
 * trading by the run's own plan).
 */
export class UnreadableStrategy extends Error {
  constructor(
    readonly strategyId: StrategyId,
    readonly reason: string,
  ) {
    super(`strategy ${strategyId}: its stored spec cannot be read (${reason}); it is not traded until it is repaired`);
    this.name = 'UnreadableStrategy';
  }
}

/** A strategy whose stored spec does not parse, as its identity columns have it, with why. */
export interface DamagedStrategy extends StrategyIdentity {
  readonly reason: string;
}

export interface StrategiesRepo {
  /** @throws ForeignKeyViolation (field 'brokerAccountId') when the account is not the user's. */
  create(input: NewStrategy, now: number): Strategy;
  get(userId: UserId, id: StrategyId): Strategy | undefined;
  /**
   * Engine-internal (recovery, execution): no user filter.
   * @throws UnreadableStrategy when its stored spec does not parse (so does `get`).
   */
  getInternal(id: StrategyId): Strategy | undefined;
  /** Engine-internal: the columns that say whose strategy it is and where it trades, read without its spec. */
  identityInternal(id: StrategyId): StrategyIdentity | undefined;
  /** The user's strategy read without its spec (a damaged one too); undefined when it is not theirs. */
  identity(userId: UserId, id: StrategyId): StrategyIdentity | undefined;
  /** The user's strategies whose stored spec does not parse, oldest first, each with why: what `list` leaves out. */
  damaged(userId: UserId): DamagedStrategy[];
  /** The user's strategies, oldest first; one whose spec does not parse is left out. */
  list(userId: UserId): Strategy[];
  /** Engine-internal: every user's strategies in `status` (recovery re-arms 'running'); one whose spec does not parse is left out. */
  listByStatusInternal(status: StrategyStatus): Strategy[];
  /** Engine-internal: the strategies in `status` whose stored spec does not parse, each with why. */
  unreadableInternal(status: StrategyStatus): UnreadableStrategy[];
  /**
   * Applies `patch` to the user's strategy; undefined when it is not theirs.
   * @throws ForeignKeyViolation (field 'brokerAccountId') when moving to an account not the user's.
   */
  update(userId: UserId, id: StrategyId, patch: StrategyPatch, now: number): Strategy | undefined;
  /** Engine-internal status change; undefined for no such strategy. */
  setStatusInternal(id: StrategyId, status: StrategyStatus, now: number): Strategy | undefined;
  /** The same change returning the identity only, so a strategy whose spec does not parse can still be stopped. */
  setStatusIdentityInternal(id: StrategyId, status: StrategyStatus, now: number): StrategyIdentity | undefined;
  /**
   * Deletes the user's strategy with its runs and their orders (ON DELETE CASCADE); false when
   * it is not theirs. The caller refuses while it is running or has an order in flight.
   */
  delete(userId: UserId, id: StrategyId): boolean;
}

type Row = typeof strategies.$inferSelect;

/** The keys of a spec kept as columns, so they cannot drift: the JSON leaves them out. */
type ColumnKey = 'broker_account_id' | 'symbol' | 'exchange';

/** The columns a spec is kept in: its identity keys as columns, the rest as JSON, so they cannot drift. */
function specColumns(spec: StoredStrategySpec) {
  const { broker_account_id, symbol, exchange, ...rest } = spec;
  return {
    brokerAccountId: broker_account_id,
    symbol,
    exchange,
    spec: JSON.stringify(rest satisfies Omit<StoredStrategySpec, ColumnKey>),
    specVersion: SPEC_VERSION,
  };
}

/**
 * Parsed specs by strategy. An entry holds while the row holds the very text and column keys it
 * was parsed from: updated_at alone would miss two writes in the same millisecond.
 */
const SPECS_KEPT = 10_000;

interface ParsedSpec {
  readonly text: string;
  readonly version: number;
  readonly columns: string;
  readonly spec: StoredStrategySpec;
}

function specReader() {
  const parsed = new Map<number, ParsedSpec>();
  return (row: Row): StoredStrategySpec => {
    const known = parsed.get(row.id);
    const columns = `${row.brokerAccountId}\u0000${row.symbol}\u0000${row.exchange}`;
    if (known && known.text === row.spec && known.version === row.specVersion && known.columns === columns) return known.spec;
    const id = asStrategyId(row.id);
    if (row.specVersion !== SPEC_VERSION) throw new UnreadableStrategy(id, `spec_version ${row.specVersion} is not ${SPEC_VERSION}`);
    let stored: unknown;
    try {
      stored = JSON.parse(row.spec);
    } catch {
      throw new UnreadableStrategy(id, 'spec is not JSON');
    }
    if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) throw new UnreadableStrategy(id, 'spec is not a JSON object');
    const result = storedStrategySpec.safeParse({ ...stored, broker_account_id: row.brokerAccountId, symbol: row.symbol, exchange: row.exchange });
    if (!result.success) throw new UnreadableStrategy(id, result.error.issues.map((i) => i.message).join('; '));
    if (parsed.size >= SPECS_KEPT) parsed.clear();
    parsed.set(row.id, { text: row.spec, version: row.specVersion, columns, spec: result.data });
    return result.data;
  };
}

/** `make()`'s value, made on the first call. */
function once<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}

function toIdentity(row: Row): StrategyIdentity {
  return {
    id: asStrategyId(row.id),
    userId: asUserId(row.userId),
    brokerAccountId: asBrokerAccountId(row.brokerAccountId),
    symbol: row.symbol,
    // Text columns written only from the typed inputs above.
    exchange: row.exchange as Exchange,
    status: row.status as StrategyStatus,
  };
}

export function createStrategiesRepo(orm: Orm): StrategiesRepo {
  const specOf = specReader();
  const toStrategy = (row: Row): Strategy => ({
    ...toIdentity(row),
    spec: specOf(row),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  });
  /** Why the row's spec does not read; null when it does. */
  const unreadableOf = (row: Row): UnreadableStrategy | null => {
    try {
      specOf(row);
      return null;
    } catch (err) {
      if (err instanceof UnreadableStrategy) return err;
      throw err;
    }
  };
  /** The rows that read, leaving out (for that strategy alone) one whose spec does not. */
  const readable = (rows: Row[]): Strategy[] =>
    rows.flatMap((row) => {
      try {
        return [toStrategy(row)];
      } catch (err) {
        if (err instanceof UnreadableStrategy) return [];
        throw err;
      }
    });
  const mine = (userId: UserId, id: StrategyId) => and(eq(strategies.id, id), eq(strategies.userId, userId));
  /** Every row matching `where`, by id. */
  const rowsWhere = (where: SQL | undefined) => orm.select().from(strategies).where(where).orderBy(asc(strategies.id)).all();

  // Hot paths (every order, every start), prepared once (prepared.ts).
  const ownedAccount = orm
    .select({ id: brokerAccounts.id })
    .from(brokerAccounts)
    .where(and(eq(brokerAccounts.id, sql.placeholder('accountId')), eq(brokerAccounts.userId, sql.placeholder('userId'))))
    .prepare();
  // Read for every order: on better-sqlite3 itself (rawTable).
  const t = rawTable(orm.$client, strategies);
  const byId = t.prepare(`SELECT ${t.columns} FROM ${t.name} WHERE "id" = ?`);
  // Prepared on first use (prepared.ts lazyStatement): a migration test makes the repositories on a database older than `spec`.
  const byUserAndId = once(() =>
    orm
      .select()
      .from(strategies)
      .where(and(eq(strategies.id, sql.placeholder('id')), eq(strategies.userId, sql.placeholder('userId'))))
      .prepare(),
  );
  const columns = ['userId', 'brokerAccountId', 'symbol', 'exchange', 'spec', 'specVersion', 'status', 'createdAt', 'updatedAt'];
  const insert = once(() => orm.insert(strategies).values(placeholders(columns) as never).returning().prepare());
  const setStatus = once(() =>
    orm
      .update(strategies)
      .set(placeholders(['status', 'updatedAt']))
      .where(eq(strategies.id, sql.placeholder('id')))
      .returning()
      .prepare(),
  );

  function assertAccountOwned(userId: UserId, accountId: BrokerAccountId): void {
    const owned = ownedAccount.get({ accountId, userId });
    if (!owned) throw new ForeignKeyViolation(`broker account ${accountId} not found`, 'brokerAccountId');
  }

  return {
    create(input, now) {
      assertAccountOwned(input.userId, asBrokerAccountId(input.spec.broker_account_id));
      const row = translated(() => insert().get({ userId: input.userId, ...specColumns(input.spec), status: input.status, createdAt: now, updatedAt: now }));
      return toStrategy(row);
    },
    get(userId, id) {
      const row = byUserAndId().get({ id, userId });
      return row && toStrategy(row);
    },
    getInternal(id) {
      const row = t.row(byId.get(id));
      return row && toStrategy(row);
    },
    identityInternal(id) {
      const row = t.row(byId.get(id));
      return row && toIdentity(row);
    },
    identity(userId, id) {
      const row = byUserAndId().get({ id, userId });
      return row && toIdentity(row);
    },
    damaged(userId) {
      return rowsWhere(eq(strategies.userId, userId)).flatMap((row) => {
        const why = unreadableOf(row);
        return why ? [{ ...toIdentity(row), reason: why.reason }] : [];
      });
    },
    list(userId) {
      return readable(rowsWhere(eq(strategies.userId, userId)));
    },
    listByStatusInternal(status) {
      return readable(rowsWhere(eq(strategies.status, status)));
    },
    unreadableInternal(status) {
      return rowsWhere(eq(strategies.status, status)).flatMap((row) => unreadableOf(row) ?? []);
    },
    update(userId, id, patch, now) {
      if (patch.spec) assertAccountOwned(userId, asBrokerAccountId(patch.spec.broker_account_id));
      const set = { ...(patch.spec && specColumns(patch.spec)), ...(patch.status && { status: patch.status }), updatedAt: now };
      const row = translated(() => orm.update(strategies).set(set).where(mine(userId, id)).returning().get());
      return row && toStrategy(row);
    },
    setStatusInternal(id, status, now) {
      const row = setStatus().get({ id, status, updatedAt: now });
      return row && toStrategy(row);
    },
    setStatusIdentityInternal(id, status, now) {
      const row = setStatus().get({ id, status, updatedAt: now });
      return row && toIdentity(row);
    },
    delete(userId, id) {
      return orm.delete(strategies).where(mine(userId, id)).run().changes > 0;
    },
  };
}
