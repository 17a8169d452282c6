/** The access token's death at 06:00 IST, the pre-market check time, and Kite's IST timestamps. */
import { describe, expect, it } from 'vitest';
import { istDate, kiteTokenExpiry, nextPreMarketCheck, nextWallTime, parseKiteTimestamp } from './token-expiry';

const at = (iso: string) => Date.parse(iso);
// 06:00 IST = 00:30 UTC.

describe('kiteTokenExpiry: the next 06:00 IST strictly after the token was known good', () => {
  it.each([
    ['a morning login lives until tomorrow 06:00', '2026-03-09T03:30:00Z' /* 09:00 IST */, '2026-03-10T00:30:00Z'],
    ['one millisecond before 06:00 dies at 06:00 the same day', '2026-03-10T00:29:59.999Z', '2026-03-10T00:30:00Z'],
    ['exactly at 06:00 lives until the next day', '2026-03-10T00:30:00Z', '2026-03-11T00:30:00Z'],
    ['one millisecond after 06:00 lives until the next day', '2026-03-10T00:30:00.001Z', '2026-03-11T00:30:00Z'],
    ['a login just before IST midnight', '2026-03-09T18:29:00Z' /* 23:59 IST */, '2026-03-10T00:30:00Z'],
    ['a login just after IST midnight, still before 06:00', '2026-03-09T18:31:00Z' /* 00:01 IST on the 10th */, '2026-03-10T00:30:00Z'],
    ['across a month end', '2026-03-31T10:00:00Z', '2026-04-01T00:30:00Z'],
    ['on the day Europe and the US shift DST, IST does not move', '2026-03-08T12:00:00Z', '2026-03-09T00:30:00Z'],
  ])('%s', (_why, login, expiry) => {
    expect(kiteTokenExpiry(at(login))).toBe(at(expiry));
  });
});

describe('nextPreMarketCheck', () => {
  it('is today 08:45 IST before it, tomorrow after it', () => {
    expect(nextPreMarketCheck(at('2026-03-09T03:00:00Z'))).toBe(at('2026-03-09T03:15:00Z'));
    expect(nextPreMarketCheck(at('2026-03-09T03:15:00Z'))).toBe(at('2026-03-10T03:15:00Z'));
    expect(nextPreMarketCheck(at('2026-03-09T03:00:00Z'), '09:00')).toBe(at('2026-03-09T03:30:00Z'));
  });

  it('refuses a malformed time', () => {
    expect(() => nextWallTime(0, '8:45', 'Asia/Kolkata')).toThrow(/HH:MM/);
    expect(() => nextWallTime(0, '08:45', 'Mars/Olympus')).toThrow(/timezone/);
  });
});

describe('IST dates and timestamps', () => {
  it('istDate turns at IST midnight (18:30 UTC)', () => {
    expect(istDate(at('2026-03-09T18:29:59.999Z'))).toBe('2026-03-09');
    expect(istDate(at('2026-03-09T18:30:00Z'))).toBe('2026-03-10');
  });

  it('parses Kite\'s "YYYY-MM-DD HH:MM:SS" as IST, and nothing else', () => {
    expect(parseKiteTimestamp('2026-03-09 09:15:00')).toBe(at('2026-03-09T03:45:00Z'));
    expect(parseKiteTimestamp('2026-03-09T09:15:00+0530')).toBeNull();
    expect(parseKiteTimestamp('2026-02-30 09:15:00')).toBeNull();
    expect(parseKiteTimestamp(null)).toBeNull();
    expect(parseKiteTimestamp('')).toBeNull();
  });
});
