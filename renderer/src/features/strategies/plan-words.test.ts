import { describe, expect, it } from 'vitest';
import { backstopPlanWords, dayWords, reentryWords } from './plan-words';

describe('plan words', () => {
  it('says how many re-entries, after which exit, until when; nothing without re-entries', () => {
    expect(reentryWords({ reentries: 2, reentry_after: 'stop_loss', reentry_cutoff: '11:30:00' })).toBe('Up to 2 after a stop-loss (or trailing stop) exit, none from 11:30:00');
    expect(reentryWords({ reentries: 1, reentry_after: 'either', reentry_cutoff: '10:00:00' })).toBe('Up to 1 after either exit, none from 10:00:00');
    expect(reentryWords({ reentries: 0, reentry_after: 'target', reentry_cutoff: null })).toBeNull();
  });

  it('names the days in order as stored; none for every trading day', () => {
    expect(dayWords({ weekdays: ['mon', 'wed', 'fri'] })).toBe('Mon Wed Fri');
    expect(dayWords({ weekdays: null })).toBeNull();
    expect(dayWords({ weekdays: null, dte: [0, 1] })).toBe('days to expiry 0, 1');
    expect(dayWords({ weekdays: ['mon', 'tue'], dte: [2] })).toBe('Mon Tue · days to expiry 2');
  });

  it('says whether a backstop rests at the broker, when that is the broker\'s default, and where', () => {
    expect(backstopPlanWords({ backstop: null, backstop_on: true, backstop_margin: 0.5, backstop_margin_mode: 'points', backstop_take_profit: false })).toBe("On (the broker's default), 0.5 points beyond the stop-loss");
    expect(backstopPlanWords({ backstop: true, backstop_on: true, backstop_margin: null, backstop_margin_mode: 'points', backstop_take_profit: false })).toBe('On, at the stop-loss');
    expect(backstopPlanWords({ backstop: true, backstop_on: true, backstop_margin: 1, backstop_margin_mode: 'percent', backstop_take_profit: false })).toBe('On, 1 % beyond the stop-loss');
    expect(backstopPlanWords({ backstop: null, backstop_on: false, backstop_margin: null, backstop_margin_mode: 'points', backstop_take_profit: false })).toBe("Off (the broker's default)");
    expect(backstopPlanWords({ backstop: false, backstop_on: false, backstop_margin: null, backstop_margin_mode: 'points', backstop_take_profit: false })).toBe('Off');
  });

  it('says the take-profit resting with it where the broker has one (a Kite OCO GTT with a target), beyond the target by the same margin', () => {
    expect(backstopPlanWords({ backstop: null, backstop_on: true, backstop_margin: null, backstop_margin_mode: 'points', backstop_take_profit: true })).toBe("On (the broker's default), at the stop-loss, with a take-profit at the target: whichever is reached first");
    expect(backstopPlanWords({ backstop: true, backstop_on: true, backstop_margin: 0.5, backstop_margin_mode: 'points', backstop_take_profit: true })).toBe('On, 0.5 points beyond the stop-loss, with a take-profit 0.5 points beyond the target: whichever is reached first');
  });
});
