/**
 * A strategy over a date range of past 1-minute bars: each run the scheduler would arm (planRun:
 * the exchange's trading days, the strategy's weekdays and zone, DST) is replayed through the run
 * policy (replay-day.ts), and its fills become trades with their fees.
 *
 * Inside a bar the price goes open → the extreme against the position (a long's low, a short's
 * high) → the other extreme → close, at :00, :15, :30 and :45 of its minute: so a bar that touches
 * both the stop and the target takes the stop, and a trailing stop moves only after the adverse
 * extreme. The open is reached by a jump from the last close (a gap is paid in full: a level it
 * passed fills at the open); the rest pass through every armed level (a stop fills at its level).
 * A run's replay starts with the bars of the 5 minutes before its entry (its last price) and ends
 * at its last exit time; an order due when no bar trades fills at the last price before it.
 *
 * A run whose window the tick store covers (`ticks`: every session in it stored whole) walks the
 * trades instead, each one a price the live engine would have seen (core/last-sale.ts): the run
 * policy steps on every trade, a level crossed between two trades fills at the later trade's
 * price (as the paper broker fills at the price of the moment), and the run is marked `prices:
 * 'ticks'`. Everything else (the policy, the fills, the fees) is the same.
 */
import Decimal from 'decimal.js';
import { DateTime } from 'luxon';
import type { HistoricalBar } from '../../db/repos/historical-bars';
import type { HistoricalTick } from '../../db/repos/historical-ticks';
import { runPlanFrom, runPlanOf } from '../core/run-plan-spec';
import type { ExitKind } from '../core/run-policy/types';
import { WEEKDAYS, type StoredStrategySpec, type Weekday } from '../core/strategy-spec';
import type { Run } from '../core/types';
import { weekdayOf, type CivilDate } from '../scheduler/civil-date';
import type { TradingCalendar } from '../scheduler/trading-calendar';
import type { PlannedRun } from '../scheduler/trigger-times';
import { windowOf, type BarSeries } from './bar-series';
import { plannedRuns } from './day-plans';
import { orderFees, type FeeSchedule } from './fees';
import { ReplayDay, type FillModel, type ReplayFill } from './replay-day';

/** How long before its entry a run's replay starts: the last price its entry is judged by. */
export const LEAD_MS = 5 * 60_000;
/** Where in its minute each point of a bar's path is. */
const PATH_OFFSETS_MS = [0, 15_000, 30_000, 45_000] as const;

export interface BacktestOptions {
  /** First and last trading date (the strategy's zone), both included. */
  readonly from: CivilDate;
  readonly to: CivilDate;
  readonly calendar: TradingCalendar;
  readonly fill: FillModel;
  readonly fees: FeeSchedule;
  /** The instrument's bars with from ≤ minute < to, oldest first (the historical store). */
  readonly bars: (from: number, to: number) => readonly HistoricalBar[];
  /** An option strategy's contract for each run, chosen at its entry (option-entry.ts), whose bars are replayed instead of `bars`. */
  readonly contractOf?: (planned: PlannedRun) => ContractDay;
  /** The instrument's trades with from ≤ at < to, oldest first, when the tick store holds every session in it; else null (the bars are walked). */
  readonly ticks?: (from: number, to: number) => readonly HistoricalTick[] | null;
}

/** The contract a run trades and its bars, or why the run is skipped (no contract qualifies). */
export type ContractDay =
  | { readonly kind: 'chosen'; readonly symbol: string; readonly bars: (from: number, to: number) => readonly HistoricalBar[] }
  | { readonly kind: 'skipped'; readonly reason: string };

/** One leg: an entry and the exit that closed it. Money in the instrument's currency. */
export interface Trade {
  readonly date: CivilDate;
  readonly weekday: Weekday;
  readonly legNo: number;
  readonly side: 'long' | 'short';
  readonly qty: number;
  readonly entryAt: number;
  readonly entryPrice: number;
  readonly exitAt: number;
  readonly exitPrice: number;
  readonly exitKind: ExitKind;
  /** (exit − entry) × qty, negated for a short. */
  readonly gross: number;
  /** Both orders' fees (fees.ts). */
  readonly fees: number;
  readonly net: number;
  /** An option strategy's: the contract traded (Kite's tradingsymbol). */
  readonly contract?: string;
}

