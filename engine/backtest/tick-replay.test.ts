/**
 * A backtest over days whose trades are stored walks the trades (run-backtest.ts `ticks`), the
 * others their bars. The bars and trades below are made by hand for these tests so that the two
 * walks disagree, and every answer is worked out by hand. NYSE, America/New_York, session 09:30–
 * 16:00; BUY 09:31, SELL 09:35, 10 shares, stop and target 1 point from the fill, no fees, no
 * slippage, tick size 0.01.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from '../../db/test-support';
import type { HistoricalBar } from '../../db/repos/historical-bars';
import type { HistoricalTick } from '../../db/repos/historical-ticks';
import { settledSpec, strategySpec, type StrategySpecInput } from '../core/strategy-spec';
import { createTradingCalendar } from '../scheduler/trading-calendar';
import { gridJob, backtest as serviceBacktest } from './backtest-service';
import { sessionHours } from './fill-bars';
import { drain, runBacktest, type BacktestResult } from './run-backtest';
import { storedTicks } from './stored-ticks';

const et = (date: string, time: string) => Date.parse(`${date}T${time}-05:00`);
const calendar = createTradingCalendar();
const SYMBOL = 'TCK';
const bar = (date: string, time: string, open: number, high: number, low: number, close: number): HistoricalBar => ({ minute: et(date, time), open, high, low, close, volume: 1000 });
const tick = (date: string, time: string, price: number): HistoricalTick => ({ at: et(date, time), price, size: 100 });

/**
 * Mon 2 March: the 09:31 bar opens 100.00, dips to 98.90, rises to 101.20: walked open → low →
 * high, it stops out at 99.00 (−10.00). Its trades rose to 101.20 first (target 101.00 crossed
 * at 09:31:20, filled at that trade's 101.20: +12.00), and fell to 98.90 only after.
 * Tue 3 March: entry 50.00 (stop 49.00, target 51.00); at 09:32 the price falls from 49.80 to
 * 48.80. The bar passes through 49.00 and fills the stop there (−10.00); the trades jump from
 * 49.80 to 48.80, and the stop fills at 48.80, the price of that moment (−12.00).
 * Wed 4 March: no trades stored: its bars, a time exit at the 09:35 open 20.20 (entry 20.00): +2.00.
 */
const BARS: HistoricalBar[] = [
  bar('2026-03-02', '09:30', 99.9, 100.1, 99.8, 100),
  bar('2026-03-02', '09:31', 100, 101.2, 98.9, 100.5),
  bar('2026-03-02', '09:32', 100.5, 100.6, 100.4, 100.5),
  bar('2026-03-03', '09:30', 50, 50.1, 49.95, 50),
  bar('2026-03-03', '09:31', 50, 50.05, 49.9, 50),
  bar('2026-03-03', '09:32', 49.8, 49.8, 48.8, 49.6),
  bar('2026-03-04', '09:30', 20, 20.05, 19.95, 20),
  bar('2026-03-04', '09:31', 20, 20.1, 19.95, 20.05),
  bar('2026-03-04', '09:35', 20.2, 20.25, 20.15, 20.2),
];
const TICKS: Record<string, HistoricalTick[]> = {
  '2026-03-02': [tick('2026-03-02', '09:30:10', 99.8), tick('2026-03-02', '09:30:50', 100), tick('2026-03-02', '09:31:10', 100.6), tick('2026-03-02', '09:31:20', 101.2), tick('2026-03-02', '09:31:40', 98.9), tick('2026-03-02', '09:31:50', 100.5)],
  '2026-03-03': [tick('2026-03-03', '09:30:30', 50), tick('2026-03-03', '09:31:30', 49.95), tick('2026-03-03', '09:32:00', 49.8), tick('2026-03-03', '09:32:10', 48.8), tick('2026-03-03', '09:32:40', 49.6)],
};

let t: TestDb;
beforeAll(() => {
  t = openTestDb();
  t.repos.historicalBars.save('NYSE', SYMBOL, BARS);
  for (const [day, ticks] of Object.entries(TICKS)) {
    const hours = sessionHours('NYSE', day, calendar)!;
    t.repos.historicalTicks.saveDay('NYSE', SYMBOL, { day, ...hours, ticks });
  }
});
afterAll(() => t.close());

const BASE: StrategySpecInput = { broker_account_id: 1, symbol: SYMBOL, qty: 10, buy_time: '09:31', sell_time: '09:35', stop_loss: 1, stop_loss_mode: 'points', target: 1, target_mode: 'points', repeat: 'daily' };

