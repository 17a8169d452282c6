import { describe, expect, it } from 'vitest';
import type { OrderDto, RunHistoryDto, StrategyDto } from '../../lib/api-types';
import { toCsv } from '../../lib/csv';
import { EMPTY_FILTER, HISTORY_CSV, historyQuery, positionWords } from './history-query';
import { exitOrderPnl, realizedByDay } from './realized';

const strategy = (id: number, tradingDate: string, realized: number | null) => ({ id, runtime: { trading_date: tradingDate, realized_pnl: realized }, position_runs: [] }) as unknown as StrategyDto;

describe('realizedByDay', () => {
  it('adds the latest runs per trading date in decimal, newest first, skipping unsold runs', () => {
    expect(realizedByDay([strategy(1, '2026-03-09', 0.1), strategy(2, '2026-03-10', -5), strategy(3, '2026-03-09', 0.2), strategy(4, '2026-03-09', null)])).toEqual([
      { tradingDate: '2026-03-10', pnl: -5, runs: 1 },
      { tradingDate: '2026-03-09', pnl: 0.3, runs: 2 },
    ]);
    expect(realizedByDay([{ id: 5, runtime: null, position_runs: [] } as unknown as StrategyDto])).toEqual([]);
  });

  it("adds every position's run of a strategy with positions", () => {
    const runs = [{ trading_date: '2026-03-09', realized_pnl: -5200 }, { trading_date: '2026-03-09', realized_pnl: 3250.5 }];
    expect(realizedByDay([{ id: 6, runtime: runs[0], position_runs: runs } as unknown as StrategyDto])).toEqual([{ tradingDate: '2026-03-09', pnl: -1949.5, runs: 2 }]);
  });
});

describe('exitOrderPnl', () => {
  const order = (id: number, run: number, slot: 'entry' | 'exit', filled: number, fill: number | null, legNo = 0, side = slot === 'entry' ? 'buy' : 'sell') =>
    ({ id, run_id: run, slot, filled_qty: filled, fill_price: fill, leg_no: legNo, side }) as unknown as OrderDto;
  it("gives each exit fill its share, adding up to the run's P&L over two attempts", () => {
    const pnl = exitOrderPnl([order(1, 7, 'entry', 10, 100), order(2, 7, 'exit', 4, 101), order(3, 7, 'exit', 6, 96), order(4, 8, 'exit', 0, null)]);
    expect([...pnl]).toEqual([
      [2, 4],
      [3, -24],
    ]);
  });
  it('has none without an entry fill', () => {
    expect(exitOrderPnl([order(2, 9, 'exit', 4, 101)]).size).toBe(0);
  });
  it("counts each exit against its own leg's entry: a re-entry's exit against the re-entry's fill", () => {
    const pnl = exitOrderPnl([order(1, 7, 'entry', 10, 100), order(2, 7, 'exit', 10, 98), order(3, 7, 'entry', 10, 97, 1), order(4, 7, 'exit', 10, 99, 1)]);
    expect([...pnl]).toEqual([
      [2, -20],
      [4, 20],
    ]);
  });
  it('a short (sell first) earns as the price falls: entry − exit', () => {
    const pnl = exitOrderPnl([order(1, 7, 'entry', 10, 100, 0, 'sell'), order(2, 7, 'exit', 10, 97, 0, 'buy'), order(3, 7, 'entry', 5, 98, 1, 'sell'), order(4, 7, 'exit', 5, 99, 1, 'buy')]);
    expect([...pnl]).toEqual([
      [2, 30],
      [4, -5],
    ]);
  });
});

describe('history query and CSV', () => {
  it('leaves out empty filters', () => {
    expect(historyQuery(EMPTY_FILTER)).toEqual({ strategy_id: undefined, from: undefined, to: undefined, limit: 50, before: undefined });
    expect(historyQuery({ strategyId: '3', from: '2026-03-01', to: '' }, '2026-03-05:9')).toMatchObject({ strategy_id: '3', from: '2026-03-01', before: '2026-03-05:9' });
  });
  it('exports the unrounded P&L', () => {
    const run = { trading_date: '2026-03-09', run_id: 1, strategy_id: 2, symbol: 'AAPL', exchange: 'NYSE', broker_account_id: 3, position_no: null, contract: null, state: 'SOLD', buy_at: 0, sell_at: 0, bought_qty: 10, sold_qty: 10, position_qty: 0, entry_price: 100, exit_price: 103.456, exit_leg: 'SELL', realized_pnl: 34.56, reason: null } satisfies RunHistoryDto;
    const csv = toCsv([run], HISTORY_CSV);
    expect(csv.split('\r\n')[0]).toContain('realized_pnl');
    expect(csv.split('\r\n')[1]).toContain(',SELL,34.56,');
    expect(csv.split('\r\n')[1]).toContain('AAPL,NYSE,,,3,');
  });

  it('says which position a run held and its contract, numbered from 1', () => {
    const contract = { symbol: 'NIFTY26D0826000PE' } as RunHistoryDto['contract'];
    expect(positionWords({ position_no: 1, contract })).toBe('Position 2 · NIFTY26D0826000PE');
    expect(positionWords({ position_no: 0, contract: null })).toBe('Position 1');
    expect(positionWords({ position_no: null, contract: null })).toBe('');
  });
});
