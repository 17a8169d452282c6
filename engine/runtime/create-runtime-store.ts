/**
 * Chooses the runtime store: in-process (MemoryRuntimeStore, the same schema in this process's
 * memory) by default so an install needs nothing else, a real Redis when a URL is given (REDIS_URL).
 */
import type { Redis } from 'ioredis';
import { DomainError } from '../core/errors';
import { MemoryRuntimeStore } from './memory-runtime-store';
import { redactPasswordsIn, redactRedisUrl } from './redact-redis-url';
import { RedisRuntimeStore } from './redis-runtime-store';
import type { RuntimeStore } from './runtime-store';

/** Options of {@link createRuntimeStore}. */
export interface CreateRuntimeStoreOptions {
  /** `redis://[user:password@]host:port[/db]`; without it the store lives in this process. */
  readonly redisUrl?: string;
  /** Prepended to every key so installs can share one Redis, e.g. `'tc-alice:'`. */
  readonly keyPrefix?: string;
}

/**
 * A connected RuntimeStore. Without `redisUrl` each call gets its own empty in-process data;
 * with it, fails with an `unavailable` DomainError naming the URL (password masked) when Redis
 * cannot be reached or refuses the login.
 *
 * @example
 * const store = await createRuntimeStore({ redisUrl: process.env.REDIS_URL, keyPrefix: 'tc:' });
 */
export async function createRuntimeStore(opts: CreateRuntimeStoreOptions): Promise<RuntimeStore> {
  const keyPrefix = opts.keyPrefix ?? '';
  // Each in-process store's data is its own and is freed at close.
  if (opts.redisUrl === undefined || opts.redisUrl === '') return new MemoryRuntimeStore({ keyPrefix });
  return new RedisRuntimeStore(await connectRedis(opts.redisUrl), { keyPrefix });
}

async function connectRedis(url: string): Promise<Redis> {
  // Loaded only when a URL is given: an install on the in-process store never pays for the client.
  const { Redis } = await import('ioredis');
  let client: Redis;
  try {
    client = new Redis(url, { lazyConnect: true });
  } catch (error) {
    throw unavailable(url, error); // e.g. an unparseable URL
  }
  // connect() itself rejects with a bare "Connection is closed."; the cause is in 'error'.
  let lastError: unknown;
  const onError = (error: Error): void => {
    lastError = error;
  };
  client.on('error', onError);
  try {
    await client.connect();
    return client;
  } catch (error) {
    client.disconnect(); // stops ioredis retrying in the background
    throw unavailable(url, lastError ?? error);
  } finally {
    client.off('error', onError);
  }
}

// Only the message is kept, never the error as a cause: an AUTH ReplyError carries the command
// and its arguments, the password among them, and a logged cause would print it.
function unavailable(url: string, error: unknown): DomainError {
  const reason = error instanceof Error ? error.message : String(error);
  return new DomainError('unavailable', `cannot connect to Redis at ${redactRedisUrl(url)}: ${redactPasswordsIn(reason, url)}`);
}
