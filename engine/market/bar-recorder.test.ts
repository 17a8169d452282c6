import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { asBrokerAccountId } from '../core/ids';
import type { Tick } from '../core/types';
import { FakeClock } from '../core/fake-clock';
import { openTestDb, seedStrategy, type Seeded, type TestDb } from '../../db/test-support';
import { BarRecorder, withUnwritten } from './bar-recorder';

let t: TestDb;
let a: Seeded;
let clock: FakeClock;
let emit: (accountId: number, tick: Tick) => void;
let rec: BarRecorder;
const warnings: unknown[] = [];
const T0 = Date.UTC(2026, 2, 9, 14, 0, 0);

beforeEach(() => {
  t = openTestDb();
  a = seedStrategy(t.repos);
  clock = new FakeClock(T0);
  rec = new BarRecorder(
    {
      onTick: (l) => {
        emit = (id, tick) => l(asBrokerAccountId(id), tick);
        return () => {};
      },
      repos: t.repos,
      clock,
      logger: { warn: (o: unknown) => void warnings.push(o) } as never,
    },
    { keepDays: 1 },
  );
  rec.start();
});
afterEach(() => t.close());

const tick = (at: number, price: number): Tick => ({ exchange: 'NSE', symbol: 'RELIANCE', price, at });
const stored = () => t.repos.priceBars.listInternal(a.account.id, 'NSE', 'RELIANCE', 0, 1e15, 100);

describe('BarRecorder', () => {
  it('folds ticks into 1-minute OHLC bars and writes finished minutes once a minute', async () => {
    emit(a.account.id, tick(T0 + 1_000, 100));
    emit(a.account.id, tick(T0 + 20_000, 103));
    emit(a.account.id, tick(T0 + 40_000, 98));
    emit(a.account.id, tick(T0 + 59_000, 101));
    emit(a.account.id, tick(T0 + 61_000, 102));
    expect(stored()).toEqual([]); // nothing written on the tick's path
    await clock.advance(60_000);
    expect(stored()).toEqual([{ brokerAccountId: a.account.id, exchange: 'NSE', symbol: 'RELIANCE', minute: T0, open: 100, high: 103, low: 98, close: 101, ticks: 4 }]);
    // The second minute is finished by time alone, without a later tick.
    await clock.advance(60_000);
    expect(stored().map((b) => [b.minute, b.close])).toEqual([
      [T0, 101],
      [T0 + 60_000, 102],
    ]);
  });

  it('tells the bars not written yet, finished or being built, of one instrument only', () => {
    emit(a.account.id, tick(T0 + 1_000, 100));
    emit(a.account.id, tick(T0 + 61_000, 102));
    emit(a.account.id, { exchange: 'NSE', symbol: 'TCS', price: 7, at: T0 + 62_000 });
    expect(stored()).toEqual([]);
    expect(rec.unwritten(asBrokerAccountId(a.account.id), 'NSE', 'RELIANCE').map((b) => [b.minute, b.close])).toEqual([
      [T0, 100],
      [T0 + 60_000, 102],
    ]);
    expect(rec.unwritten(asBrokerAccountId(a.account.id + 1), 'NSE', 'RELIANCE')).toEqual([]);
  });

  it('merges stored and unwritten bars one per minute: the first open, both extremes, the later close', () => {
    const bar = (minute: number, open: number, high: number, low: number, close: number) => ({ minute, open, high, low, close });
    expect(withUnwritten([bar(0, 10, 12, 9, 11), bar(60_000, 11, 11, 11, 11)], [bar(60_000, 13, 14, 8, 9), bar(120_000, 9, 9, 9, 9)])).toEqual([
      bar(0, 10, 12, 9, 11),
      bar(60_000, 11, 14, 8, 9),
      bar(120_000, 9, 9, 9, 9),
    ]);
  });

  it('writes the unfinished minute at stop, and prunes bars older than keepDays', async () => {
    t.repos.priceBars.saveInternal([{ brokerAccountId: a.account.id, exchange: 'NSE', symbol: 'RELIANCE', minute: T0 - 2 * 86_400_000, open: 1, high: 1, low: 1, close: 1, ticks: 1 }]);
    emit(a.account.id, tick(T0 + 5_000, 100));
    await clock.advance(60_000);
    expect(stored().map((b) => b.minute)).toEqual([T0]);
    emit(a.account.id, tick(T0 + 61_000, 104));
    rec.stop();
    expect(stored().map((b) => [b.minute, b.close])).toEqual([
      [T0, 100],
      [T0 + 60_000, 104],
    ]);
    expect(warnings).toEqual([]);
  });
});
