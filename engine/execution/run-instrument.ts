/** Where a run trades: the instrument its prices and stop-loss are about. */
import { asBrokerAccountId } from '../core/ids';
import { indexListing } from '../core/index-underlyings';
import type { Run, Strategy } from '../core/types';
import type { OrderWhere } from '../core/run-policy/types';
import type { Repos } from '../../db/repos';

/**
 * Its entry's once it has one (a position is watched where it was bought, invariant 8), else its
 * plan's (an armed run buys what it was armed with), else, for a run armed before runs kept a
 * plan or no run at all, the strategy's. An option's before its contract is chosen: its index on
 * the derivatives exchange (NFO:NIFTY), which names it in the runtime keys and nothing is ordered on.
 */
export function runInstrument(repos: Pick<Repos, 'orders'>, run: Run | undefined, strategy: Pick<Strategy, 'brokerAccountId' | 'symbol' | 'exchange'>): OrderWhere {
  const entry = run && repos.orders.findBySlotInternal(run.id, 'entry');
  if (entry) return { brokerAccountId: entry.brokerAccountId, symbol: entry.symbol, exchange: entry.exchange };
  const plan = run?.plan;
  if (plan) return { brokerAccountId: asBrokerAccountId(plan.broker_account_id), symbol: plan.symbol, exchange: plan.exchange };
  return { brokerAccountId: strategy.brokerAccountId, symbol: strategy.symbol, exchange: strategy.exchange };
}

/**
 * Whose prices the run needs: where it trades, except an option whose contract is not chosen yet,
 * which needs its index's (NSE "NIFTY 50"): the price the strike will be chosen from.
 */
export function watchedInstrument(
  repos: Pick<Repos, 'orders'>,
  run: Run | undefined,
  strategy: Pick<Strategy, 'brokerAccountId' | 'symbol' | 'exchange'> & { readonly spec?: { readonly option_right?: string | undefined; readonly positions?: readonly unknown[] | undefined } },
): OrderWhere {
  const at = runInstrument(repos, run, strategy);
  // Options of the index: one (option_right) or several at once (positions).
  const waiting = run?.plan ? awaitsContract(run) : strategy.spec?.option_right !== undefined || strategy.spec?.positions !== undefined;
  const spot = waiting ? indexListing(run?.plan?.symbol ?? strategy.symbol)?.spot : undefined;
  return spot ? { brokerAccountId: at.brokerAccountId, ...spot } : at;
}

/** Whether the run trades an option whose contract is still to be chosen (at its entry). */
export function awaitsContract(run: Pick<Run, 'plan'>): boolean {
  return run.plan?.option_right !== undefined && run.plan.option_contract === undefined;
}
