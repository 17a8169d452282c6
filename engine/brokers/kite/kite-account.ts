/**
 * The account's equity margin and Kite's clock, from one GET /user/margins (PROTOCOLS.md §2.5;
 * kiteconnect-mocks `margins.json`: `data.equity.net`, the funds available for new orders in the
 * equity segment). Kite has no pattern-day-trader rule. Kite does not check this endpoint against
 * the static IP (only order endpoints are), so it says nothing about whether orders will be taken.
 */
import { z } from 'zod';
import type { BrokerAccountInfo } from '../broker';
import { brokerTimeOf } from '../http-date';
import type { KiteHttp } from './kite-http';

const marginsSchema = z.looseObject({
  equity: z.looseObject({ enabled: z.boolean().optional(), net: z.number().finite() }),
});

/**
 * @example await kiteAccount(http).snapshot() // { buyingPower: 99725.05, dayTrading: null, brokerTime }
 */
export function kiteAccount(http: KiteHttp): BrokerAccountInfo {
  return {
    async snapshot() {
      const { data, served } = await http.callServed({ method: 'GET', path: '/user/margins' });
      const parsed = marginsSchema.safeParse(data);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new Error(`Kite's GET /user/margins answer cannot be read: ${issue ? `${issue.path.join('.') || 'data'}: ${issue.message}` : 'no equity margin'}`);
      }
      return { buyingPower: parsed.data.equity.net, dayTrading: null, brokerTime: brokerTimeOf(served) };
    },
  };
}
