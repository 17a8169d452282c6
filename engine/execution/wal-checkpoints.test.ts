import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../core/fake-clock';
import { WalCheckpoints } from './wal-checkpoints';

const T0 = Date.parse('2026-03-09T14:00:00Z');

function setup(opts: { fails?: boolean } = {}) {
  const clock = new FakeClock(T0);
  const state = { busy: false, nextJobAt: undefined as number | undefined, at: [] as number[] };
  const checkpoints = new WalCheckpoints({
    clock,
    checkpoint: () => {
      state.at.push(clock.now() - T0);
      if (opts.fails) throw new Error('disk I/O error');
      return { logFrames: 12, checkpointed: 12 };
    },
    busy: () => state.busy,
    nextJobAt: () => state.nextJobAt,
    logger: pino({ level: 'silent' }),
  });
  checkpoints.start();
  return { clock, state, checkpoints };
}

describe('WalCheckpoints', () => {
  it('checkpoints once a second while nothing is being placed and no job is near', async () => {
    const { clock, state } = setup();
    await clock.advance(3_000);
    expect(state.at).toEqual([1_000, 2_000, 3_000]);
  });

  it('waits while an order is being placed or a job is due within a second', async () => {
    const { clock, state } = setup();
    state.busy = true;
    await clock.advance(2_000);
    state.busy = false;
    state.nextJobAt = T0 + 3_500; // due 0.5 s after the tick at 3 s
    await clock.advance(1_000);
    expect(state.at).toEqual([]);
    state.nextJobAt = T0 + 60_000;
    await clock.advance(1_000);
    expect(state.at).toEqual([4_000]);
  });

  it('keeps going after a failed checkpoint, and stops when told', async () => {
    const { clock, state, checkpoints } = setup({ fails: true });
    await clock.advance(2_000);
    expect(state.at).toEqual([1_000, 2_000]);
    checkpoints.stop();
    await clock.advance(5_000);
    expect(state.at).toEqual([1_000, 2_000]);
    expect(clock.pendingTimers()).toBe(0);
  });
});
