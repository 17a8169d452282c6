import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from '../test-support';
import { TickDayTooLargeError, type TickDay } from './historical-ticks';

let t: TestDb;
beforeEach(() => {
  t = openTestDb();
});
afterEach(() => t.close());

/** A day's session [start, start + 1000) with one trade a `step` ms at prices 100, 101, … */
const day = (date: string, start: number, n: number, step = 10): TickDay => ({ day: date, start, end: start + 1000, ticks: Array.from({ length: n }, (_, i) => ({ at: start + i * step, price: 100 + i, size: 100 })) });

describe('historical ticks repo', () => {
  it("keeps a day's trades in the tape's order, also within one millisecond; a day saved again is replaced", () => {
    const same: TickDay = { day: '2026-03-02', start: 0, end: 1000, ticks: [{ at: 5, price: 10.02, size: 1 }, { at: 5, price: 10.01, size: 2 }, { at: 7, price: 10, size: 3 }] };
    t.repos.historicalTicks.saveDay('NYSE', 'AAPL', same);
    expect(t.repos.historicalTicks.list('NYSE', 'AAPL', '2026-03-02', 0, 1000).map((k) => k.price)).toEqual([10.02, 10.01, 10]);
    expect(t.repos.historicalTicks.list('NYSE', 'AAPL', '2026-03-02', 6, 1000)).toEqual([{ at: 7, price: 10, size: 3 }]);
    t.repos.historicalTicks.saveDay('NYSE', 'AAPL', { ...same, ticks: [{ at: 9, price: 11, size: 4 }] });
    expect(t.repos.historicalTicks.list('NYSE', 'AAPL', '2026-03-02', 0, 1000)).toEqual([{ at: 9, price: 11, size: 4 }]);
    expect(t.repos.historicalTicks.days('NYSE', 'AAPL', 0, 1)).toEqual([{ day: '2026-03-02', start: 0, end: 1000, ticks: 1 }]);
    expect(t.repos.historicalTicks.count()).toBe(1);
  });

  it('names the days whose session overlaps a window, per instrument', () => {
    t.repos.historicalTicks.saveDay('NYSE', 'AAPL', day('2026-03-02', 0, 2));
    t.repos.historicalTicks.saveDay('NYSE', 'AAPL', day('2026-03-03', 5000, 2));
    t.repos.historicalTicks.saveDay('NYSE', 'MSFT', day('2026-03-02', 0, 2));
    expect(t.repos.historicalTicks.days('NYSE', 'AAPL', 999, 5001).map((x) => x.day)).toEqual(['2026-03-02', '2026-03-03']);
    expect(t.repos.historicalTicks.days('NYSE', 'AAPL', 1000, 5000)).toEqual([]);
    expect(t.repos.historicalTicks.days('NASDAQ', 'AAPL', 0, 1e9)).toEqual([]);
  });

  it('evicts whole days, the oldest session of any instrument first, never the day just saved, to stay within the cap', () => {
    t.repos.historicalTicks.saveDay('NYSE', 'AAPL', day('2026-03-03', 5000, 3), 10);
    t.repos.historicalTicks.saveDay('NYSE', 'MSFT', day('2026-03-04', 9000, 4), 10);
    // 3 + 4 + 5 = 12 > 10: AAPL's 3 March (the oldest session) goes whole; MSFT's 4 March stays.
    expect(t.repos.historicalTicks.saveDay('NYSE', 'AAPL', day('2026-03-05', 13_000, 5), 10)).toEqual({ evicted: 1 });
    expect(t.repos.historicalTicks.count()).toBe(9);
    expect(t.repos.historicalTicks.list('NYSE', 'AAPL', '2026-03-03', 0, 1e9)).toEqual([]);
    expect(t.repos.historicalTicks.days('NYSE', 'AAPL', 0, 1e9).map((x) => x.day)).toEqual(['2026-03-05']);
    // An old day fetched later is the one kept: the newer ones make room.
    expect(t.repos.historicalTicks.saveDay('NYSE', 'AAPL', day('2026-02-27', 1, 8), 10)).toEqual({ evicted: 2 });
    expect(t.repos.historicalTicks.days('NYSE', 'AAPL', 0, 1e9).map((x) => x.day)).toEqual(['2026-02-27']);
    expect(t.repos.historicalTicks.count()).toBe(8);
  });

  it('refuses a day larger than the whole store, writing nothing', () => {
    t.repos.historicalTicks.saveDay('NYSE', 'AAPL', day('2026-03-02', 0, 2), 3);
    expect(() => t.repos.transaction(() => t.repos.historicalTicks.saveDay('NYSE', 'AAPL', day('2026-03-03', 5000, 4), 3))).toThrow(new TickDayTooLargeError('2026-03-03', 4, 3));
    expect(t.repos.historicalTicks.count()).toBe(2);
    expect(t.repos.historicalTicks.days('NYSE', 'AAPL', 0, 1e9).map((x) => x.day)).toEqual(['2026-03-02']);
  });
});
