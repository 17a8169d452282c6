/**
 * One CCXT account (a venue, a key, live or testnet): its instrument lookup and its REST order
 * execution, over one lazily built CCXT instance and one request budget on the Clock.
 *
 * Not yet a whole Broker: the price stream and order-update stream (plan slice 4), the backstop
 * (slice 5) and the broker-kind registration and connect form (slice 6) come later.
 *
 * @example
 *   const account = createCcxtAccount({ venue: BINANCE, clock, credentials: { api_key, secret }, options: { rest_url: fake.url } });
 *   const btc = await account.instruments.resolve('BTC/USDT', 'CRYPTO');
 *   await account.execution.placeOrder({ clientOrderId, instrument: btc!, side: 'buy', qty: 0.0015, opens: true });
 */
import type { Exchange as CcxtExchange } from 'ccxt';
import { z } from 'zod';
import type { Clock } from '../../core/clock';
import type { BrokerCapabilities } from '../broker';
import { RateBudget } from '../alpaca/rate-budget';
import { openCcxtExchange } from './ccxt-client';
import { CcxtExecution } from './ccxt-execution';
import { CCXT_EXCHANGE, CcxtInstruments } from './ccxt-instruments';
import { scrubError } from './ccxt-scrub';
import type { CcxtVenue } from './ccxt-venues';

export const ccxtCredentialsSchema = z.object({ api_key: z.string().trim().min(1, 'api_key is required'), secret: z.string().trim().min(1, 'secret is required') });

export const ccxtOptionsSchema = z.object({
  /** The venue's test network. */
  testnet: z.boolean().default(false),
  /** Every endpoint moved to this origin (the loopback fake); absent: the venue's own hosts. */
  rest_url: z.string().url().optional(),
  /** How long a request may take before its outcome is unknown. */
  timeout_ms: z.number().int().min(500).max(60_000).default(10_000),
});

export type CcxtCredentials = z.infer<typeof ccxtCredentialsSchema>;
export type CcxtOptions = z.input<typeof ccxtOptionsSchema>;

export interface CcxtAccount {
  readonly capabilities: BrokerCapabilities;
  readonly instruments: CcxtInstruments;
  readonly execution: CcxtExecution;
  /** The CCXT instance, built and its markets loaded on first call. */
  exchange(): Promise<CcxtExchange>;
  close(): Promise<void>;
}

export function ccxtCapabilities(venue: CcxtVenue): BrokerCapabilities {
  return {
    kind: venue.ccxtId,
    exchanges: [CCXT_EXCHANGE],
    orderTypes: ['market'],
    rejectsDuplicateClientOrderId: venue.rejectsDuplicateClientOrderId,
    placedOrderListedWithinMs: venue.placedOrderListedWithinMs,
    clientOrderIdMaxLength: venue.clientOrderIdMaxLength,
    ordersPerSecond: venue.ordersPerSecond,
    ordersPerMinute: null,
    sessionExpiresDaily: null,
    fractionalQty: true,
    // Binance asks the symbol with origClientOrderId.
    lookupNeedsInstrument: true,
    // Spot: a sale needs the base asset.
    sellFirst: 'none',
    intradaySquareOff: null,
  };
}

export function createCcxtAccount(args: {
  readonly venue: CcxtVenue;
  readonly clock: Clock;
  readonly credentials: CcxtCredentials;
  readonly options: CcxtOptions;
  readonly onRequest?: (method: string, url: string) => void;
}): CcxtAccount {
  const { venue, clock } = args;
  const credentials = ccxtCredentialsSchema.parse(args.credentials);
  const options = ccxtOptionsSchema.parse(args.options);
  const secrets = [credentials.api_key, credentials.secret];
  const budget = new RateBudget(clock, venue.requestsPerWindow, venue.rateWindowMs);
  let instance: Promise<CcxtExchange> | undefined;
  let markets: Promise<unknown> | undefined;
  const exchange = async (): Promise<CcxtExchange> => {
    instance ??= openCcxtExchange({ venue, clock, budget, apiKey: credentials.api_key, secret: credentials.secret, testnet: options.testnet, timeoutMs: options.timeout_ms, ...(options.rest_url ? { endpoint: options.rest_url } : {}), ...(args.onRequest ? { onRequest: args.onRequest } : {}) });
    const ex = await instance;
    // Loaded once; a failed load is tried again by the next call.
    markets ??= ex.loadMarkets().catch((err: unknown) => {
      markets = undefined;
      throw scrubError(err, secrets);
    });
    await markets;
    return ex;
  };
  return {
    capabilities: ccxtCapabilities(venue),
    instruments: new CcxtInstruments(exchange),
    execution: new CcxtExecution({ venue, clock, exchange, secrets }),
    exchange,
    async close() {
      if (instance) await (await instance).close();
    },
  };
}
