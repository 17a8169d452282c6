import { describe, expect, it } from 'vitest';
import { backoffDelay, seededUniform } from './backoff';

describe('backoffDelay', () => {
  it('doubles from the base to the cap, jittered within [ceiling/2, ceiling]', () => {
    expect([0, 1, 2, 3, 10, 100].map((a) => backoffDelay(a, 500, 30_000, () => 0))).toEqual([250, 500, 1_000, 2_000, 15_000, 15_000]);
    expect([0, 1, 2, 10].map((a) => backoffDelay(a, 500, 30_000, () => 0.999_999))).toEqual([500, 1_000, 2_000, 30_000]);
  });

  it('spreads two clients that lost the server together, deterministically per seed', () => {
    const a = seededUniform(1);
    const b = seededUniform(2);
    const da = Array.from({ length: 5 }, (_, i) => backoffDelay(i, 500, 30_000, a));
    const db = Array.from({ length: 5 }, (_, i) => backoffDelay(i, 500, 30_000, b));
    expect(da).not.toEqual(db);
    const again = seededUniform(1);
    expect(Array.from({ length: 5 }, (_, i) => backoffDelay(i, 500, 30_000, again))).toEqual(da);
    const unseeded = seededUniform();
    for (let i = 0; i < 100; i++) expect(unseeded()).toBeGreaterThanOrEqual(0);
  });
});
