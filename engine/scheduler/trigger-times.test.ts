import { Cron } from 'croner';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../core/errors';
import { createTradingCalendar } from './trading-calendar';
import { instantOf, nextRunAfter, planRun, refuseIdleWeekdays, tradingDateAt, type StrategyTimes } from './trigger-times';

const calendar = createTradingCalendar();
const NY = 'America/New_York';
const at = (iso: string) => Date.parse(iso);
const nyse: StrategyTimes = { buy_time: '09:30:00', sell_time: '15:55:00', timezone: NY, exchange: 'NYSE' };

describe('tradingDateAt', () => {
  it('is the calendar date in the given zone, not in UTC', () => {
    expect(tradingDateAt(at('2026-03-10T03:00:00Z'), NY)).toBe('2026-03-09');
    expect(tradingDateAt(at('2026-03-09T18:30:00Z'), 'Asia/Kolkata')).toBe('2026-03-10');
    expect(tradingDateAt(at('2026-03-09T23:59:59.999Z'), 'UTC')).toBe('2026-03-09');
  });

  it('rejects an unknown zone as a validation error on "timezone"', () => {
    try {
      tradingDateAt(0, 'America/Gotham');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(DomainError);
      expect((err as DomainError).fields).toEqual([{ field: 'timezone', message: 'unknown IANA timezone "America/Gotham"' }]);
    }
  });
});

describe('instantOf across New York DST changes', () => {
  it('spring forward 2026-03-08: a time in the 02:00–03:00 gap runs at 03:00 EDT, the first valid time after it', () => {
    expect(instantOf('2026-03-08', '02:30:00', NY)).toBe(at('2026-03-08T07:00:00Z'));
    expect(instantOf('2026-03-08', '02:00:00', NY)).toBe(at('2026-03-08T07:00:00Z'));
    expect(instantOf('2026-03-08', '02:59:59', NY)).toBe(at('2026-03-08T07:00:00Z'));
    // Either side of the gap is untouched.
    expect(instantOf('2026-03-08', '01:59:59', NY)).toBe(at('2026-03-08T06:59:59Z')); // EST
    expect(instantOf('2026-03-08', '03:00:00', NY)).toBe(at('2026-03-08T07:00:00Z')); // EDT
    expect(instantOf('2026-03-08', '09:30:00', NY)).toBe(at('2026-03-08T13:30:00Z')); // EDT
    // The days around it keep their own offsets.
    expect(instantOf('2026-03-07', '02:30:00', NY)).toBe(at('2026-03-07T07:30:00Z'));
    expect(instantOf('2026-03-09', '02:30:00', NY)).toBe(at('2026-03-09T06:30:00Z'));
  });

  it('fall back 2026-11-01: a time in the repeated 01:00–02:00 hour runs once, at its first (EDT) occurrence', () => {
    expect(instantOf('2026-11-01', '01:30:00', NY)).toBe(at('2026-11-01T05:30:00Z')); // not 06:30Z (EST)
    expect(instantOf('2026-11-01', '01:00:00', NY)).toBe(at('2026-11-01T05:00:00Z'));
    expect(instantOf('2026-11-01', '01:59:59', NY)).toBe(at('2026-11-01T05:59:59Z'));
    // 02:30 exists once (EST) and 09:30 is an ordinary EST time.
    expect(instantOf('2026-11-01', '02:30:00', NY)).toBe(at('2026-11-01T07:30:00Z'));
    expect(instantOf('2026-11-01', '09:30:00', NY)).toBe(at('2026-11-01T14:30:00Z'));
    expect(instantOf('2026-10-31', '09:30:00', NY)).toBe(at('2026-10-31T13:30:00Z')); // EDT the day before
  });

  it('agrees with a daily croner job, so planned and fired times cannot drift apart', () => {
    for (const [time, pattern] of [['02:30:00', '0 30 2 * * *'], ['01:30:00', '0 30 1 * * *'], ['09:30:00', '0 30 9 * * *']] as const) {
      for (const [first, dates] of [
        ['2026-03-07T00:00:00Z', ['2026-03-07', '2026-03-08', '2026-03-09']],
        ['2026-10-31T00:00:00Z', ['2026-10-31', '2026-11-01', '2026-11-02']],
      ] as const) {
        const runs = new Cron(pattern, { timezone: NY, paused: true }).nextRuns(3, new Date(at(first)));
        expect(dates.map((d) => instantOf(d, time, NY))).toEqual(runs.map((r) => r.getTime()));
      }
    }
  });

  it('takes "HH:MM" as well, and Asia/Kolkata has no DST', () => {
    expect(instantOf('2026-03-09', '09:15', 'Asia/Kolkata')).toBe(at('2026-03-09T03:45:00Z'));
    expect(instantOf('2026-11-02', '09:15', 'Asia/Kolkata')).toBe(at('2026-11-02T03:45:00Z'));
  });

  it('rejects a malformed time of day', () => {
    expect(() => instantOf('2026-03-09', '9:30', NY)).toThrow(/HH:MM/);
  });
});

