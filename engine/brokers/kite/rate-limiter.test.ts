/** Tradeclock's own copy of Kite's order limits: 10/s (wait), 400/min and 5000/day (refuse, naming the wait). */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/fake-clock';
import { KITE_ORDER_WINDOWS, KITE_ORDERS_PER_DAY, RateLimiter } from './rate-limiter';

const start = Date.parse('2026-03-09T04:00:00Z'); // 09:30 IST

describe('RateLimiter with Kite\'s order windows', () => {
  it('lets 10 orders go at once and makes the 11th wait for the second to roll', async () => {
    const clock = new FakeClock(start);
    const limiter = new RateLimiter(clock, KITE_ORDER_WINDOWS, KITE_ORDERS_PER_DAY);
    for (let i = 0; i < 10; i++) expect(limiter.reserve(2_000)).toEqual({ ok: true, waitMs: 0 });
    expect(limiter.reserve(2_000)).toEqual({ ok: true, waitMs: 1_000 });
    await clock.advance(400);
    expect(limiter.reserve(2_000)).toEqual({ ok: true, waitMs: 600 });
  });

  it('refuses with a clear message when the wait would be longer than allowed', () => {
    const limiter = new RateLimiter(new FakeClock(start), KITE_ORDER_WINDOWS, KITE_ORDERS_PER_DAY);
    for (let i = 0; i < 10; i++) limiter.reserve(0);
    expect(limiter.reserve(0)).toEqual({ ok: false, retryInMs: 1_000, message: expect.stringMatching(/rate limit of 10 orders per second is reached; not sent/) });
  });

  it('holds 400 per minute even when spread to fit 10 per second', async () => {
    const clock = new FakeClock(start);
    const limiter = new RateLimiter(clock, KITE_ORDER_WINDOWS, KITE_ORDERS_PER_DAY);
    for (let s = 0; s < 40; s++) {
      for (let i = 0; i < 10; i++) expect(limiter.reserve(0).ok).toBe(true);
      await clock.advance(1_000);
    }
    // 40 s in, 400 sent: the next slot opens when the first second leaves the minute.
    const r = limiter.reserve(2_000);
    expect(r).toEqual({ ok: false, retryInMs: 20_000, message: expect.stringMatching(/400 orders per minute/) });
    await clock.advance(20_000);
    expect(limiter.reserve(0).ok).toBe(true);
  });

  it('stops at 5000 a day and starts again on the next IST date', async () => {
    const clock = new FakeClock(Date.parse('2026-03-09T18:00:00Z')); // 23:30 IST
    const limiter = new RateLimiter(clock, [], 3);
    for (let i = 0; i < 3; i++) expect(limiter.reserve(0).ok).toBe(true);
    // The wait named is the one until the IST date changes: nothing was sent, so it can go then.
    expect(limiter.reserve(0)).toEqual({ ok: false, retryInMs: 30 * 60_000, message: expect.stringMatching(/3 orders per day is used up/) });
    await clock.advance(30 * 60_000); // 00:00 IST
    expect(limiter.reserve(0).ok).toBe(true);
  });
});
