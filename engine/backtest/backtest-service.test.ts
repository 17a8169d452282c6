/**
 * The service's slicing: a long job yields to the event loop, so a live tick (here a callback
 * queued on the loop as a market feed's socket data would be) is handled while it runs, and the
 * answer is the job's. No clock, no waiting: slices are counted in the job's steps.
 */
import { describe, expect, it } from 'vitest';
import { inSlices } from './backtest-service';

describe('inSlices', () => {
  it('handles a tick queued on the loop while a backtest of many runs is under way, and returns its answer', async () => {
    let ran = 0;
    const ticks: number[] = [];
    // 1 000 runs: a backtest far longer than one slice of 4.
    function* job(): Generator<void, string> {
      for (let i = 0; i < 1000; i++) {
        ran++;
        yield;
      }
      return 'report';
    }
    setImmediate(() => ticks.push(ran));
    const answer = await inSlices(job());
    expect(answer).toBe('report');
    expect(ticks).toHaveLength(1);
    // The tick came between slices, long before the end (wide bound: within the first tenth).
    expect(ticks[0]).toBeGreaterThanOrEqual(4);
    expect(ticks[0]).toBeLessThanOrEqual(100);
  });
});
