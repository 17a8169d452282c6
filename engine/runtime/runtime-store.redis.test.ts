/**
 * The RuntimeStore contract on a real redis-server started for this file, plus what only a real
 * server shows. Without redis-server installed every test here fails with how to install it.
 */
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { useRedisServer } from '../../tests/support/redis-server';
import { createRuntimeStore } from './create-runtime-store';
import { RedisRuntimeStore } from './redis-runtime-store';
import { describeRuntimeStoreContract } from './runtime-store.contract';

const redis = useRedisServer();
let adminClient: Redis | undefined;
let prefixes = 0;

afterAll(async () => {
  await adminClient?.quit();
});

/** The server's URL and a client of the test's own for setting up and inspecting keys. */
function started(): { url: string; admin: Redis } {
  const { url } = redis();
  adminClient ??= new Redis(url);
  return { url, admin: adminClient };
}

describeRuntimeStoreContract('redis-server', async () => {
  const { url, admin } = started();
  await admin.flushdb();
  return createRuntimeStore({ redisUrl: url });
});

// A prefix of its own per store: each starts empty while other keys stay around.
describeRuntimeStoreContract('redis-server, key prefix', async () => {
  const { url, admin } = started();
  await admin.hset('strategy:999', 'note', 'an unprefixed key the prefixed store must not see');
  return createRuntimeStore({ redisUrl: url, keyPrefix: `tc${++prefixes}:` });
});

describe('RedisRuntimeStore on redis-server', () => {
  const runtime = { runId: 1, tradingDate: '2026-03-09', state: 'armed', positionQty: 0, entryPrice: null, lastAction: null, lastActionAt: null };

  it('writes the documented keys, with null fields absent', async () => {
    const { url, admin } = started();
    await admin.flushdb();
    const store = await createRuntimeStore({ redisUrl: url, keyPrefix: 'tc:' });
    await store.arm(7, 'NSE:INFY', { symbol: 'INFY' }, { ...runtime, entryPrice: 1234.55 });
    await store.acquireLock(7, 'me', 5_000);
    expect((await admin.keys('*')).sort()).toEqual(['tc:lock:runtime:7', 'tc:runtime:7', 'tc:strategy:7', 'tc:symbol:NSE:INFY:strategies']);
    expect(await admin.hgetall('tc:runtime:7')).toEqual({ runId: '1', tradingDate: '2026-03-09', state: 'armed', positionQty: '0', entryPrice: '1234.55' });
    expect(await admin.pttl('tc:lock:runtime:7')).toBeGreaterThan(4_000);
    await store.close();
  });

  it('never lets another client see a strategy half armed or half disarmed', async () => {
    const { url, admin } = started();
    await admin.flushdb();
    const store = await createRuntimeStore({ redisUrl: url });
    // One Lua call reads all three keys at one instant, so what it sees is a true snapshot.
    const snapshot = `
      local seen = {}
      for i = 1, #ARGV do
        local id = ARGV[i]
        seen[i] = redis.call("EXISTS", "strategy:" .. id) .. redis.call("EXISTS", "runtime:" .. id)
          .. redis.call("SISMEMBER", "symbol:NSE:INFY:strategies", id)
      end
      return seen`;
    const ids = ['1', '2', '3', '4', '5'];
    let writing = true;
    const writes = (async () => {
      for (let round = 0; round < 150; round++) {
        await Promise.all(ids.map((id) => store.arm(Number(id), 'NSE:INFY', { symbol: 'INFY' }, { ...runtime, runId: round + 1 })));
        await Promise.all(ids.map((id) => store.disarm(Number(id), 'NSE:INFY')));
      }
      writing = false;
    })();
    const states = new Set<string>();
    while (writing) for (const state of (await admin.eval(snapshot, 0, ...ids)) as string[]) states.add(state);
    await writes;
    await store.close();
    expect([...states].filter((state) => state !== '111' && state !== '000')).toEqual([]);
    expect(states).toContain('111'); // the observer did run between the writes
  });

  it('fails arm when a command inside MULTI fails, instead of passing it unseen', async () => {
    const { url, admin } = started();
    await admin.flushdb();
    await admin.set('symbol:NSE:INFY:strategies', 'not a set');
    const store = await createRuntimeStore({ redisUrl: url });
    await expect(store.arm(7, 'NSE:INFY', { symbol: 'INFY' }, runtime)).rejects.toThrow(/arm strategy 7: WRONGTYPE/);
    await store.close();
  });

  it('keeps installs with different prefixes apart on one server', async () => {
    const { url, admin } = started();
    await admin.flushdb();
    const alice = await createRuntimeStore({ redisUrl: url, keyPrefix: 'alice:' });
    const bob = await createRuntimeStore({ redisUrl: url, keyPrefix: 'bob:' });
    await alice.arm(1, 'NSE:INFY', { symbol: 'INFY' }, runtime);
    expect(await alice.acquireLock(1, 'a', 5_000)).toBe(true);
    expect(await bob.armedStrategyIds()).toEqual([]);
    expect(await bob.strategiesOn('NSE:INFY')).toEqual([]);
    expect(await bob.acquireLock(1, 'b', 5_000)).toBe(true);
    await Promise.all([alice.close(), bob.close()]);
  });

  it('quits its client on close and waits for the connection to end', async () => {
    const client = new Redis(started().url, { lazyConnect: true });
    await client.connect();
    await new RedisRuntimeStore(client).close();
    expect(client.status).toBe('end');
  });
});
