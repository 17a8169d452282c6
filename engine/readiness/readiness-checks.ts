/**
 * Every readiness check over one set of inputs, in READINESS_CHECKS' order. A spot account (a
 * crypto venue, `capabilities.spotAccount`: money per asset, a key proven by a signed request)
 * answers the login, orders and funds checks from its signed answer (spot-checks.ts); when that
 * answer could not be had they are unknown, naming why, never the generic answers of a broker
 * without one ("keys do not expire daily", "takes orders from any address").
 */
import type { ReadinessCheck } from '../core/readiness';
import { exchangeTimeOf } from '../scheduler/market-hours';
import { clockCheck, dayTradesCheck, fundsCheck, ordersAllowedCheck, sessionCheck } from './account-checks';
import { marketOpenCheck, priceFeedCheck } from './market-checks';
import type { SpotAccountAnswer } from '../brokers/broker';
import type { ReadinessInputs } from './readiness-inputs';
import { spotFundsCheck, spotOrdersAllowedCheck, spotSessionCheck } from './spot-checks';

/**
 * @example runChecks(inputs).map((c) => c.check) // ['session', 'orders_allowed', 'funds', 'day_trades', 'market_open', 'price_feed', 'clock']
 */
export function runChecks(i: ReadinessInputs): ReadinessCheck[] {
  const sameDay = exchangeTimeOf(i.entryAt, i.exchange).date === exchangeTimeOf(i.exitAt, i.exchange).date;
  const spot = i.capabilities.spotAccount ? spotAnswerOf(i) : undefined;
  return [
    spot ? spotSessionCheck(i, spot) : sessionCheck(i),
    spot ? spotOrdersAllowedCheck(i, spot) : ordersAllowedCheck(i),
    spot ? spotFundsCheck(i, spot) : fundsCheck(i),
    dayTradesCheck(i, sameDay),
    marketOpenCheck(i),
    priceFeedCheck(i.feed, i.now, i.symbol),
    clockCheck(i),
  ];
}

/** A spot account's signed answer, or why there is none (the snapshot failed or timed out, or the broker cannot be asked). */
function spotAnswerOf(i: ReadinessInputs): SpotAccountAnswer {
  const a = i.account;
  if (a.kind === 'failed') return { kind: 'failed', reason: a.reason };
  if (a.kind === 'none') return { kind: 'failed', reason: `${i.brokerName} cannot be asked for the account` };
  return a.snapshot.spot ?? { kind: 'failed', reason: `${i.brokerName}'s answer carried no account` };
}
