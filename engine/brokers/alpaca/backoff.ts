/**
 * Reconnect and retry delays: capped exponential backoff with jitter. The jitter comes from an
 * injected uniform source, so tests are deterministic and two Tradeclock installs that lost
 * Alpaca at the same moment do not come back at the same moment.
 */
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { randomToken } from '../../core/random-ids';

/** A source of uniform numbers in [0, 1). */
export type UniformSource = () => number;

/**
 * The delay before attempt `attempt` (0-based): the ceiling doubles from `baseMs` up to `maxMs`;
 * the delay is uniform in [ceiling/2, ceiling] ("equal jitter"): never near zero, so a flapping
 * server is not hammered, yet spread enough to break up a herd.
 *
 * @example backoffDelay(0, 500, 30_000, () => 0) === 250
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, uniform: UniformSource): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(0, attempt), 30));
  return Math.round(ceiling / 2 + (uniform() * ceiling) / 2);
}

/**
 * A seeded uniform source; without a seed, one from the engine's random token source.
 * @example const u = seededUniform(7); u() // the same sequence on every run
 */
export function seededUniform(seed?: number): UniformSource {
  const rng = xoroshiro128plus(seed ?? Number.parseInt(Buffer.from(randomToken(4), 'base64url').toString('hex'), 16) | 0);
  return () => uniformFloat64(rng);
}
