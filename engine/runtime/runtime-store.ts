/**
 * The runtime store: the seed's Redis schema over the ioredis API. It is a cache of SQLite,
 * never the only copy; everything here can be rebuilt from the database at start.
 *
 *   strategy:{id}                 hash  the strategy's parameters as armed
 *   runtime:{id}                  hash  run state, position qty, entry price, last action and time
 *   runtime:{id}:{p}              hash  the same, of position p (1–9) of a multi-position strategy
 *   symbol:{EXCHANGE:SYMBOL}:strategies  set   ids of running strategies on that instrument ({id}:{p} for position p > 0)
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
  /**
   * Writes strategy:{id}, the runtime hash of position `positionNo` (default 0: runtime:{id}) and
   * adds its member to the instrument's set, atomically (MULTI).
   */
  arm(strategyId: number, instrument: string, strategy: StrategyFields, runtime: RuntimeFields, positionNo?: number): Promise<void>;
  /**
   * Deletes strategy:{id}, the runtime hash of position `positionNo` (default 0) and its member of
   * the instrument's set, atomically. A multi-position strategy is disarmed position by position.
   */
  disarm(strategyId: number, instrument: string, positionNo?: number): Promise<void>;
  /**
   * Deletes every key of the strategy, whatever was armed: strategy:{id}, the runtime hash of each
   * position and its members (of any position) in every instrument's set (found by SCAN). For
   * recovery's clean-up of a strategy SQLite no longer runs, whose positions and instruments only
   * the store still knows (each position may have been armed on its own contract).
   */
  purge(strategyId: number): Promise<void>;
  /**
   * Overwrites the given fields of runtime:{id} (null deletes the field). Does nothing when the
   * strategy is not armed, so an update after a disarm cannot recreate the hash.
   */
  updateRuntime(strategyId: number, fields: Partial<RuntimeFields>, positionNo?: number): Promise<void>;
  readRuntime(strategyId: number, positionNo?: number): Promise<RuntimeFields | null>;
  readStrategy(strategyId: number): Promise<StrategyFields | null>;
  /** The strategies in symbol:{instrument}:strategies (a strategy with positions there once). */
  strategiesOn(instrument: string): Promise<number[]>;
  /** Every id that has a strategy:{id} hash (SCAN, not KEYS). */
  armedStrategyIds(): Promise<number[]>;
  /** SET lock:runtime:{id} owner NX PX ttlMs; true when this owner now holds it. */
  acquireLock(strategyId: number, owner: string, ttlMs: number): Promise<boolean>;
  /** Deletes the lock only if `owner` still holds it (compare-and-delete in one script). */
  releaseLock(strategyId: number, owner: string): Promise<boolean>;
  close(): Promise<void>;
}
