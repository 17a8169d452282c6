/**
 * The RuntimeStore over any ioredis-API client: a real ioredis connection, or ioredis-mock in
 * process. Key names come from keys.ts, hash fields from runtime-fields-codec.ts.
 */
import { once } from 'node:events';
import type { ChainableCommander, Redis } from 'ioredis';
import { ALL_POSITION_NOS, type RuntimeKeys, instrumentMember, runtimeKeys, strategyIdsOf } from './keys';
import { RELEASE_LOCK_LUA, UPDATE_IF_PRESENT_LUA } from './lua-scripts';
import { checkStrategyFields, decodeRuntimeFields, encodeRuntimeFields, encodeWholeRuntime } from './runtime-fields-codec';
import type { RuntimeFields, RuntimeStore, StrategyFields } from './runtime-store';

/** Options of {@link RedisRuntimeStore}. */
export interface RedisRuntimeStoreOptions {
  /** Prepended verbatim to every key so installs can share one Redis, e.g. `'tc-alice:'`. */
  readonly keyPrefix?: string;
  /** Runs once at close(), before the client quits (the in-process store frees its data). */
  readonly beforeClose?: () => Promise<unknown>;
}

// A hint of keys per SCAN step: small enough not to stall Redis, large enough to need few steps.
const SCAN_COUNT = 200;

/**
 * RuntimeStore on an ioredis client. The store owns the client: close() quits it.
 *
 * @example
 * const store = new RedisRuntimeStore(new RedisMock({ host: 'tc-test' }), { keyPrefix: 'tc:' });
 * await store.acquireLock(7, owner, 5_000); // SET tc:lock:runtime:7 owner NX PX 5000
 */
export class RedisRuntimeStore implements RuntimeStore {
  private readonly keys: RuntimeKeys;
  private closed = false;

  constructor(
    private readonly client: Redis,
    private readonly options: RedisRuntimeStoreOptions = {},
  ) {
    this.keys = runtimeKeys(options.keyPrefix);
  }

  async arm(strategyId: number, instrument: string, strategy: StrategyFields, runtime: RuntimeFields, positionNo = 0): Promise<void> {
    const strategyKey = this.keys.strategy(strategyId);
    const runtimeKey = this.keys.runtime(strategyId, positionNo);
    const setKey = this.keys.instrumentStrategies(instrument);
    // Encode (and so validate) everything before the first write: bad input writes nothing.
    const strategyHash = checkStrategyFields(strategy);
    const runtimeHash = encodeWholeRuntime(runtime);
    // DEL first so a re-arm replaces the hashes instead of merging into stale fields.
    const tx = this.client
      .multi()
      .del(strategyKey, runtimeKey)
      .hset(strategyKey, strategyHash)
      .hset(runtimeKey, runtimeHash)
      .sadd(setKey, instrumentMember(strategyId, positionNo));
    await execTransaction(tx, `arm strategy ${strategyId}`);
  }

  async disarm(strategyId: number, instrument: string, positionNo = 0): Promise<void> {
    const tx = this.client
      .multi()
      .del(this.keys.strategy(strategyId), this.keys.runtime(strategyId, positionNo))
      .srem(this.keys.instrumentStrategies(instrument), instrumentMember(strategyId, positionNo));
    await execTransaction(tx, `disarm strategy ${strategyId}`);
  }

  /** The sets are found by SCAN first; the deletes then go in one MULTI. */
  async purge(strategyId: number): Promise<void> {
    const members = ALL_POSITION_NOS.map((p) => instrumentMember(strategyId, p));
    const tx = this.client.multi().del(this.keys.strategy(strategyId), ...ALL_POSITION_NOS.map((p) => this.keys.runtime(strategyId, p)));
    for (const set of await this.scanKeys(this.keys.instrumentSetScanPattern)) tx.srem(set, ...members);
    await execTransaction(tx, `purge strategy ${strategyId}`);
  }

