import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from '../../db/test-support';
import { BarCsvError, parseBarCsv } from './bar-csv';
import { importBarsCsv } from './import-bars';

let t: TestDb;
beforeEach(() => {
  t = openTestDb();
});
afterEach(() => t.close());

const HEADER = 'timestamp,open,high,low,close,volume\n';
// 2026-03-02 09:15 and 09:16 IST = 03:45Z and 03:46Z.
const M0915 = Date.parse('2026-03-02T03:45:00Z');

async function fault(text: string): Promise<BarCsvError> {
  const err = await parseBarCsv([text]).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(BarCsvError);
  return err as BarCsvError;
}

describe('bar CSV', () => {
  it('reads ISO-8601 with an offset (both forms) and epoch seconds, columns in any order, oldest first', async () => {
    const text = 'volume,timestamp,open,high,low,close,note\n' + `900,2026-03-02T09:16:00+0530,100.5,101,100,100.8,x\n` + `1200,2026-03-02T09:15:00+05:30,100,101,99,100.5,y\n` + `10,${M0915 / 1000 + 120},100.8,100.8,100.8,100.8,z\n`;
    expect(await parseBarCsv([text])).toEqual([
      { minute: M0915, open: 100, high: 101, low: 99, close: 100.5, volume: 1200 },
      { minute: M0915 + 60_000, open: 100.5, high: 101, low: 100, close: 100.8, volume: 900 },
      { minute: M0915 + 120_000, open: 100.8, high: 100.8, low: 100.8, close: 100.8, volume: 10 },
    ]);
  });

  it('names the line and the column of a bad value', async () => {
    const ok = `2026-03-02T09:15:00Z,100,101,99,100.5,1\n`;
    expect((await fault(HEADER + ok + `2026-03-02T09:16:00Z,100,abc,99,100.5,1\n`)).message).toBe('line 3, column high: must be a number');
    expect((await fault(HEADER + ok + `2026-03-02T09:16:00Z,100,101,99,100.5,-1\n`)).message).toBe('line 3, column volume: must be 0 or more');
    expect((await fault(HEADER + `2026-03-02T09:15:00,100,101,99,100.5,1\n`)).message).toMatch(/^line 2, column timestamp: must be ISO-8601 with an offset/);
    expect((await fault(HEADER + `2026-03-02T09:15:30Z,100,101,99,100.5,1\n`)).message).toMatch(/^line 2, column timestamp: must be the start of a minute/);
    expect((await fault(HEADER + `2026-03-02T09:15:00Z,100,101,100.2,100.5,1\n`)).message).toBe('line 2, column low: must be at most the open and the close (100.2 > 100)');
    expect((await fault(HEADER + `2026-03-02T09:15:00Z,100,100.4,99,100.5,1\n`)).message).toBe('line 2, column high: must be at least the open and the close (100.4 < 100.5)');
    expect((await fault(HEADER + `2026-03-02T09:15:00Z,0,101,99,100.5,1\n`)).message).toBe('line 2, column open: must be above 0');
    expect((await fault(HEADER + ok + ok)).message).toBe('line 3, column timestamp: the minute 2026-03-02T09:15:00.000Z is also on line 2');
    expect((await fault('time,open,high,low,close\n')).message).toMatch(/^line 1: the header must name .* missing timestamp, volume/);
    expect((await fault('')).message).toMatch(/^line 1: the file is empty/);
  });
});

describe('importBarsCsv', () => {
  it('stores every bar of a good file, reused by the next read', async () => {
    const r = await importBarsCsv(t.repos, { exchange: 'NSE', symbol: 'INFY' }, [HEADER, `${M0915 / 1000},100,101,99,100.5,1200\n`, `${M0915 / 1000 + 60},100.5,101,100,100.8,900\n`]);
    expect(r).toEqual({ bars: 2, first: M0915, last: M0915 + 60_000, evicted: 0 });
    expect(t.repos.historicalBars.list('NSE', 'INFY', 0, 1e15).map((b) => b.close)).toEqual([100.5, 100.8]);
  });

  it('writes nothing when any line is bad, even the last', async () => {
    const good = Array.from({ length: 50 }, (_, i) => `${M0915 / 1000 + 60 * i},100,101,99,100.5,1\n`).join('');
    await expect(importBarsCsv(t.repos, { exchange: 'NSE', symbol: 'INFY' }, [HEADER + good + `${M0915 / 1000 + 3600},100,101,99,NaN,1\n`])).rejects.toThrow('line 52, column close: must be a number');
    expect(t.repos.historicalBars.count()).toBe(0);
  });
});