/**
 * How each run ended: a day with no trade says why (SKIPPED, MISSED_BUY …); NO_DATA: the store has
 * no bar in its window, so it was not replayed. An option run no contract qualified for is SKIPPED
 * with the reason, as the engine skips its entry.
 */
export interface RunOutcome {
  readonly date: CivilDate;
  readonly state: Run['state'] | 'NO_DATA';
  readonly reason: string | null;
  readonly trades: number;
  /** An option strategy's: the contract the run traded. */
  readonly contract?: string;
  /** Set when the run walked the day's trades rather than its bars. */
  readonly prices?: 'ticks';
}

export interface BacktestResult {
  readonly trades: readonly Trade[];
  readonly runs: readonly RunOutcome[];
}

/**
 * @example runBacktest(spec, { from: '2026-03-02', to: '2026-03-06', calendar, fill: { slippageBps: 0, tickSize: 0.05 }, fees: defaultFees('NSE'), bars })
 */
export function runBacktest(spec: StoredStrategySpec, options: BacktestOptions): BacktestResult {
  return drain(backtestSteps(spec, options));
}

/** runBacktest one run at a time: each yield is one run replayed, the return its result (an async caller yields to the event loop between). */
export function* backtestSteps(spec: StoredStrategySpec, options: BacktestOptions): Generator<void, BacktestResult> {
  const { replay, long } = replayer(spec, options);
  const trades: Trade[] = [];
  const runs: RunOutcome[] = [];
  for (const planned of plannedRuns(spec, options.from, options.to, options.calendar)) {
    const chosen = options.contractOf?.(planned) ?? null;
    if (chosen?.kind === 'skipped') {
      runs.push({ date: planned.tradingDate, state: 'SKIPPED', reason: chosen.reason, trades: 0 });
      yield;
      continue;
    }
    const source = chosen ? chosen.bars : options.bars;
    const run = replay(planned, chosen?.symbol ?? null, (day, from, to) => {
      const trades = chosen ? null : (options.ticks?.(from, to) ?? null);
      if (trades !== null && trades.length > 0) {
        for (const k of trades) {
          if (day.state.over) break;
          day.moveTo(k.at, k.price, 'jump');
        }
        return 'ticks';
      }
      const bars = source(from, to);
      for (const bar of bars) {
        if (day.state.over) break;
        const path = long ? [bar.open, bar.low, bar.high, bar.close] : [bar.open, bar.high, bar.low, bar.close];
        path.forEach((price, i) => day.moveTo(bar.minute + PATH_OFFSETS_MS[i]!, price, i === 0 ? 'jump' : 'through'));
      }
      return bars.length > 0 ? 'bars' : null;
    });
    trades.push(...run.trades);
    runs.push(run.outcome);
    yield;
  }
  return { trades, runs };
}

/**
 * The same backtest over bars already loaded (`series`) and runs already planned: each day reads
 * only its window of the series, and a bar in which nothing can happen is passed at once
 * (ReplayDay.passQuietBar), else walked as runBacktest walks it. The grid's path; a test holds it
 * equal to runBacktest.
 */
export function* seriesBacktestSteps(spec: StoredStrategySpec, days: readonly PlannedRun[], series: BarSeries, options: Omit<BacktestOptions, 'bars' | 'from' | 'to' | 'calendar'>): Generator<void, BacktestResult> {
  const { replay, long } = replayer(spec, options);
  const trades: Trade[] = [];
  const runs: RunOutcome[] = [];
  const { minute, open, high, low, close } = series;
  for (const planned of days) {
    const run = replay(planned, null, (day, from, to) => {
      const [lo, hi] = windowOf(series, from, to);
      for (let i = lo; i < hi; i++) {
        if (day.state.over) break;
        const at = minute[i]!;
        if (day.passQuietBar(at + PATH_OFFSETS_MS[3], low[i]!, high[i]!, close[i]!)) continue;
        day.moveTo(at, open[i]!, 'jump');
        day.moveTo(at + PATH_OFFSETS_MS[1], long ? low[i]! : high[i]!, 'through');
        day.moveTo(at + PATH_OFFSETS_MS[2], long ? high[i]! : low[i]!, 'through');
        day.moveTo(at + PATH_OFFSETS_MS[3], close[i]!, 'through');
      }
      return hi > lo ? 'bars' : null;
    });
    trades.push(...run.trades);
    runs.push(run.outcome);
    yield;
  }
  return { trades, runs };
}

