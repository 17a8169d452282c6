/**
 * Expiry selection from listed dates only: across a month end, with holiday-shifted expiries
 * (Republic Day moving January 2027's monthly to Monday the 25th; a weekly moved back into the
 * previous month), for a monthly-only underlying, and over random calendars (fast-check).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { daysToExpiry, hasWeeklySeries, monthlyExpiries, selectExpiry, type ExpiryRule } from './expiry-select';
import type { ExpiryCalendar } from './option-chain';

// NIFTY as NSE lists it after Tuesday expiries (September 2025): weeklies, and a future on each
// monthly. 2027-01-26 is Republic Day, so January's monthly is Monday 2027-01-25.
const NIFTY: ExpiryCalendar = {
  underlying: 'NIFTY',
  optionExpiries: ['2026-12-08', '2026-12-15', '2026-12-22', '2026-12-29', '2027-01-05', '2027-01-12', '2027-01-19', '2027-01-25', '2027-02-23', '2027-03-30', '2027-06-29'],
  futureExpiries: ['2026-12-29', '2027-01-25', '2027-02-23'],
};
const BANKNIFTY: ExpiryCalendar = { underlying: 'BANKNIFTY', optionExpiries: ['2026-12-29', '2027-01-25', '2027-02-23', '2027-03-30'], futureExpiries: ['2026-12-29', '2027-01-25', '2027-02-23'] };

const pick = (calendar: ExpiryCalendar, rule: ExpiryRule, today: string) => {
  const r = selectExpiry(calendar, rule, today);
  return r.ok ? r.value : r.error;
};
const week = { kind: 'current_week' } as const;
const nextWeek = { kind: 'next_week' } as const;
const month = { kind: 'current_month' } as const;

describe('selectExpiry by example', () => {
  it('on a Monday: this Tuesday, the next, and the month-end Tuesday', () => {
    expect([pick(NIFTY, week, '2026-12-07'), pick(NIFTY, nextWeek, '2026-12-07'), pick(NIFTY, month, '2026-12-07')]).toEqual(['2026-12-08', '2026-12-15', '2026-12-29']);
  });

  it("on expiry day the day's own contract is current; the day after, the month end rolls to January's holiday-shifted monthly", () => {
    expect([pick(NIFTY, week, '2026-12-29'), pick(NIFTY, nextWeek, '2026-12-29'), pick(NIFTY, month, '2026-12-29')]).toEqual(['2026-12-29', '2027-01-05', '2026-12-29']);
    expect([pick(NIFTY, week, '2026-12-30'), pick(NIFTY, nextWeek, '2026-12-30'), pick(NIFTY, month, '2026-12-30')]).toEqual(['2027-01-05', '2027-01-12', '2027-01-25']);
    // Monday the 25th is January's last expiry: both the week's and the month's.
    expect([pick(NIFTY, week, '2027-01-20'), pick(NIFTY, month, '2027-01-20'), pick(NIFTY, nextWeek, '2027-01-20')]).toEqual(['2027-01-25', '2027-01-25', '2027-02-23']);
  });

  it('does not take a weekly moved back over a holiday into the previous month for that month\'s monthly', () => {
    // Tuesday 2026-12-01 a holiday: that weekly expires Monday 2026-11-30, after November's monthly (24th).
    const shifted: ExpiryCalendar = { underlying: 'NIFTY', optionExpiries: ['2026-11-30', '2026-12-08', '2026-12-15', '2026-12-22', '2026-12-29', '2027-01-25'], futureExpiries: ['2026-12-29', '2027-01-25'] };
    expect([pick(shifted, week, '2026-11-25'), pick(shifted, nextWeek, '2026-11-25'), pick(shifted, month, '2026-11-25')]).toEqual(['2026-11-30', '2026-12-08', '2026-12-29']);
    expect(monthlyExpiries(shifted)).toEqual(['2026-12-29', '2027-01-25']);
  });

  it('takes the last listed expiry of a month without a future as its monthly (far quarterlies)', () => {
    expect(monthlyExpiries(NIFTY)).toEqual(['2026-12-29', '2027-01-25', '2027-02-23', '2027-03-30', '2027-06-29']);
    expect(pick(NIFTY, month, '2027-02-24')).toBe('2027-03-30');
  });

  it('refuses the weekly rules for an underlying with monthly expiries only, and serves its month', () => {
    expect(hasWeeklySeries(BANKNIFTY)).toBe(false);
    expect(hasWeeklySeries(NIFTY)).toBe(true);
    expect(pick(BANKNIFTY, week, '2026-12-07')).toEqual({ code: 'no_weekly_series', message: 'BANKNIFTY lists monthly expiries only (2026-12-29, 2027-01-25, 2027-02-23, 2027-03-30): choose the current month or a date' });
    expect(pick(BANKNIFTY, nextWeek, '2026-12-07')).toMatchObject({ code: 'no_weekly_series' });
    expect(pick(BANKNIFTY, month, '2026-12-30')).toBe('2027-01-25');
  });

  it('takes an explicit date only when it is a listed expiry still to come', () => {
    expect(pick(NIFTY, { kind: 'date', date: '2027-01-25' }, '2026-12-07')).toBe('2027-01-25');
    expect(pick(NIFTY, { kind: 'date', date: '2027-01-26' }, '2026-12-07')).toEqual({ code: 'no_expiry', message: 'NIFTY has no expiry on 2027-01-26 (listed: 2026-12-08, 2026-12-15, 2026-12-22, 2026-12-29, 2027-01-05, 2027-01-12, …)' });
    expect(pick(NIFTY, { kind: 'date', date: '2026-12-01' }, '2026-12-07')).toEqual({ code: 'no_expiry', message: 'the expiry 2026-12-01 has passed (today is 2026-12-07)' });
    expect(pick(NIFTY, { kind: 'date', date: '25-01-2027' }, '2026-12-07')).toMatchObject({ code: 'bad_request' });
  });

  it('says so when nothing is left to trade', () => {
    expect(pick(BANKNIFTY, month, '2027-04-01')).toEqual({ code: 'no_expiry', message: 'BANKNIFTY lists no option expiry on or after 2027-04-01' });
    const oneLeft: ExpiryCalendar = { underlying: 'SENSEX', optionExpiries: ['2026-12-10', '2026-12-31'], futureExpiries: ['2026-12-31'] };
    expect(pick(oneLeft, nextWeek, '2026-12-11')).toEqual({ code: 'no_expiry', message: 'SENSEX lists no expiry after 2026-12-31 (next week)' });
  });
});

/** Random listings: 1–30 distinct dates over ~two years, futures on some of them. */
const calendarArb = fc
  .uniqueArray(fc.integer({ min: 0, max: 700 }), { minLength: 1, maxLength: 30 })
  .chain((days) => fc.tuple(fc.constant(days.sort((a, b) => a - b)), fc.subarray(days)))
  .map(([days, fut]): ExpiryCalendar => ({ underlying: 'X', optionExpiries: days.map(iso), futureExpiries: [...fut].sort((a, b) => a - b).map(iso) }));
