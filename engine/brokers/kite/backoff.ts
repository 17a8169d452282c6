/**
 * Reconnect delays for the ticker: exponential, capped, with jitter from an injected uniform
 * source so many clients (or one client across restarts) do not reconnect in lock-step, and so
 * tests get exact delays. Faster than the SDKs' 2^n seconds at first, because a trader's feed
 * gap matters more than a little extra load on Kite; the cap bounds it.
 */
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

/** A source of uniform numbers in [0, 1). */
export type Uniform = () => number;

export interface BackoffPolicy {
  readonly baseMs: number;
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 500, maxMs: 30_000 };

/**
 * The delay before reconnect attempt `attempt` (0 = first): base·2^attempt capped at max, then
 * "equal jitter" — half fixed, half random — so the delay never collapses to zero.
 *
 * @example reconnectDelay(3, DEFAULT_BACKOFF, () => 0.5) === 3_000 // 4 s capped-base, 2 s + 0.5·2 s
 */
export function reconnectDelay(attempt: number, policy: BackoffPolicy, random: Uniform): number {
  const capped = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(capped / 2 + random() * (capped / 2));
}

/**
 * A seeded uniform source (xoroshiro128+), for when nothing else is injected: seeded from the
 * clock, so it is deterministic on a FakeClock and varies between real runs.
 */
export function seededJitter(seed: number): Uniform {
  const rng = xoroshiro128plus(Math.trunc(seed) | 0);
  return () => uniformFloat64(rng);
}
