/** The session state: unverified → valid until 06:00 IST → expired by the clock or by Kite. */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/fake-clock';
import { KiteSessionTracker, type KiteSession } from './kite-session';

describe('KiteSessionTracker', () => {
  it('starts as no_token or unverified', () => {
    expect(new KiteSessionTracker(new FakeClock(0), false).current()).toMatchObject({ state: 'no_token', message: expect.stringMatching(/log in to Kite/i) });
    expect(new KiteSessionTracker(new FakeClock(0), true).current().state).toBe('unverified');
  });

  it('turns valid when Kite accepts the token, and expired at 06:00 IST by its own timer', async () => {
    const clock = new FakeClock(Date.parse('2026-03-09T03:00:00Z')); // 08:30 IST
    const s = new KiteSessionTracker(clock, true);
    const seen: KiteSession[] = [];
    s.onChange((x) => seen.push(x));
    s.markValid();
    expect(s.current()).toMatchObject({ state: 'valid', checkedAt: clock.now(), expiresAt: Date.parse('2026-03-10T00:30:00Z') });
    await clock.advanceTo(Date.parse('2026-03-10T00:29:59Z'));
    expect(s.current().state).toBe('valid');
    await clock.advanceTo(Date.parse('2026-03-10T00:30:00Z'));
    expect(seen.map((x) => x.state)).toEqual(['valid', 'expired']);
    expect(s.current().message).toMatch(/ended at 06:00 IST.*Log in to Kite again/);
  });

  it('notices 06:00 on read even when the timer is late (laptop asleep)', async () => {
    const clock = new FakeClock(Date.parse('2026-03-09T03:00:00Z'));
    const s = new KiteSessionTracker(clock, true);
    s.markValid();
    await clock.suspend(24 * 3600_000); // wall clock jumps, timers do not fire
    expect(s.current().state).toBe('expired');
  });

  it('expires when Kite refuses the token, and a new token starts over', () => {
    const s = new KiteSessionTracker(new FakeClock(0), true);
    s.markValid();
    s.expire('Kite refused the access token');
    expect(s.current()).toMatchObject({ state: 'expired', message: expect.stringMatching(/Kite refused the access token/) });
    s.reset(true);
    expect(s.current().state).toBe('unverified');
  });
});
