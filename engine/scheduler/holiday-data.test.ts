import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DomainError } from '../core/errors';
import { loadHolidayData, parseHolidayFile, readHolidayFile } from './holiday-data';

const valid = {
  exchange: 'NYSE',
  source: 'test',
  updated: '2026-01-02',
  dates: [
    { date: '2026-01-01', name: "New Year's Day" },
    { date: '2026-07-03', name: 'Independence Day (observed)' },
  ],
};

function errorOf(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  throw new Error('expected a DomainError');
}

describe('bundled holiday files', () => {
  it('load and validate, with the NYSE full-day closures for 2026 and 2027', () => {
    const data = loadHolidayData();
    expect(data.NYSE?.dates.map((d) => d.date)).toEqual([
      '2026-01-01', '2026-01-19', '2026-02-16', '2026-04-03', '2026-05-25',
      '2026-06-19', '2026-07-03', '2026-09-07', '2026-11-26', '2026-12-25',
      '2027-01-01', '2027-01-18', '2027-02-15', '2027-03-26', '2027-05-31',
      '2027-06-18', '2027-07-05', '2027-09-06', '2027-11-25', '2027-12-24',
    ]);
    expect(data.NYSE?.source).toContain('nyse.com');
    expect(data.NSE?.exchange).toBe('NSE');
    expect(data.NSE?.note).toMatch(/circular/);
  });
});

describe('parseHolidayFile', () => {
  it('accepts a well-formed file and keeps where it came from', () => {
    const list = parseHolidayFile(valid, 'nyse.json', 'NYSE');
    expect(list).toMatchObject({ exchange: 'NYSE', file: 'nyse.json', dates: valid.dates });
  });

  it('names the file, the field and the entry for an impossible date', () => {
    const bad = { ...valid, dates: [valid.dates[0], { date: '2026-02-30', name: 'Nope' }] };
    const err = errorOf(() => parseHolidayFile(bad, '/data/holidays/nyse.json'));
    expect(err.code).toBe('validation_failed');
    expect(err.message).toContain('/data/holidays/nyse.json');
    expect(err.message).toContain('dates[1].date');
    expect(err.message).toContain('{"date":"2026-02-30","name":"Nope"}');
    expect(err.fields?.[0]?.field).toBe('dates[1].date');
  });

  it('rejects dates in another format, which would silently never match', () => {
    const bad = { ...valid, dates: [{ date: '03/07/2026', name: 'x' }] };
    expect(() => parseHolidayFile(bad, 'nyse.json')).toThrow(/dates\[0\]\.date must be a calendar date/);
  });

  it('rejects a duplicate date, naming the later entry', () => {
    const bad = { ...valid, dates: [...valid.dates, { date: '2026-07-03', name: 'again' }] };
    expect(() => parseHolidayFile(bad, 'nyse.json')).toThrow(/dates\[2\]\.date duplicates an earlier entry for 2026-07-03/);
  });

  it('rejects an empty name, a missing source and an unknown exchange', () => {
    const err = errorOf(() =>
      parseHolidayFile({ exchange: 'LSE', updated: '2026-01-02', dates: [{ date: '2026-01-01', name: ' ' }] }, 'x.json'),
    );
    expect(err.fields?.map((f) => f.field).sort()).toEqual(['dates[0].name', 'exchange', 'source']);
  });

  it('rejects a list saved under another exchange’s file name', () => {
    expect(() => parseHolidayFile({ ...valid, exchange: 'NSE' }, 'nyse.json', 'NYSE')).toThrow(
      /nyse\.json is invalid: exchange is "NSE" but this file must hold the NYSE list/,
    );
  });
});

describe('user holiday folder', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tradeclock-holidays-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('overrides the bundled list per exchange and leaves the others bundled', () => {
    const nse = { exchange: 'NSE', source: 'my copy of the circular', updated: '2026-02-01', dates: [{ date: '2026-01-26', name: 'Republic Day' }] };
    writeFileSync(join(dir, 'nse.json'), JSON.stringify(nse));
    const data = loadHolidayData(dir);
    expect(data.NSE?.file).toBe(join(dir, 'nse.json'));
    expect(data.NSE?.dates).toEqual(nse.dates);
    expect(data.NYSE?.file).toContain('(bundled)');
  });

  it('is optional: a folder that does not exist means the bundled lists', () => {
    expect(loadHolidayData(join(dir, 'missing')).NYSE?.dates.length).toBe(20);
  });

  it('fails loudly on a bad user file instead of falling back to the bundled one', () => {
    writeFileSync(join(dir, 'nyse.json'), JSON.stringify({ ...valid, dates: [{ date: '2026-13-01', name: 'x' }] }));
    expect(() => loadHolidayData(dir)).toThrow(new RegExp(`${join(dir, 'nyse.json').replace(/[.\\]/g, '\\$&')} is invalid: dates\\[0\\]\\.date`));
  });

  it('names the file when it is not JSON', () => {
    const path = join(dir, 'nse.json');
    writeFileSync(path, '{ "exchange": "NSE", ');
    const err = errorOf(() => readHolidayFile(path, 'NSE'));
    expect(err.message).toContain(path);
    expect(err.message).toContain('cannot be read as JSON');
  });
});
