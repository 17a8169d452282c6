/**
 * Waiting in tests where the network runs in real time and the engine's timers on a FakeClock:
 * poll a condition in short real turns (bounded), optionally moving the fake clock a step per
 * turn so backoffs, polls and timeouts armed on it come due.
 */
import { setTimeout as realDelay } from 'node:timers/promises';
import type { FakeClock } from '../../../engine/core/fake-clock';

export interface EventuallyOptions {
  /** Moves this clock `stepMs` per turn; without it, only real time passes. */
  readonly clock?: FakeClock;
  readonly stepMs?: number;
  /** Real milliseconds before giving up; default 5 000. */
  readonly timeoutMs?: number;
  /** Named in the error when time runs out. */
  readonly what?: string;
}

/**
 * Resolves with the first truthy value of `check()`; rejects after `timeoutMs` of real time.
 * @example const tick = await eventually(() => ticks[0], { what: 'a tick' });
 */
export async function eventually<T>(check: () => T | undefined | null | false, opts: EventuallyOptions = {}): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 5_000);
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${opts.timeoutMs ?? 5_000} ms waiting for ${opts.what ?? 'a condition'}`);
    if (opts.clock) await opts.clock.advance(opts.stepMs ?? 0);
    await realDelay(2);
  }
}

/** Awaits `promise` while moving the fake clock, so timers it waits on can fire; bounded like `eventually`. */
export async function drive<T>(promise: Promise<T>, opts: EventuallyOptions & { readonly clock: FakeClock }): Promise<T> {
  let settled: { value: T } | { error: unknown } | undefined;
  promise.then(
    (value) => (settled = { value }),
    (error: unknown) => (settled = { error }),
  );
  const done = await eventually(() => settled, { ...opts, what: opts.what ?? 'the call to finish' });
  if ('error' in done) throw done.error;
  return done.value;
}
