/**
 * What the backtest panel shows, apart from React: the range it proposes, the equity curve as the
 * chart takes it, what to say when the store had no bars, the grid's default windows around the
 * strategy's own times, and the heatmap's shading. Pure, tested without a browser.
 */
import type { UTCTimestamp } from 'lightweight-charts';
import type { BacktestDto, BacktestGridDto, BacktestTradeDto, StrategyDto } from '../../lib/api-types';

/** "YYYY-MM-DD" `days` after `date` (negative: before), on the calendar, not in any zone. */
export function shiftDate(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** The range proposed at first: the 30 days before today (today's bars are not complete yet). */
export function defaultRange(today: string): { readonly from: string; readonly to: string } {
  return { from: shiftDate(today, -30), to: shiftDate(today, -1) };
}

/**
 * The equity after each trade at its exit (report.equity), from 0 at the first entry, one point a
 * second (the library takes one; two legs closing in the same second keep the later equity).
 */
export function equityPoints(trades: readonly Pick<BacktestTradeDto, 'entry_at'>[], equity: BacktestDto['report']['equity']): { time: UTCTimestamp; value: number }[] {
  const first = trades[0];
  if (!first || equity.length === 0) return [];
  const bySecond = new Map<number, number>([[Math.floor(first.entry_at / 1000), 0]]);
  for (const p of equity) bySecond.set(Math.floor(p.at / 1000), p.equity);
  return [...bySecond.entries()].sort((a, b) => a[0] - b[0]).map(([time, value]) => ({ time: time as UTCTimestamp, value }));
}

/**
 * The CLI line that imports a CSV of bars for this instrument and range, and backtests the
 * strategy's main shape over them at once (README "Backtests"); the store keeps the bars for the
 * next run here.
 */
export function importCommand(s: Pick<StrategyDto, 'symbol' | 'exchange' | 'qty' | 'buy_time' | 'sell_time' | 'stop_loss' | 'stop_loss_mode'>, range: { readonly from: string; readonly to: string }): string {
  return `tradeclock backtest --csv bars.csv --symbol ${s.symbol} --exchange ${s.exchange} --from ${range.from} --to ${range.to} --qty ${s.qty} --buy-time ${s.buy_time} --sell-time ${s.sell_time} --stop-loss ${s.stop_loss} --stop-loss-mode ${s.stop_loss_mode}`;
}

export interface DataNotice {
  /** 'none': not one trading day had bars (an error: nothing was tested); 'some': a few days left out. */
  readonly kind: 'none' | 'some' | 'no_trading_day';
  readonly text: string;
  readonly missing: readonly string[];
}

/**
 * What the answer says about the stored bars: every trading day without bars (NO_DATA) is named, so
 * a result over half the range does not pass for the whole; none at all is said as what to do.
 */
export function dataNotice(runs: BacktestDto['runs'], where: { readonly symbol: string; readonly exchange: string; readonly from: string; readonly to: string }): DataNotice | null {
  if (runs.length === 0) return { kind: 'no_trading_day', text: `No trading day of ${where.exchange} from ${where.from} to ${where.to} on this strategy's days: pick a wider range.`, missing: [] };
  const missing = runs.filter((r) => r.state === 'NO_DATA').map((r) => r.date);
  if (missing.length === 0) return null;
  if (missing.length === runs.length) {
    return {
      kind: 'none',
      text: `No 1-minute bars of ${where.symbol} on ${where.exchange} are stored for ${where.from} to ${where.to}, so nothing was tested. Import them from a CSV file first (timestamp,open,high,low,close,volume), then run again.`,
      missing,
    };
  }
  const days = missing.length === 1 ? `1 trading day (${missing[0]})` : `${missing.length} trading days (${missing[0]} … ${missing.at(-1)})`;
  return { kind: 'some', text: `${days} of ${runs.length} had no stored bars and were left out of these figures.`, missing };
}

/**
 * The runs an option backtest skipped (no index bar before the entry, no contract meeting the
 * rule), grouped by the reason the API gives, in date order: said with the figures, so a day
 * without a trade is not taken for a day without a signal.
 */
export function skippedDays(runs: BacktestDto['runs']): { readonly reason: string; readonly dates: readonly string[] }[] {
  const byReason = new Map<string, string[]>();
  for (const r of runs) if (r.state === 'SKIPPED') byReason.set(r.reason ?? 'no reason given', [...(byReason.get(r.reason ?? 'no reason given') ?? []), r.date]);
  return [...byReason.entries()].map(([reason, dates]) => ({ reason, dates }));
}

/** "HH:MM" plus `minutes`, kept within the day. */
function addMinutes(time: string, minutes: number): string {
  const [h, m] = time.split(':').map(Number) as [number, number];
  const total = Math.min(23 * 60 + 59, Math.max(0, h * 60 + m + minutes));
  return `${String(Math.floor(total / 60)).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}`;
}

export interface GridDraft {
  readonly buyFrom: string;
  readonly buyTo: string;
  readonly sellFrom: string;
  readonly sellTo: string;
  readonly every: string;
}

/** Entry times from the strategy's BUY time to 30 minutes after, exits from 30 minutes before its SELL time to it, every 5 minutes: 7 × 7 cells. */
export function defaultGrid(buyTime: string, sellTime: string): GridDraft {
  const buy = buyTime.slice(0, 5);
  const sell = sellTime.slice(0, 5);
  return { buyFrom: buy, buyTo: addMinutes(buy, 30), sellFrom: addMinutes(sell, -30), sellTo: sell, every: '5' };
}

/** The shading of a cell: its sign and one of four steps of |net| against the grid's largest. */
export interface Heat {
  readonly tone: 'pos' | 'neg' | 'flat';
  readonly step: 0 | 1 | 2 | 3 | 4;
}

export function heatOf(net: number, largest: number): Heat {
  if (net === 0 || largest === 0) return { tone: 'flat', step: 0 };
  const step = Math.min(4, Math.max(1, Math.ceil((Math.abs(net) / largest) * 4))) as Heat['step'];
  return { tone: net > 0 ? 'pos' : 'neg', step };
}

/** The largest |net| of the grid's cells (0 when it has none), and the cell that earned most. */
export function gridExtremes(grid: BacktestGridDto): { readonly largest: number; readonly best: { readonly buy: string; readonly sell: string; readonly net: number } | null } {
  let largest = 0;
  let best: { buy: string; sell: string; net: number } | null = null;
  grid.cells.forEach((row, i) =>
    row.forEach((cell, j) => {
      if (!cell || cell.trades === 0) return;
      largest = Math.max(largest, Math.abs(cell.net));
      if (!best || cell.net > best.net) best = { buy: grid.buy_times[i]!, sell: grid.sell_times[j]!, net: cell.net };
    }),
  );
  return { largest, best };
}

/** Whether the strategy trades an option (its qty counts lots): the backtest then needs the lot size. */
export function isOptionStrategy(s: Pick<StrategyDto, 'option_right'>): boolean {
  return s.option_right !== null;
}

/** Whose charges 'default' fees are for the strategy's exchange (engine/backtest/fees.ts defaultFees). */
export function defaultFeesName(exchange: string): string {
  switch (exchange) {
    case 'NSE':
    case 'BSE':
      return 'Zerodha intraday';
    case 'NFO':
    case 'BFO':
      return 'Zerodha options';
    case 'CRYPTO':
      return 'none for crypto';
    default:
      return 'SEC and TAF';
  }
}

/** A number typed in a form: as a number when it is one, left out when empty, else as typed (the API names it). */
export function typedNumber(text: string): number | string | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : t;
}

const CLOCKS = new Map<string, Intl.DateTimeFormat>();

/** "09:21:15" as the wall clock reads in `zone`: a trade's times on its own trading date. */
export function zonedClock(ms: number, zone: string): string {
  let f = CLOCKS.get(zone);
  if (!f) CLOCKS.set(zone, (f = new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })));
  return f.format(ms);
}