  /**
   * Writes nothing when the strategy is not armed: the engine mirrors a run's final state after
   * the disarm, and that write must not bring back a runtime hash without its strategy.
   */
  async updateRuntime(strategyId: number, fields: Partial<RuntimeFields>, positionNo = 0): Promise<void> {
    const key = this.keys.runtime(strategyId, positionNo);
    const { set, unset } = encodeRuntimeFields(fields);
    const pairs = Object.entries(set).flat();
    await this.client.eval(UPDATE_IF_PRESENT_LUA, 1, key, String(pairs.length / 2), ...pairs, ...unset);
  }

  async readRuntime(strategyId: number, positionNo = 0): Promise<RuntimeFields | null> {
    const key = this.keys.runtime(strategyId, positionNo);
    const hash = await this.client.hgetall(key);
    return isEmpty(hash) ? null : decodeRuntimeFields(key, hash);
  }

  async readStrategy(strategyId: number): Promise<StrategyFields | null> {
    const hash = await this.client.hgetall(this.keys.strategy(strategyId));
    return isEmpty(hash) ? null : hash;
  }

  /** Ascending. */
  async strategiesOn(instrument: string): Promise<number[]> {
    const key = this.keys.instrumentStrategies(instrument);
    return strategyIdsOf(key, await this.client.smembers(key));
  }

  /** Ascending. */
  async armedStrategyIds(): Promise<number[]> {
    const ids = new Set<number>();
    for (const key of await this.scanKeys(this.keys.strategyScanPattern)) {
      const id = this.keys.strategyIdOf(key);
      if (id !== null) ids.add(id);
    }
    return [...ids].sort(ascending);
  }

  /** Every key matching `pattern`, each once (SCAN may return a key more than once). */
  private async scanKeys(pattern: string): Promise<Set<string>> {
    const found = new Set<string>();
    let cursor = '0';
    do {
      const [next, keys] = await this.client.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT);
      for (const key of keys) found.add(key);
      cursor = next;
    } while (cursor !== '0');
    return found;
  }

  async acquireLock(strategyId: number, owner: string, ttlMs: number): Promise<boolean> {
    const key = this.keys.lock(strategyId);
    if (owner.length === 0) throw new RangeError('lock owner must be non-empty');
    if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) throw new RangeError(`lock ttl must be a positive integer of ms, got ${ttlMs}`);
    return (await this.client.set(key, owner, 'PX', ttlMs, 'NX')) === 'OK';
  }

  async releaseLock(strategyId: number, owner: string): Promise<boolean> {
    return (await this.client.eval(RELEASE_LOCK_LUA, 1, this.keys.lock(strategyId), owner)) === 1;
  }

  /**
   * Quits the client and resolves once its connection has ended; a second call does nothing.
   * A client that is not ready (e.g. Redis is down) is dropped at once: a QUIT queued behind
   * unsent commands would wait for a reconnect that may never come.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.options.beforeClose?.();
    } finally {
      await quitOrDrop(this.client);
    }
  }
}

async function quitOrDrop(client: Redis): Promise<void> {
  if (client.status !== 'ready') {
    client.disconnect();
    return;
  }
  const ended = once(client, 'end');
  try {
    await client.quit();
  } catch {
    // The connection broke during QUIT; dropping the socket is all that is left.
    client.disconnect();
    return;
  }
  await ended;
}

/** Runs a MULTI; a command that failed inside it fails the call instead of passing unseen. */
async function execTransaction(tx: ChainableCommander, what: string): Promise<void> {
  const replies = await tx.exec();
  if (replies === null) throw new Error(`${what}: transaction aborted`);
  const failed = replies.find(([error]) => error !== null);
  if (failed?.[0]) throw new Error(`${what}: ${failed[0].message}`, { cause: failed[0] });
}

function isEmpty(hash: Record<string, string>): boolean {
  return Object.keys(hash).length === 0;
}

function ascending(a: number, b: number): number {
  return a - b;
}
