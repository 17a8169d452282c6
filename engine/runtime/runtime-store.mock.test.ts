/**
 * The RuntimeStore contract on RedisRuntimeStore over ioredis-mock (no server needed), with and
 * without a prefix, and on the in-process MemoryRuntimeStore that createRuntimeStore gives without
 * a URL.
 */
import RedisMock from 'ioredis-mock';
import { randomToken } from '../core/random-ids';
import { createRuntimeStore } from './create-runtime-store';
import { RedisRuntimeStore } from './redis-runtime-store';
import { describeRuntimeStoreContract } from './runtime-store.contract';

function mockStore(keyPrefix?: string): Promise<RedisRuntimeStore> {
  // ioredis-mock shares data between clients of one host: a host per store keeps each store's own.
  const client = new RedisMock({ host: `tc-contract-${randomToken()}` });
  return Promise.resolve(new RedisRuntimeStore(client, { ...(keyPrefix ? { keyPrefix } : {}), beforeClose: () => client.flushall() }));
}

describeRuntimeStoreContract('ioredis-mock', () => mockStore());
describeRuntimeStoreContract('ioredis-mock, key prefix', () => mockStore('tc-test:'));
describeRuntimeStoreContract('in-process (createRuntimeStore without a URL)', () => createRuntimeStore({}));
describeRuntimeStoreContract('in-process, key prefix', () => createRuntimeStore({ keyPrefix: 'tc-test:' }));
