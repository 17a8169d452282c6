/**
 * Arithmetic on a ladder of listed strikes (ascending, distinct). The step between strikes is
 * read from the listing, never assumed: NIFTY lists 50 apart near the money and 100 apart far
 * from it, and the exchanges change intervals when the index moves.
 */

/**
 * The usual distance between neighbouring listed strikes: the most frequent gap, the smaller one
 * when two gaps are equally frequent (near the money a ladder is densest). Null below two strikes.
 *
 * @example deriveStrikeStep([25900, 25950, 26000, 26100, 26200, 26250]) // 50
 */
export function deriveStrikeStep(strikes: ArrayLike<number>): number | null {
  if (strikes.length < 2) return null;
  const counts = new Map<number, number>();
  for (let i = 1; i < strikes.length; i++) {
    // Strikes like 117.5 make float gaps such as 2.4999999; count them as the decimal they are.
    const gap = Math.round((strikes[i]! - strikes[i - 1]!) * 1e6) / 1e6;
    counts.set(gap, (counts.get(gap) ?? 0) + 1);
  }
  let best = 0;
  let bestCount = 0;
  for (const [gap, count] of counts) {
    if (count > bestCount || (count === bestCount && gap < best)) [best, bestCount] = [gap, count];
  }
  return best;
}

/**
 * The index of the listed strike nearest to `price`. A price exactly midway between two listed
 * strikes takes the higher one (as rounding half up does: NIFTY at 26 025 is ATM 26 050).
 * The ladder must not be empty.
 *
 * @example nearestStrikeIndex([25950, 26000, 26050], 26025) // 2
 */
export function nearestStrikeIndex(strikes: ArrayLike<number>, price: number): number {
  let lo = 0;
  let hi = strikes.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (strikes[mid]! < price) lo = mid + 1;
    else hi = mid;
  }
  if (lo === 0) return 0;
  if (lo === strikes.length) return lo - 1;
  return price - strikes[lo - 1]! < strikes[lo]! - price ? lo - 1 : lo;
}
