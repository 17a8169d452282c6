/**
 * What the policy looks up to word a notification: the strategy's symbol and entry side, and an
 * order's side (a short's fills are a short sale and a buy-back), read from the repositories.
 */
import type { Repos } from '../../db/repos';
import { UnreadableStrategy } from '../../db/repos/strategies';
import type { OrderSideLookup, StrategyLookup } from './policy';

/**
 * The spec says whether the strategy sells first (a short); one whose stored spec cannot be read
 * still has its identity columns' symbol to notify with.
 */
export function strategyLabels(repos: Pick<Repos, 'strategies'>): StrategyLookup {
  return (id) => {
    try {
      const s = repos.strategies.getInternal(id);
      return s && { symbol: s.symbol, side: s.spec.side };
    } catch (err) {
      if (!(err instanceof UnreadableStrategy)) throw err;
      return repos.strategies.identityInternal(id);
    }
  };
}

export function orderSides(repos: Pick<Repos, 'orders'>): OrderSideLookup {
  return (id) => repos.orders.getInternal(id)?.side;
}
