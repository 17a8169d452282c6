/**
 * Runs `fn(key)` once per key per `delayMs`, however many times it is asked in that window: a
 * fill brings three or four events for one strategy, and one refetch covers them all.
 *
 * @example const refresh = coalescer((id: number) => load(id), 50); refresh(3); refresh(3); // one load
 */
export function coalescer<K>(fn: (key: K) => void, delayMs: number): (key: K) => void {
  const pending = new Set<K>();
  return (key) => {
    if (pending.has(key)) return;
    pending.add(key);
    setTimeout(() => {
      pending.delete(key);
      fn(key);
    }, delayMs);
  };
}
