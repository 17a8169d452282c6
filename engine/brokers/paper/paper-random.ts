/**
 * Seeded randomness for the random walk. Each instrument gets its own generator derived from
 * (seed, instrument key), so an instrument's series depends only on the seed, never on which
 * other instruments happen to be subscribed or in what order their ticks interleave.
 */
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

/** A source of uniform numbers in [0, 1). */
export type UniformSource = () => number;

/**
 * @example const u = seededUniform(7, 'NSE:INFY'); u() // same value on every run
 */
export function seededUniform(seed: number, key: string): UniformSource {
  const rng = xoroshiro128plus(fnv1a32(`${seed}:${key}`));
  return () => uniformFloat64(rng);
}

/** FNV-1a: a tiny, stable string hash; good enough to spread seeds, not for anything secret. */
function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash | 0;
}
