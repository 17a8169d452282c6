/**
 * A wall clock with sub-millisecond resolution for timestamps compared across processes.
 * Date.now() has 1 ms steps; performance.now() is fine-grained but monotonic, and may drift from
 * the wall clock over minutes. `anchor()` finds the exact moment Date.now() steps and ties the
 * two together there; call it shortly before a measurement (it spins for at most 1 ms).
 */
let anchorWall = Date.now();
let anchorMono = performance.now();

export function anchor(): void {
  const start = Date.now();
  let now = start;
  while (now === start) now = Date.now();
  anchorMono = performance.now();
  anchorWall = now;
}

/** Epoch ms, fractional. */
export function wallNow(): number {
  return anchorWall + (performance.now() - anchorMono);
}
