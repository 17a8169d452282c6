/**
 * The hand-made bars of fixtures/tclk-nse-1min.csv (see its README), imported through the CSV
 * path into a real SQLite store, replayed through the run policy. Every answer below is worked out
 * by hand from the bars; levels given in percent are rounded to the 0.05 tick away from the fill
 * (levels.ts), and a long's bar is walked open → low → high → close, a short's open → high → low →
 * close, each at :00, :15, :30, :45 of its minute.
 */
import { createReadStream } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from '../../db/test-support';
import { settledSpec, strategySpec, type StrategySpecInput } from '../core/strategy-spec';
import { createTradingCalendar } from '../scheduler/trading-calendar';
import { defaultFees, type FeeSchedule } from './fees';
import { importBarsCsv } from './import-bars';
import { report } from './report';
import { runBacktest, type BacktestResult } from './run-backtest';

let t: TestDb;
beforeAll(async () => {
  t = openTestDb();
  await importBarsCsv(t.repos, { exchange: 'NSE', symbol: 'TCLK' }, createReadStream(new URL('./fixtures/tclk-nse-1min.csv', import.meta.url)));
});
afterAll(() => t.close());

const ist = (date: string, time: string) => Date.parse(`${date}T${time}+05:30`);
const calendar = createTradingCalendar();

/** BUY 09:20, SELL 09:25 IST, 10 shares, stop 1 % below the fill, every trading day. */
const BASE: StrategySpecInput = { broker_account_id: 1, symbol: 'TCLK', qty: 10, buy_time: '09:20', sell_time: '09:25', stop_loss: 1, stop_loss_mode: 'percent', repeat: 'daily' };

function backtest(over: Partial<StrategySpecInput>, options: { fees?: FeeSchedule; slippageBps?: number; from?: string; to?: string } = {}): BacktestResult {
  const spec = settledSpec(strategySpec.parse({ ...BASE, ...over }), 'NSE', 'Asia/Kolkata');
  return runBacktest(spec, {
    from: options.from ?? '2026-03-02',
    to: options.to ?? '2026-03-05',
    calendar,
    fill: { slippageBps: options.slippageBps ?? 0, tickSize: 0.05 },
    fees: options.fees ?? { kind: 'none' },
    bars: (from, to) => t.repos.historicalBars.list('NSE', 'TCLK', from, to),
  });
}

const brief = (r: BacktestResult) => r.trades.map((x) => [x.date, x.legNo, x.entryPrice, x.exitKind, x.exitPrice, x.net]);

