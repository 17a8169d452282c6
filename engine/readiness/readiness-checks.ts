/**
 * Every readiness check over one set of inputs, in READINESS_CHECKS' order.
 */
import type { ReadinessCheck } from '../core/readiness';
import { exchangeTimeOf } from '../scheduler/market-hours';
import { clockCheck, dayTradesCheck, fundsCheck, ordersAllowedCheck, sessionCheck } from './account-checks';
import { marketOpenCheck, priceFeedCheck } from './market-checks';
import type { ReadinessInputs } from './readiness-inputs';

/**
 * @example runChecks(inputs).map((c) => c.check) // ['session', 'orders_allowed', 'funds', 'day_trades', 'market_open', 'price_feed', 'clock']
 */
export function runChecks(i: ReadinessInputs): ReadinessCheck[] {
  const sameDay = exchangeTimeOf(i.entryAt, i.exchange).date === exchangeTimeOf(i.exitAt, i.exchange).date;
  return [sessionCheck(i), ordersAllowedCheck(i), fundsCheck(i), dayTradesCheck(i, sameDay), marketOpenCheck(i), priceFeedCheck(i.feed, i.now, i.symbol), clockCheck(i)];
}
