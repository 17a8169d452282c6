/** The bench's universe of instruments: valid US equity symbols the fake Alpaca lists. */
export function symbolOf(i: number): string {
  // Letters only after the first character would do; four letters + digits stay readable: B0001.
  return `B${String(i).padStart(4, '0')}`;
}

/** `n` symbols from `offset` on, wrapping around a universe of `universe` symbols. */
export function symbols(n: number, universe = Number.POSITIVE_INFINITY, offset = 0): string[] {
  return Array.from({ length: n }, (_, i) => symbolOf((offset + i) % universe));
}

/** Stop-loss of the strategy ranked `rank` on its symbol: 90.00, 89.99, … (ticks trade near 100). */
export function stopLevel(rank: number): number {
  return Math.round((90 - rank * 0.01) * 100) / 100;
}

/**
 * Trailing distance (points) of the trailing position ranked `rank` on its symbol: 5, 6, … A whole
 * point apart, so a trade half a point under one trail's stop takes that one and none below it.
 */
export function trailOffset(rank: number): number {
  return 5 + rank;
}
