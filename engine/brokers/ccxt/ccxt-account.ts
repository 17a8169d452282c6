/**
 * One CCXT account (a venue, a key, live or testnet) as a Broker: instruments, REST orders, the
 * trade stream as prices and the user data stream as order updates, over one lazily built CCXT
 * instance, one request budget and one set of stream connections on the Clock.
 *
 * The backstop rests at the venue as a stop order (ccxt-resting-stops.ts); the readiness check
 * asks the venue's time, the account and the pair's status (ccxt-readiness.ts).
 *
 * @example
 *   const account = createCcxtAccount({ venue: BINANCE, clock, credentials: { api_key, secret }, options: { rest_url: fake.url } });
 *   const btc = await account.instruments.resolve('BTC/USDT', 'CRYPTO');
 *   account.data.subscribe([btc!]);
 *   await account.start();
 *   await account.execution.placeOrder({ clientOrderId, instrument: btc!, side: 'buy', qty: 0.0015, opens: true });
 */
import type { Exchange as CcxtExchange } from 'ccxt';
import pino, { type Logger } from 'pino';
import { z } from 'zod';
import type { Clock } from '../../core/clock';
import type { Broker, BrokerAccountInfo, BrokerCapabilities } from '../broker';
import { seededUniform, type UniformSource } from '../alpaca/backoff';
import { RateBudget } from '../alpaca/rate-budget';
import { endpointUrl } from '../alpaca/alpaca-config';
import { openCcxtExchange, type OpenedExchange } from './ccxt-client';
import { CcxtExecution } from './ccxt-execution';
import { CCXT_EXCHANGE, CcxtInstruments } from './ccxt-instruments';
import { CcxtMarketData } from './ccxt-market-data';
import { CcxtOrderStream } from './ccxt-order-stream';
import { ccxtAccountInfo } from './ccxt-readiness';
import { CcxtRestingStops } from './ccxt-resting-stops';
import { scrubError } from './ccxt-scrub';
import { CcxtSockets, DEFAULT_CCXT_STREAM_TIMING, type CcxtStreamTiming } from './ccxt-sockets';
import type { CcxtVenue } from './ccxt-venues';

// Binance keys and secrets are 64 printable characters (HMAC keys; Ed25519 and RSA keys are not
// taken here); the limits only stop absurd input.
const printable = /^[\x21-\x7e]+$/;
const keyText = (max: number) =>
  z
    .string({ error: 'must be a string' })
    .trim()
    .min(1, { error: 'is required' })
    .max(max, { error: `must be at most ${max} characters` })
    .regex(printable, { error: 'must be printable characters without spaces' });

/**
 * The credentials of a CCXT account, as the connect form sends them: the venue's API key and its
 * secret (HMAC). Unknown keys are an error.
 * @example ccxtCredentialsSchema.parse({ api_key: 'vmPUZE6m…', secret: 'NhqPtmdS…' })
 */
export const ccxtCredentialsSchema = z.strictObject({ api_key: keyText(128), secret: keyText(256) });

/**
 * The options of a CCXT account. Unknown keys are an error, so a misspelt override never falls
 * back to the live host; `testnet` is on unless set false, the side where no real money moves.
 * @example ccxtOptionsSchema.parse({ testnet: false })
 */
export const ccxtOptionsSchema = z.strictObject({
  /** The venue's test network (Binance: testnet.binance.vision, its own keys) or, false, the live one. */
  testnet: z.boolean({ error: 'must be true or false' }).default(true),
  /** Every endpoint moved to this origin (a test server such as the loopback fake); absent: the venue's own hosts. */
  rest_url: endpointUrl(['https', 'http'], 'https').optional(),
  /** How long a request may take before its outcome is unknown. */
  timeout_ms: z.number({ error: 'must be a number' }).int({ error: 'must be a whole number' }).min(500, { error: 'must be at least 500' }).max(60_000, { error: 'must be at most 60000' }).default(10_000),
});

export type CcxtCredentials = z.input<typeof ccxtCredentialsSchema>;
export type CcxtOptions = z.input<typeof ccxtOptionsSchema>;

