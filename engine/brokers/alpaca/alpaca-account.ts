/**
 * The account's buying power, pattern-day-trader inputs and Alpaca's clock, from one GET
 * /v2/account (PROTOCOLS.md §1.3: money fields are decimal strings, `daytrade_count` an integer,
 * `pattern_day_trader` a boolean). An optional request: it goes only while the budget keeps its
 * reserve for orders (RateBudget), so a readiness check never makes an order wait.
 */
import { z } from 'zod';
import type { BrokerAccountInfo, BrokerAccountSnapshot } from '../broker';
import { brokerTimeOf } from '../http-date';
import type { AlpacaRest } from './alpaca-rest';

const money = z.string().regex(/^-?\d+(\.\d+)?$/, 'a decimal string').transform(Number);

/** The §1.3 fields the readiness check reads; the rest of the account is left alone. */
const snapshotSchema = z.looseObject({
  buying_power: money,
  equity: money,
  daytrade_count: z.number().int().nonnegative(),
  pattern_day_trader: z.boolean(),
});

/**
 * @example await alpacaAccount(rest).snapshot() // { buyingPower: 25000, dayTrading: { patternDayTrader: false, dayTradeCount: 1, equity: 24000 }, brokerTime }
 */
export function alpacaAccount(rest: AlpacaRest): BrokerAccountInfo {
  return {
    async snapshot() {
      const res = await rest.request({ method: 'GET', path: '/v2/account', optional: true });
      if (res.kind === 'skipped') throw new Error('Alpaca was not asked (GET /v2/account): the request budget is kept for orders right now');
      if (res.kind === 'transport') throw new Error(`Alpaca did not answer GET /v2/account: ${res.reason}`);
      if (res.kind === 'error') throw new Error(`Alpaca refused GET /v2/account: ${res.description}`);
      const parsed = snapshotSchema.safeParse(res.body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new Error(`Alpaca's GET /v2/account answer cannot be read: ${issue ? `${issue.path.join('.') || 'the body'}: ${issue.message}` : 'not an account'}`);
      }
      const a = parsed.data;
      return {
        buyingPower: a.buying_power,
        dayTrading: { patternDayTrader: a.pattern_day_trader, dayTradeCount: a.daytrade_count, equity: a.equity },
        brokerTime: brokerTimeOf(res.served),
      };
    },
  };
}