describe('planRun', () => {
  it('arms today when started before the BUY time, including exactly at it', () => {
    const plan = planRun(at('2026-03-06T14:00:00Z'), nyse, calendar); // Fri 09:00 EST
    expect(plan).toEqual({
      tradingDate: '2026-03-06',
      exchangeDate: '2026-03-06',
      buyAt: at('2026-03-06T14:30:00Z'),
      sellAt: at('2026-03-06T20:55:00Z'),
      reentryCutoffAt: null,
      squareOffAt: null,
    });
    expect(planRun(at('2026-03-06T14:30:00Z'), nyse, calendar).tradingDate).toBe('2026-03-06');
  });

  it('started after today’s BUY time, arms for the next trading day (Friday → Monday, across spring forward)', () => {
    expect(planRun(at('2026-03-06T14:30:00.001Z'), nyse, calendar)).toEqual({
      tradingDate: '2026-03-09',
      exchangeDate: '2026-03-09',
      buyAt: at('2026-03-09T13:30:00Z'), // 09:30 EDT
      sellAt: at('2026-03-09T19:55:00Z'),
      reentryCutoffAt: null,
      squareOffAt: null,
    });
  });

  it('started on a weekend or a holiday, arms for the next trading day', () => {
    expect(planRun(at('2026-03-07T12:00:00Z'), nyse, calendar).tradingDate).toBe('2026-03-09');
    expect(planRun(at('2026-04-03T12:00:00Z'), nyse, calendar).tradingDate).toBe('2026-04-06'); // Good Friday
  });

  it('a recovery with a grace window passes now - grace and still gets today', () => {
    const now = at('2026-03-06T14:30:40Z'); // 40 s after the BUY time
    expect(planRun(now - 60_000, nyse, calendar).buyAt).toBe(at('2026-03-06T14:30:00Z'));
  });

  it('CRYPTO trades on Saturday', () => {
    const crypto: StrategyTimes = { buy_time: '10:00:00', sell_time: '18:00:00', timezone: 'UTC', exchange: 'CRYPTO' };
    expect(planRun(at('2026-03-06T11:00:00Z'), crypto, calendar)).toEqual({
      tradingDate: '2026-03-07',
      exchangeDate: '2026-03-07',
      buyAt: at('2026-03-07T10:00:00Z'),
      sellAt: at('2026-03-07T18:00:00Z'),
      reentryCutoffAt: null,
      squareOffAt: null,
    });
  });

  it('NSE in Asia/Kolkata skips Republic Day', () => {
    const nse: StrategyTimes = { buy_time: '09:20:00', sell_time: '15:15:00', timezone: 'Asia/Kolkata', exchange: 'NSE' };
    expect(planRun(at('2026-01-23T10:00:00Z'), nse, calendar)).toMatchObject({ tradingDate: '2026-01-27', buyAt: at('2026-01-27T03:50:00Z') });
  });

  it('checks holidays on the exchange’s date when the strategy keeps another zone', () => {
    // 01:00 IST on Tue 20 Jan is 14:30 EST on Mon 19 Jan, MLK Day: that run is skipped.
    const nyseInIst: StrategyTimes = { buy_time: '01:00:00', sell_time: '02:00:00', timezone: 'Asia/Kolkata', exchange: 'NYSE' };
    expect(planRun(at('2026-01-19T12:00:00Z'), nyseInIst, calendar)).toEqual({
      tradingDate: '2026-01-21',
      exchangeDate: '2026-01-20',
      buyAt: at('2026-01-20T19:30:00Z'),
      sellAt: at('2026-01-20T20:30:00Z'),
      reentryCutoffAt: null,
      squareOffAt: null,
    });
  });

  it('sells on the next trading day when the SELL time is not after the BUY time (overnight hold)', () => {
    const overnight: StrategyTimes = { ...nyse, buy_time: '15:50:00', sell_time: '09:35:00' };
    const plan = planRun(at('2026-07-02T12:00:00Z'), overnight, calendar); // Thu; Fri 3rd is a holiday
    expect(plan.buyAt).toBe(at('2026-07-02T19:50:00Z'));
    expect(plan.sellAt).toBe(at('2026-07-06T13:35:00Z'));
  });

  it('puts the re-entry cut-off and the square-off on the BUY\'s day, in the strategy\'s zone', () => {
    const nse: StrategyTimes = { buy_time: '09:20:00', sell_time: '15:00:00', timezone: 'Asia/Kolkata', exchange: 'NSE', reentry_cutoff: '14:30', square_off_time: '15:15:00' };
    expect(planRun(at('2026-01-23T10:00:00Z'), nse, calendar)).toMatchObject({
      tradingDate: '2026-01-27',
      reentryCutoffAt: at('2026-01-27T09:00:00Z'),
      squareOffAt: at('2026-01-27T09:45:00Z'),
    });
    expect(() => planRun(0, { ...nse, square_off_time: '15:75' }, calendar)).toThrow(/square_off_time: must be "HH:MM"/);
  });

  it('names the bad field', () => {
    expect(() => planRun(0, { ...nyse, sell_time: '25:00' }, calendar)).toThrow(/sell_time: must be "HH:MM"/);
  });
});

