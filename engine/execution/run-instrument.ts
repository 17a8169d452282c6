/** Where a run trades: the instrument its prices and stop-loss are about. */
import { asBrokerAccountId } from '../core/ids';
import type { Run, Strategy } from '../core/types';
import type { OrderWhere } from '../core/run-policy/types';
import type { Repos } from '../../db/repos';

/**
 * Its entry's once it has one (a position is watched where it was bought, invariant 8), else its
 * plan's (an armed run buys what it was armed with), else, for a run armed before runs kept a
 * plan or no run at all, the strategy's.
 */
export function runInstrument(repos: Pick<Repos, 'orders'>, run: Run | undefined, strategy: Pick<Strategy, 'brokerAccountId' | 'symbol' | 'exchange'>): OrderWhere {
  const entry = run && repos.orders.findBySlotInternal(run.id, 'entry');
  if (entry) return { brokerAccountId: entry.brokerAccountId, symbol: entry.symbol, exchange: entry.exchange };
  const plan = run?.plan;
  if (plan) return { brokerAccountId: asBrokerAccountId(plan.broker_account_id), symbol: plan.symbol, exchange: plan.exchange };
  return { brokerAccountId: strategy.brokerAccountId, symbol: strategy.symbol, exchange: strategy.exchange };
}
