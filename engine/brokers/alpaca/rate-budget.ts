/**
 * The request budget of one Alpaca API key (PROTOCOLS.md §1.9: 200 requests/min per key).
 *
 * A token bucket whose tokens come back exactly one window after they were spent. A classic
 * bucket refilling at 200/60 s would allow its full burst plus the refill inside one minute
 * (almost 400); this one allows at most `limit` requests in *any* window, so Tradeclock by
 * itself never trips Alpaca's limiter however its strategies bunch their orders.
 */
import type { Clock, TimerHandle } from '../../core/clock';

/**
 * Who goes first when requests wait for the budget: an exit before a BUY before everything else
 * (lookups, instrument lists, account reads). After a restart into a spent budget, or a 429,
 * the SELL that protects a position must not queue behind the lookups that recovery sends.
 */
export type Precedence = 'exit' | 'entry' | 'other';
const RANK: Readonly<Record<Precedence, number>> = { exit: 0, entry: 1, other: 2 };

interface Waiter {
  readonly rank: number;
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: () => void;
}

export class RateBudget {
  /** Monotonic times of the requests still inside the window, oldest first. */
  private readonly spent: number[] = [];
  private readonly waiters: Waiter[] = [];
  private pausedUntil = 0;
  private timer: TimerHandle | undefined;

  constructor(
    private readonly clock: Clock,
    readonly limit: number,
    readonly windowMs: number,
  ) {
    if (!(limit >= 1) || !(windowMs >= 1)) throw new Error('a rate budget needs limit >= 1 and windowMs >= 1');
  }

  /** Tokens free right now. */
  available(): number {
    const now = this.clock.monotonic();
    this.expire(now);
    return now < this.pausedUntil ? 0 : this.limit - this.spent.length;
  }

  /**
   * Spends a token, waiting until one is free: by precedence, then first come, first served.
   * Rejects if `signal` aborts while waiting, so a stopped broker leaves no promise hanging.
   */
  take(signal?: AbortSignal, precedence: Precedence = 'other'): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortError(signal));
    if (this.waiters.length === 0 && this.available() > 0) {
      this.spent.push(this.clock.monotonic());
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        rank: RANK[precedence],
        resolve,
        reject,
        signal,
        onAbort: () => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(abortError(signal!));
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      // Behind every waiter of the same or a higher precedence, ahead of the rest.
      let at = this.waiters.length;
      while (at > 0 && this.waiters[at - 1]!.rank > waiter.rank) at--;
      this.waiters.splice(at, 0, waiter);
      this.schedule();
    });
  }

  /**
   * Spends a token only if one is free now and more than `reserve` stay free: optional work
   * (polls, warm-ups) must never make an order wait.
   */
  tryTake(reserve = 0): boolean {
    if (this.waiters.length > 0 || this.available() <= reserve) return false;
    this.spent.push(this.clock.monotonic());
    return true;
  }

  /** Alpaca answered 429: nothing is sent before `ms` from now, whatever our own count says. */
  pauseFor(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.clock.monotonic() + ms);
    this.schedule();
  }

  private expire(now: number): void {
    while (this.spent.length > 0 && this.spent[0]! <= now - this.windowMs) this.spent.shift();
  }

  private schedule(): void {
    this.timer?.cancel();
    this.timer = undefined;
    if (this.waiters.length === 0) return;
    const now = this.clock.monotonic();
    const freeAt = this.spent.length < this.limit ? now : this.spent[0]! + this.windowMs;
    this.timer = this.clock.setTimer(Math.max(0, Math.max(freeAt, this.pausedUntil) - now), () => this.serve());
  }

  private serve(): void {
    this.timer = undefined;
    while (this.waiters.length > 0 && this.available() > 0) {
      const waiter = this.waiters.shift()!;
      waiter.signal?.removeEventListener('abort', waiter.onAbort);
      this.spent.push(this.clock.monotonic());
      waiter.resolve();
    }
    this.schedule();
  }
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('aborted');
}
