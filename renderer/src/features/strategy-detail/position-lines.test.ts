import { describe, expect, it } from 'vitest';
import type { PositionDto, RunHistoryDto, RuntimeDto, StrategyDto } from '../../lib/api-types';
import { groupPnl, latestGroup, positionLines, premiumNow, ruleWords, unrealizedOf } from './position-lines';

const pos = (side: 'buy' | 'sell', right: 'CE' | 'PE', strike: string, lots: number | null = null): PositionDto => ({
  side,
  option_right: right,
  option_expiry: 'current_week',
  option_strike: strike,
  lots,
  stop_loss: null,
  stop_loss_mode: null,
  target: null,
  target_mode: null,
  trail: null,
  trail_mode: null,
  move_stop_to_cost_after: null,
  move_stop_to_cost_mode: null,
  reentries: null,
});

const strategy = { id: 4, broker_account_id: 1, symbol: 'NIFTY', exchange: 'NFO', qty: 1, positions: [pos('sell', 'CE', 'atm'), pos('sell', 'PE', 'atm', 2)], runtime: null } as unknown as StrategyDto;

const run = (runId: number, date: string, over: Partial<RunHistoryDto> = {}): RunHistoryDto => ({
  run_id: runId,
  strategy_id: 4,
  symbol: 'NIFTY',
  exchange: 'NFO',
  broker_account_id: 1,
  trading_date: date,
  position_no: null,
  contract: null,
  state: 'ARMED',
  buy_at: 0,
  sell_at: 0,
  bought_qty: null,
  sold_qty: 0,
  position_qty: 0,
  entry_price: null,
  exit_price: null,
  exit_leg: null,
  realized_pnl: null,
  reason: null,
  ...over,
});

describe('latestGroup', () => {
  it('takes the latest day\'s runs of the strategy, by the order the engine created them when no position is sent', () => {
    const runs = [run(12, '2026-12-08'), run(11, '2026-12-08'), run(9, '2026-12-07'), { ...run(13, '2026-12-09'), strategy_id: 5 }];
    expect([...latestGroup(4, runs)].map(([p, r]) => [p, r.run_id])).toEqual([
      [0, 11],
      [1, 12],
    ]);
  });

  it("reads the run's position_no, not the order of its ids", () => {
    const runs = [run(21, '2026-12-08', { position_no: 1 }), run(22, '2026-12-08', { position_no: 0 })];
    expect([...latestGroup(4, runs)].map(([p, r]) => [p, r.run_id]).sort()).toEqual([
      [0, 22],
      [1, 21],
    ]);
  });
});

describe('positionLines', () => {
  it('before the first START: each position as set, nothing chosen', () => {
    expect(positionLines(strategy, []).map((l) => [l.no, l.state, l.contract, l.held])).toEqual([
      [0, null, null, 0],
      [1, null, null, 0],
    ]);
  });

  it('names the contract chosen before the entry (the latest run\'s) and the one traded after it', () => {
    const contract = { symbol: 'NIFTY26D0826000CE', exchange: 'NFO', premium: 101.5 } as RuntimeDto['contract'];
    const s = { ...strategy, runtime: { run_id: 31, contract } as RuntimeDto } as StrategyDto;
    const runs = [run(31, '2026-12-08', { state: 'ARMED' }), run(32, '2026-12-08', { state: 'IN_POSITION', symbol: 'NIFTY26D0826000PE', entry_price: 98, position_qty: 130 })];
    const lines = positionLines(s, runs);
    expect(lines.map((l) => [l.contract?.symbol ?? null, l.chosenPremium, l.state, l.entry, l.held])).toEqual([
      ['NIFTY26D0826000CE', 101.5, 'ARMED', null, 0],
      ['NIFTY26D0826000PE', null, 'IN_POSITION', 98, 130],
    ]);
  });

  it('is empty for a strategy without positions', () => {
    expect(positionLines({ ...strategy, positions: null }, [run(1, '2026-12-08')])).toEqual([]);
  });
});

describe('P&L', () => {
  const runs = [
    run(41, '2026-12-08', { state: 'EXITED_BY_SL', symbol: 'NIFTY26D0826000CE', entry_price: 100, exit_price: 130, realized_pnl: -1950 }),
    run(42, '2026-12-08', { state: 'IN_POSITION', symbol: 'NIFTY26D0826000PE', entry_price: 90, position_qty: 130 }),
  ];
  const lines = positionLines(strategy, runs);

  it('a sold position gains as its premium falls; a bought one as it rises; nothing without a holding or a price', () => {
    expect(unrealizedOf(lines[1]!, 80)).toBe(1300);
    expect(unrealizedOf({ ...lines[1]!, spec: pos('buy', 'PE', 'atm+4') }, 80)).toBe(-1300);
    expect(unrealizedOf(lines[1]!, null)).toBeNull();
    expect(unrealizedOf(lines[0]!, 80)).toBeNull();
  });

  it('sums the day over the positions; no unrealized sum while a held position has no price', () => {
    expect(groupPnl(lines, (l) => (l.no === 1 ? 85 : null))).toEqual({ realized: -1950, unrealized: 650 });
    expect(groupPnl(lines, () => null)).toEqual({ realized: -1950, unrealized: null });
    expect(groupPnl(positionLines(strategy, []), () => 1)).toEqual({ realized: null, unrealized: null });
  });
});

describe('premiumNow', () => {
  const at = Date.parse('2026-12-08T04:00:00Z');
  const lines = positionLines(strategy, [
    run(51, '2026-12-08', { state: 'IN_POSITION', symbol: 'NIFTY26D0826000CE', entry_price: 100, position_qty: 65 }),
    run(52, '2026-12-08', { state: 'IN_POSITION', symbol: 'NIFTY26D0826000PE', entry_price: 90, position_qty: 130 }),
  ]);
  const ticks = {
    '1:NFO:NIFTY26D0826000CE': { price: 96, at },
    '1:NFO:NIFTY26D0826000PE': { price: 92.5, at },
    // The same contract on another account, and the index the stream carried before the choice.
    '2:NFO:NIFTY26D0826000CE': { price: 200, at },
    '1:NSE:NIFTY 50': { price: 26_012, at },
    '1:NFO:NIFTY': { price: 26_012, at },
  };

  it("is the last tick of the position's contract on the strategy's account, and the day's P&L is summed from them", () => {
    expect(lines.map((l) => premiumNow(l, 1, ticks))).toEqual([96, 92.5]);
    // Sold CE 100 → 96: +4 × 65; sold PE 90 → 92.5: −2.5 × 130.
    expect(lines.map((l) => unrealizedOf(l, premiumNow(l, 1, ticks)))).toEqual([260, -325]);
    expect(groupPnl(lines, (l) => premiumNow(l, 1, ticks))).toEqual({ realized: null, unrealized: -65 });
  });

  it('is null before the contract is chosen or before its first tick, never the index', () => {
    const armed = positionLines(strategy, [run(61, '2026-12-08'), run(62, '2026-12-08')]);
    expect(armed.map((l) => premiumNow(l, 1, ticks))).toEqual([null, null]);
    expect(premiumNow(lines[0]!, 1, {})).toBeNull();
    expect(premiumNow(lines[0]!, 3, ticks)).toBeNull();
  });
});

describe('ruleWords', () => {
  it('says the position as set and what it takes from the strategy', () => {
    expect(ruleWords(strategy.positions![0]!, strategy)).toBe("Sell CE atm, nearest expiry · 1 lot (the strategy's)");
    expect(ruleWords(strategy.positions![1]!, strategy)).toBe('Sell PE atm, nearest expiry · 2 lots');
  });
});