function run(over: Partial<StrategySpecInput>, withTicks: boolean): BacktestResult {
  const spec = settledSpec(strategySpec.parse({ ...BASE, ...over }), 'NYSE', 'America/New_York');
  return runBacktest(spec, {
    from: '2026-03-02',
    to: '2026-03-04',
    calendar,
    fill: { slippageBps: 0, tickSize: 0.01 },
    fees: { kind: 'none' },
    bars: (from, to) => t.repos.historicalBars.list('NYSE', SYMBOL, from, to),
    ...(withTicks ? { ticks: storedTicks(t.repos, calendar, { exchange: 'NYSE', symbol: SYMBOL }) } : {}),
  });
}
const brief = (r: BacktestResult) => r.trades.map((x) => [x.date, x.entryPrice, x.exitKind, x.exitPrice, x.net]);

describe('a backtest on the days whose trades are stored', () => {
  it('walks the trades where stored and the bars elsewhere, and the two disagree as worked out by hand', () => {
    const bars = run({}, false);
    expect(brief(bars)).toEqual([
      ['2026-03-02', 100, 'STOPLOSS', 99, -10],
      ['2026-03-03', 50, 'STOPLOSS', 49, -10],
      ['2026-03-04', 20, 'SELL', 20.2, 2],
    ]);
    expect(bars.runs.map((r) => r.prices)).toEqual([undefined, undefined, undefined]);

    const ticks = run({}, true);
    expect(brief(ticks)).toEqual([
      ['2026-03-02', 100, 'TARGET', 101.2, 12],
      ['2026-03-03', 50, 'STOPLOSS', 48.8, -12],
      ['2026-03-04', 20, 'SELL', 20.2, 2],
    ]);
    expect(ticks.trades.slice(0, 2).map((x) => [x.entryAt, x.exitAt])).toEqual([
      [et('2026-03-02', '09:31:00'), et('2026-03-02', '09:31:20')],
      [et('2026-03-03', '09:31:00'), et('2026-03-03', '09:32:10')],
    ]);
    expect(ticks.runs.map((r) => [r.date, r.state, r.prices])).toEqual([
      ['2026-03-02', 'EXITED_BY_TARGET', 'ticks'],
      ['2026-03-03', 'EXITED_BY_SL', 'ticks'],
      ['2026-03-04', 'SOLD', undefined],
    ]);
  });

  it('a trailing stop ratchets on each trade: 0.50 behind the best trade, exits at the trade that crosses it', () => {
    // Mon: entry 100.00, stop 99.00, trail 0.50 (first at 99.50, above the stop), no target.
    // Trades 100.60 (trail → 100.10), 101.20 (trail → 100.70), then 98.90 crosses 100.70:
    // TRAIL_STOP at 98.90: −11.00. The bar walks open → low first: it passes the trail at 99.50
    // before any ratchet and fills there: −5.00.
    const over = { target: null, trail: 0.5, trail_mode: 'points' } as Partial<StrategySpecInput>;
    expect(brief(run(over, true))[0]).toEqual(['2026-03-02', 100, 'TRAIL_STOP', 98.9, -11]);
    expect(brief(run(over, false))[0]).toEqual(['2026-03-02', 100, 'TRAIL_STOP', 99.5, -5]);
  });

  it('the service names the days run on trades', () => {
    const answer = serviceBacktest({ repos: t.repos, calendar }, { spec: { ...BASE, exchange: 'NYSE' }, from: '2026-03-02', to: '2026-03-04', fees: 'none' });
    expect(answer.tickDays).toEqual(['2026-03-02', '2026-03-03']);
    expect(answer.report.net).toBe(2);
  });

  it("a grid over days with trades: each cell is the single backtest of its times, trades and all", () => {
    const body = { spec: { ...BASE, exchange: 'NYSE' }, from: '2026-03-02', to: '2026-03-04', fees: 'none' };
    const grid = drain(gridJob({ repos: t.repos, calendar }, { ...body, buy: { from: '09:31', to: '09:32', every_minutes: 1 }, sell: { from: '09:35', to: '09:35', every_minutes: 1 } }));
    for (const [i, buy] of ['09:31', '09:32'].entries()) {
      const single = serviceBacktest({ repos: t.repos, calendar }, { ...body, spec: { ...body.spec, buy_time: buy } });
      expect(grid.cells[i]![0]).toMatchObject({ trades: single.report.trades, net: single.report.net });
    }
    expect(grid.cells[0]![0]!.net).toBe(2);
  });

  it('a window touching a session whose trades are not stored walks the bars (never half a day of trades)', () => {
    const ticks = storedTicks(t.repos, calendar, { exchange: 'NYSE', symbol: SYMBOL });
    expect(ticks(et('2026-03-02', '09:26'), et('2026-03-02', '09:36'))?.length).toBe(6);
    expect(ticks(et('2026-03-03', '15:00'), et('2026-03-04', '09:36'))).toBeNull();
    expect(ticks(et('2026-03-04', '09:26'), et('2026-03-04', '09:36'))).toBeNull();
  });
});
