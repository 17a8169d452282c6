/**
 * Notices a laptop resume or a wall-clock step: every `intervalMs` it compares how far the wall
 * clock and the monotonic clock moved. On Linux the monotonic clock stops during suspend, so a
 * wall-minus-monotonic gap is the time asleep (or an NTP/manual step). The engine then re-checks
 * every trigger at once instead of up to 30 s later.
 */
import type { Clock, TimerHandle } from '../core/clock';

export interface ClockJumpWatchOptions {
  readonly intervalMs?: number;
  /** Gaps smaller than this are timer jitter, not a jump. */
  readonly thresholdMs?: number;
}

export function watchClockJumps(clock: Clock, onJump: (gapMs: number) => void, opts: ClockJumpWatchOptions = {}): TimerHandle {
  const interval = opts.intervalMs ?? 5_000;
  const threshold = opts.thresholdMs ?? 2_000;
  let wall = clock.now();
  let mono = clock.monotonic();
  let timer: TimerHandle | null = null;
  let cancelled = false;
  const tick = () => {
    const w = clock.now();
    const m = clock.monotonic();
    const gap = w - wall - (m - mono);
    wall = w;
    mono = m;
    if (Math.abs(gap) >= threshold) onJump(gap);
    if (!cancelled) timer = clock.setTimer(interval, tick);
  };
  timer = clock.setTimer(interval, tick);
  return {
    cancel: () => {
      cancelled = true;
      timer?.cancel();
    },
  };
}
