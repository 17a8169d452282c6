import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from '../../db/test-support';
import { createTradingCalendar } from '../scheduler/trading-calendar';
import { sessionHours } from './fill-bars';
import { fillMissingTicks, type TickFetcher } from './fill-ticks';
import { HistoricalFetchError } from './historical-fetch-error';

let t: TestDb;
beforeEach(() => {
  t = openTestDb();
});
afterEach(() => t.close());

const calendar = createTradingCalendar();
const AAPL = { exchange: 'NYSE', symbol: 'AAPL' } as const;
/** Two trades a day at the session's first two seconds, priced by the day of the month. */
const twoADay: TickFetcher = async (start) => [0, 1000].map((ms) => ({ at: start + ms, price: new Date(start).getUTCDate(), size: 1 }));
const days = () => t.repos.historicalTicks.days('NYSE', 'AAPL', 0, Date.parse('2027-01-01T00:00:00Z')).map((d) => d.day);

describe('fillMissingTicks', () => {
  it('asks each missing trading day once, its session whole, never a weekend; a day stored is not asked again', async () => {
    const asked: [number, number][] = [];
    const fetch: TickFetcher = (s, e, max) => (asked.push([s, e]), twoADay(s, e, max));
    // Fri 6 March to Mon 9 March 2026 (New York moves to EDT on Sunday 8 March).
    expect(await fillMissingTicks(t.repos, calendar, AAPL, '2026-03-06', '2026-03-09', fetch)).toEqual({ asked: ['2026-03-06', '2026-03-09'], stored: ['2026-03-06', '2026-03-09'], ticks: 4, evicted: 0 });
    expect(asked).toEqual([sessionHours('NYSE', '2026-03-06', calendar), sessionHours('NYSE', '2026-03-09', calendar)].map((h) => [h!.start, h!.end]));
    expect(asked[1]).toEqual([Date.parse('2026-03-09T13:30:00Z'), Date.parse('2026-03-09T20:00:00Z')]);
    expect(await fillMissingTicks(t.repos, calendar, AAPL, '2026-03-05', '2026-03-09', fetch)).toMatchObject({ asked: ['2026-03-05'], stored: ['2026-03-05'] });
    expect(asked).toHaveLength(3);
  });

  it('a day without trades is not stored (asked again next time); a failure keeps the whole days before it and nothing of its own', async () => {
    let calls = 0;
    const failing: TickFetcher = async (s, e, max) => {
      calls++;
      if (calls === 2) return [];
      if (calls === 3) throw new HistoricalFetchError('Alpaca trades of AAPL, page 2, trade 7: p must be above 0');
      return twoADay(s, e, max);
    };
    await expect(fillMissingTicks(t.repos, calendar, AAPL, '2026-03-02', '2026-03-05', failing)).rejects.toThrow('page 2, trade 7');
    expect(days()).toEqual(['2026-03-02']);
    expect(t.repos.historicalTicks.count()).toBe(2);
  });

  it('keeps the store within its cap, evicting whole old days', async () => {
    const r = await fillMissingTicks(t.repos, calendar, AAPL, '2026-03-02', '2026-03-04', twoADay, 4);
    expect(r).toEqual({ asked: ['2026-03-02', '2026-03-03', '2026-03-04'], stored: ['2026-03-02', '2026-03-03', '2026-03-04'], ticks: 6, evicted: 1 });
    expect(days()).toEqual(['2026-03-03', '2026-03-04']);
  });
});
