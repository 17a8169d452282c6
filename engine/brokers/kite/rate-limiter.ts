/**
 * Kite's order budget kept on our side (10 orders/s, 400/min, 5000/day per user), so Tradeclock
 * does not trip Kite's 429 block itself (which lasts until the window refreshes and, if repeated,
 * gets the app blocked). Kite counts per account across every app, so this cannot rule a 429 out.
 * Short windows are sliding windows on the monotonic clock; the daily count resets with the IST
 * date. A reservation that would wait longer than the caller allows is refused, saying how long
 * until a slot frees: nothing was sent, so the caller can try again then.
 */
import type { Clock } from '../../core/clock';
import { istDate, KITE_SESSION_EXPIRY, nextWallTime } from './token-expiry';

export interface RateWindow {
  readonly limit: number;
  readonly windowMs: number;
  /** For messages: "10 orders per second". */
  readonly label: string;
}

export type Reservation =
  | { readonly ok: true; readonly waitMs: number }
  | { readonly ok: false; readonly retryInMs: number; readonly message: string };

/** Kite's documented order limits (kite.trade/docs/connect/v3/exceptions, "API rate limit"). */
export const KITE_ORDER_WINDOWS: readonly RateWindow[] = [
  { limit: 10, windowMs: 1_000, label: '10 orders per second' },
  { limit: 400, windowMs: 60_000, label: '400 orders per minute' },
];
export const KITE_ORDERS_PER_DAY = 5_000;

/** Sliding windows plus a daily cap; see `reserve`. */
export class RateLimiter {
  /** Reserved send instants (monotonic ms), oldest first; may lie in the future. */
  private stamps: number[] = [];
  private day = '';
  private dayCount = 0;

  constructor(
    private readonly clock: Clock,
    private readonly windows: readonly RateWindow[],
    private readonly perDay: number | null = null,
  ) {}

  /**
   * Reserves the next free slot. `ok` with the wait before sending (0 when free now) when that
   * wait is at most `maxWaitMs`; otherwise nothing is reserved and the message says which limit.
   *
   * @example const r = orders.reserve(2_000); if (r.ok) await sleep(r.waitMs); else tryAgainIn(r.retryInMs, r.message);
   */
  reserve(maxWaitMs: number): Reservation {
    const now = this.clock.monotonic();
    const today = istDate(this.clock.now());
    if (today !== this.day) {
      this.day = today;
      this.dayCount = 0;
    }
    if (this.perDay !== null && this.dayCount >= this.perDay) {
      const tomorrow = nextWallTime(this.clock.now(), '00:00', KITE_SESSION_EXPIRY.timezone);
      return { ok: false, retryInMs: tomorrow - this.clock.now(), message: `Tradeclock's Kite limit of ${this.perDay} orders per day is used up (Kite's own cap); no more orders until tomorrow (IST)` };
    }
    const longest = Math.max(...this.windows.map((w) => w.windowMs));
    this.stamps = this.stamps.filter((s) => s > now - longest);
    let at = now;
    // Moving later for one window can only free the others, so this settles in a few rounds.
    for (let round = 0; round < 8; round++) {
      let next = at;
      for (const w of this.windows) next = Math.max(next, this.earliestIn(w, at));
      if (next === at) break;
      at = next;
    }
    const waitMs = at - now;
    if (waitMs > maxWaitMs) {
      const hit = this.windows.find((w) => this.earliestIn(w, now) > now);
      return { ok: false, retryInMs: waitMs, message: `Tradeclock's Kite rate limit of ${hit?.label ?? 'orders'} is reached; not sent (a slot frees in ${Math.ceil(waitMs / 1000)} s)` };
    }
    this.stamps.push(at);
    this.stamps.sort((a, b) => a - b);
    this.dayCount++;
    return { ok: true, waitMs };
  }

  /** The earliest instant ≥ `at` with fewer than `limit` reservations in the window ending there. */
  private earliestIn(w: RateWindow, at: number): number {
    const inWindow = this.stamps.filter((s) => s > at - w.windowMs);
    if (inWindow.length < w.limit) return at;
    // The window must slide past the (n - limit + 1)-th oldest reservation in it.
    return inWindow[inWindow.length - w.limit]! + w.windowMs;
  }
}

/** Waits `ms` on the injected clock. */
export function sleepOn(clock: Clock, ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => clock.setTimer(ms, resolve));
}
