import { describe, expect, it } from 'vitest';
import { EXCHANGES } from '../core/types';
import { addDays } from './civil-date';
import type { HolidayData } from './holiday-data';
import { createTradingCalendar, defaultTimezone } from './trading-calendar';

const calendar = createTradingCalendar();

describe('defaultTimezone', () => {
  it('maps each exchange to the zone it keeps its hours in', () => {
    expect(Object.fromEntries(EXCHANGES.map((e) => [e, defaultTimezone(e)]))).toEqual({
      NSE: 'Asia/Kolkata',
      BSE: 'Asia/Kolkata',
      NFO: 'Asia/Kolkata',
      BFO: 'Asia/Kolkata',
      NYSE: 'America/New_York',
      NASDAQ: 'America/New_York',
      CRYPTO: 'UTC',
    });
  });
});

describe('isTradingDay', () => {
  it('closes equity exchanges on weekends; crypto trades on Saturday and Sunday', () => {
    for (const exchange of ['NYSE', 'NASDAQ', 'NSE', 'BSE', 'NFO', 'BFO'] as const) {
      expect(calendar.isTradingDay(exchange, '2026-03-06')).toBe(true); // Friday
      expect(calendar.isTradingDay(exchange, '2026-03-07')).toBe(false); // Saturday
      expect(calendar.isTradingDay(exchange, '2026-03-08')).toBe(false); // Sunday
    }
    expect(calendar.isTradingDay('CRYPTO', '2026-03-07')).toBe(true);
    expect(calendar.isTradingDay('CRYPTO', '2026-03-08')).toBe(true);
    expect(calendar.isTradingDay('CRYPTO', '2026-12-25')).toBe(true);
  });

  it('closes NYSE and NASDAQ on the NYSE holidays, and only on full-day closures', () => {
    for (const date of ['2026-04-03', '2026-07-03', '2026-11-26', '2027-06-18', '2027-12-24']) {
      expect(calendar.isTradingDay('NYSE', date)).toBe(false);
      expect(calendar.isTradingDay('NASDAQ', date)).toBe(false);
    }
    expect(calendar.holidayName('NASDAQ', '2026-07-03')).toBe('Independence Day (observed)');
    expect(calendar.isTradingDay('NYSE', '2026-11-27')).toBe(true); // early close, still a trading day
    expect(calendar.isTradingDay('NSE', '2026-07-03')).toBe(true); // not an Indian holiday
  });

  it('closes NSE and BSE on the NSE holidays', () => {
    expect(calendar.isTradingDay('NSE', '2026-01-26')).toBe(false);
    expect(calendar.isTradingDay('BSE', '2026-01-26')).toBe(false);
    expect(calendar.holidayName('BSE', '2026-01-26')).toBe('Republic Day');
    expect(calendar.isTradingDay('NYSE', '2026-01-26')).toBe(true);
  });

  it('without holiday data closes weekends only', () => {
    const bare = createTradingCalendar({});
    expect(bare.isTradingDay('NYSE', '2026-07-03')).toBe(true);
    expect(bare.isTradingDay('NYSE', '2026-07-04')).toBe(false);
    expect(bare.holidayList('NYSE')).toBeUndefined();
  });

  it('rejects a date that is not "YYYY-MM-DD"', () => {
    expect(() => calendar.isTradingDay('NYSE', '2026-3-6')).toThrow(/YYYY-MM-DD/);
    expect(() => calendar.isTradingDay('NYSE', '2026-02-29')).toThrow(/YYYY-MM-DD/);
  });
});

describe('nextTradingDay', () => {
  it('goes from Friday to Monday, and around holidays', () => {
    expect(calendar.nextTradingDay('NYSE', '2026-03-06')).toBe('2026-03-09');
    expect(calendar.nextTradingDay('NYSE', '2026-07-02')).toBe('2026-07-06'); // Fri 3rd observed holiday
    expect(calendar.nextTradingDay('NYSE', '2026-01-16')).toBe('2026-01-20'); // Mon 19th MLK Day
    expect(calendar.nextTradingDay('NSE', '2026-01-23')).toBe('2026-01-27'); // Mon 26th Republic Day
    expect(calendar.nextTradingDay('CRYPTO', '2026-03-06')).toBe('2026-03-07');
  });

  it('crosses the year end', () => {
    expect(calendar.nextTradingDay('NYSE', '2026-12-31')).toBe('2027-01-04'); // Fri 1st closed
  });

  it('gives up with an error, not a hang, when a holiday file closes every day', () => {
    const everyDay = Array.from({ length: 800 }, (_, i) => ({ date: addDays('2026-01-01', i), name: 'closed' }));
    const broken: HolidayData = { NYSE: { exchange: 'NYSE', source: 't', updated: '2026-01-01', dates: everyDay, file: 't' } };
    expect(() => createTradingCalendar(broken).nextTradingDay('NYSE', '2026-01-01')).toThrow(/no trading day.*holiday file/);
  });
});
