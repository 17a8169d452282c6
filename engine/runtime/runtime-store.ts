/**
 * The runtime store: the seed's Redis schema over the ioredis API. It is a cache of SQLite,
 * never the only copy; everything here can be rebuilt from the database at start.
 *
 *   strategy:{id}                 hash  the strategy's parameters as armed
 *   runtime:{id}                  hash  run state, position qty, entry price, last action and time
 *   symbol:{EXCHANGE:SYMBOL}:strategies  set   ids of running strategies on that instrument
 *   lock:runtime:{id}             string  per-strategy lock, SET NX PX, released by its owner only
 */

/** Fields of `runtime:{id}`; all strings in Redis, typed here. */
export interface RuntimeFields {
  readonly runId: number;
  readonly tradingDate: string;
  readonly state: string;
  readonly positionQty: number;
  readonly entryPrice: number | null;
  readonly lastAction: string | null;
  readonly lastActionAt: number | null;
}

export type StrategyFields = Readonly<Record<string, string>>;

export interface RuntimeStore {
  /** Writes strategy:{id}, runtime:{id} and adds id to the instrument's set, atomically (MULTI). */
  arm(strategyId: number, instrument: string, strategy: StrategyFields, runtime: RuntimeFields): Promise<void>;
  /** Deletes strategy:{id}, runtime:{id} and removes id from the instrument's set, atomically. */
  disarm(strategyId: number, instrument: string): Promise<void>;
  /**
   * Overwrites the given fields of runtime:{id} (null deletes the field). Does nothing when the
   * strategy is not armed, so an update after a disarm cannot recreate the hash.
   */
  updateRuntime(strategyId: number, fields: Partial<RuntimeFields>): Promise<void>;
  readRuntime(strategyId: number): Promise<RuntimeFields | null>;
  readStrategy(strategyId: number): Promise<StrategyFields | null>;
  /** Ids in symbol:{instrument}:strategies. */
  strategiesOn(instrument: string): Promise<number[]>;
  /** Every id that has a strategy:{id} hash (SCAN, not KEYS). */
  armedStrategyIds(): Promise<number[]>;
  /** SET lock:runtime:{id} owner NX PX ttlMs; true when this owner now holds it. */
  acquireLock(strategyId: number, owner: string, ttlMs: number): Promise<boolean>;
  /** Deletes the lock only if `owner` still holds it (compare-and-delete in one script). */
  releaseLock(strategyId: number, owner: string): Promise<boolean>;
  close(): Promise<void>;
}
