/**
 * Realized P&L as the renderer adds it up: per trading date over the strategies' latest runs, and
 * per exit order of a journal (so an orders CSV shows what each exit fill earned). Sums are in
 * decimal (decimal.js), like the engine's, so a column of P&Ls adds up to its total; rounding is
 * format.ts's business, at display time.
 */
import Decimal from 'decimal.js';
import type { OrderDto, StrategyDto } from '../../lib/api-types';

export interface DayRealized {
  readonly tradingDate: string;
  readonly pnl: number;
  readonly runs: number;
}

/**
 * Realized P&L per trading date over each strategy's latest run (the list's "today"), newest first.
 *
 * @example realizedByDay(strategies)  // [{ tradingDate: '2026-03-09', pnl: 12.5, runs: 2 }]
 */
export function realizedByDay(strategies: readonly StrategyDto[]): DayRealized[] {
  const days = new Map<string, { pnl: Decimal; runs: number }>();
  for (const s of strategies) {
    const run = s.runtime;
    if (!run || run.realized_pnl === null) continue;
    const day = days.get(run.trading_date) ?? { pnl: new Decimal(0), runs: 0 };
    days.set(run.trading_date, { pnl: day.pnl.plus(run.realized_pnl), runs: day.runs + 1 });
  }
  return [...days]
    .sort(([a], [b]) => (a < b ? 1 : a > b ? -1 : 0))
    .map(([tradingDate, d]) => ({ tradingDate, pnl: d.pnl.toNumber(), runs: d.runs }));
}

/**
 * What each filled exit order earned: (its fill price − its run's entry fill price) × its filled
 * quantity, by order id. The exits of a run add up to the run's realized_pnl (its exit price is
 * their quantity-weighted average). Entries and unfilled exits have none.
 */
export function exitOrderPnl(orders: readonly OrderDto[]): Map<number, number> {
  const entryPrice = new Map<number, number>();
  for (const o of orders) if (o.slot === 'entry' && o.fill_price !== null && o.filled_qty > 0) entryPrice.set(o.run_id, o.fill_price);
  const out = new Map<number, number>();
  for (const o of orders) {
    const entry = entryPrice.get(o.run_id);
    if (o.slot !== 'exit' || entry === undefined || o.fill_price === null || o.filled_qty === 0) continue;
    out.set(o.id, new Decimal(o.fill_price).minus(entry).times(o.filled_qty).toNumber());
  }
  return out;
}
