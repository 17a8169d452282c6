import type { Clock, TimerHandle } from './clock';

interface PendingTimer {
  readonly seq: number;
  /** Monotonic deadline. */
  due: number;
  readonly fn: () => void;
  cancelled: boolean;
}

/**
 * A Clock whose time moves only when a test says so. Timers fire in deadline order, and between
 * two firings every pending promise continuation runs, so async engine code behaves as it would
 * on the real clock, only faster.
 *
 * @example
 *   const clock = new FakeClock(Date.parse('2026-03-09T13:29:00Z'));
 *   await clock.advance(60_000); // fires everything due in the next minute, in order
 */
export class FakeClock implements Clock {
  private wall: number;
  private mono = 0;
  private seq = 0;
  private timers: PendingTimer[] = [];

  constructor(startEpochMs: number) {
    this.wall = startEpochMs;
  }

  now(): number {
    return this.wall;
  }

  monotonic(): number {
    return this.mono;
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const timer: PendingTimer = { seq: this.seq++, due: this.mono + Math.max(0, ms), fn, cancelled: false };
    this.timers.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }

  /** Number of timers still waiting to fire. */
  pendingTimers(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }

  /** Moves time forward by `ms`, firing due timers in order and settling async work after each. */
  async advance(ms: number): Promise<void> {
    const target = this.mono + ms;
    await settle();
    for (;;) {
      const next = this.nextDue();
      if (!next || next.due > target) break;
      // A callback that spent time may have carried the clock past the next timer: it fires late.
      if (next.due > this.mono) {
        this.wall += next.due - this.mono;
        this.mono = next.due;
      }
      this.timers = this.timers.filter((t) => t !== next);
      next.fn();
      await settle();
    }
    if (target > this.mono) {
      this.wall += target - this.mono;
      this.mono = target;
    }
    await settle();
  }

  /** Advances until the wall clock reads `epochMs` (no-op if already past). */
  async advanceTo(epochMs: number): Promise<void> {
    await this.advance(Math.max(0, epochMs - this.wall));
  }

  /**
   * The machine sleeps for `ms`: the wall clock jumps, the monotonic clock does not move, so
   * pending timers fire that much later by the wall clock (as libuv's timers do on Linux).
   */
  async suspend(ms: number): Promise<void> {
    this.wall += ms;
    await settle();
  }

  /** Synchronous work that takes `ms` (a slow disk): both clocks move; no timer fires meanwhile. */
  spend(ms: number): void {
    this.wall += ms;
    this.mono += ms;
  }

  /** The wall clock is set by hand or by NTP; timers are unaffected. */
  jumpWallClock(ms: number): void {
    this.wall += ms;
  }

  private nextDue(): PendingTimer | undefined {
    this.timers = this.timers.filter((t) => !t.cancelled);
    let best: PendingTimer | undefined;
    for (const t of this.timers) {
      if (!best || t.due < best.due || (t.due === best.due && t.seq < best.seq)) best = t;
    }
    return best;
  }
}

/** Lets queued promise continuations and I/O callbacks run (several turns of the event loop). */
export async function settle(turns = 20): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
