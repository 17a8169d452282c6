import { DateTime } from 'luxon';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseTimeOfDay, type TimeOfDay } from '../core/time-of-day';
import { addDays } from './civil-date';
import { dstGapProblems, gapOf, type DstGap } from './dst-gaps';

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

/**
 * The search as it was (every day of the window, every minute around a gap, asking luxon whether
 * the wall-clock time exists): slow, and the reference the transition-first search must agree with.
 */
function gapByEveryDay(time: TimeOfDay, timezone: string, fromDate: string): DstGap | null {
  const exists = (date: string, minuteOfDay: number, second = 0) => {
    const [year, month, day] = date.split('-').map(Number) as [number, number, number];
    const t = DateTime.fromObject({ year, month, day, hour: Math.floor(minuteOfDay / 60), minute: minuteOfDay % 60, second }, { zone: timezone });
    return t.isValid && t.toISODate() === date && t.hour * 60 + t.minute === minuteOfDay && t.second === second;
  };
  const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  for (let i = 0, date = fromDate; i < 372; i++, date = addDays(date, 1)) {
    const minute = time.hour * 60 + time.minute;
    if (exists(date, minute, time.second)) continue;
    let first = minute;
    while (first > 0 && !exists(date, first - 1)) first--;
    let after = minute + 1;
    while (after < 24 * 60 && !exists(date, after)) after++;
    return { date, from: hhmm(first), to: after >= 24 * 60 ? '24:00' : hhmm(after) };
  }
  return null;
}

describe('gapOf agrees with a search of every day', () => {
  // Zones whose jumps are odd: at midnight (Havana, Beirut, Cairo, Santiago), at 22:00/23:00 up to
  // midnight (Nuuk, Easter Island), two hours (Troll), 45-minute offsets (Chatham), half an hour
  // (Lord Howe), Ramadan's pair a month apart (Casablanca), and none at all (Kolkata).
  const zones = [
    'America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'America/Santiago', 'Africa/Casablanca', 'America/Nuuk',
    'Pacific/Easter', 'Antarctica/Troll', 'Pacific/Chatham', 'America/Havana', 'Asia/Beirut', 'Africa/Cairo', 'Asia/Kolkata',
  ];
  const times = ['00:00', '00:30', '01:30', '02:00', '02:30', '02:59:59', '03:00', '03:30', '22:30', '23:30', '23:59:59'];
  for (const zone of zones) {
    it(zone, () => {
      for (const t of times) expect(gapOf(time(t), zone, '2026-01-01'), `${zone} ${t}`).toEqual(gapByEveryDay(time(t), zone, '2026-01-01'));
    });
  }

  it('finds the jumps whose span ends at midnight, and the two-hour one', () => {
    expect(gapOf(time('23:30'), 'America/Nuuk', '2026-01-01')).toEqual({ date: '2026-03-28', from: '23:00', to: '24:00' });
    expect(gapOf(time('02:59'), 'Antarctica/Troll', '2026-01-01')).toEqual({ date: '2026-03-29', from: '01:00', to: '03:00' });
    expect(gapOf(time('02:30'), 'Africa/Casablanca', '2026-01-01')).toEqual({ date: '2026-03-22', from: '02:00', to: '03:00' });
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

describe('the work a create or edit costs', () => {
  afterEach(() => vi.restoreAllMocks());

  it('asks luxon about the days of the zone\'s jumps only, not every day of the year', () => {
    // Each wall-clock DateTime luxon builds costs tens of µs; one per day and time (372 × 2, plus
    // the run-day checks: 2 232 for the gap case below) held the event loop ~24 ms per create or
    // edit (bench/dst-gaps.ts).
    const built = vi.spyOn(DateTime, 'fromObject');
    expect(dstGapProblems({ buyTime: '09:30', sellTime: '15:55', timezone: 'America/New_York', exchange: 'CRYPTO' }, '2026-01-01')).toEqual([]);
    expect(built.mock.calls.length).toBeLessThanOrEqual(16);
    built.mockClear();
    expect(dstGapProblems({ buyTime: '02:15', sellTime: '02:45', timezone: 'America/New_York', exchange: 'CRYPTO' }, '2026-01-01')).toHaveLength(2);
    expect(built.mock.calls.length).toBeLessThanOrEqual(16);
  });
});