/**
 * The price at `at` as a replay walks `bars` (oldest first): the last point of their paths at or
 * before it (open at :00, the adverse extreme at :15, the other at :30, close at :45), or null
 * when none is. What an option run's entry reads of the index and of each contract's premium, so
 * the choice sees the price the entry then fills at.
 * @example priceAt([{ minute: ist('09:20'), open: 100.2, … }], ist('09:20'), true) // 100.2
 */
export function priceAt(bars: readonly HistoricalBar[], at: number, long: boolean): number | null {
  let price: number | null = null;
  for (const bar of bars) {
    if (bar.minute > at) break;
    const path = long ? [bar.open, bar.low, bar.high, bar.close] : [bar.open, bar.high, bar.low, bar.close];
    path.forEach((p, i) => {
      if (bar.minute + PATH_OFFSETS_MS[i]! <= at) price = p;
    });
  }
  return price;
}

/** Runs a generator of backtestSteps to its end, at once. */
export function drain<T>(steps: Generator<void, T>): T {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

/** One planned run replayed: `walk` moves the day through its prices from..to and says which it walked (null: none there). */
function replayer(spec: StoredStrategySpec, options: Pick<BacktestOptions, 'fill' | 'fees'>) {
  const plan = runPlanFrom(runPlanOf(spec));
  const zone = spec.timezone;
  const label = (at: number) => DateTime.fromMillis(at, { zone }).toFormat('yyyy-MM-dd HH:mm:ss ZZ');
  /** `contract`: an option run's, named on its trades and outcome. */
  const replay = (current: PlannedRun, contract: string | null, walk: (day: ReplayDay, from: number, to: number) => 'bars' | 'ticks' | null): { trades: Trade[]; outcome: RunOutcome } => {
    const end = Math.max(current.sellAt, current.squareOffAt ?? 0);
    const day = new ReplayDay(plan, current, options.fill, label);
    const walked = walk(day, current.buyAt - LEAD_MS, end + 60_000);
    const named = contract === null ? {} : { contract };
    if (walked === null) {
      return { trades: [], outcome: { date: current.tradingDate, state: 'NO_DATA', reason: `no bars${contract === null ? '' : ` of ${contract}`} stored from ${label(current.buyAt - LEAD_MS)} to ${label(end)}`, trades: 0, ...named } };
    }
    day.finish(end);
    const legs = tradesOf(current.tradingDate, plan.side, day.fills, options.fees).map((t) => ({ ...t, ...named }));
    return { trades: legs, outcome: { date: current.tradingDate, state: day.state.state, reason: day.state.reason, trades: legs.length, ...named, ...(walked === 'ticks' ? { prices: walked } : {}) } };
  };
  return { replay, long: plan.side === 'long' };
}

/** Each leg's entry fill with its exit fill (a backtest's exits fill in full, in one order). */
function tradesOf(date: CivilDate, side: 'long' | 'short', fills: readonly ReplayFill[], fees: FeeSchedule): Trade[] {
  const out: Trade[] = [];
  for (const entry of fills.filter((f) => f.slot === 'entry')) {
    const exit = fills.find((f) => f.slot === 'exit' && f.legNo === entry.legNo);
    if (!exit || entry.fillPrice === null || exit.fillPrice === null) continue;
    const sign = side === 'long' ? 1 : -1;
    const gross = new Decimal(exit.fillPrice).minus(entry.fillPrice).mul(entry.filledQty).mul(sign);
    const cost = new Decimal(orderFees(fees, entry.side, entry.filledQty, entry.fillPrice).total).plus(orderFees(fees, exit.side, exit.filledQty, exit.fillPrice).total);
    out.push({
      date,
      weekday: WEEKDAYS[weekdayOf(date) - 1]!,
      legNo: entry.legNo,
      side,
      qty: entry.filledQty,
      entryAt: entry.filledAt,
      entryPrice: entry.fillPrice,
      exitAt: exit.filledAt,
      exitPrice: exit.fillPrice,
      exitKind: exit.leg as ExitKind,
      gross: gross.toNumber(),
      fees: cost.toNumber(),
      net: gross.minus(cost).toNumber(),
    });
  }
  return out;
}
