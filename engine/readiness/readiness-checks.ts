/**
 * Every readiness check over one set of inputs, in READINESS_CHECKS' order. A spot account (a
 * crypto venue: money per asset, a key proven by a signed request) answers the login, orders and
 * funds checks from its signed answer (spot-checks.ts).
 */
import type { ReadinessCheck } from '../core/readiness';
import { exchangeTimeOf } from '../scheduler/market-hours';
import { clockCheck, dayTradesCheck, fundsCheck, ordersAllowedCheck, sessionCheck } from './account-checks';
import { marketOpenCheck, priceFeedCheck } from './market-checks';
import type { ReadinessInputs } from './readiness-inputs';
import { spotFundsCheck, spotOrdersAllowedCheck, spotSessionCheck } from './spot-checks';

/**
 * @example runChecks(inputs).map((c) => c.check) // ['session', 'orders_allowed', 'funds', 'day_trades', 'market_open', 'price_feed', 'clock']
 */
export function runChecks(i: ReadinessInputs): ReadinessCheck[] {
  const sameDay = exchangeTimeOf(i.entryAt, i.exchange).date === exchangeTimeOf(i.exitAt, i.exchange).date;
  const spot = i.account.kind === 'answered' ? i.account.snapshot.spot : undefined;
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
