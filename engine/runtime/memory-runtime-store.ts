/**
 * The in-process RuntimeStore: the seed's Redis schema (the same key names, hash fields and
 * lock rules as RedisRuntimeStore) held in this process's memory. It is the default when no
 * REDIS_URL is set; the contract suite runs against it, ioredis-mock and a real Redis alike.
 *
 * Why not ioredis-mock: the order path releases a lock and mirrors the run state once per order,
 * and ioredis-mock runs each of those Lua scripts in a fresh fengari VM (about 1 ms and 0.7 ms of
 * CPU each), while arming costs ~80 µs per strategy. Here every call is a few map operations, and
 * it is atomic by construction: the whole operation runs inside the call, on one thread, before
 * the returned promise settles.
 */
import { systemClock } from '../core/clock';
import { ALL_POSITION_NOS, type RuntimeKeys, instrumentMember, runtimeKeys, strategyIdsOf } from './keys';
import { checkStrategyFields, decodeRuntimeFields, encodeRuntimeFields, encodeWholeRuntime } from './runtime-fields-codec';
import type { RuntimeFields, RuntimeStore, StrategyFields } from './runtime-store';

export interface MemoryRuntimeStoreOptions {
  /** Prepended to every key, as in RedisRuntimeStore. */
  readonly keyPrefix?: string;
  /** Monotonic milliseconds for lock expiry (PX is a duration, so wall-clock jumps must not matter). */
  readonly monotonic?: () => number;
}

interface Lock {
  readonly owner: string;
  readonly expiresAt: number;
}

/**
 * @example
 * const store = new MemoryRuntimeStore({ keyPrefix: 'tc:' });
 * await store.acquireLock(7, owner, 5_000); // lock:runtime:7 held by owner for 5 s
 */
export class MemoryRuntimeStore implements RuntimeStore {
  private readonly keys: RuntimeKeys;
  private readonly monotonic: () => number;
  /** strategy:{id} and runtime:{id} hashes. */
  private readonly hashes = new Map<string, Map<string, string>>();
  /** symbol:{instrument}:strategies sets. */
  private readonly sets = new Map<string, Set<string>>();
  /** lock:runtime:{id}. */
  private readonly locks = new Map<string, Lock>();

  constructor(options: MemoryRuntimeStoreOptions = {}) {
    this.keys = runtimeKeys(options.keyPrefix);
    this.monotonic = options.monotonic ?? systemClock.monotonic;
  }

  async arm(strategyId: number, instrument: string, strategy: StrategyFields, runtime: RuntimeFields, positionNo = 0): Promise<void> {
    const strategyKey = this.keys.strategy(strategyId);
    const runtimeKey = this.keys.runtime(strategyId, positionNo);
    const setKey = this.keys.instrumentStrategies(instrument);
    // Everything is encoded (and so validated) before the first write: bad input writes nothing.
    const strategyHash = checkStrategyFields(strategy);
    const runtimeHash = encodeWholeRuntime(runtime);
    // Replaced, not merged, as the Redis store's DEL + HSET does.
    this.hashes.set(strategyKey, new Map(Object.entries(strategyHash)));
    this.hashes.set(runtimeKey, new Map(Object.entries(runtimeHash)));
    let set = this.sets.get(setKey);
    if (!set) this.sets.set(setKey, (set = new Set()));
    set.add(instrumentMember(strategyId, positionNo));
  }

  async disarm(strategyId: number, instrument: string, positionNo = 0): Promise<void> {
    const strategyKey = this.keys.strategy(strategyId);
    const runtimeKey = this.keys.runtime(strategyId, positionNo);
    const setKey = this.keys.instrumentStrategies(instrument);
    this.hashes.delete(strategyKey);
    this.hashes.delete(runtimeKey);
    const set = this.sets.get(setKey);
    // Redis drops a set with its last member.
    if (set?.delete(instrumentMember(strategyId, positionNo)) && set.size === 0) this.sets.delete(setKey);
  }

  async purge(strategyId: number): Promise<void> {
    this.hashes.delete(this.keys.strategy(strategyId));
    for (const p of ALL_POSITION_NOS) this.hashes.delete(this.keys.runtime(strategyId, p));
    const members = ALL_POSITION_NOS.map((p) => instrumentMember(strategyId, p));
    for (const [key, set] of this.sets) {
      for (const m of members) set.delete(m);
      if (set.size === 0) this.sets.delete(key);
    }
  }

  /** Writes nothing when the strategy is not armed (see RuntimeStore.updateRuntime). */
  async updateRuntime(strategyId: number, fields: Partial<RuntimeFields>, positionNo = 0): Promise<void> {
    const { set, unset } = encodeRuntimeFields(fields);
    const hash = this.hashes.get(this.keys.runtime(strategyId, positionNo));
    if (!hash) return;
    for (const [name, value] of Object.entries(set)) hash.set(name, value);
    for (const name of unset) hash.delete(name);
  }

  async readRuntime(strategyId: number, positionNo = 0): Promise<RuntimeFields | null> {
    const key = this.keys.runtime(strategyId, positionNo);
    const hash = this.hashes.get(key);
    return hash ? decodeRuntimeFields(key, Object.fromEntries(hash)) : null;
  }

  async readStrategy(strategyId: number): Promise<StrategyFields | null> {
    const hash = this.hashes.get(this.keys.strategy(strategyId));
    return hash ? Object.fromEntries(hash) : null;
  }

  /** Ascending. */
  async strategiesOn(instrument: string): Promise<number[]> {
    const key = this.keys.instrumentStrategies(instrument);
    return strategyIdsOf(key, this.sets.get(key) ?? []);
  }

  /** Ascending. */
  async armedStrategyIds(): Promise<number[]> {
    const ids: number[] = [];
    for (const key of this.hashes.keys()) {
      const id = this.keys.strategyIdOf(key);
      if (id !== null) ids.push(id);
    }
    return ids.sort(ascending);
  }

  async acquireLock(strategyId: number, owner: string, ttlMs: number): Promise<boolean> {
    const key = this.keys.lock(strategyId);
    if (owner.length === 0) throw new RangeError('lock owner must be non-empty');
    if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) throw new RangeError(`lock ttl must be a positive integer of ms, got ${ttlMs}`);
    const now = this.monotonic();
    const held = this.locks.get(key);
    if (held && held.expiresAt > now) return false;
    this.locks.set(key, { owner, expiresAt: now + ttlMs });
    return true;
  }

  async releaseLock(strategyId: number, owner: string): Promise<boolean> {
    const key = this.keys.lock(strategyId);
    const held = this.locks.get(key);
    if (!held || held.expiresAt <= this.monotonic()) {
      if (held) this.locks.delete(key); // expired: gone, as in Redis
      return false;
    }
    if (held.owner !== owner) return false;
    this.locks.delete(key);
    return true;
  }

  /** Frees the data; nothing can reach it afterwards. A second call does nothing. */
  async close(): Promise<void> {
    this.hashes.clear();
    this.sets.clear();
    this.locks.clear();
  }
}

function ascending(a: number, b: number): number {
  return a - b;
}