describe('backtest over the hand-made bars', () => {
  it('time exit and stop-loss: one run per trading day (Holi skipped), the stop filled at its level', () => {
    const r = backtest({});
    // Mon: BUY at the 09:20 open 100.20; stop 100.20 × 0.99 = 99.198 → 99.15, never reached;
    //   SELL at the 09:25 open 101.40: (101.40 − 100.20) × 10 = +12.00.
    // Wed: BUY 200.10; stop 198.099 → 198.05; the 09:21 bar falls from 199.60 to 197.50 through
    //   it: STOPLOSS at 198.05 at 09:21:15: (198.05 − 200.10) × 10 = −20.50.
    // Thu: BUY 300.00; stop 297.00; the 09:21 bar goes to its low 296.00 first: −30.00.
    expect(brief(r)).toEqual([
      ['2026-03-02', 0, 100.2, 'SELL', 101.4, 12],
      ['2026-03-04', 0, 200.1, 'STOPLOSS', 198.05, -20.5],
      ['2026-03-05', 0, 300, 'STOPLOSS', 297, -30],
    ]);
    expect(r.runs.map((x) => [x.date, x.state])).toEqual([
      ['2026-03-02', 'SOLD'],
      ['2026-03-04', 'EXITED_BY_SL'],
      ['2026-03-05', 'EXITED_BY_SL'],
    ]);
    expect(r.trades[0]).toMatchObject({ entryAt: ist('2026-03-02', '09:20:00'), exitAt: ist('2026-03-02', '09:25:00'), weekday: 'mon' });
    expect(r.trades[1]).toMatchObject({ exitAt: ist('2026-03-04', '09:21:15'), weekday: 'wed' });
  });

  it('target hit, and a bar touching both stop and target counts the stop', () => {
    const r = backtest({ target: 1, target_mode: 'percent' });
    // Mon: target 100.20 × 1.01 = 101.202 → 101.25 (up, away from the fill); the 09:23 bar rises
    //   from its low 101.00 to 101.40 through it: TARGET at 101.25: +10.50.
    // Wed: target 202.15 never reached; stop as before: −20.50.
    // Thu: stop 297.00 and target 303.00 both inside the 09:21 bar (296.00–304.00): the low
    //   comes first for a long: STOPLOSS at 297.00: −30.00.
    expect(brief(r)).toEqual([
      ['2026-03-02', 0, 100.2, 'TARGET', 101.25, 10.5],
      ['2026-03-04', 0, 200.1, 'STOPLOSS', 198.05, -20.5],
      ['2026-03-05', 0, 300, 'STOPLOSS', 297, -30],
    ]);
    expect(r.trades[0]!.exitAt).toBe(ist('2026-03-02', '09:23:30'));
  });

  it('a short: the high comes first, so the both-touching bar stops it out too', () => {
    const r = backtest({ side: 'sell', target: 1, target_mode: 'percent' });
    // Thu: short at 300.00; stop 303.00 above, target 297.00 below; 09:21 goes to 304.00 first:
    //   bought back at 303.00: −(303.00 − 300.00) × 10 = −30.00.
    expect(brief(r).at(-1)).toEqual(['2026-03-05', 0, 300, 'STOPLOSS', 303, -30]);
  });

  it('trailing stop: ratcheted by the highs, hit on the way down', () => {
    const r = backtest({ trail: 0.5, trail_mode: 'points' });
    // Mon: the trail (best − 0.50) follows each bar's high after its low: 99.70 → 100.10 → 100.50
    //   → 100.70 → 100.90 → 101.00; no low reaches it; SELL at 101.40: +12.00.
    // Wed: the trail's stop 200.10 − 0.50 = 199.60 is above the 1 % stop (198.05), so it is the
    //   stop; the entry bar's low 199.50 crosses it: TRAIL_STOP at 199.60: −5.00.
    // Thu: stop 299.50; the 09:20 high 300.20 moves it to 299.70; the 09:21 fall takes it: −3.00.
    expect(brief(r)).toEqual([
      ['2026-03-02', 0, 100.2, 'SELL', 101.4, 12],
      ['2026-03-04', 0, 200.1, 'TRAIL_STOP', 199.6, -5],
      ['2026-03-05', 0, 300, 'TRAIL_STOP', 299.7, -3],
    ]);
  });

  it('re-entry after a stop-loss: the next leg enters at once at the stop price and keeps the time exit', () => {
    const r = backtest({ reentries: 1, reentry_after: 'stop_loss', reentry_cutoff: '09:24' });
    // Wed: leg 0 stopped at 198.05 (09:21:15); leg 1 buys at once at 198.05, its stop 196.0695 →
    //   196.05 is never reached; SELL at the 09:25 open 198.60: (198.60 − 198.05) × 10 = +5.50.
    // Thu: leg 0 stopped at 297.00; leg 1 buys at 297.00 (stop 294.03 → 294.00) as the bar goes
    //   on to 304.00; SELL at 300.40: +34.00.
    expect(brief(r)).toEqual([
      ['2026-03-02', 0, 100.2, 'SELL', 101.4, 12],
      ['2026-03-04', 0, 200.1, 'STOPLOSS', 198.05, -20.5],
      ['2026-03-04', 1, 198.05, 'SELL', 198.6, 5.5],
      ['2026-03-05', 0, 300, 'STOPLOSS', 297, -30],
      ['2026-03-05', 1, 297, 'SELL', 300.4, 34],
    ]);
    expect(r.trades[2]).toMatchObject({ entryAt: ist('2026-03-04', '09:21:15'), exitAt: ist('2026-03-04', '09:25:00') });
    // Equity 12, −8.5, −3, −33, 1: 3 of 5 won, drawdown 12 − (−33) = 45 (report.test.ts has the rest).
    expect(report(r.trades)).toMatchObject({ net: 1, winRate: 0.6, maxDrawdown: 45 });
  });

  it('a gap past the stop fills at the open, not at the stop', () => {
    // Fri: BUY 400.00; stop 396.00; 09:20 closes at 400.10 and 09:21 opens at 395.50: the price
    //   jumped past the stop, so the STOPLOSS fills at 395.50 at 09:21:00: (395.50 − 400.00) × 10 = −45.00.
    const r = backtest({}, { from: '2026-03-06', to: '2026-03-09' });
    expect(brief(r)).toEqual([['2026-03-06', 0, 400, 'STOPLOSS', 395.5, -45]]);
    expect(r.trades[0]!.exitAt).toBe(ist('2026-03-06', '09:21:00'));
    // Monday 2026-03-09 trades at NSE, but the store has no bar for it: said, not replayed.
    expect(r.runs.at(-1)).toEqual({ date: '2026-03-09', state: 'NO_DATA', reason: 'no bars stored from 2026-03-09 09:15:00 +05:30 to 2026-03-09 09:25:00 +05:30', trades: 0 });
  });

  it('weekdays: only the days the strategy trades', () => {
    expect(brief(backtest({ weekdays: ['wed'] }))).toEqual([['2026-03-04', 0, 200.1, 'STOPLOSS', 198.05, -20.5]]);
  });

  it('slippage as the paper broker fills: against the trader, rounded to the tick against the trader', () => {
    const r = backtest({}, { slippageBps: 10 });
    // Mon: BUY 100.20 × 1.001 = 100.3002 → 100.35; SELL 101.40 × 0.999 = 101.2986 → 101.25: +9.00.
    expect(brief(r)[0]).toEqual(['2026-03-02', 0, 100.35, 'SELL', 101.25, 9]);
  });

  it("Zerodha's intraday charges, to the paisa", () => {
    const r = backtest({ qty: 500 }, { fees: defaultFees('NSE') });
    // Mon, BUY 500 × 100.20 = ₹50 100: brokerage min(15.03, 20) = 15.03; NSE 0.00297 % = 1.48797
    //   → 1.49; SEBI ₹10/crore = 0.0501 → 0.05; stamp 0.003 % = 1.503 → 1.50; GST 18 % of
    //   (15.03 + 0.05 + 1.49 = 16.57) = 2.9826 → 2.98. Total 21.05.
    // SELL 500 × 101.40 = ₹50 700: brokerage 15.21; STT 0.025 % = 12.675 → ₹13; NSE 1.50579 →
    //   1.51; SEBI 0.0507 → 0.05; GST 18 % of 16.77 = 3.0186 → 3.02. Total 32.79.
    // Gross 1.20 × 500 = 600.00; fees 53.84; net 546.16.
    expect(r.trades[0]).toMatchObject({ gross: 600, fees: 53.84, net: 546.16 });
  });
});

