import { describe, expect, it } from 'vitest';
import { dayWords, reentryWords } from './plan-words';

describe('plan words', () => {
  it('says how many re-entries, after which exit, until when; nothing without re-entries', () => {
    expect(reentryWords({ reentries: 2, reentry_after: 'stop_loss', reentry_cutoff: '11:30:00' })).toBe('Up to 2 after a stop-loss (or trailing stop) exit, none from 11:30:00');
    expect(reentryWords({ reentries: 1, reentry_after: 'either', reentry_cutoff: '10:00:00' })).toBe('Up to 1 after either exit, none from 10:00:00');
    expect(reentryWords({ reentries: 0, reentry_after: 'target', reentry_cutoff: null })).toBeNull();
  });

  it('names the days in order as stored; none for every trading day', () => {
    expect(dayWords({ weekdays: ['mon', 'wed', 'fri'] })).toBe('Mon Wed Fri');
    expect(dayWords({ weekdays: null })).toBeNull();
  });
});
