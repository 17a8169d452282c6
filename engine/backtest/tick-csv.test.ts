import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from '../../db/test-support';
import { TickDayTooLargeError } from '../../db/repos/historical-ticks';
import { createTradingCalendar } from '../scheduler/trading-calendar';
import { importTicksCsv, TickCsvError } from './tick-csv';

let t: TestDb;
beforeEach(() => {
  t = openTestDb();
});
afterEach(() => t.close());

const calendar = createTradingCalendar();
const AAPL = { exchange: 'NYSE', symbol: 'AAPL' } as const;
const all = () => Date.parse('2027-01-01T00:00:00Z');
const stored = (day: string) => t.repos.historicalTicks.list('NYSE', 'AAPL', day, 0, all());
const csv = (...lines: string[]) => [lines.join('\n') + '\n'];

describe('importTicksCsv', () => {
  it('stores each trading day whole, in time order (the file order among equal times), skipping trades that set no last price', async () => {
    const r = await importTicksCsv(
      t.repos,
      calendar,
      AAPL,
      csv(
        'price,timestamp,size,conditions,exchange',
        '100.10,2026-03-02T09:31:20.125-05:00,100,@,V',
        '100.00,2026-03-02T09:31:00-05:00,,,V',
        '99.00,2026-03-02T09:31:10-05:00,5,@ I,V',
        '100.20,1772461880.125,50,@ F,V',
        '50.00,2026-03-03T15:59:59.999Z,10,,V',
      ),
    );
    expect(r).toEqual({ days: ['2026-03-02', '2026-03-03'], ticks: 4, skipped: 1, evicted: 0 });
    expect(stored('2026-03-02')).toEqual([
      { at: Date.parse('2026-03-02T14:31:00Z'), price: 100, size: 0 },
      { at: Date.parse('2026-03-02T14:31:20.125Z'), price: 100.1, size: 100 },
      { at: Date.parse('2026-03-02T14:31:20.125Z'), price: 100.2, size: 50 },
    ]);
    expect(t.repos.historicalTicks.days('NYSE', 'AAPL', 0, all()).map((d) => [d.day, d.start, d.end, d.ticks])).toEqual([
      ['2026-03-02', Date.parse('2026-03-02T14:30:00Z'), Date.parse('2026-03-02T21:00:00Z'), 3],
      ['2026-03-03', Date.parse('2026-03-03T14:30:00Z'), Date.parse('2026-03-03T21:00:00Z'), 1],
    ]);
  });

  it('a bad line, a trade outside every session, a missing column: a TickCsvError naming it, nothing written', async () => {
    await importTicksCsv(t.repos, calendar, AAPL, csv('timestamp,price', '2026-03-04T10:00:00-05:00,20'));
    const fails = async (lines: string[], message: string) => {
      const err = await importTicksCsv(t.repos, calendar, AAPL, csv(...lines)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TickCsvError);
      expect((err as Error).message).toBe(message);
    };
    await fails(['timestamp,price', '2026-03-02T10:00:00-05:00,20', '2026-03-02T10:00:01-05:00,0'], 'line 3, column price: must be above 0');
    await fails(['timestamp,price', '2026-03-02T10:00:00,20'], 'line 2, column timestamp: must be ISO-8601 with an offset (2026-03-02T09:31:20.125-05:00) or epoch seconds, got "2026-03-02T10:00:00"');
    await fails(['timestamp,price', '2026-03-02T10:00:00-05:00,20', '2026-03-02T08:00:00-05:00,20'], 'line 3, column timestamp: 2026-03-02T13:00:00.000Z is outside every NYSE trading session');
    await fails(['timestamp,size', '2026-03-02T10:00:00-05:00,20'], 'line 1: the header must name the columns timestamp, price (size and conditions are optional); missing price (got timestamp, size)');
    expect(t.repos.historicalTicks.days('NYSE', 'AAPL', 0, all()).map((d) => d.day)).toEqual(['2026-03-04']);
    expect(stored('2026-03-02')).toEqual([]);
  });

  it('a day larger than the store is refused and the file writes nothing', async () => {
    const lines = ['timestamp,price', '2026-03-02T10:00:00-05:00,20', '2026-03-03T10:00:00-05:00,20', '2026-03-03T10:00:01-05:00,21'];
    await expect(importTicksCsv(t.repos, calendar, AAPL, csv(...lines), 1)).rejects.toThrow(TickDayTooLargeError);
    expect(t.repos.historicalTicks.count()).toBe(0);
  });
});
