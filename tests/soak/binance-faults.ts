/**
 * The crash soak's faults at the Binance fake (POST /__fake/faults, tests/fakes/binance/fake-faults.ts),
 * injected on POST /api/v3/order just before a cycle's SELL (crash-soak.ts injectBeforeSell), as the
 * Alpaca soak does on POST /v2/orders; neither is processed, so nothing is placed. Both hit only
 * exits (`exitsOnly`: a client order id in an exit slot), so a backstop a restarted daemon places
 * late, a trail's next version or a re-entry goes through.
 *
 * - storm: 429 `-1003` with `Retry-After: 1`, as Binance answers a request over its weight limit
 *   (rest-api.md "LIMITS"). The CCXT adapter does not wait a 429 out itself: each one comes back
 *   "not placed yet" with the wait named (ccxt-errors.ts `rate`), and the engine sends the same
 *   order again under the same client order id after it (Reconciler.retryUnsent), so every exit
 *   the storm meets is placed again. Two a seller and one more: some exits meet two.
 * - refusal: 400 `-2010` "Market is closed." (errors.md, the matching engine's messages of -2010
 *   NEW_ORDER_REJECTED: the symbol is not trading for now), which CCXT reads as MarketClosed, a
 *   refusal that may pass (ccxt-errors.ts): the engine sells with its exit's attempt 2, its own
 *   client order id, after EXIT_RETRY_MS.
 */
import type { SoakFaults } from './soak-broker';

/** The route both faults hit: placements only (an exit's cancel of its backstop and its balance read go through). */
const PLACEMENT = 'POST /api/v3/order';

/** Binance's faults for the soak, through the fake's admin call. */
export function binanceFaults(admin: (method: string, path: string, body?: unknown) => Promise<unknown>): SoakFaults {
  return {
    at: 'before-sell',
    rateLimitRetries: 0,
    async inject(kind, sellers) {
      if (kind === 'refusal') {
        await admin('POST', '/__fake/faults', { route: PLACEMENT, exitsOnly: true, fault: { kind: 'error', status: 400, code: -2010, msg: 'Market is closed.' }, times: 1 });
        return { kind, times: 1, what: '-2010 Market is closed.' };
      }
      const times = sellers * 2 + 1;
      await admin('POST', '/__fake/faults', { route: PLACEMENT, exitsOnly: true, fault: { kind: 'rate-limit', retryAfterSec: 1 }, times });
      return { kind, times, what: `429 -1003 × ${times}` };
    },
  };
}
