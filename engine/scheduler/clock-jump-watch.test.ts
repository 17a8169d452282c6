import { describe, expect, it } from 'vitest';
import { FakeClock } from '../core/fake-clock';
import { watchClockJumps } from './clock-jump-watch';

describe('watchClockJumps', () => {
  it('reports a suspend as the time asleep, and ignores normal ticking', async () => {
    const clock = new FakeClock(Date.parse('2026-03-09T13:00:00Z'));
    const gaps: number[] = [];
    const watch = watchClockJumps(clock, (g) => gaps.push(g));
    await clock.advance(60_000);
    expect(gaps).toEqual([]);
    await clock.suspend(600_000);
    await clock.advance(5_000);
    expect(gaps).toEqual([600_000]);
    watch.cancel();
    expect(clock.pendingTimers()).toBe(0);
  });

  it('reports a wall clock stepped backwards', async () => {
    const clock = new FakeClock(Date.parse('2026-03-09T13:00:00Z'));
    const gaps: number[] = [];
    watchClockJumps(clock, (g) => gaps.push(g), { intervalMs: 1_000 });
    clock.jumpWallClock(-30_000);
    await clock.advance(1_000);
    expect(gaps).toEqual([-30_000]);
  });
});