describe('nextRunAfter (daily repeat)', () => {
  it('goes Friday → Monday across both DST changes, keeping 09:30 local time', () => {
    expect(nextRunAfter('2026-03-06', nyse, calendar)).toMatchObject({ tradingDate: '2026-03-09', buyAt: at('2026-03-09T13:30:00Z') });
    expect(planRun(at('2026-10-30T12:00:00Z'), nyse, calendar).buyAt).toBe(at('2026-10-30T13:30:00Z')); // EDT
    expect(nextRunAfter('2026-10-30', nyse, calendar)).toMatchObject({ tradingDate: '2026-11-02', buyAt: at('2026-11-02T14:30:00Z') }); // EST
  });

  it('goes around holidays', () => {
    expect(nextRunAfter('2026-04-02', nyse, calendar).tradingDate).toBe('2026-04-06'); // Good Friday
    expect(nextRunAfter('2026-01-16', nyse, calendar).tradingDate).toBe('2026-01-20'); // MLK Day
    expect(nextRunAfter('2026-11-25', nyse, calendar).tradingDate).toBe('2026-11-27'); // Thanksgiving
  });

  it('a daily 02:30 New York crypto job moves to 03:00 on the spring-forward Sunday only', () => {
    const crypto: StrategyTimes = { buy_time: '02:30:00', sell_time: '04:00:00', timezone: NY, exchange: 'CRYPTO' };
    const sat = planRun(at('2026-03-07T00:00:00Z'), crypto, calendar);
    const sun = nextRunAfter(sat.tradingDate, crypto, calendar);
    const mon = nextRunAfter(sun.tradingDate, crypto, calendar);
    expect([sat, sun, mon].map((r) => [r.tradingDate, r.buyAt])).toEqual([
      ['2026-03-07', at('2026-03-07T07:30:00Z')],
      ['2026-03-08', at('2026-03-08T07:00:00Z')],
      ['2026-03-09', at('2026-03-09T06:30:00Z')],
    ]);
    // On that Sunday the hold is 3:00 → 4:00 EDT: one hour of wall time, not an hour and a half.
    expect(sun.sellAt - sun.buyAt).toBe(3_600_000);
  });

  it('documents the gap edge: BUY and SELL both inside the gap collapse onto the same instant', () => {
    const crypto: StrategyTimes = { buy_time: '02:15:00', sell_time: '02:45:00', timezone: NY, exchange: 'CRYPTO' };
    const sun = nextRunAfter('2026-03-07', crypto, calendar);
    expect(sun.buyAt).toBe(at('2026-03-08T07:00:00Z'));
    expect(sun.sellAt).toBe(sun.buyAt);
  });

  it('a daily 01:30 New York crypto job runs once on the fall-back Sunday, at the first 01:30', () => {
    const crypto: StrategyTimes = { buy_time: '01:30:00', sell_time: '01:45:00', timezone: NY, exchange: 'CRYPTO' };
    const sun = nextRunAfter('2026-10-31', crypto, calendar);
    expect(sun).toEqual({
      tradingDate: '2026-11-01',
      exchangeDate: '2026-11-01',
      buyAt: at('2026-11-01T05:30:00Z'),
      sellAt: at('2026-11-01T05:45:00Z'),
      reentryCutoffAt: null,
      squareOffAt: null,
    });
    expect(nextRunAfter('2026-11-01', crypto, calendar).buyAt).toBe(at('2026-11-02T06:30:00Z'));
  });
});

