import { describe, expect, it } from 'vitest';
import { parseTimeOfDay } from '../core/time-of-day';
import { dstGapProblems, gapOf } from './dst-gaps';

const time = (s: string) => parseTimeOfDay(s)!;

describe('gapOf', () => {
  it('finds the day a time is skipped and the jump, in zones whose clocks move', () => {
    expect(gapOf(time('02:30'), 'America/New_York', '2026-01-01')).toEqual({ date: '2026-03-08', from: '02:00', to: '03:00' });
    expect(gapOf(time('02:00:00'), 'America/New_York', '2026-01-01')?.date).toBe('2026-03-08');
    expect(gapOf(time('02:59:59'), 'America/New_York', '2026-01-01')?.date).toBe('2026-03-08');
    expect(gapOf(time('01:30'), 'Europe/London', '2026-01-01')).toEqual({ date: '2026-03-29', from: '01:00', to: '02:00' });
    // Southern hemisphere: Sydney springs forward in October.
    expect(gapOf(time('02:30'), 'Australia/Sydney', '2026-01-01')).toEqual({ date: '2026-10-04', from: '02:00', to: '03:00' });
    // Half an hour at Lord Howe Island.
    expect(gapOf(time('02:15'), 'Australia/Lord_Howe', '2026-01-01')).toEqual({ date: '2026-10-04', from: '02:00', to: '02:30' });
  });

  it('finds nothing for times every day has, and in zones without DST', () => {
    expect(gapOf(time('03:00'), 'America/New_York', '2026-01-01')).toBeNull();
    expect(gapOf(time('01:59:59'), 'America/New_York', '2026-01-01')).toBeNull();
    // The fall-back overlap: 01:30 happens twice, never zero times.
    expect(gapOf(time('01:30'), 'America/New_York', '2026-01-01')).toBeNull();
    // From the day after a change, next year's is found (371 days later in New York).
    expect(gapOf(time('02:30'), 'America/New_York', '2026-03-09')?.date).toBe('2027-03-14');
    expect(gapOf(time('02:30'), 'America/New_York', '2026-03-09', () => false)).toBeNull();
    expect(gapOf(time('02:30'), 'Asia/Kolkata', '2026-01-01')).toBeNull();
    expect(gapOf(time('02:30'), 'UTC', '2026-01-01')).toBeNull();
  });
});

describe('dstGapProblems', () => {
  it('counts only days the strategy could run: the exchange trades on its BUY\'s date', () => {
    const ny = { buyTime: '02:15', sellTime: '02:45', timezone: 'America/New_York' } as const;
    expect(dstGapProblems({ ...ny, exchange: 'CRYPTO' }, '2026-01-01').map((p) => p.field)).toEqual(['buy_time', 'sell_time']);
    // New York's change is on a Sunday: NYSE is closed.
    expect(dstGapProblems({ ...ny, exchange: 'NYSE' }, '2026-01-01')).toEqual([]);
    // Santiago changes at midnight between Saturday and Sunday: a weekday exchange never runs then.
    expect(dstGapProblems({ buyTime: '00:30', sellTime: '05:00', timezone: 'America/Santiago', exchange: 'NYSE' }, '2026-01-01')).toEqual([]);
    expect(dstGapProblems({ buyTime: '00:30', sellTime: '05:00', timezone: 'America/Santiago', exchange: 'CRYPTO' }, '2026-01-01')).toEqual([
      { field: 'buy_time', message: expect.stringContaining('the clocks jump from 00:00 to 01:00') },
    ]);
  });
});
