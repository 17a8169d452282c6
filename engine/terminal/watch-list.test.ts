import { describe, expect, it } from 'vitest';
import type { Repos } from '../../db/repos';
import { runPlanOf } from '../core/run-plan-spec';
import { asBrokerAccountId, asStrategyId } from '../core/ids';
import type { Levels, Run } from '../core/types';
import { watchingLines, watchList, watchListLines } from './watch-list';

const BUY_AT = Date.parse('2026-12-07T14:30:00.000Z');
const SELL_AT = Date.parse('2026-12-07T20:55:00.000Z');
const spec = { broker_account_id: 1, symbol: 'AAPL', exchange: 'NASDAQ', timezone: 'America/New_York', qty: 10, side: 'buy', stop_loss: 2, stop_loss_mode: 'percent' } as const;

/** Repos holding one readable strategy and its one run, as watchList reads them. */
function reposWith(s: Record<string, unknown>, run: Partial<Run>): Repos {
  const full = { ...spec, ...s };
  const r = { strategyId: asStrategyId(7), state: 'ARMED', positionQty: 0, buyAt: BUY_AT, sellAt: SELL_AT, levels: null, plan: runPlanOf(full as never), ...run } as Run;
  return {
    runs: { listNonTerminalInternal: () => [r] },
    strategies: {
      getInternal: () => ({ id: 7, brokerAccountId: asBrokerAccountId(1), symbol: 'AAPL', spec: full }),
      listByStatusInternal: () => [],
      unreadableInternal: () => [],
    },
  } as unknown as Repos;
}
const levels = (stop: number, stopKind: Levels['stopKind']) => ({ entry: 100, tick: null, stop, stopKind }) as unknown as Levels;

describe('what goes unwatched', () => {
  it("a held position's stop is its run's level, trailed or not, never the spec's distance", () => {
    const items = watchList(reposWith({}, { state: 'IN_POSITION', positionQty: 10, levels: levels(99.5, 'TRAIL_STOP') }), () => 'paper');
    expect(watchListLines(items)).toEqual([
      '  PAPER AAPL  IN_POSITION: holding 10, the trailing stop 99.5 is not watched; if the daemon is still down at Mon 7 Dec 15:55:00 New York, it sells at the next start',
    ]);
  });

  it('before a fill, a stop given as a distance is said as one, below a long and above a short', () => {
    expect(watchingLines(watchList(reposWith({}, {}), () => 'paper'))).toEqual(['  PAPER AAPL  ARMED: BUY 10 at Mon 7 Dec 09:30:00 New York, stop-loss 2 % below the fill']);
    expect(watchingLines(watchList(reposWith({ side: 'sell', stop_loss: 1.5, stop_loss_mode: 'points' }, {}), () => 'paper'))).toEqual([
      '  PAPER AAPL  ARMED: SELL SHORT 10 at Mon 7 Dec 09:30:00 New York, stop-loss 1.5 points above the fill',
    ]);
  });

  it('a held short says what it buys back', () => {
    const items = watchList(reposWith({ side: 'sell' }, { state: 'IN_POSITION', positionQty: 10, levels: levels(102, 'STOPLOSS') }), () => 'live');
    expect(watchListLines(items)).toEqual([
      '  LIVE AAPL  IN_POSITION: short 10, the stop-loss 102 is not watched; if the daemon is still down at Mon 7 Dec 15:55:00 New York, it buys back at the next start',
    ]);
    expect(watchingLines(items)).toEqual(['  LIVE AAPL  IN_POSITION: short 10, stop-loss 102, buy back at Mon 7 Dec 15:55:00 New York']);
  });
});
