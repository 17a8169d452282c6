import { describe, expect, it } from 'vitest';
import type { StrategyDto } from '../../lib/api-types';
import { editBlocker, holdsUnsold } from './strategy-metrics';

const strategy = (status: StrategyDto['status'], runtime: Partial<NonNullable<StrategyDto['runtime']>> | null): StrategyDto =>
  ({ id: 1, status, runtime: runtime && { state: 'ARMED', position_qty: 0, ...runtime } }) as unknown as StrategyDto;

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

describe('holdsUnsold', () => {
  it('is true while the latest run holds shares, whatever the strategy status, so STOP stays offered', () => {
    expect(holdsUnsold(strategy('stopped', { state: 'ERROR', position_qty: 10 }))).toBe(true);
    expect(holdsUnsold(strategy('stopped', { state: 'EXITING', position_qty: 4 }))).toBe(true);
    expect(holdsUnsold(strategy('stopped', { state: 'STOPPED', position_qty: 10 }))).toBe(false);
    expect(holdsUnsold(strategy('stopped', { state: 'ERROR', position_qty: 0 }))).toBe(false);
    expect(holdsUnsold(strategy('idle', null))).toBe(false);
  });
});
