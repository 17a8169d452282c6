import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HistoricalBar } from '../../db/repos/historical-bars';
import { openTestDb, type TestDb } from '../../db/test-support';
import { createTradingCalendar } from '../scheduler/trading-calendar';
import { fillMissingBars } from './fill-bars';

let t: TestDb;
beforeEach(() => {
  t = openTestDb();
});
afterEach(() => t.close());

const calendar = createTradingCalendar();
const ist = (date: string, time: string) => Date.parse(`${date}T${time}+05:30`);
const bar = (minute: number): HistoricalBar => ({ minute, open: 100, high: 101, low: 99, close: 100.5, volume: 10 });
const NSE = { exchange: 'NSE', symbol: 'INFY' } as const;

describe('fillMissingBars', () => {
  it('asks only for the trading days the store lacks, consecutive ones in one fetch, and keeps what came', async () => {
    t.repos.historicalBars.save('NSE', 'INFY', [bar(ist('2026-03-02', '09:15:00'))]);
    const calls: [number, number][] = [];
    const fetcher = async (start: number, end: number) => {
      calls.push([start, end]);
      return [bar(start), bar(end - 60_000)];
    };
    // Mon 2 Mar stored; Tue 3 Mar is Holi (closed); Wed 4 – Fri 6 missing; Sat, Sun closed (no
    // break in the run); Mon 9 missing: one fetch from Wed's open to Mon 9's close.
    const r = await fillMissingBars(t.repos, calendar, NSE, '2026-03-02', '2026-03-09', fetcher);
    expect(r).toEqual({ asked: ['2026-03-04', '2026-03-05', '2026-03-06', '2026-03-09'], bars: 2, evicted: 0 });
    expect(calls).toEqual([[ist('2026-03-04', '09:15:00'), ist('2026-03-09', '15:30:00')]]);
    // The fake gave bars for Wed and Mon 9 only: Thu and Fri are asked again, Mon 2 never.
    expect(await fillMissingBars(t.repos, calendar, NSE, '2026-03-02', '2026-03-09', fetcher)).toEqual({ asked: ['2026-03-05', '2026-03-06'], bars: 2, evicted: 0 });
    expect(calls[1]).toEqual([ist('2026-03-05', '09:15:00'), ist('2026-03-06', '15:30:00')]);
  });

  it('a failed fetch writes nothing, not even the ranges fetched before it', async () => {
    let n = 0;
    const fetcher = async (start: number) => {
      if (++n === 2) throw new Error('HTTP 429');
      return [bar(start)];
    };
    // Wed 4 stored: Mon 2 (Tue is Holi) and Thu 5 – Fri 6 are two fetches; the second fails.
    t.repos.historicalBars.save('NSE', 'INFY', [bar(ist('2026-03-04', '10:00:00'))]);
    await expect(fillMissingBars(t.repos, calendar, NSE, '2026-03-02', '2026-03-06', fetcher)).rejects.toThrow('HTTP 429');
    expect(n).toBe(2);
    expect(t.repos.historicalBars.count()).toBe(1);
  });
});
