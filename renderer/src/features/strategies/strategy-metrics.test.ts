import { describe, expect, it } from 'vitest';
import type { StrategyDto } from '../../lib/api-types';
import { editBlocker, holdsUnsold, lastActionView, positionView } from './strategy-metrics';

const strategy = (status: StrategyDto['status'], runtime: Partial<NonNullable<StrategyDto['runtime']>> | null): StrategyDto =>
  ({ id: 1, status, runtime: runtime && { state: 'ARMED', position_qty: 0, ...runtime }, position_runs: [] }) as unknown as StrategyDto;

describe('editBlocker', () => {
  it('blocks an edit while the strategy runs, or its last run holds an order or a position, as the server does', () => {
    expect(editBlocker(strategy('running', { state: 'ARMED' }))).toMatch(/Stop the strategy/);
    // Stopped while the BUY was still working, or a position left behind after an exit was refused.
    expect(editBlocker(strategy('stopped', { state: 'BUYING' }))).toMatch(/order at the broker or a position/);
    expect(editBlocker(strategy('stopped', { state: 'EXITING', position_qty: 10 }))).toMatch(/wait for it to end/);
    expect(editBlocker(strategy('stopped', { state: 'ERROR', position_qty: 10 }))).not.toBeNull();
  });

  it('lets a strategy whose last run is over, or that never ran, be edited', () => {
    expect(editBlocker(strategy('idle', null))).toBeNull();
    expect(editBlocker(strategy('stopped', { state: 'STOPPED', position_qty: 10 }))).toBeNull();
    expect(editBlocker(strategy('completed', { state: 'SOLD' }))).toBeNull();
    expect(editBlocker(strategy('stopped', { state: 'ERROR', position_qty: 0 }))).toBeNull();
  });
});

describe('positionView', () => {
  const held = (side: StrategyDto['side']): StrategyDto =>
    ({ ...strategy('running', { state: 'IN_POSITION', position_qty: 10, entry_price: 100 }), side }) as StrategyDto;

  it('a long gains as the price rises over its entry', () => {
    expect(positionView(held('buy'), 102)).toMatchObject({ qty: 10, entry: 100, unrealized: 20, unrealizedPct: 2 });
  });

  it('a short (sell first) loses as the price rises over its entry, and gains as it falls', () => {
    expect(positionView(held('sell'), 102)).toMatchObject({ unrealized: -20, unrealizedPct: -2 });
    expect(positionView(held('sell'), 95)).toMatchObject({ unrealized: 50, unrealizedPct: 5 });
  });

  it('has no P&L without a position or a price', () => {
    expect(positionView(held('sell'), null)).toMatchObject({ unrealized: null, unrealizedPct: null });
    expect(positionView(strategy('idle', null), 100)).toMatchObject({ qty: 0, entry: null, unrealized: null });
  });
});

describe('holdsUnsold', () => {
  it('is true while the latest run holds shares, whatever the strategy status, so STOP stays offered', () => {
    expect(holdsUnsold(strategy('stopped', { state: 'ERROR', position_qty: 10 }))).toBe(true);
    expect(holdsUnsold(strategy('stopped', { state: 'EXITING', position_qty: 4 }))).toBe(true);
    expect(holdsUnsold(strategy('stopped', { state: 'STOPPED', position_qty: 10 }))).toBe(false);
    expect(holdsUnsold(strategy('stopped', { state: 'ERROR', position_qty: 0 }))).toBe(false);
    expect(holdsUnsold(strategy('idle', null))).toBe(false);
  });

  it('counts every position of a strategy with positions: position 0 stopped out while position 1 holds keeps STOP offered and the edit blocked', () => {
    const p0 = { state: 'EXITED_BY_SL', position_qty: 0, position_no: 0 } as const;
    const p1 = { state: 'IN_POSITION', position_qty: 65, position_no: 1 } as const;
    const group = { ...strategy('stopped', p0), position_runs: [p0, p1] } as unknown as StrategyDto;
    expect(holdsUnsold(group)).toBe(true);
    expect(editBlocker(group)).toMatch(/wait for it to end/);
    const over = { ...group, position_runs: [p0, { ...p1, state: 'SOLD', position_qty: 0 }] } as unknown as StrategyDto;
    expect(holdsUnsold(over)).toBe(false);
    expect(editBlocker(over)).toBeNull();
  });
});

describe('lastActionView', () => {
  const STOP_AT = 1_773_064_800_000;
  const UPDATED_AT = 1_773_065_000_000;
  const withRun = (status: StrategyDto['status'], runtime: Partial<NonNullable<StrategyDto['runtime']>> | null): StrategyDto => ({ ...strategy(status, runtime), updated_at: UPDATED_AT });

  it('reads a stopped run as stopped, at the time of the stop, not as the action before it', () => {
    expect(lastActionView(withRun('stopped', { state: 'STOPPED', last_action: 'STOPPED', last_action_at: STOP_AT }))).toEqual({ label: 'Stopped', at: STOP_AT });
    // The order that ended it is named beside it.
    expect(lastActionView(withRun('stopped', { state: 'STOPPED', last_action: 'MANUAL_EXIT_FILLED', last_action_at: STOP_AT }))).toEqual({ label: 'Stopped · Manual exit filled', at: STOP_AT });
    // A STOP while the target's or the trailing stop's exit was already at the broker: that exit ended it.
    expect(lastActionView(withRun('stopped', { state: 'STOPPED', last_action: 'TARGET_FILLED', last_action_at: STOP_AT }))).toEqual({ label: 'Stopped · Target filled', at: STOP_AT });
    expect(lastActionView(withRun('stopped', { state: 'STOPPED', last_action: 'TRAIL_STOP_FILLED', last_action_at: STOP_AT }))).toEqual({ label: 'Stopped · Trailing stop filled', at: STOP_AT });
    // A run stopped before the engine recorded stops: "Stopped", with no time rather than the arm's.
    expect(lastActionView(withRun('stopped', { state: 'STOPPED', last_action: 'ARMED', last_action_at: STOP_AT }))).toEqual({ label: 'Stopped', at: null });
  });

  it('reads a strategy stopped after its day was over (or before any run) as stopped at its last change', () => {
    expect(lastActionView(withRun('stopped', { state: 'SOLD', last_action: 'SELL_FILLED', last_action_at: STOP_AT }))).toEqual({ label: 'Stopped', at: UPDATED_AT });
    expect(lastActionView(withRun('stopped', null))).toEqual({ label: 'Stopped', at: UPDATED_AT });
  });

  it("shows a running strategy's, or a stopped one's exit still working, own last action", () => {
    expect(lastActionView(withRun('running', { state: 'ARMED', last_action: 'ARMED', last_action_at: STOP_AT }))).toEqual({ label: 'Armed', at: STOP_AT });
    expect(lastActionView(withRun('stopped', { state: 'EXITING', position_qty: 5, last_action: 'MANUAL_EXIT', last_action_at: STOP_AT }))).toEqual({ label: 'Manual exit', at: STOP_AT });
    expect(lastActionView(withRun('completed', { state: 'SOLD', last_action: 'SELL_FILLED', last_action_at: STOP_AT }))).toEqual({ label: 'SELL filled', at: STOP_AT });
    expect(lastActionView(withRun('idle', null))).toBeNull();
  });
});
