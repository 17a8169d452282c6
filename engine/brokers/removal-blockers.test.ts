import { describe, expect, it } from 'vitest';
import { asBrokerAccountId, asStrategyId, asUserId } from '../core/ids';
import type { Strategy, StrategyStatus } from '../core/types';
import { removalBlockers, removalRefusal } from './removal-blockers';

const strategy = (id: number, accountId: number, symbol: string, status: StrategyStatus) =>
  ({ id: asStrategyId(id), userId: asUserId(1), brokerAccountId: asBrokerAccountId(accountId), symbol, status }) as Partial<Strategy> as Strategy;

describe('removalBlockers', () => {
  const strategies = [strategy(1, 7, 'MSFT', 'idle'), strategy(2, 8, 'TSLA', 'running'), strategy(3, 7, 'AAPL', 'running'), strategy(4, 7, 'NVDA', 'completed')];

  it('lists every strategy on the account, running ones first (they need a STOP before the delete)', () => {
    expect(removalBlockers(strategies, asBrokerAccountId(7))).toEqual([
      { strategyId: 3, symbol: 'AAPL', status: 'running', action: 'stop' },
      { strategyId: 1, symbol: 'MSFT', status: 'idle', action: 'delete' },
      { strategyId: 4, symbol: 'NVDA', status: 'completed', action: 'delete' },
    ]);
    expect(removalBlockers(strategies, asBrokerAccountId(9))).toEqual([]);
  });

  it('words the refusal by what has to happen first', () => {
    expect(removalRefusal(removalBlockers(strategies, asBrokerAccountId(8)))).toBe('running strategies use this broker account (TSLA #2): stop them, then delete them first');
    expect(removalRefusal(removalBlockers([strategy(1, 7, 'MSFT', 'idle')], asBrokerAccountId(7)))).toBe(
      'strategies still use this broker account (MSFT #1): delete them first (their order history goes with them)',
    );
  });
});
