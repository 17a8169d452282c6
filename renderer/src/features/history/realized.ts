/**
 * Realized P&L as the renderer adds it up: per trading date over the strategies' latest runs, and
 * per exit order of a journal (so an orders CSV shows what each exit fill earned). Sums are in
 * decimal (decimal.js), like the engine's, so a column of P&Ls adds up to its total; rounding is
 * format.ts's business, at display time.
 */
import Decimal from 'decimal.js';
import type { OrderDto, StrategyDto } from '../../lib/api-types';
import { runsOf } from '../strategies/position-runs';

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
  // Every position's run of a strategy with positions, not position 0's alone.
  for (const run of strategies.flatMap(runsOf)) {
    if (run.realized_pnl === null) continue;
    const day = days.get(run.trading_date) ?? { pnl: new Decimal(0), runs: 0 };
    days.set(run.trading_date, { pnl: day.pnl.plus(run.realized_pnl), runs: day.runs + 1 });
  }
  return [...days]
    .sort(([a], [b]) => (a < b ? 1 : a > b ? -1 : 0))
    .map(([tradingDate, d]) => ({ tradingDate, pnl: d.pnl.toNumber(), runs: d.runs }));
}

/**
 * What each filled exit order earned against its leg's entry fill (the run's first entry, or the
 * re-entry it closed): (fill − entry) × filled quantity, for a sell-first entry (a short)
 * (entry − fill) × filled quantity, by order id. A leg's exits add up to what the leg earned.
 * Entries and unfilled exits have none.
 */
export function exitOrderPnl(orders: readonly OrderDto[]): Map<number, number> {
  const legOf = (o: OrderDto) => `${o.run_id}:${o.leg_no}`;
  const entries = new Map<string, OrderDto>();
  for (const o of orders) if (o.slot === 'entry' && o.fill_price !== null && o.filled_qty > 0) entries.set(legOf(o), o);
  const out = new Map<number, number>();
  for (const o of orders) {
    const entry = entries.get(legOf(o));
    if (o.slot !== 'exit' || entry?.fill_price == null || o.fill_price === null || o.filled_qty === 0) continue;
    const gain = entry.side === 'sell' ? new Decimal(entry.fill_price).minus(o.fill_price) : new Decimal(o.fill_price).minus(entry.fill_price);
    out.set(o.id, gain.times(o.filled_qty).toNumber());
  }
  return out;
}
