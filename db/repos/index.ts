/**
 * The repositories: the only code that writes SQL. Synchronous, like better-sqlite3.
 *
 * Every method that reads or changes a user's data takes the userId and filters by it
 * (invariant 5). Methods suffixed `Internal` do not; they exist for the engine's recovery and
 * execution paths, which act for whichever user owns the row, and must never be reachable from
 * a request without an ownership check first.
 */
import type { Db } from '../client';
import { createBackstopsRepo, type BackstopsRepo } from './backstops';
import { createBrokerAccountsRepo, type BrokerAccountsRepo } from './broker-accounts';
import { createEventsRepo, type EventsRepo } from './events';
import { createHistoricalBarsRepo, type HistoricalBarsRepo } from './historical-bars';
import { createHistoricalTicksRepo, type HistoricalTicksRepo } from './historical-ticks';
import { createInstrumentsRepo, type InstrumentsRepo } from './instruments';
import { createNotifyChannelsRepo, type NotifyChannelsRepo } from './notify-channels';
import { createNotifyDeliveriesRepo, type NotifyDeliveriesRepo } from './notify-deliveries';
import { createOrdersRepo, type OrdersRepo } from './orders';
import { createPriceBarsRepo, type PriceBarsRepo } from './price-bars';
import { createRunsRepo, type RepoWarn, type RunsRepo } from './runs';
import { createSessionsRepo, type SessionsRepo } from './sessions';
import { createDevicesRepo, type DevicesRepo } from './devices';
import { createSettingsRepo, type SettingsRepo } from './settings';
import { createStrategiesRepo, type StrategiesRepo } from './strategies';
import { createUsersRepo, type UsersRepo } from './users';

export interface Repos {
  readonly settings: SettingsRepo;
  readonly users: UsersRepo;
  readonly sessions: SessionsRepo;
  readonly devices: DevicesRepo;
  readonly brokerAccounts: BrokerAccountsRepo;
  readonly strategies: StrategiesRepo;
  readonly runs: RunsRepo;
  readonly orders: OrdersRepo;
  readonly backstops: BackstopsRepo;
  readonly events: EventsRepo;
  readonly instruments: InstrumentsRepo;
  readonly priceBars: PriceBarsRepo;
  readonly historicalBars: HistoricalBarsRepo;
  readonly historicalTicks: HistoricalTicksRepo;
  readonly notifyChannels: NotifyChannelsRepo;
  readonly notifyDeliveries: NotifyDeliveriesRepo;
  /**
   * Runs `fn` in one SQLite transaction: all of its writes land, or (if it throws) none do.
   * Nested calls become savepoints. `fn` must be synchronous: an async function would commit at
   * its first await, so a returned promise is refused (and rolled back).
   *
   * @example
   * repos.transaction(() => {
   *   const order = repos.orders.insert(entry, now);
   *   repos.runs.update(run.id, { state: 'BUYING', lastAction: 'BUY', lastActionAt: now }, now);
   *   return order;
   * });
   */
  transaction<T>(fn: () => T, options?: TransactionOptions): T;
}

export interface TransactionOptions {
  /**
   * false: commit without waiting for the disk (WAL with synchronous=NORMAL instead of FULL).
   * Survives a crash of the process; a power cut or an OS crash may lose it, until the next
   * durable commit (which syncs the log, these writes with it). Only for writes whose loss
   * recovery repairs by itself: a broker's answer on an order already journaled (recovery looks
   * every unsettled order up at the broker), the audit log. Never for the order journal.
   * Inside another transaction the outer one decides. Default true.
   */
  readonly durable?: boolean;
  /**
   * false: when another connection holds the write lock, fail at once (SQLITE_BUSY) instead of
   * waiting up to the connection's busy timeout. For optional work that must never hold up the
   * event loop (the order rehearsal). Inside another transaction the lock is held already.
   * Default true.
   */
  readonly waitForLock?: boolean;
}

export interface ReposOptions {
  /** Where a row read that is not as written is said (the daemon's logger); process warnings when left out. */
  readonly warn?: RepoWarn;
}

