/**
 * Which entry and exit times would have worked: one backtest per (entry, exit) pair over the same
 * bars, each summed up as a cell (P&L after fees, trades, win rate, max drawdown). Pure: the bars
 * are loaded once (a BarSeries), the trading dates planned once (GridPlanner), and each cell is
 * replayed by seriesBacktestSteps, which a test holds equal to runBacktest of the cell's spec.
 * An option strategy's cell is instead the whole option backtest of its times (cellSteps), since
 * each entry time chooses its own contracts. A pair whose exit is not after its entry is no cell
 * (null): the grid is of intraday times.
 */
import type { StoredStrategySpec } from '../core/strategy-spec';
import type { CivilDate } from '../scheduler/civil-date';
import type { TradingCalendar } from '../scheduler/trading-calendar';
import type { BarSeries } from './bar-series';
import { GridPlanner } from './day-plans';
import type { FeeSchedule } from './fees';
import type { FillModel } from './replay-day';
import { report } from './report';
import { seriesBacktestSteps, type BacktestResult } from './run-backtest';

export interface GridCell {
  readonly buyTime: string;
  readonly sellTime: string;
  readonly trades: number;
  readonly winRate: number | null;
  /** After fees. */
  readonly net: number;
  readonly fees: number;
  readonly maxDrawdown: number;
}

export interface GridOptions {
  readonly from: CivilDate;
  readonly to: CivilDate;
  readonly calendar: TradingCalendar;
  readonly fill: FillModel;
  readonly fees: FeeSchedule;
  /** The instrument's bars over the whole range (and 5 minutes before its first entry). */
  readonly series: BarSeries;
}

export interface Grid {
  /** "HH:MM:SS", the rows. */
  readonly buyTimes: readonly string[];
  /** "HH:MM:SS", the columns. */
  readonly sellTimes: readonly string[];
  /** cells[row][column]; null where the exit is not after the entry. */
  readonly cells: readonly (readonly (GridCell | null)[])[];
}

/**
 * Each replayed run of each cell one yield (an async caller yields to the event loop between); the return is the grid.
 *
 * @example drain(gridSteps(spec, ['09:20:00', '09:25:00'], ['15:00:00', '15:10:00'], options)).cells[0][1].net
 */
export function* gridSteps(spec: StoredStrategySpec, buyTimes: readonly string[], sellTimes: readonly string[], options: GridOptions): Generator<void, Grid> {
  const planner = new GridPlanner(spec, options.from, options.to, options.calendar);
  return yield* cellSteps(buyTimes, sellTimes, (buyTime, sellTime) => seriesBacktestSteps({ ...spec, buy_time: buyTime, sell_time: sellTime }, planner.runsOf(buyTime, sellTime), options.series, options));
}

/**
 * The grid of `cell`'s backtests, one per (entry, exit) pair whose exit is after its entry, each
 * replayed run one yield. A share strategy's cells share one series of bars (gridSteps); an option
 * strategy's cell is the whole option backtest of its times (backtest-service.ts), since each entry
 * time chooses its own contracts.
 */
export function* cellSteps(buyTimes: readonly string[], sellTimes: readonly string[], cell: (buyTime: string, sellTime: string) => Generator<void, BacktestResult>): Generator<void, Grid> {
  const cells: (GridCell | null)[][] = [];
  for (const buyTime of buyTimes) {
    const row: (GridCell | null)[] = [];
    for (const sellTime of sellTimes) row.push(sellTime <= buyTime ? null : cellOf(buyTime, sellTime, yield* cell(buyTime, sellTime)));
    cells.push(row);
  }
  return { buyTimes, sellTimes, cells };
}

function cellOf(buyTime: string, sellTime: string, result: BacktestResult): GridCell {
  const r = report(result.trades);
  return { buyTime, sellTime, trades: r.trades, winRate: r.winRate, net: r.net, fees: r.fees, maxDrawdown: r.maxDrawdown };
}
