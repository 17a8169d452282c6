/**
 * Chooses the runtime store: in-process (ioredis-mock) by default so an install needs nothing
 * else, a real Redis when a URL is given (REDIS_URL).
 */
import { Redis } from 'ioredis';
import RedisMock from 'ioredis-mock';
import { DomainError } from '../core/errors';
import { randomToken } from '../core/random-ids';
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
  if (opts.redisUrl === undefined || opts.redisUrl === '') {
    // ioredis-mock shares data between instances with the same host:port/db; a host of our own
    // makes this store's data its own.
    const client = new RedisMock({ host: `tradeclock-in-process-${randomToken()}` });
    // Nothing can reach this data after close; free it, since ioredis-mock keeps it module-wide.
    return new RedisRuntimeStore(client, { keyPrefix, beforeClose: () => client.flushall() });
  }
  return new RedisRuntimeStore(await connectRedis(opts.redisUrl), { keyPrefix });
}

async function connectRedis(url: string): Promise<Redis> {
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
