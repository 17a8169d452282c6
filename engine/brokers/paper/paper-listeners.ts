/**
 * Listener fan-out shared by the paper broker's streams.
 */

/**
 * Calls every listener even if one throws, then rethrows the first error: one buggy subscriber
 * must not starve the others of a tick or a fill, yet the bug must not vanish either.
 * Iterates over a copy, so a listener may unsubscribe itself while being called.
 */
export function notifyAll<L>(listeners: ReadonlySet<L>, call: (listener: L) => void): void {
  let failure: { error: unknown } | undefined;
  for (const listener of [...listeners]) {
    try {
      call(listener);
    } catch (error) {
      failure ??= { error };
    }
  }
  if (failure) throw failure.error;
}