/** @example const repos = createRepos(openDatabase(file), { warn: (obj, msg) => logger.warn(obj, msg) }); */
export function createRepos(db: Db, options: ReposOptions = {}): Repos {
  const syncLevel = db.sqlite.pragma('synchronous', { simple: true }) as number;
  const relaxSync = db.sqlite.prepare('PRAGMA synchronous = NORMAL');
  const restoreSync = db.sqlite.prepare(`PRAGMA synchronous = ${syncLevel}`);
  const busyTimeoutMs = db.sqlite.pragma('busy_timeout', { simple: true }) as number;
  const run = <T>(fn: () => T): T =>
    db.sqlite.transaction(() => {
      const result = fn();
      if (typeof (result as { then?: unknown } | null)?.then === 'function') {
        throw new TypeError('repos.transaction(fn): fn must be synchronous (it returned a promise)');
      }
      return result;
    })();
  const withDurability = <T>(fn: () => T, durable: boolean): T => {
    if (durable || db.sqlite.inTransaction || syncLevel < 2) return run(fn);
    relaxSync.run();
    try {
      return run(fn);
    } finally {
      restoreSync.run();
    }
  };
  return {
    settings: createSettingsRepo(db.orm),
    users: createUsersRepo(db.orm),
    sessions: createSessionsRepo(db.orm),
    devices: createDevicesRepo(db.orm),
    brokerAccounts: createBrokerAccountsRepo(db.orm),
    strategies: createStrategiesRepo(db.orm),
    runs: createRunsRepo(db.orm, options.warn),
    orders: createOrdersRepo(db.orm),
    backstops: createBackstopsRepo(db.orm),
    events: createEventsRepo(db.orm),
    instruments: createInstrumentsRepo(db.orm),
    priceBars: createPriceBarsRepo(db.orm),
    historicalBars: createHistoricalBarsRepo(db.orm),
    historicalTicks: createHistoricalTicksRepo(db.orm),
    notifyChannels: createNotifyChannelsRepo(db.orm),
    notifyDeliveries: createNotifyDeliveriesRepo(db.orm),
    transaction<T>(fn: () => T, options: TransactionOptions = {}): T {
      const durable = options.durable !== false;
      if (options.waitForLock !== false || db.sqlite.inTransaction) return withDurability(fn, durable);
      db.sqlite.pragma('busy_timeout = 0');
      try {
        return withDurability(fn, durable);
      } finally {
        db.sqlite.pragma(`busy_timeout = ${busyTimeoutMs}`);
      }
    },
  };
}

export { ForeignKeyViolation, isStorageUnavailable, UniqueViolation } from './errors';
export type { BrokerAccount, BrokerAccountsRepo, NewBrokerAccount } from './broker-accounts';
export type { EventQuery, EventsRepo, NewEvent, StoredEvent } from './events';
export { UNRESOLVED_ORDER_STATUSES, type NewOrder, type OrderFill, type OrderPatch, type OrdersRepo } from './orders';
export { TERMINAL_RUN_STATES, type NewRun, type RunHistoryQuery, type RunHistoryRow, type RunPatch, type RunsRepo } from './runs';
export type { InstrumentsRepo, StoredInstrument } from './instruments';
export type { ChannelOutcome, NewNotifyChannel, NotifyChannel, NotifyChannelPatch, NotifyChannelsRepo } from './notify-channels';
export type { DeliveryState, NewDelivery, NotifyDeliveriesRepo, NotifyDelivery } from './notify-deliveries';
export type { PriceBar, PriceBarsRepo } from './price-bars';
export { HISTORICAL_BARS_CAP, type HistoricalBar, type HistoricalBarsRepo } from './historical-bars';
export { HISTORICAL_TICKS_CAP, TickDayTooLargeError, type HistoricalTick, type HistoricalTicksRepo, type StoredTickDay, type TickDay } from './historical-ticks';
export type { NewSession, SessionsRepo, StoredSession } from './sessions';
export type { DevicesRepo, NewDevice, StoredDevice } from './devices';
export type { SettingsRepo } from './settings';
export type { NewStrategy, StrategiesRepo, StrategyPatch } from './strategies';
export { normalizeEmail, type NewUser, type User, type UserCredentials, type UsersRepo } from './users';
