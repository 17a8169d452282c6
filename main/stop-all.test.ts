import { describe, expect, it } from 'vitest';
import { conflict } from '../engine/core/errors';
import { asStrategyId, asUserId, type StrategyId, type UserId } from '../engine/core/ids';
import { stopAll, stopAllPrompt, stopAllSummary, type Stopper } from './stop-all';

const strategy = (id: number, symbol: string) => ({ id: asStrategyId(id), userId: asUserId(id * 10), symbol });

describe('stopAll', () => {
  it('stops each strategy of each user, closing positions', async () => {
    const calls: [UserId, StrategyId, unknown][] = [];
    const manager: Stopper = { stop: async (u, s, o) => void calls.push([u, s, o]) };
    const result = await stopAll(manager, [strategy(1, 'AAPL'), strategy(2, 'INFY')]);
    expect(calls).toEqual([
      [10, 1, { closePosition: true }],
      [20, 2, { closePosition: true }],
    ]);
    expect(result).toEqual({ stopped: [1, 2], failed: [] });
  });

  it('goes on past a strategy that cannot be stopped, and reports it', async () => {
    const manager: Stopper = {
      stop: async (_u, s) => {
        if (s === 1) throw conflict('strategy is not running');
      },
    };
    const result = await stopAll(manager, [strategy(1, 'AAPL'), strategy(2, 'INFY')]);
    expect(result).toEqual({ stopped: [2], failed: [{ id: 1, symbol: 'AAPL', message: 'strategy is not running' }] });
    expect(stopAllSummary(result)).toEqual({ title: 'Stopped 1 strategy', body: 'Could not stop 1: AAPL: strategy is not running' });
  });
});

describe('stopAllPrompt / stopAllSummary', () => {
  it('asks nothing when nothing runs', () => {
    expect(stopAllPrompt(0, 0)).toBeNull();
  });

  it('says what happens to positions', () => {
    expect(stopAllPrompt(3, 2)).toEqual({
      message: 'Stop all 3 running strategies?',
      detail: '2 open positions will be closed at market now (a long sold, a short bought back). Pending BUY and SELL times are cancelled.',
    });
    expect(stopAllPrompt(1, 0)?.detail).toMatch(/^No position is open\./);
    expect(stopAllSummary({ stopped: [asStrategyId(1), asStrategyId(2)], failed: [] })).toEqual({
      title: 'Stopped 2 strategies',
      body: 'Open positions are being closed at market.',
    });
  });
});
