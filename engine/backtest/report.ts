/**
 * A backtest's figures, a pure function of its trades (in the order they closed): totals, win
 * rate, the deepest fall of the equity from its peak, the equity after each trade, and the
 * outcome by weekday. Sums in decimal (decimal.js), so forty trades of 0.1 add to 4, not
 * 3.9999999999999996. Equity starts at 0: money made or lost, not an account balance.
 */
import Decimal from 'decimal.js';
import { WEEKDAYS, type Weekday } from '../core/strategy-spec';
import type { Trade } from './run-backtest';

export interface WeekdayOutcome {
  readonly trades: number;
  readonly wins: number;
  readonly net: number;
}

export interface BacktestReport {
  readonly trades: number;
  readonly wins: number;
  readonly losses: number;
  /** wins / trades; null with no trade. A trade wins when its net (after fees) is above 0. */
  readonly winRate: number | null;
  readonly gross: number;
  readonly fees: number;
  readonly net: number;
  /** The largest fall of the equity from a peak before it (the start, 0, counts as one), ≥ 0. */
  readonly maxDrawdown: number;
  /** The equity after each trade, at its exit. */
  readonly equity: readonly { readonly at: number; readonly equity: number }[];
  /** Every weekday a trade was made on (its trading date's), Monday first. */
  readonly byWeekday: Readonly<Partial<Record<Weekday, WeekdayOutcome>>>;
}

/**
 * @example report(result.trades).winRate // 0.6
 */
export function report(trades: readonly Trade[]): BacktestReport {
  const zero = new Decimal(0);
  let equity = zero;
  let peak = zero;
  let drawdown = zero;
  const curve: { at: number; equity: number }[] = [];
  const days = new Map<Weekday, { trades: number; wins: number; net: Decimal }>();
  for (const t of trades) {
    equity = equity.plus(t.net);
    peak = Decimal.max(peak, equity);
    drawdown = Decimal.max(drawdown, peak.minus(equity));
    curve.push({ at: t.exitAt, equity: equity.toNumber() });
    const d = days.get(t.weekday) ?? { trades: 0, wins: 0, net: zero };
    days.set(t.weekday, { trades: d.trades + 1, wins: d.wins + (t.net > 0 ? 1 : 0), net: d.net.plus(t.net) });
  }
  const wins = trades.filter((t) => t.net > 0).length;
  const sum = (k: 'gross' | 'fees') => trades.reduce((a, t) => a.plus(t[k]), zero).toNumber();
  const byWeekday: Partial<Record<Weekday, WeekdayOutcome>> = {};
  for (const w of WEEKDAYS) {
    const d = days.get(w);
    if (d) byWeekday[w] = { trades: d.trades, wins: d.wins, net: d.net.toNumber() };
  }
  return {
    trades: trades.length,
    wins,
    losses: trades.length - wins,
    winRate: trades.length === 0 ? null : wins / trades.length,
    gross: sum('gross'),
    fees: sum('fees'),
    net: equity.toNumber(),
    maxDrawdown: drawdown.toNumber(),
    equity: curve,
    byWeekday,
  };
}
