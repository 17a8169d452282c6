import { describe, expect, it } from 'vitest';
import type { PositionDto, RuntimeDto, StrategyDto } from '../../lib/api-types';
import { groupPnl, positionLines, premiumNow, ruleWords, unrealizedOf } from './position-lines';

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

const strategy = { id: 4, broker_account_id: 1, symbol: 'NIFTY', exchange: 'NFO', qty: 1, positions: [pos('sell', 'CE', 'atm'), pos('sell', 'PE', 'atm', 2)], runtime: null, position_runs: [] } as unknown as StrategyDto;

/** A run of the day's group as StrategyDto.position_runs carries it; `contract` as chosen before the entry. */
const run = (runId: number, positionNo: number | null, over: Partial<RuntimeDto> & { readonly symbol?: string } = {}): RuntimeDto => {
  const { symbol, ...rest } = over;
  return {
    run_id: runId,
    trading_date: '2026-12-08',
    position_no: positionNo,
    state: 'ARMED',
    position_qty: 0,
    entry_price: null,
    exit_price: null,
    exit_leg: null,
    sold_qty: 0,
    realized_pnl: null,
    last_action: null,
    last_action_at: null,
    reason: null,
    buy_at: 0,
    sell_at: 0,
    next_trigger: null,
    leg_no: 0,
    levels: null,
    backstop: null,
    contract: symbol === undefined ? null : ({ symbol, exchange: 'NFO', premium: null } as RuntimeDto['contract']),
    ...rest,
  };
};
const withRuns = (runs: readonly RuntimeDto[], s: StrategyDto = strategy): StrategyDto => ({ ...s, position_runs: runs });

describe('positionLines', () => {
  it('before the first START: each position as set, nothing chosen', () => {
    expect(positionLines(withRuns([])).map((l) => [l.no, l.state, l.contract, l.held])).toEqual([
      [0, null, null, 0],
      [1, null, null, 0],
    ]);
  });

  it("names each position's contract from its own run, chosen before the entry (with the premium its rule read) or traded", () => {
    const contract = { symbol: 'NIFTY26D0826000CE', exchange: 'NFO', premium: 101.5 } as RuntimeDto['contract'];
    const lines = positionLines(withRuns([run(31, 0, { state: 'ARMED', contract }), run(32, 1, { state: 'IN_POSITION', symbol: 'NIFTY26D0826000PE', entry_price: 98, position_qty: 130 })]));
    expect(lines.map((l) => [l.contract?.symbol ?? null, l.chosenPremium, l.state, l.entry, l.held])).toEqual([
      ['NIFTY26D0826000CE', 101.5, 'ARMED', null, 0],
      ['NIFTY26D0826000PE', null, 'IN_POSITION', 98, 130],
    ]);
  });

  it("reads a run's position_no, not the order of the runs; without one, the order the API sends them in", () => {
    expect(positionLines(withRuns([run(21, 1, { symbol: 'B' }), run(22, 0, { symbol: 'A' })])).map((l) => [l.no, l.run?.run_id, l.contract?.symbol])).toEqual([
      [0, 22, 'A'],
      [1, 21, 'B'],
    ]);
    expect(positionLines(withRuns([run(11, null), run(12, null)])).map((l) => l.run?.run_id)).toEqual([11, 12]);
  });

  it('is empty for a strategy without positions', () => {
    expect(positionLines(withRuns([run(1, null)], { ...strategy, positions: null }))).toEqual([]);
  });
});

describe('P&L', () => {
  const lines = positionLines(
    withRuns([
      run(41, 0, { state: 'EXITED_BY_SL', symbol: 'NIFTY26D0826000CE', entry_price: 100, exit_price: 130, realized_pnl: -1950 }),
      run(42, 1, { state: 'IN_POSITION', symbol: 'NIFTY26D0826000PE', entry_price: 90, position_qty: 130 }),
    ]),
  );

  it('a sold position gains as its premium falls; a bought one as it rises; nothing without a holding or a price', () => {
    expect(unrealizedOf(lines[1]!, 80)).toBe(1300);
    expect(unrealizedOf({ ...lines[1]!, spec: pos('buy', 'PE', 'atm+4') }, 80)).toBe(-1300);
    expect(unrealizedOf(lines[1]!, null)).toBeNull();
    expect(unrealizedOf(lines[0]!, 80)).toBeNull();
  });

  it('sums the day over the positions; no unrealized sum while a held position has no price', () => {
    expect(groupPnl(lines, (l) => (l.no === 1 ? 85 : null))).toEqual({ realized: -1950, unrealized: 650 });
    expect(groupPnl(lines, () => null)).toEqual({ realized: -1950, unrealized: null });
    expect(groupPnl(positionLines(withRuns([])), () => 1)).toEqual({ realized: null, unrealized: null });
  });
});

describe('premiumNow', () => {
  const at = Date.parse('2026-12-08T04:00:00Z');
  const lines = positionLines(
    withRuns([
      run(51, 0, { state: 'IN_POSITION', symbol: 'NIFTY26D0826000CE', entry_price: 100, position_qty: 65 }),
      run(52, 1, { state: 'IN_POSITION', symbol: 'NIFTY26D0826000PE', entry_price: 90, position_qty: 130 }),
    ]),
  );
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
    const armed = positionLines(withRuns([run(61, 0), run(62, 1)]));
    expect(armed.map((l) => premiumNow(l, 1, ticks))).toEqual([null, null]);
    expect(premiumNow(lines[0]!, 1, {})).toBeNull();
    expect(premiumNow(lines[0]!, 3, ticks)).toBeNull();
  });
});

describe('ruleWords', () => {
  it('says the position as set and what it takes from the strategy', () => {
    expect(ruleWords(strategy.positions![0]!, strategy)).toBe("Sell CE atm, nearest expiry · 1 lot (the strategy's)");
    expect(ruleWords(strategy.positions![1]!, strategy)).toBe('Sell PE atm, nearest expiry · 2 lots');
    expect(ruleWords({ ...pos('buy', 'CE', 'atm'), option_right: 'FUT', option_expiry: 'current_month' }, strategy)).toBe("Buy future, monthly expiry · 1 lot (the strategy's)");
  });
});
