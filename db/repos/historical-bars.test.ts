import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from '../test-support';
import type { HistoricalBar } from './historical-bars';

let t: TestDb;
beforeEach(() => {
  t = openTestDb();
});
afterEach(() => t.close());

const bar = (minute: number, o: Partial<HistoricalBar> = {}): HistoricalBar => ({ minute, open: 100, high: 101, low: 99, close: 100.5, volume: 1200, ...o });

describe('historical bars repo', () => {
  it("lists an instrument's bars in [from, to) oldest first; a minute saved again is replaced", () => {
    t.repos.historicalBars.save('NSE', 'INFY', [bar(180_000), bar(60_000), bar(120_000)]);
    t.repos.historicalBars.save('NSE', 'INFY', [bar(120_000, { close: 99.5, volume: 10 })]);
    t.repos.historicalBars.save('NSE', 'TCS', [bar(60_000, { open: 3000 })]);
    expect(t.repos.historicalBars.list('NSE', 'INFY', 60_000, 180_000)).toEqual([bar(60_000), bar(120_000, { close: 99.5, volume: 10 })]);
    expect(t.repos.historicalBars.list('BSE', 'INFY', 0, 1e12)).toEqual([]);
    expect(t.repos.historicalBars.coverage('NSE', 'INFY')).toEqual({ first: 60_000, last: 180_000, bars: 3 });
    expect(t.repos.historicalBars.coverage('NSE', 'WIPRO')).toBeNull();
  });

  it("names an exchange's symbols with a bar in [from, to), each once, sorted", () => {
    t.repos.historicalBars.save('NFO', 'NIFTY26D0826000CE', [bar(60_000), bar(120_000)]);
    t.repos.historicalBars.save('NFO', 'NIFTY26D0825950CE', [bar(120_000)]);
    t.repos.historicalBars.save('NFO', 'NIFTY26D1526000CE', [bar(180_000)]);
    t.repos.historicalBars.save('NSE', 'NIFTY 50', [bar(120_000)]);
    expect(t.repos.historicalBars.symbols('NFO', 60_000, 180_000)).toEqual(['NIFTY26D0825950CE', 'NIFTY26D0826000CE']);
    expect(t.repos.historicalBars.symbols('NFO', 180_000, 240_000)).toEqual(['NIFTY26D1526000CE']);
    expect(t.repos.historicalBars.symbols('BFO', 0, 1e12)).toEqual([]);
  });

  it('evicts the oldest minutes of any instrument beyond the cap', () => {
    t.repos.historicalBars.save('NSE', 'INFY', [bar(60_000), bar(240_000)], 3);
    expect(t.repos.historicalBars.save('NSE', 'TCS', [bar(120_000), bar(180_000)], 3)).toEqual({ evicted: 1 });
    expect(t.repos.historicalBars.count()).toBe(3);
    expect(t.repos.historicalBars.list('NSE', 'INFY', 0, 1e12).map((b) => b.minute)).toEqual([240_000]);
    expect(t.repos.historicalBars.list('NSE', 'TCS', 0, 1e12).map((b) => b.minute)).toEqual([120_000, 180_000]);
  });

  it('a save inside a transaction that fails leaves nothing behind', () => {
    expect(() =>
      t.repos.transaction(() => {
        t.repos.historicalBars.save('NSE', 'INFY', [bar(60_000)]);
        throw new Error('the import failed after the save');
      }),
    ).toThrow('the import failed');
    expect(t.repos.historicalBars.count()).toBe(0);
  });
});
