/** Reconnect delays: exponential, capped, jittered between half and all of the step. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKOFF, reconnectDelay, seededJitter } from './backoff';

describe('reconnectDelay', () => {
  it('doubles from 500 ms and stops at the cap', () => {
    const mid = () => 0.5;
    expect([0, 1, 2, 3, 4, 5, 6, 7, 20].map((n) => reconnectDelay(n, DEFAULT_BACKOFF, mid))).toEqual([375, 750, 1500, 3000, 6000, 12000, 22500, 22500, 22500]);
  });

  it('stays within [half, all] of the step whatever the jitter', () => {
    expect(reconnectDelay(2, DEFAULT_BACKOFF, () => 0)).toBe(1000);
    expect(reconnectDelay(2, DEFAULT_BACKOFF, () => 0.999999)).toBe(2000);
  });

  it('seeded jitter is repeatable and in [0, 1)', () => {
    const a = seededJitter(7);
    const b = seededJitter(7);
    const xs = Array.from({ length: 100 }, () => a());
    expect(xs).toEqual(Array.from({ length: 100 }, () => b()));
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});
