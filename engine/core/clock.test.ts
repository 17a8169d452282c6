import { describe, expect, it } from 'vitest';
import { shiftedClock, systemClock } from './clock';

describe('shiftedClock', () => {
  it('reads the system time moved by its offset, and spins until the moved instant', () => {
    const clock = shiftedClock(-5 * 3_600_000);
    const before = Date.now();
    const now = clock.now();
    expect(now).toBeGreaterThanOrEqual(before - 5 * 3_600_000);
    expect(now).toBeLessThanOrEqual(Date.now() - 5 * 3_600_000);
    // An instant 20 ms ahead on the moved clock is 20 ms ahead in real time, not five hours behind.
    const t0 = systemClock.monotonic();
    expect(clock.spinUntil!(clock.now() + 20, 1_000)).toBe(true);
    expect(systemClock.monotonic() - t0).toBeGreaterThanOrEqual(15);
  });

  it('arms its timers in real milliseconds', async () => {
    const clock = shiftedClock(86_400_000);
    const t0 = systemClock.monotonic();
    await new Promise<void>((resolve) => clock.setTimer(10, resolve));
    expect(systemClock.monotonic() - t0).toBeLessThan(1_000);
  });
});
