/** Waiting on real time, for what a test cannot drive with the fake clock (a daemon's real I/O, files written). */

/** Polls `done()` every 5 ms until it holds, at most `timeoutMs` (10 s) of real time. */
export async function untilReal(done: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const giveUp = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > giveUp) throw new Error(`timed out waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
