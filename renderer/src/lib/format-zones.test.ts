import { describe, expect, it } from 'vitest';
import { laterDayNotice, triggerText, zonedDate, zonedDayTime, zonedStamp, zoneLabel } from './format';

const utc = (y: number, mo: number, d: number, h: number, mi: number, s = 0, ms = 0) => Date.UTC(y, mo - 1, d, h, mi, s, ms);

describe('times in a named zone', () => {
  it('names a zone by its place', () => {
    expect(zoneLabel('America/New_York')).toBe('New York');
    expect(zoneLabel('Asia/Kolkata')).toBe('Kolkata');
    expect(zoneLabel('America/Argentina/Buenos_Aires')).toBe('Buenos Aires');
    expect(zoneLabel('UTC')).toBe('UTC');
    expect(zoneLabel('Asia/Calcutta')).toBe('Kolkata'); // what Chromium resolves Kolkata to
  });

  it('shows the next trigger with day, time and zone, the countdown, and the trader\'s time beside it', () => {
    const at = utc(2026, 12, 7, 14, 30); // 09:30 in New York (EST, UTC−5)
    const now = at - (18 * 60 + 31) * 60_000;
    expect(triggerText('BUY', at, 'America/New_York', now, 'Europe/Berlin')).toEqual({
      when: 'BUY Mon 7 Dec 09:30 New York',
      countdown: 'in 18h 31m',
      local: 'Mon 7 Dec 15:30 your time (Berlin)',
    });
  });

  it('leaves the trader\'s time out when it reads the same, even under another zone name', () => {
    const at = utc(2026, 12, 7, 14, 30);
    expect(triggerText('SELL', at, 'America/New_York', at - 1_000, 'America/New_York').local).toBeNull();
    expect(triggerText('SELL', at, 'America/New_York', at - 1_000, 'America/Detroit').local).toBeNull();
    expect(triggerText('SELL', at, 'America/New_York', at + 1, 'UTC').countdown).toBe('now');
  });

  it('follows daylight saving: 09:30 New York is 13:30 UTC in summer, 14:30 in winter, and the day it changes', () => {
    expect(zonedDayTime(utc(2026, 7, 6, 13, 30), 'America/New_York')).toBe('Mon 6 Jul 09:30');
    expect(zonedDayTime(utc(2026, 12, 7, 14, 30), 'America/New_York')).toBe('Mon 7 Dec 09:30');
    // US clocks spring forward on Sun 8 Mar 2026; Europe only on 29 Mar, so the gap is 5 h for three weeks.
    const monday = utc(2026, 3, 9, 13, 30);
    expect(triggerText('BUY', monday, 'America/New_York', monday - 60_000, 'Europe/London')).toMatchObject({
      when: 'BUY Mon 9 Mar 09:30 New York',
      local: 'Mon 9 Mar 13:30 your time (London)',
    });
    // Kolkata has no DST: 09:15 IST is 03:45 UTC all year, and a day ahead of New York's evening.
    expect(triggerText('BUY', utc(2026, 12, 7, 3, 45), 'Asia/Kolkata', 0, 'America/New_York').local).toBe('Sun 6 Dec 22:45 your time (New York)');
  });

  it('stamps journal times with date, milliseconds and zone', () => {
    expect(zonedStamp(utc(2026, 12, 7, 14, 30, 0, 12), 'America/New_York')).toBe('Mon 7 Dec 09:30:00.012 New York');
    expect(zonedStamp(null, 'UTC')).toBe('—');
    expect(zonedDate(utc(2026, 12, 7, 3, 0), 'America/New_York')).toBe('2026-12-06');
  });
});

describe('a START that arms for a later day says why', () => {
  const base = { buyTime: '09:30:00', zone: 'America/New_York', tradesWeekends: false };
  it('is silent when the run trades today', () => {
    const now = utc(2026, 12, 7, 12, 0); // Mon 07:00 New York
    expect(laterDayNotice({ ...base, tradingDate: '2026-12-07', buyAt: utc(2026, 12, 7, 14, 30), now })).toBeNull();
  });

  it('names the weekend', () => {
    const now = utc(2026, 12, 5, 17, 0); // Sat 12:00 New York
    expect(laterDayNotice({ ...base, tradingDate: '2026-12-07', buyAt: utc(2026, 12, 7, 14, 30), now })).toBe(
      'Armed for Mon 7 Dec, not today: today (Sat 5 Dec) is a weekend day in New York. BUY Mon 7 Dec 09:30 New York.',
    );
  });

  it('names a BUY time already passed', () => {
    const now = utc(2026, 12, 7, 16, 0); // Mon 11:00 New York
    expect(laterDayNotice({ ...base, tradingDate: '2026-12-08', buyAt: utc(2026, 12, 8, 14, 30), now })).toBe(
      "Armed for Tue 8 Dec, not today: today's BUY time 09:30 New York has passed. BUY Tue 8 Dec 09:30 New York.",
    );
  });

  it('names a holiday when it is a weekday before the BUY time', () => {
    const now = utc(2026, 12, 25, 12, 0); // Fri 25 Dec 07:00 New York
    expect(laterDayNotice({ ...base, tradingDate: '2026-12-28', buyAt: utc(2026, 12, 28, 14, 30), now })).toMatch(/^Armed for Mon 28 Dec, not today: today \(Fri 25 Dec\) is not a trading day/);
  });

  it('crypto has no weekend: a Saturday past the BUY time says the time passed', () => {
    const now = utc(2026, 12, 5, 17, 0);
    expect(laterDayNotice({ buyTime: '09:30:00', zone: 'UTC', tradesWeekends: true, tradingDate: '2026-12-06', buyAt: utc(2026, 12, 6, 9, 30), now })).toMatch(/BUY time 09:30 UTC has passed/);
  });
});