export interface CcxtAccount extends Broker {
  readonly instruments: CcxtInstruments;
  readonly execution: CcxtExecution;
  readonly data: CcxtMarketData;
  readonly orderStream: CcxtOrderStream;
  readonly restingStops: CcxtRestingStops;
  readonly account: Required<BrokerAccountInfo>;
  /** The CCXT instance, built and its markets loaded on first call. */
  exchange(): Promise<CcxtExchange>;
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
    feeInBoughtAsset: venue.feeInBoughtAsset,
    maxFeeInBoughtAssetRate: venue.maxFeeInBoughtAssetRate,
    signedRequestWindow: venue.signedRequestWindow,
    spotAccount: true,
    intradaySquareOff: null,
  };
}

export function createCcxtAccount(args: {
  readonly venue: CcxtVenue;
  readonly clock: Clock;
  readonly credentials: CcxtCredentials;
  readonly options: CcxtOptions;
  /** Sees every request (REST method and URL, or 'WS' and the stream URL) before it is sent. */
  readonly onRequest?: (method: string, url: string) => void;
  readonly logger?: Logger;
  /** Jitter of the reconnect backoff; seed it in tests. */
  readonly uniform?: UniformSource;
  /** Shorter stream timings for tests. */
  readonly timing?: Partial<CcxtStreamTiming>;
}): CcxtAccount {
  const { venue, clock } = args;
  const credentials = ccxtCredentialsSchema.parse(args.credentials);
  const options = ccxtOptionsSchema.parse(args.options);
  const secrets = [credentials.api_key, credentials.secret];
  const budget = new RateBudget(clock, venue.requestsPerWindow, venue.rateWindowMs);
  const logger = (args.logger ?? pino({ name: 'tradeclock' })).child({ broker: venue.ccxtId, testnet: options.testnet });
  const timing: CcxtStreamTiming = { ...DEFAULT_CCXT_STREAM_TIMING, ...args.timing };
  const uniform = args.uniform ?? seededUniform();
  const onRequest = args.onRequest;
  const sockets = new CcxtSockets({ clock, timing, logger, ...(onRequest ? { onConnect: (url: string) => onRequest('WS', url) } : {}) });
  let instance: Promise<OpenedExchange> | undefined;
  let markets: Promise<unknown> | undefined;
  const opened = (): Promise<OpenedExchange> =>
    (instance ??= openCcxtExchange({ venue, clock, budget, sockets, apiKey: credentials.api_key, secret: credentials.secret, testnet: options.testnet, timeoutMs: options.timeout_ms, ...(options.rest_url ? { endpoint: options.rest_url } : {}), ...(onRequest ? { onRequest } : {}) }));
  const exchange = async (): Promise<CcxtExchange> => {
    const ex = (await opened()).exchange;
    // Loaded once; a failed load is tried again by the next call.
    markets ??= ex.loadMarkets().catch((err: unknown) => {
      markets = undefined;
      throw scrubError(err, secrets);
    });
    await markets;
    return ex;
  };
  const execution = new CcxtExecution({ venue, clock, exchange, secrets });
  const restingStops = new CcxtRestingStops({ venue, clock, logger, execution, secrets });
  execution.attachRestingStops(restingStops);
  const data = new CcxtMarketData({ title: venue.title, clock, timing, uniform, logger, sockets, exchange, streamUrl: async () => (await opened()).tradeStreamUrl, rest: (fn, optional) => execution.request(fn, optional), secrets });
  const orderStream = new CcxtOrderStream({ clock, timing, uniform, logger, sockets, exchange, streamUrl: async () => (await opened()).orderStreamUrl, execution, secrets });
  let started = false;
  let stopped = false;
  return {
    capabilities: ccxtCapabilities(venue),
    instruments: new CcxtInstruments(exchange),
    execution,
    data,
    orderStream,
    restingStops,
    account: ccxtAccountInfo({ venue, clock, execution, testnet: options.testnet }),
    exchange,
    async start() {
      if (stopped) throw new Error(`this ${venue.title} account was stopped; create a new one`);
      if (started) return;
      started = true;
      await orderStream.start();
      await data.start();
    },
    async stop() {
      stopped = true;
      orderStream.stop();
      restingStops.stop();
      data.stop();
      sockets.stop();
      if (instance) await (await instance).exchange.close();
    },
  };
}
