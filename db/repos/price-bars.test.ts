import { beforeEach, describe, expect, it } from 'vitest';
import { openTestDb, seedStrategy, type Seeded, type TestDb } from '../test-support';
import type { PriceBar } from './price-bars';

let t: TestDb;
let a: Seeded;
beforeEach(() => {
  t?.close();
  t = openTestDb();
  a = seedStrategy(t.repos);
});

const bar = (minute: number, o: Partial<PriceBar> = {}): PriceBar => ({ brokerAccountId: a.account.id, exchange: 'NSE', symbol: 'RELIANCE', minute, open: 100, high: 101, low: 99, close: 100.5, ticks: 4, ...o });

describe('price bars repo', () => {
  it('stores, lists a range oldest first, and merges a minute written twice', () => {
    t.repos.priceBars.saveInternal([bar(120_000), bar(60_000), bar(180_000)]);
    t.repos.priceBars.saveInternal([bar(120_000, { open: 90, high: 105, low: 100, close: 102, ticks: 2 })]);
    const rows = t.repos.priceBars.listInternal(a.account.id, 'NSE', 'RELIANCE', 60_000, 120_000, 10);
    expect(rows.map((r) => r.minute)).toEqual([60_000, 120_000]);
    expect(rows[1]).toMatchObject({ open: 100, high: 105, low: 99, close: 102, ticks: 6 });
    expect(t.repos.priceBars.listInternal(a.account.id, 'NSE', 'TCS', 0, 1e12, 10)).toEqual([]);
  });

  it('merges a minute given twice in one save, as the prepared statement runs row by row', () => {
    t.repos.priceBars.saveInternal([bar(60_000, { high: 101, low: 99, close: 100, ticks: 1 }), bar(60_000, { open: 50, high: 110, low: 95, close: 97, ticks: 3 })]);
    expect(t.repos.priceBars.listInternal(a.account.id, 'NSE', 'RELIANCE', 0, 1e12, 10)).toEqual([bar(60_000, { open: 100, high: 110, low: 95, close: 97, ticks: 4 })]);
  });

  it('gives the highest high of the minutes starting at or after a time, for that instrument only', () => {
    t.repos.priceBars.saveInternal([bar(60_000, { high: 120 }), bar(120_000, { high: 104 }), bar(180_000, { high: 107 }), bar(180_000, { symbol: 'TCS', high: 500 })]);
    // The minute of 60 000 began before 60 001: its high may be from before then, so it does not count.
    expect(t.repos.priceBars.highestSinceInternal(a.account.id, 'NSE', 'RELIANCE', 60_001)).toBe(107);
    expect(t.repos.priceBars.highestSinceInternal(a.account.id, 'NSE', 'RELIANCE', 60_000)).toBe(120);
    expect(t.repos.priceBars.highestSinceInternal(a.account.id, 'NSE', 'RELIANCE', 180_001)).toBeNull();
    expect(t.repos.priceBars.highestSinceInternal(a.account.id, 'BSE', 'RELIANCE', 0)).toBeNull();
  });

  it('prunes what is older than the cutoff, and goes with its account', () => {
    t.repos.priceBars.saveInternal([bar(60_000), bar(120_000)]);
    expect(t.repos.priceBars.pruneBeforeInternal(120_000)).toBe(1);
    expect(t.repos.priceBars.listInternal(a.account.id, 'NSE', 'RELIANCE', 0, 1e12, 10).map((r) => r.minute)).toEqual([120_000]);
  });
});
