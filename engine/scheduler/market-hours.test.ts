import { describe, expect, it } from 'vitest';
import { sessionAt } from './market-hours';
import { createTradingCalendar } from './trading-calendar';

const calendar = createTradingCalendar();
const at = (iso: string) => Date.parse(iso);

describe('sessionAt', () => {
  it('NYSE is open from 09:30 to 16:00 New York on a trading day, in EDT as in EST', () => {
    expect(sessionAt('NYSE', at('2026-03-09T13:30:00Z'), calendar)).toEqual({ open: true, openedAt: at('2026-03-09T13:30:00Z'), closesAt: at('2026-03-09T20:00:00Z') });
    expect(sessionAt('NASDAQ', at('2026-01-05T14:29:59Z'), calendar)).toEqual({ open: false, opensAt: at('2026-01-05T14:30:00Z') });
    expect(sessionAt('NYSE', at('2026-03-09T20:00:00Z'), calendar)).toEqual({ open: false, opensAt: at('2026-03-10T13:30:00Z') });
  });

  it('a weekend or a holiday is closed until the next trading day opens', () => {
    // Friday 2026-04-03 is Good Friday: closed from Thursday's close to Monday's open.
    expect(sessionAt('NYSE', at('2026-04-03T15:00:00Z'), calendar)).toEqual({ open: false, opensAt: at('2026-04-06T13:30:00Z') });
    expect(sessionAt('NYSE', at('2026-03-07T15:00:00Z'), calendar)).toEqual({ open: false, opensAt: at('2026-03-09T13:30:00Z') });
  });

  it('NSE is open from 09:15 to 15:30 Kolkata; crypto never closes', () => {
    expect(sessionAt('NSE', at('2026-03-09T03:45:00Z'), calendar)).toEqual({ open: true, openedAt: at('2026-03-09T03:45:00Z'), closesAt: at('2026-03-09T10:00:00Z') });
    expect(sessionAt('BSE', at('2026-03-09T10:00:00Z'), calendar)).toMatchObject({ open: false });
    expect(sessionAt('CRYPTO', at('2026-03-07T03:00:00Z'), calendar)).toEqual({ open: true, openedAt: null, closesAt: Number.POSITIVE_INFINITY });
  });

  it('an early close ends the session at 13:00 New York (the day after Thanksgiving)', () => {
    expect(sessionAt('NYSE', at('2026-11-27T17:59:59Z'), calendar)).toMatchObject({ open: true, closesAt: at('2026-11-27T18:00:00Z') });
    expect(sessionAt('NYSE', at('2026-11-27T18:00:00Z'), calendar)).toEqual({ open: false, opensAt: at('2026-11-30T14:30:00Z') });
  });
});
