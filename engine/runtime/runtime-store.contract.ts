/**
 * The behaviour every RuntimeStore must have, as one suite run against each implementation
 * (ioredis-mock in process, a real redis-server), so the two cannot drift apart.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RuntimeFields, RuntimeStore, StrategyFields } from './runtime-store';

const INFY = 'NSE:INFY';
const TCS = 'NSE:TCS';

const strategyOf = (id: number): StrategyFields => ({ symbol: 'INFY', qty: String(id), buyTime: '09:20', sellTime: '15:10' });

const runtimeOf = (id: number): RuntimeFields => ({
  runId: id * 10,
  tradingDate: '2026-03-09',
  state: 'armed',
  positionQty: 0,
  entryPrice: null,
  lastAction: null,
  lastActionAt: null,
});

/** The only real wait in the runtime tests: PX expiry is Redis's clock, not ours. */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Registers the contract tests; `makeStore` must return a new, empty store each time (it is
 * closed after each test).
 */
export function describeRuntimeStoreContract(name: string, makeStore: () => Promise<RuntimeStore>): void {
  describe(`RuntimeStore contract: ${name}`, () => {
    let store: RuntimeStore;
    let opened: RuntimeStore | undefined; // unset when makeStore failed: nothing to close
    beforeEach(async () => {
      opened = undefined;
      store = await makeStore();
      opened = store;
    });
    afterEach(async () => {
      await opened?.close();
    });

    describe('an empty store', () => {
      it('has nothing armed and no lock held', async () => {
        expect(await store.readRuntime(1)).toBeNull();
        expect(await store.readStrategy(1)).toBeNull();
        expect(await store.strategiesOn(INFY)).toEqual([]);
        expect(await store.armedStrategyIds()).toEqual([]);
        expect(await store.releaseLock(1, 'nobody')).toBe(false);
      });
    });

    describe('arm and read back', () => {
      it('writes the strategy hash, the runtime hash and the instrument set', async () => {
        await store.arm(7, INFY, strategyOf(7), runtimeOf(7));
        expect(await store.readStrategy(7)).toEqual(strategyOf(7));
        expect(await store.readRuntime(7)).toEqual(runtimeOf(7));
        expect(await store.strategiesOn(INFY)).toEqual([7]);
        expect(await store.strategiesOn(TCS)).toEqual([]);
        expect(await store.armedStrategyIds()).toEqual([7]);
      });

      it('round-trips nulls as null and an empty string as an empty string', async () => {
        await store.arm(1, INFY, strategyOf(1), runtimeOf(1));
        await store.arm(2, INFY, { note: '' }, { ...runtimeOf(2), lastAction: '' });
        expect(await store.readRuntime(1)).toMatchObject({ entryPrice: null, lastAction: null, lastActionAt: null });
        expect((await store.readRuntime(2))?.lastAction).toBe('');
        expect(await store.readStrategy(2)).toEqual({ note: '' });
      });

      it('round-trips numbers exactly', async () => {
        const runtime: RuntimeFields = {
          runId: 9_007_199_254_740_991,
          tradingDate: '2026-03-09',
          state: 'in_position',
          positionQty: 0.000_123_45,
          entryPrice: 1234.55,
          lastAction: 'BUY',
          lastActionAt: 1_773_027_000_123,
        };
        await store.arm(3, INFY, strategyOf(3), runtime);
        await store.updateRuntime(3, { positionQty: -5, entryPrice: 0.1 + 0.2 });
        const read = await store.readRuntime(3);
        expect(read).toEqual({ ...runtime, positionQty: -5, entryPrice: 0.1 + 0.2 });
        expect(read?.entryPrice).toBe(0.300_000_000_000_000_04);
      });

      it('replaces, not merges, the hashes when armed again', async () => {
        await store.arm(4, INFY, { ...strategyOf(4), stale: 'x' }, { ...runtimeOf(4), entryPrice: 99.5, lastAction: 'BUY' });
        await store.arm(4, INFY, strategyOf(4), runtimeOf(4));
        expect(await store.readStrategy(4)).toEqual(strategyOf(4));
        expect(await store.readRuntime(4)).toEqual(runtimeOf(4));
        expect(await store.strategiesOn(INFY)).toEqual([4]);
      });

      it('rejects bad input and writes nothing', async () => {
        await expect(store.arm(5, INFY, strategyOf(5), { ...runtimeOf(5), positionQty: Number.NaN })).rejects.toThrow(/positionQty/);
        await expect(store.arm(5, INFY, strategyOf(5), { ...runtimeOf(5), runId: 1.5 })).rejects.toThrow(/runId/);
        await expect(store.arm(5, INFY, {}, runtimeOf(5))).rejects.toThrow(/strategy fields/);
        await expect(store.arm(0, INFY, strategyOf(0), runtimeOf(0))).rejects.toThrow(/strategy id/);
        await expect(store.arm(5, '', strategyOf(5), runtimeOf(5))).rejects.toThrow(/instrument/);
        expect(await store.readStrategy(5)).toBeNull();
        expect(await store.readRuntime(5)).toBeNull();
        expect(await store.strategiesOn(INFY)).toEqual([]);
        expect(await store.armedStrategyIds()).toEqual([]);
      });
    });

    describe('disarm', () => {
      it('removes all three and leaves the other strategies on the instrument', async () => {
        await store.arm(1, INFY, strategyOf(1), runtimeOf(1));
        await store.arm(2, INFY, strategyOf(2), runtimeOf(2));
        await store.disarm(1, INFY);
        expect(await store.readStrategy(1)).toBeNull();
        expect(await store.readRuntime(1)).toBeNull();
        expect(await store.strategiesOn(INFY)).toEqual([2]);
        expect(await store.armedStrategyIds()).toEqual([2]);
        expect(await store.readRuntime(2)).toEqual(runtimeOf(2));
      });

      it('of a strategy that is not armed does nothing', async () => {
        await store.disarm(42, INFY);
        expect(await store.armedStrategyIds()).toEqual([]);
      });

      it('keeps the three keys in step under interleaved arms and disarms', async () => {
        const ids = Array.from({ length: 40 }, (_, i) => i + 1);
        await Promise.all(
          ids.flatMap((id) => [
            store.arm(id, INFY, strategyOf(id), runtimeOf(id)),
            id % 2 === 0 ? store.disarm(id, INFY) : store.arm(id, INFY, strategyOf(id), runtimeOf(id)),
          ]),
        );
        const odd = ids.filter((id) => id % 2 === 1);
        expect(await store.strategiesOn(INFY)).toEqual(odd);
        expect(await store.armedStrategyIds()).toEqual(odd);
        for (const id of ids) {
          const armed = id % 2 === 1;
          expect(await store.readStrategy(id)).toEqual(armed ? strategyOf(id) : null);
          expect(await store.readRuntime(id)).toEqual(armed ? runtimeOf(id) : null);
        }
      });
    });

    describe('positions (issue 19)', () => {
      it('keeps one runtime hash per position beside the strategy\'s, each updated and disarmed on its own', async () => {
        await store.arm(7, INFY, strategyOf(7), runtimeOf(7));
        await store.arm(7, TCS, strategyOf(7), { ...runtimeOf(7), runId: 71 }, 1);
        expect(await store.readRuntime(7)).toEqual(runtimeOf(7));
        expect(await store.readRuntime(7, 1)).toEqual({ ...runtimeOf(7), runId: 71 });
        expect(await store.readRuntime(7, 2)).toBeNull();
        await store.updateRuntime(7, { state: 'IN_POSITION' }, 1);
        expect((await store.readRuntime(7))?.state).toBe('armed');
        expect((await store.readRuntime(7, 1))?.state).toBe('IN_POSITION');
        expect(await store.strategiesOn(TCS)).toEqual([7]);
        await store.arm(7, TCS, strategyOf(7), { ...runtimeOf(7), runId: 72 }, 2);
        // One strategy on an instrument is listed once, whichever positions are on it.
        expect(await store.strategiesOn(TCS)).toEqual([7]);
        await store.disarm(7, TCS, 1);
        expect(await store.readRuntime(7, 1)).toBeNull();
        expect(await store.readRuntime(7, 2)).not.toBeNull();
        expect(await store.strategiesOn(TCS)).toEqual([7]);
        await store.disarm(7, TCS, 2);
        await store.disarm(7, INFY);
        expect(await store.strategiesOn(TCS)).toEqual([]);
        expect(await store.strategiesOn(INFY)).toEqual([]);
        expect(await store.readRuntime(7)).toBeNull();
        expect(await store.armedStrategyIds()).toEqual([]);
      });
    });

    describe('purge', () => {
      it("deletes every position's keys and set members, on whichever instruments they were armed, and nothing of another strategy", async () => {
        await store.arm(7, INFY, strategyOf(7), runtimeOf(7));
        await store.arm(7, TCS, strategyOf(7), { ...runtimeOf(7), runId: 71 }, 1);
        await store.arm(7, 'NFO:NIFTY26D0826000PE', strategyOf(7), { ...runtimeOf(7), runId: 79 }, 9);
        await store.arm(8, TCS, strategyOf(8), runtimeOf(8));
        await store.arm(8, INFY, strategyOf(8), { ...runtimeOf(8), runId: 81 }, 1);
        await store.purge(7);
        expect(await store.readStrategy(7)).toBeNull();
        expect([await store.readRuntime(7), await store.readRuntime(7, 1), await store.readRuntime(7, 9)]).toEqual([null, null, null]);
        expect(await store.strategiesOn('NFO:NIFTY26D0826000PE')).toEqual([]);
        expect(await store.strategiesOn(INFY)).toEqual([8]);
        expect(await store.strategiesOn(TCS)).toEqual([8]);
        expect(await store.armedStrategyIds()).toEqual([8]);
        expect(await store.readRuntime(8, 1)).toEqual({ ...runtimeOf(8), runId: 81 });
        // Of a strategy with nothing armed: nothing to do.
        await store.purge(7);
        expect(await store.armedStrategyIds()).toEqual([8]);
      });
    });

    describe('updateRuntime', () => {
      it('overwrites only the given fields; null clears a field', async () => {
        await store.arm(1, INFY, strategyOf(1), runtimeOf(1));
        await store.updateRuntime(1, { state: 'in_position', positionQty: 10, entryPrice: 1234.55, lastAction: 'BUY', lastActionAt: 1_773_027_000_000 });
        expect(await store.readRuntime(1)).toEqual({
          ...runtimeOf(1),
          state: 'in_position',
          positionQty: 10,
          entryPrice: 1234.55,
          lastAction: 'BUY',
          lastActionAt: 1_773_027_000_000,
        });
        await store.updateRuntime(1, { entryPrice: null, lastAction: null });
        expect(await store.readRuntime(1)).toMatchObject({ state: 'in_position', positionQty: 10, entryPrice: null, lastAction: null, lastActionAt: 1_773_027_000_000 });
        await store.updateRuntime(1, {});
        expect(await store.readRuntime(1)).toMatchObject({ positionQty: 10, entryPrice: null });
      });

      it('of a strategy that is not armed (or no longer) writes nothing', async () => {
        await store.updateRuntime(8, runtimeOf(8));
        expect(await store.readRuntime(8)).toBeNull();
        await store.arm(8, INFY, strategyOf(8), runtimeOf(8));
        await store.disarm(8, INFY);
        await store.updateRuntime(8, { ...runtimeOf(8), state: 'sold' });
        expect(await store.readRuntime(8)).toBeNull();
        expect(await store.armedStrategyIds()).toEqual([]);
      });

      it('rejects a null for a field that cannot be null, and bad numbers, writing nothing', async () => {
        await store.arm(1, INFY, strategyOf(1), runtimeOf(1));
        const bad: unknown = { state: 'x', positionQty: null };
        await expect(store.updateRuntime(1, bad as Partial<RuntimeFields>)).rejects.toThrow(/positionQty/);
        await expect(store.updateRuntime(1, { state: 'x', entryPrice: Number.POSITIVE_INFINITY })).rejects.toThrow(/entryPrice/);
        expect(await store.readRuntime(1)).toEqual(runtimeOf(1));
      });
    });

    describe('many strategies', () => {
      it('strategiesOn lists every id on the instrument, ascending', async () => {
        const onInfy = Array.from({ length: 300 }, (_, i) => 3 * i + 1);
        const onTcs = Array.from({ length: 50 }, (_, i) => 3 * i + 2);
        await Promise.all([
          ...onInfy.map((id) => store.arm(id, INFY, strategyOf(id), runtimeOf(id))),
          ...onTcs.map((id) => store.arm(id, TCS, strategyOf(id), runtimeOf(id))),
        ]);
        expect(await store.strategiesOn(INFY)).toEqual(onInfy);
        expect(await store.strategiesOn(TCS)).toEqual(onTcs);
      });

      it('armedStrategyIds finds every armed id across many SCAN steps, each once', async () => {
        const ids = Array.from({ length: 1_000 }, (_, i) => i + 1);
        await Promise.all(ids.map((id) => store.arm(id, id % 2 ? INFY : TCS, strategyOf(id), runtimeOf(id))));
        expect(await store.armedStrategyIds()).toEqual(ids);
        await Promise.all(ids.filter((id) => id % 3 === 0).map((id) => store.disarm(id, id % 2 ? INFY : TCS)));
        expect(await store.armedStrategyIds()).toEqual(ids.filter((id) => id % 3 !== 0));
      });
    });

    describe('locks', () => {
      it('cannot be acquired twice, not even by the same owner', async () => {
        expect(await store.acquireLock(1, 'owner-a', 5_000)).toBe(true);
        expect(await store.acquireLock(1, 'owner-b', 5_000)).toBe(false);
        expect(await store.acquireLock(1, 'owner-a', 5_000)).toBe(false);
        expect(await store.acquireLock(2, 'owner-b', 5_000)).toBe(true); // per strategy
      });

      it('is kept when a non-owner tries to release it, and released by its owner once', async () => {
        await store.acquireLock(1, 'owner-a', 5_000);
        expect(await store.releaseLock(1, 'owner-b')).toBe(false);
        expect(await store.acquireLock(1, 'owner-b', 5_000)).toBe(false);
        expect(await store.releaseLock(1, 'owner-a')).toBe(true);
        expect(await store.releaseLock(1, 'owner-a')).toBe(false);
        expect(await store.acquireLock(1, 'owner-b', 5_000)).toBe(true);
      });

      it('expires after its ttl, and the old owner cannot then release the new owner', async () => {
        expect(await store.acquireLock(1, 'owner-a', 40)).toBe(true);
        await sleep(120);
        expect(await store.acquireLock(1, 'owner-b', 5_000)).toBe(true);
        expect(await store.releaseLock(1, 'owner-a')).toBe(false);
        expect(await store.acquireLock(1, 'owner-c', 5_000)).toBe(false);
      });

      it('rejects an empty owner or a ttl that is not a positive integer', async () => {
        await expect(store.acquireLock(1, '', 1_000)).rejects.toThrow(/owner/);
        await expect(store.acquireLock(1, 'a', 0)).rejects.toThrow(/ttl/);
        await expect(store.acquireLock(1, 'a', 1.5)).rejects.toThrow(/ttl/);
        expect(await store.acquireLock(1, 'a', 1_000)).toBe(true);
      });
    });

    describe('close', () => {
      it('can be called twice', async () => {
        await store.close();
        await store.close();
      });
    });
  });
}
