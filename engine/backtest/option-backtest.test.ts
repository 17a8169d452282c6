/**
 * A single-option-leg strategy backtested over fixtures/nifty-options (see its README): each day's
 * contract chosen at the 09:20 entry from the contracts stored that day, its premium's bars
 * replayed through the run policy. Worked out by hand: the stop is 20 % below the premium paid,
 * the target 30 points above it; a long's bar is walked open → low → high → close; 1 lot = 65.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from '../../db/test-support';
import { createTradingCalendar } from '../scheduler/trading-calendar';
import { backtest, backtestScope, gridJob } from './backtest-service';
import { drain } from './run-backtest';
import { importNiftyOptions } from './nifty-options.test-support';

let t: TestDb;
beforeAll(async () => {
  t = openTestDb();
  await importNiftyOptions(t.repos);
});
afterAll(() => t.close());

const deps = () => ({ repos: t.repos, calendar: createTradingCalendar() });
const OPTION = { symbol: 'NIFTY', exchange: 'NFO', option_right: 'CE', qty: 1, buy_time: '09:20', sell_time: '09:25', stop_loss: 20, stop_loss_mode: 'percent', target: 30, target_mode: 'points' };
const RANGE = { from: '2026-12-07', to: '2026-12-09', lot_size: 65 };

describe('an option strategy backtested from the stored contracts', () => {
  it('ATM of the current week: Monday reaches its target, Tuesday its stop, Wednesday has no contract', () => {
    const r = backtest(deps(), { spec: OPTION, ...RANGE, fees: 'none' });
    // Mon: the index opens 09:20 at 26010 → ATM 26000, the 2026-12-08 weekly: NIFTY26D0826000CE
    //   bought at its 09:20 open 120.00; target 150.00, stop 96.00; the 09:22 bar's high 152
    //   passes the target: (150 − 120) × 65 = +1950.
    // Tue (the weekly's expiry day, so still the current week): the index opens at 26040 → ATM
    //   26050: NIFTY26D0826050CE bought at 80.00, stop 64.00; the 09:21 bar's low 60 goes through
    //   it: (64 − 80) × 65 = −1040.
    expect(r.trades.map((x) => [x.date, x.contract, x.qty, x.entryPrice, x.exitKind, x.exitPrice, x.net])).toEqual([
      ['2026-12-07', 'NIFTY26D0826000CE', 65, 120, 'TARGET', 150, 1950],
      ['2026-12-08', 'NIFTY26D0826050CE', 65, 80, 'STOPLOSS', 64, -1040],
    ]);
    expect(r.runs.map((x) => [x.date, x.state, x.contract ?? null])).toEqual([
      ['2026-12-07', 'EXITED_BY_TARGET', 'NIFTY26D0826000CE'],
      ['2026-12-08', 'EXITED_BY_SL', 'NIFTY26D0826050CE'],
      ['2026-12-09', 'SKIPPED', null],
    ]);
    expect(r.runs[2]!.reason).toBe('no NIFTY CE can be chosen from the contracts stored on NFO that day: the instrument list has no derivatives on NIFTY');
    expect(r.report.net).toBe(910);
  });

  it("NFO's option fees, to the paisa", () => {
    const r = backtest(deps(), { spec: OPTION, ...RANGE, to: '2026-12-07' });
    // BUY 65 × 120 = ₹7 800: brokerage 20, NSE 0.03503 % = 2.73 , SEBI 0.01, stamp 0.003 % = 0.23,
    //   GST 18 % of 22.74 = 4.09: 27.06. SELL 65 × 150 = ₹9 750: brokerage 20, STT 0.15 % =
    //   14.625 → ₹15, NSE 3.42, SEBI 0.01, GST 18 % of 23.43 = 4.22: 42.65. 1950 − 69.71 = 1880.29.
    expect(r.trades.map((x) => [x.fees, x.net])).toEqual([[69.71, 1880.29]]);
  });

  it('premium nearest 100: the CE whose 09:20 open is nearest, two lots, out at the time exit', () => {
    const r = backtest(deps(), { spec: { ...OPTION, qty: 2, option_strike: 'premium:100' }, ...RANGE, to: '2026-12-07', fees: 'none' });
    // The 2026-12-08 CEs open 09:20 at 150 (25950), 120 (26000), 95 (26050): 95 is nearest 100.
    //   Stop 76, target 125, neither reached (high 104); SELL at the 09:25 open 100.00:
    //   (100 − 95) × 130 = +650.
    expect(r.trades.map((x) => [x.contract, x.qty, x.entryPrice, x.exitKind, x.exitPrice, x.net])).toEqual([['NIFTY26D0826050CE', 130, 95, 'SELL', 100, 650]]);
  });

  it('a sold option: the stop above the premium, the bar walked open → high first', () => {
    const r = backtest(deps(), { spec: { ...OPTION, side: 'sell' }, ...RANGE, to: '2026-12-07', fees: 'none' });
    // SELL NIFTY26D0826000CE at its 09:20 open 120.00; stop 20 % above: 144.00, target 90.00.
    //   The 09:22 bar opens 134 and goes to its high 152 first, through 144: STOPLOSS bought back
    //   at 144.00: (120 − 144) × 65 = −1560.
    expect(r.trades.map((x) => [x.contract, x.side, x.entryPrice, x.exitKind, x.exitPrice, x.net])).toEqual([['NIFTY26D0826000CE', 'short', 120, 'STOPLOSS', 144, -1560]]);
  });

  it('a rule no stored contract meets skips the day, saying why; the backtest goes on', () => {
    const r = backtest(deps(), { spec: { ...OPTION, option_right: 'PE' }, ...RANGE, to: '2026-12-08', fees: 'none' });
    expect(r.trades).toEqual([]);
    expect(r.runs.map((x) => [x.state, x.reason])).toEqual([
      ['SKIPPED', 'no NIFTY PE can be chosen from the contracts stored on NFO that day: NIFTY 2026-12-08 lists no PE at strike 26000'],
      ['SKIPPED', 'no NIFTY PE can be chosen from the contracts stored on NFO that day: NIFTY 2026-12-08 lists no PE at strike 26050'],
    ]);
    const noIndex = backtest({ ...deps(), repos: { historicalTicks: t.repos.historicalTicks, historicalBars: { ...t.repos.historicalBars, list: (ex: string, sym: string, a: number, b: number) => (ex === 'NSE' ? [] : t.repos.historicalBars.list(ex, sym, a, b)) } } }, { spec: OPTION, ...RANGE, to: '2026-12-07' });
    expect(noIndex.runs.map((x) => [x.state, x.reason])).toEqual([['SKIPPED', "no bar of NIFTY 50 (NIFTY's index, NSE) is stored in the 5 minutes before the entry, so no strike can be chosen"]]);
  });

  it('lot_size: required for an option, refused for shares; positions stay refused, named', () => {
    const fields = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        return (err as { fields?: unknown }).fields;
      }
      return 'no error';
    };
    expect(fields(() => backtest(deps(), { spec: OPTION, from: RANGE.from, to: RANGE.to }))).toEqual([{ field: 'lot_size', message: "lot_size is required for an option strategy: NIFTY's units per lot over the backtest's dates (the strategy's qty counts lots; the exchange changes the lot size)" }]);
    expect(fields(() => backtest(deps(), { spec: { ...OPTION, option_right: undefined, symbol: 'INFY', exchange: 'NSE', stop_loss_mode: 'percent' }, ...RANGE }))).toEqual([{ field: 'lot_size', message: 'lot_size applies only to an option strategy (option_right set): leave it out' }]);
    expect(fields(() => backtest(deps(), { spec: { ...OPTION, option_right: undefined, positions: [{ side: 'sell', option_right: 'CE' }, { side: 'sell', option_right: 'PE' }] }, ...RANGE }))).toEqual([{ field: 'spec.positions', message: 'positions is set: a strategy of several positions is not backtested, since the engine does not run them yet' }]);
    expect(fields(() => backtestScope(deps(), { spec: OPTION, ...RANGE, fetch_missing: true }, false))).toEqual([{ field: 'fetch_missing', message: "fetch_missing is for a strategy of shares: an option backtest reads the contracts' bars imported on NFO (tradeclock backtest --bars) and the index's" }]);
    expect(fields(() => gridJob(deps(), { spec: OPTION, from: RANGE.from, to: RANGE.to, buy: { from: '09:20', to: '09:20' }, sell: { from: '09:25', to: '09:25' } }))).toEqual([{ field: 'lot_size', message: "lot_size is required for an option strategy: NIFTY's units per lot over the backtest's dates (the strategy's qty counts lots; the exchange changes the lot size)" }]);
  });

  it('a grid: each cell is the option backtest of its times, each entry choosing its own contract', () => {
    const g = drain(gridJob(deps(), { spec: OPTION, ...RANGE, fees: 'default', buy: { from: '09:19', to: '09:21', every_minutes: 1 }, sell: { from: '09:21', to: '09:25', every_minutes: 2 } }));
    expect(g.buyTimes).toEqual(['09:19:00', '09:20:00', '09:21:00']);
    expect(g.sellTimes).toEqual(['09:21:00', '09:23:00', '09:25:00']);
    g.buyTimes.forEach((buy, i) =>
      g.sellTimes.forEach((sell, j) => {
        const cell = g.cells[i]![j]!;
        if (sell <= buy) return expect(cell).toBeNull();
        const one = backtest(deps(), { spec: { ...OPTION, buy_time: buy.slice(0, 5), sell_time: sell.slice(0, 5) }, ...RANGE });
        expect(cell).toEqual({ buyTime: buy, sellTime: sell, trades: one.report.trades, winRate: one.report.winRate, net: one.report.net, fees: one.report.fees, maxDrawdown: one.report.maxDrawdown });
      }),
    );
    // 09:20 → 09:25 is the first test's backtest (with NFO's fees): Mon's target, Tue's stop.
    const first = backtest(deps(), { spec: OPTION, ...RANGE });
    expect(g.cells[1]![2]).toMatchObject({ trades: 2, net: first.report.net });
    expect(first.trades.map((x) => x.contract)).toEqual(['NIFTY26D0826000CE', 'NIFTY26D0826050CE']);
  });
});
