/**
 * The engine's WAL checkpoints (engine/execution/wal-checkpoints.ts) on the real engine and paper
 * broker: they keep clear of the last 250 ms before a BUY and of the order being placed, and
 * resume once it has settled.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../support/engine-harness';
import { CHECKPOINT_CLEARANCE_MS } from '../../engine/execution/wal-checkpoints';

let t: TestEngine | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('WAL checkpoints in the engine', () => {
  it('never run in the 250 ms before a BUY or while it is placed; run again once it has filled', async () => {
    const at: Array<{ ms: number; buySent: boolean }> = [];
    let engine: TestEngine | undefined;
    let strategyId: number | undefined;
    t = await startTestEngine({
      at: '2026-03-09T13:29:40Z', // 09:29:40 New York; the BUY is at 09:30:00
      checkpoint: () => {
        const buy = strategyId === undefined ? undefined : engine!.orders(strategyId as never)[0];
        at.push({ ms: engine!.clock.now(), buySent: buy?.dispatchedAt != null });
        return { logFrames: 0, checkpointed: 0 };
      },
    });
    engine = t;
    const s = await t.create();
    strategyId = s.id;
    const run = await t.start(s.id);
    await t.clock.advanceTo(run.buyAt + 5_000);
    await t.engine.idle();

    const [buy] = t.orders(s.id);
    expect(buy).toMatchObject({ leg: 'BUY', status: 'filled' });
    // The fake clock stands still while the order is placed: what tells "before" is whether the BUY was on the wire.
    expect(at.filter((c) => c.ms >= run.buyAt - CHECKPOINT_CLEARANCE_MS && !c.buySent)).toEqual([]);
    expect(at.some((c) => c.ms >= run.buyAt - 1_000 && c.ms < run.buyAt - CHECKPOINT_CLEARANCE_MS)).toBe(true); // up to the clearance
    expect(at.some((c) => c.ms > run.buyAt && c.buySent)).toBe(true);
  });
});
