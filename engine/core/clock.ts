/**
 * The one place engine code reads time or arms timers. Everything else takes a Clock, so tests
 * run a whole trading day (or a DST change, or a weekend) on a FakeClock in milliseconds.
 */
import { performance } from 'node:perf_hooks';

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Wall-clock time, epoch milliseconds. Follows NTP and manual changes. */
  now(): number;
  /** Monotonic milliseconds for measuring durations; does not jump with the wall clock. */
  monotonic(): number;
  /** Calls `fn` once after `ms` milliseconds (clamped to [0, 2^31-1]). */
  setTimer(ms: number, fn: () => void): TimerHandle;
  /**
   * Busy-waits until now() >= epochMs, for at most `maxMs` of real time; true when the instant
   * was reached. A timer wakes up to a millisecond or two late (the event loop's granularity), so
   * a job armed a little early and finished with a spin fires on the millisecond. Absent where
   * time does not pass by itself (FakeClock): jobs there fire exactly when due anyway.
   */
  spinUntil?(epochMs: number, maxMs: number): boolean;
}

/** Node's setTimeout turns any delay above this into 1 ms; never ask for more. */
export const MAX_TIMER_MS = 2_147_483_647;

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  setTimer(ms, fn) {
    const t = setTimeout(fn, Math.min(Math.max(0, ms), MAX_TIMER_MS));
    return { cancel: () => clearTimeout(t) };
  },
  spinUntil(epochMs, maxMs) {
    const giveUpAt = performance.now() + maxMs;
    while (Date.now() < epochMs) if (performance.now() > giveUpAt) return false;
    return true;
  },
};

/**
 * The system clock moved by `offsetMs`: wall time reads `offsetMs` later (or earlier), timers wait
 * real milliseconds. For the crash soak only (a test hook), so a daemon trades an exchange's
 * session hours whatever the hour here: a Kite soak run at 16:00 UTC still buys at 10:00 IST.
 * @example shiftedClock(-3_600_000).now() // an hour ago
 */
export function shiftedClock(offsetMs: number): Clock {
  return {
    now: () => Date.now() + offsetMs,
    monotonic: systemClock.monotonic,
    setTimer: systemClock.setTimer,
    spinUntil: (epochMs, maxMs) => systemClock.spinUntil!(epochMs - offsetMs, maxMs),
  };
}
