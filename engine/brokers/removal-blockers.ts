/**
 * What keeps a broker account from being removed: every strategy that uses it. A strategy's
 * orders and runs name the account, so it goes before the account does; a running one is stopped
 * first (its open position is the account's). The one home of this rule: the removal itself
 * refuses by it, and the API lists it on every account so the UI can say so before asking.
 */
import type { BrokerAccountId } from '../core/ids';
import type { Strategy, StrategyStatus } from '../core/types';

export interface RemovalBlocker {
  readonly strategyId: Strategy['id'];
  readonly symbol: string;
  readonly status: StrategyStatus;
  /** 'stop': running, so stop it and then delete it; 'delete': delete it. */
  readonly action: 'stop' | 'delete';
}

/**
 * The user's strategies that block removing the account, running ones first, then by id.
 *
 * @example removalBlockers(strategies, asBrokerAccountId(2)) // [{ strategyId: 5, symbol: 'AAPL', status: 'running', action: 'stop' }]
 */
export function removalBlockers(strategies: readonly Strategy[], accountId: BrokerAccountId): RemovalBlocker[] {
  return strategies
    .filter((s) => s.brokerAccountId === accountId)
    .map((s): RemovalBlocker => ({ strategyId: s.id, symbol: s.symbol, status: s.status, action: s.status === 'running' ? 'stop' : 'delete' }))
    .sort((a, b) => Number(b.action === 'stop') - Number(a.action === 'stop') || a.strategyId - b.strategyId);
}

/** The refusal's sentence: what to do first, naming the strategies. */
export function removalRefusal(blockers: readonly RemovalBlocker[]): string {
  const names = blockers.map((b) => `${b.symbol} #${b.strategyId}`).join(', ');
  return blockers.some((b) => b.action === 'stop')
    ? `running strategies use this broker account (${names}): stop them, then delete them first`
    : `strategies still use this broker account (${names}): delete them first (their order history goes with them)`;
}