describe('weekdays (a daily strategy\'s filter)', () => {
  const mwf: StrategyTimes = { ...nyse, weekdays: ['mon', 'wed', 'fri'] };

  it('trades Monday, Wednesday and Friday only, and goes round a holiday on one of them (Good Friday 2026-04-03)', () => {
    const first = planRun(at('2026-03-29T12:00:00Z'), mwf, calendar); // Sunday
    const days = [first];
    for (let i = 0; i < 3; i++) days.push(nextRunAfter(days.at(-1)!.tradingDate, mwf, calendar));
    expect(days.map((r) => r.tradingDate)).toEqual(['2026-03-30', '2026-04-01', '2026-04-06', '2026-04-08']);
    expect(days[2]).toEqual({ tradingDate: '2026-04-06', exchangeDate: '2026-04-06', buyAt: at('2026-04-06T13:30:00Z'), sellAt: at('2026-04-06T19:55:00Z'), reentryCutoffAt: null, squareOffAt: null });
    // Started on a Tuesday after its BUY time: not Tuesday's or Thursday's run, Wednesday's.
    expect(planRun(at('2026-03-31T12:00:00Z'), mwf, calendar).tradingDate).toBe('2026-04-01');
    // Without the filter, the same week trades every open day.
    expect(nextRunAfter('2026-04-01', nyse, calendar).tradingDate).toBe('2026-04-02');
  });

  it('a day is the strategy\'s trading date in its own zone, still only when the exchange trades that day', () => {
    // NYSE kept in Asia/Kolkata, BUY 01:00 IST: Saturday 01:00 IST is Friday 14:30 in New York.
    const nyseInIst: StrategyTimes = { buy_time: '01:00:00', sell_time: '02:00:00', timezone: 'Asia/Kolkata', exchange: 'NYSE' };
    expect(planRun(at('2026-03-02T12:00:00Z'), { ...nyseInIst, weekdays: ['sat'] }, calendar)).toMatchObject({
      tradingDate: '2026-03-07',
      exchangeDate: '2026-03-06',
      buyAt: at('2026-03-06T19:30:00Z'),
    });
    // Its Tuesday is New York's Monday: MLK Day 2026-01-19 is closed, so the next Tuesday.
    expect(nextRunAfter('2026-01-14', { ...nyseInIst, weekdays: ['tue'] }, calendar)).toMatchObject({ tradingDate: '2026-01-27', exchangeDate: '2026-01-26' });
  });

  it('weekdays that never fall on a trading day are named when the search gives up, not a bare "no trading day"', () => {
    const expectWeekdaysNamed = (run: () => unknown, message: RegExp) => {
      try {
        run();
        expect.unreachable();
      } catch (err) {
        expect(err).toBeInstanceOf(DomainError);
        const fields = (err as DomainError).fields!;
        expect(fields.map((f) => f.field)).toEqual(['weekdays']);
        expect(fields[0]!.message).toMatch(message);
      }
    };
    expectWeekdaysNamed(() => planRun(at('2026-03-02T12:00:00Z'), { ...nyse, weekdays: ['sat', 'sun'] }, calendar), /^weekdays \(sat, sun\) never fall on a day NYSE trades: with the BUY at 09:30:00 America\/New_York, no such day within 370 days of 2026-03-02/);
    // Kolkata's Monday 01:00 is New York's Sunday: never open.
    const mondaysInIst: StrategyTimes = { buy_time: '01:00:00', sell_time: '02:00:00', timezone: 'Asia/Kolkata', exchange: 'NYSE', weekdays: ['mon'] };
    expectWeekdaysNamed(() => nextRunAfter('2026-03-02', mondaysInIst, calendar), /^weekdays \(mon\) never fall on a day NYSE trades/);
    expectWeekdaysNamed(() => refuseIdleWeekdays(mondaysInIst, at('2026-03-02T12:00:00Z')), /Asia\/Kolkata/);
    // Saved with the weekdays any open day: nothing to refuse; a broken calendar keeps its own message.
    expect(() => refuseIdleWeekdays({ ...nyse, weekdays: ['sat', 'mon'] }, 0)).not.toThrow();
    const closed = { isTradingDay: () => false, nextTradingDay: () => '2026-01-01', holidayName: () => null, holidayList: () => undefined };
    expect(() => planRun(0, nyse, closed)).toThrow(/^NYSE has no trading day within 370 days of 1969-12-31$/);
  });
});

