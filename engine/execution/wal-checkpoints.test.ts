import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../core/fake-clock';
import { WalCheckpoints } from './wal-checkpoints';

const T0 = Date.parse('2026-03-09T14:00:00Z');

function setup(opts: { fails?: boolean; takesMs?: number[] } = {}) {
  const clock = new FakeClock(T0);
  const state = { busy: false, nextJobAt: undefined as number | undefined, at: [] as number[] };
  const checkpoints = new WalCheckpoints({
    clock,
    checkpoint: () => {
      state.at.push(clock.now() - T0);
      clock.spend(opts.takesMs?.shift() ?? 0);
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

  it('waits while an order is being placed or a job is due within 250 ms, trying again every 100 ms', async () => {
    const { clock, state } = setup();
    state.busy = true;
    await clock.advance(1_500);
    expect(state.at).toEqual([]);
    state.busy = false;
    state.nextJobAt = T0 + 1_800; // the tries at 1.6 s and 1.7 s are within 250 ms of it
    await clock.advance(300);
    expect(state.at).toEqual([]);
    state.nextJobAt = T0 + 60_000; // the job ran; the next is far away
    await clock.advance(100);
    expect(state.at).toEqual([1_900]);
    await clock.advance(1_000);
    expect(state.at).toEqual([1_900, 2_900]);
  });

  it('finds the quiet gap between jobs due every second 100 ms after its own tick', async () => {
    const { clock, state } = setup();
    // Jobs at x.100 s: the one-second tick (x.000) alone would always find one 100 ms away.
    const nextJob = () => {
      const t = clock.now() - T0;
      return T0 + Math.floor(t / 1_000) * 1_000 + (t % 1_000 < 100 ? 100 : 1_100);
    };
    for (let i = 0; i < 30; i++) {
      state.nextJobAt = nextJob();
      await clock.advance(100);
    }
    expect(state.at).toEqual([1_200, 2_200]); // the retries after the jobs at 1.1 s and 2.1 s
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

  it('keeps 4× a slow checkpoint\'s time clear of the next job, until one is fast again', async () => {
    const { clock, state } = setup({ takesMs: [200] });
    await clock.advance(1_000); // the first one took 200 ms: the clearance is now 800 ms
    expect(state.at).toEqual([1_000]);
    state.nextJobAt = T0 + 1_200 + 1_000 + 500; // 500 ms after the next tick (at 2.2 s)
    await clock.advance(1_000);
    expect(state.at).toEqual([1_000]); // 500 ms is not 800 ms clear
    state.nextJobAt = T0 + 60_000;
    await clock.advance(100);
    expect(state.at).toEqual([1_000, 2_300]); // fast, so the clearance is 250 ms again
    state.nextJobAt = T0 + 2_300 + 1_000 + 500;
    await clock.advance(1_000);
    expect(state.at).toEqual([1_000, 2_300, 3_300]);
  });
});