const todayArb = fc.integer({ min: -10, max: 720 }).map(iso);

function iso(day: number): string {
  return new Date(Date.UTC(2026, 0, 1) + day * 86_400_000).toISOString().slice(0, 10);
}

describe('selectExpiry over random listings', () => {
  it('answers only with a listed expiry on or after today; next week follows current week; the month is a monthly', () => {
    fc.assert(
      fc.property(calendarArb, todayArb, (cal, today) => {
        const live = cal.optionExpiries.filter((e) => e >= today);
        const w = selectExpiry(cal, week, today);
        const n = selectExpiry(cal, nextWeek, today);
        const m = selectExpiry(cal, month, today);
        for (const r of [w, n, m]) if (r.ok) expect(live).toContain(r.value);
        if (w.ok) expect(w.value).toBe(live[0]);
        if (w.ok && n.ok) expect(n.value > w.value).toBe(true);
        expect(w.ok).toBe(live.length > 0 && hasWeeklySeries(cal));
        if (m.ok) expect(monthlyExpiries(cal)).toContain(m.value);
        expect(m.ok).toBe(monthlyExpiries(cal).some((e) => e >= today));
      }),
    );
  });

  it('takes a date exactly when it is listed and not past', () => {
    fc.assert(
      fc.property(calendarArb, todayArb, todayArb, (cal, today, date) => {
        const r = selectExpiry(cal, { kind: 'date', date }, today);
        expect(r.ok).toBe(cal.optionExpiries.includes(date) && date >= today);
        if (r.ok) expect(r.value).toBe(date);
      }),
    );
  });

  it('takes the futures as the monthlies, and beyond the last future each month once, by its last listed expiry', () => {
    fc.assert(
      fc.property(calendarArb, (cal) => {
        const monthly = monthlyExpiries(cal);
        const lastFutureMonth = cal.futureExpiries.map((e) => e.slice(0, 7)).sort().pop() ?? '';
        for (const mo of new Set(cal.optionExpiries.map((e) => e.slice(0, 7)))) {
          const inMonth = cal.optionExpiries.filter((e) => e.startsWith(mo));
          const want = mo > lastFutureMonth ? [inMonth[inMonth.length - 1]] : inMonth.filter((e) => cal.futureExpiries.includes(e));
          expect(monthly.filter((e) => e.startsWith(mo))).toEqual(want);
        }
      }),
    );
  });
});

describe('daysToExpiry', () => {
  it('counts calendar days as AlgoTest\'s DTE: 0 on the expiry day, the weekend counted, across a month and a leap day', () => {
    // A Tuesday expiry: Tuesday 0, Monday 1, the Friday before 4.
    expect(['2026-12-08', '2026-12-07', '2026-12-04', '2026-12-01'].map((d) => daysToExpiry(d, '2026-12-08'))).toEqual([0, 1, 4, 7]);
    expect(daysToExpiry('2026-12-30', '2027-01-26')).toBe(27);
    expect(daysToExpiry('2028-02-28', '2028-03-01')).toBe(2);
    // Across the change to summer time elsewhere: dates, not instants (IST has none, the count must not either).
    expect(daysToExpiry('2026-03-27', '2026-03-31')).toBe(4);
  });
});
