/** Where a run trades: the instrument its prices and stop-loss are about. */
import type { Run, Strategy } from '../core/types';
import type { OrderWhere } from '../core/run-policy/types';
import type { Repos } from '../../db/repos';

/**
 * Its entry's once it has one (a position is watched where it was bought, invariant 8), else the
 * strategy's (an armed run buys what the strategy says).
 */
export function runInstrument(repos: Pick<Repos, 'orders'>, run: Run | undefined, strategy: Strategy): OrderWhere {
  const from = (run && repos.orders.findBySlotInternal(run.id, 'entry')) ?? strategy;
  return { brokerAccountId: from.brokerAccountId, symbol: from.symbol, exchange: from.exchange };
}
