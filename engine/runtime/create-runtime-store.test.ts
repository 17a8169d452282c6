import RedisMock from 'ioredis-mock';
import { describe, expect, it } from 'vitest';
import { freePort, useRedisServer } from '../../tests/support/redis-server';
import { createRuntimeStore } from './create-runtime-store';

const runtime = { runId: 1, tradingDate: '2026-03-09', state: 'armed', positionQty: 0, entryPrice: null, lastAction: null, lastActionAt: null };

describe('createRuntimeStore without a URL (in process)', () => {
  it('gives each store data of its own', async () => {
    const a = await createRuntimeStore({});
    const b = await createRuntimeStore({});
    await a.arm(1, 'NSE:INFY', { symbol: 'INFY' }, runtime);
    expect(await a.acquireLock(1, 'a', 5_000)).toBe(true);
    expect(await b.armedStrategyIds()).toEqual([]);
    expect(await b.strategiesOn('NSE:INFY')).toEqual([]);
    expect(await b.acquireLock(1, 'b', 5_000)).toBe(true);
    // ioredis-mock's default host:port shares data between instances; ours must not be there.
    expect(await new RedisMock().keys('*')).toEqual([]);
    await Promise.all([a.close(), b.close()]);
  });

  it('starts empty after an earlier store was closed', async () => {
    const first = await createRuntimeStore({});
    await first.arm(1, 'NSE:INFY', { symbol: 'INFY' }, runtime);
    await first.close();
    const second = await createRuntimeStore({});
    expect(await second.armedStrategyIds()).toEqual([]);
    await second.close();
  });

  it('refuses a key prefix with glob characters', async () => {
    await expect(createRuntimeStore({ keyPrefix: 'tc*' })).rejects.toThrow(/key prefix/);
  });
});

describe('createRuntimeStore with a URL', () => {
  const redis = useRedisServer({ extraArgs: ['--requirepass', 'right-horse-battery'] });

  it('connects with the password from the URL', async () => {
    const store = await createRuntimeStore({ redisUrl: `redis://:right-horse-battery@127.0.0.1:${redis().port}` });
    expect(await store.acquireLock(1, 'me', 1_000)).toBe(true);
    await store.close();
  });

  it('fails on a wrong password with a clear error that does not print the password', async () => {
    const { port } = redis();
    const url = `redis://default:wrong-staple-pw@127.0.0.1:${port}/0`;
    const error: unknown = await createRuntimeStore({ redisUrl: url }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'unavailable' });
    const message = (error as Error).message;
    expect(message).toContain(`cannot connect to Redis at redis://default:***@127.0.0.1:${port}/0`);
    expect(message).toMatch(/WRONGPASS/);
    expect(message).not.toContain('wrong-staple-pw');
    expect(JSON.stringify(error)).not.toContain('wrong-staple-pw');
  });

  it('fails when nothing listens, naming the URL without its password', async () => {
    const port = await freePort();
    const error: unknown = await createRuntimeStore({ redisUrl: `redis://:hunter2-secret@127.0.0.1:${port}` }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'unavailable' });
    expect((error as Error).message).toBe(`cannot connect to Redis at redis://:***@127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}`);
  });

  it('fails on an unparseable URL without printing it', async () => {
    const error: unknown = await createRuntimeStore({ redisUrl: 'redis://:hunter2-secret@[nope' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'unavailable' });
    expect((error as Error).message).not.toContain('hunter2-secret');
  });
});