describe('a US backtest', () => {
  it('NYSE the day after the clocks moved: entry at 09:35 New York (13:35Z, EDT), SEC fee and TAF on the sell', () => {
    // Monday 2026-03-09, the first trading day of EDT: 09:35 New York is 13:35Z, not 14:35Z.
    const at = (hhmm: string) => Date.parse(`2026-03-09T${hhmm}:00Z`);
    t.repos.historicalBars.save('NYSE', 'TCUS', [
      { minute: at('13:34'), open: 49.9, high: 50.05, low: 49.85, close: 50, volume: 500 },
      { minute: at('13:35'), open: 50, high: 50.2, low: 49.8, close: 50.1, volume: 500 },
      { minute: at('13:36'), open: 50.1, high: 50.6, low: 50.05, close: 50.5, volume: 500 },
      { minute: at('13:40'), open: 50.5, high: 50.6, low: 50.4, close: 50.55, volume: 500 },
      { minute: at('14:35'), open: 60, high: 60, low: 60, close: 60, volume: 500 },
    ]);
    const spec = settledSpec(strategySpec.parse({ ...BASE, symbol: 'TCUS', qty: 100, buy_time: '09:35', sell_time: '09:40' }), 'NYSE', 'America/New_York');
    const r = runBacktest(spec, { from: '2026-03-09', to: '2026-03-09', calendar, fill: { slippageBps: 0, tickSize: 0.01 }, fees: defaultFees('NYSE'), bars: (from, to) => t.repos.historicalBars.list('NYSE', 'TCUS', from, to) });
    // BUY 100 at the 13:35Z open 50.00; stop 49.50 (1 %) untouched; SELL at the 13:40Z open 50.50.
    // Gross 0.50 × 100 = 50.00. Sell proceeds $5 050: SEC 5 050 × 27.80 / 1e6 = 0.14039 → 0.15
    // (up to the cent); TAF 100 × 0.000166 = 0.0166 → 0.02. Fees 0.17, net 49.83.
    expect(r.trades).toEqual([expect.objectContaining({ entryAt: at('13:35'), entryPrice: 50, exitAt: at('13:40'), exitPrice: 50.5, exitKind: 'SELL', gross: 50, fees: 0.17, net: 49.83, weekday: 'mon' })]);
  });
});
