/**
 * What the terminal's lines look up beside an event: the strategy's symbol, zone, stop-loss and entry side,
 * the order's due time, and whether an account trades real money (PAPER / LIVE, from its broker
 * kind, as the UI shows it).
 */
import type { Repos } from '../../db/repos';
import { UnreadableStrategy } from '../../db/repos/strategies';
import { defaultTimezone } from '../scheduler/trading-calendar';
import { accountFacts, type AccountMode, type BrokerKinds } from '../brokers/broker-kinds';
import type { BrokerAccountId } from '../core/ids';
import type { EventLineLookup } from './event-line';

/** @example const lookup = tradingFacts(engine.ctx.repos, brokerKinds); eventLine(event, lookup, zone) */
export function tradingFacts(repos: Repos, kinds: BrokerKinds): EventLineLookup & { mode(id: BrokerAccountId): AccountMode } {
  const account = (id: BrokerAccountId) => {
    const a = repos.brokerAccounts.getInternal(id);
    return a && { label: a.label, mode: accountFacts(kinds[a.broker], a.options).mode };
  };
  // An account that cannot be found reads LIVE: the safe reading, as accountFacts has it.
  const mode = (id: BrokerAccountId): AccountMode => account(id)?.mode ?? 'live';
  return {
    account,
    mode,
    strategy(id) {
      try {
        const s = repos.strategies.getInternal(id);
        return s && { symbol: s.symbol, timezone: s.spec.timezone, qty: s.spec.qty, stopLoss: s.spec.stop_loss, mode: mode(s.brokerAccountId), side: s.spec.side };
      } catch (err) {
        if (!(err instanceof UnreadableStrategy)) throw err;
        // Its stored spec cannot be read: the identity columns name it, its exchange gives the zone.
        const s = repos.strategies.identityInternal(id);
        return s && { symbol: s.symbol, timezone: defaultTimezone(s.exchange), qty: null, stopLoss: null, mode: mode(s.brokerAccountId) };
      }
    },
    order(id) {
      const o = repos.orders.getInternal(id);
      return o && { scheduledAt: o.scheduledAt, qty: o.qty, side: o.side };
    },
  };
}
