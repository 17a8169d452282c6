import { describe, expect, it } from 'vitest';
import { dataNotice, defaultFeesName, defaultGrid, defaultRange, equityPoints, gridExtremes, heatOf, importCommand, isOptionStrategy, shiftDate, skippedDays, typedNumber, zonedClock } from './backtest-view';

const where = { symbol: 'TCLK', exchange: 'NSE', from: '2026-03-02', to: '2026-03-05' };
const run = (date: string, state: string) => ({ date, state, reason: null, trades: state === 'NO_DATA' ? 0 : 1 });

describe('the range and the grid proposed', () => {
  it('the 30 days before today, across a month and a year end', () => {
    expect(defaultRange('2026-03-01')).toEqual({ from: '2026-01-30', to: '2026-02-28' });
    expect(shiftDate('2026-12-31', 1)).toBe('2027-01-01');
  });

  it("windows of 30 minutes after the BUY time and before the SELL time, kept within the day", () => {
    expect(defaultGrid('09:20:00', '15:10:00')).toEqual({ buyFrom: '09:20', buyTo: '09:50', sellFrom: '14:40', sellTo: '15:10', every: '5' });
    expect(defaultGrid('23:45', '00:10')).toMatchObject({ buyTo: '23:59', sellFrom: '00:00' });
  });
});

describe('equityPoints', () => {
  it('starts at 0 at the first entry and keeps one point a second, the later equity', () => {
    const trades = [{ entry_at: 1_000_500 }, { entry_at: 2_000_000 }];
    const equity = [
      { at: 1_500_000, equity: 12 },
      { at: 3_000_100, equity: -8.5 },
      { at: 3_000_900, equity: -38.5 },
    ];
    expect(equityPoints(trades, equity)).toEqual([
      { time: 1000, value: 0 },
      { time: 1500, value: 12 },
      { time: 3000, value: -38.5 },
    ]);
    expect(equityPoints([], [])).toEqual([]);
  });
});

describe('dataNotice', () => {
  it('says nothing when every trading day had bars', () => {
    expect(dataNotice([run('2026-03-02', 'SOLD'), run('2026-03-04', 'EXITED_BY_SL')], where)).toBeNull();
  });

  it('no bars at all: nothing was tested, and what to import', () => {
    const n = dataNotice([run('2026-03-02', 'NO_DATA'), run('2026-03-04', 'NO_DATA')], where)!;
    expect(n.kind).toBe('none');
    expect(n.text).toContain('No 1-minute bars of TCLK on NSE are stored for 2026-03-02 to 2026-03-05');
    expect(n.missing).toEqual(['2026-03-02', '2026-03-04']);
  });

  it('some days without bars are counted and named', () => {
    expect(dataNotice([run('2026-03-02', 'SOLD'), run('2026-03-04', 'NO_DATA')], where)!.text).toBe('1 trading day (2026-03-04) of 2 had no stored bars and were left out of these figures.');
    expect(dataNotice([run('2026-03-02', 'NO_DATA'), run('2026-03-04', 'SOLD'), run('2026-03-05', 'NO_DATA')], where)!.text).toMatch(/^2 trading days \(2026-03-02 … 2026-03-05\) of 3/);
  });

  it('the import line names the instrument, the range and the strategy as the CLI takes them', () => {
    const s = { symbol: 'TCLK', exchange: 'NSE' as const, qty: 10, buy_time: '09:20', sell_time: '09:25', stop_loss: 1, stop_loss_mode: 'percent' as const };
    expect(importCommand(s, where)).toBe('tradeclock backtest --csv bars.csv --symbol TCLK --exchange NSE --from 2026-03-02 --to 2026-03-05 --qty 10 --buy-time 09:20 --sell-time 09:25 --stop-loss 1 --stop-loss-mode percent');
  });

  it('a range with no trading day says so', () => {
    expect(dataNotice([], { ...where, from: '2026-03-07', to: '2026-03-08' })).toMatchObject({ kind: 'no_trading_day', text: expect.stringContaining('No trading day of NSE from 2026-03-07 to 2026-03-08') });
  });
});

describe('the heatmap', () => {
  it('shades by sign in four steps of the largest |net|', () => {
    expect(heatOf(0, 10)).toEqual({ tone: 'flat', step: 0 });
    expect(heatOf(10, 10)).toEqual({ tone: 'pos', step: 4 });
    expect(heatOf(-0.1, 10)).toEqual({ tone: 'neg', step: 1 });
    expect(heatOf(-5, 10)).toEqual({ tone: 'neg', step: 2 });
    expect(heatOf(5.1, 10)).toEqual({ tone: 'pos', step: 3 });
  });

  it('finds the largest |net| and the best cell, skipping cells without trades or with the exit first', () => {
    const cell = (net: number, trades = 3) => ({ buy_time: '', sell_time: '', trades, win_rate: null, net, fees: 0, max_drawdown: 0 });
    const grid = { buy_times: ['09:20:00', '09:25:00'], sell_times: ['15:00:00', '15:05:00'], cells: [[cell(-40), cell(12)], [null, cell(99, 0)]] };
    expect(gridExtremes(grid)).toEqual({ largest: 40, best: { buy: '09:20:00', sell: '15:05:00', net: 12 } });
    expect(gridExtremes({ buy_times: [], sell_times: [], cells: [] })).toEqual({ largest: 0, best: null });
  });
});

describe('typedNumber', () => {
  it('a number when it is one, nothing when empty, else the text for the API to name', () => {
    expect(typedNumber(' 5 ')).toBe(5);
    expect(typedNumber('')).toBeUndefined();
    expect(typedNumber('five')).toBe('five');
  });
});

describe('zonedClock', () => {
  it("reads the exchange's wall clock, whatever the browser's zone", () => {
    expect(zonedClock(Date.parse('2026-03-04T09:21:15+05:30'), 'Asia/Kolkata')).toBe('09:21:15');
    expect(zonedClock(Date.parse('2026-03-09T13:30:00Z'), 'America/New_York')).toBe('09:30:00');
  });
});

describe('an option strategy', () => {
  it('is one whose option_right is set: its backtest asks for the lot size', () => {
    expect(isOptionStrategy({ option_right: 'CE' })).toBe(true);
    expect(isOptionStrategy({ option_right: 'PE' })).toBe(true);
    expect(isOptionStrategy({ option_right: null })).toBe(false);
  });

  it("default fees are named for the exchange's schedule: options on NFO and BFO, not SEC and TAF", () => {
    expect(defaultFeesName('NFO')).toBe('Zerodha options');
    expect(defaultFeesName('BFO')).toBe('Zerodha options');
    expect(defaultFeesName('NSE')).toBe('Zerodha intraday');
    expect(defaultFeesName('NASDAQ')).toBe('SEC and TAF');
    expect(defaultFeesName('CRYPTO')).toBe('none for crypto');
  });

  it('the days it skipped, grouped by the reason, in date order; other runs are not named', () => {
    const skip = (date: string, reason: string) => ({ date, state: 'SKIPPED', reason, trades: 0 });
    expect(skippedDays([skip('2026-12-07', 'no index bar'), run('2026-12-08', 'SOLD'), skip('2026-12-09', 'no contract'), skip('2026-12-10', 'no index bar'), run('2026-12-11', 'NO_DATA')])).toEqual([
      { reason: 'no index bar', dates: ['2026-12-07', '2026-12-10'] },
      { reason: 'no contract', dates: ['2026-12-09'] },
    ]);
    expect(skippedDays([run('2026-12-08', 'SOLD')])).toEqual([]);
  });
});
