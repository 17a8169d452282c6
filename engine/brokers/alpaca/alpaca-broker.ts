/**
 * The Alpaca broker (US stocks, paper or live): instruments from the assets endpoint, orders over
 * REST with fills from the trade_updates stream, prices from the market-data stream v2, and
 * resting stop orders as the backstop (alpaca-resting-stops.ts). Wire
 * facts cite ../shared/brokers/PROTOCOLS.md §1.
 */
import pino, { type Logger } from 'pino';
import type { z } from 'zod';
import type { Clock } from '../../core/clock';
import { validationError } from '../../core/errors';
import type { Broker, BrokerCapabilities } from '../broker';
import { alpacaCredentialsSchema, alpacaEndpoints, alpacaOptionsSchema, DEFAULT_ALPACA_TIMING, type AlpacaEndpoints, type AlpacaOptions, type AlpacaTiming } from './alpaca-config';
import { ALPACA_CLIENT_ORDER_ID_MAX_LENGTH, AlpacaExecution } from './alpaca-execution';
import { ALPACA_EXCHANGES, AlpacaInstruments } from './alpaca-instruments';
import { AlpacaRest } from './alpaca-rest';
import { alpacaAccount } from './alpaca-account';
import { AlpacaRestingStops } from './alpaca-resting-stops';
import { AlpacaLatestTrades } from './latest-trades';
import { seededUniform, type UniformSource } from './backoff';
import { AlpacaMarketData } from './market-data-stream';
import { RateBudget } from './rate-budget';
import { TradeUpdatesStream } from './trade-updates-stream';

/** What Alpaca can do, as the engine needs to know it (PROTOCOLS.md §1.4, §1.9). */
export const ALPACA_CAPABILITIES: BrokerCapabilities = {
  intradaySquareOff: null,
  kind: 'alpaca',
  exchanges: ALPACA_EXCHANGES,
  orderTypes: ['market'],
  // "client_order_id must be unique" (§1.4): a resend with the same id cannot double an order.
  rejectsDuplicateClientOrderId: true,
  placedOrderListedWithinMs: null,
  clientOrderIdMaxLength: ALPACA_CLIENT_ORDER_ID_MAX_LENGTH,
  ordersPerSecond: null,
  ordersPerMinute: 200,
  sessionExpiresDaily: null,
  // Fractional shares exist only for some assets and market/day orders; Tradeclock sends whole shares.
  fractionalQty: false,
  // Alpaca opens shorts in easy-to-borrow assets only (alpaca-docs content/trading/margin-and-shorting.md): asset by asset.
  sellFirst: 'per_instrument',
  // FINRA 4210 through Alpaca: at most 3 day trades in 5 business days under 25 000 equity.
  patternDayTradeRule: true,
};

export interface AlpacaBrokerOptions {
  readonly clock: Clock;
  /** `{ key_id, secret_key }`; parsed again here, so a bad value is a field error, not a crash. */
  readonly credentials: unknown;
  /** The account's user options (paper, endpoint overrides, feed). */
  readonly options?: unknown;
  readonly logger?: Logger;
  /** Jitter for reconnect and retry delays; seed it in tests. Default: seeded from the engine's random source. */
  readonly uniform?: UniformSource;
  /** Shorter timeouts and heartbeats for tests. */
  readonly timing?: Partial<AlpacaTiming>;
  /** The key's request budget, shared by every broker object on the same key (see alpacaBrokerKind). */
  readonly budget?: RateBudget;
}

/** A Broker plus what tests and diagnostics look at. */
export interface AlpacaBroker extends Broker {
  readonly execution: AlpacaExecution;
  readonly data: AlpacaMarketData;
  readonly restingStops: AlpacaRestingStops;
  readonly endpoints: AlpacaEndpoints;
  readonly config: AlpacaOptions;
}

/**
 * Creates an Alpaca broker. Nothing connects until `start()`; `validateCredentials()` and
 * instrument lookups work without it (the connect form probes an unstarted broker).
 *
 * @example
 *   const broker = createAlpacaBroker({ clock: systemClock, credentials: { key_id, secret_key }, options: { paper: true } });
 *   if (!(await broker.execution.validateCredentials()).ok) throw …;
 *   await broker.start();
 */
export function createAlpacaBroker(opts: AlpacaBrokerOptions): AlpacaBroker {
  const credentials = parseOrThrow(alpacaCredentialsSchema, opts.credentials, 'credentials');
  const config = parseOrThrow(alpacaOptionsSchema, opts.options ?? {}, 'options');
  const endpoints = alpacaEndpoints(config);
  const { clock } = opts;
  const timing: AlpacaTiming = { ...DEFAULT_ALPACA_TIMING, ...opts.timing };
  const logger = (opts.logger ?? pino({ name: 'tradeclock' })).child({ broker: 'alpaca', paper: config.paper });
  const uniform = opts.uniform ?? seededUniform();
  const budget = opts.budget ?? new RateBudget(clock, timing.requestsPerWindow, timing.rateWindowMs);

  const rest = new AlpacaRest({ baseUrl: endpoints.restUrl, credentials, clock, budget, timing, uniform, logger });
  const execution = new AlpacaExecution({ rest, restUrl: endpoints.restUrl, clock, timing, logger });
  const restingStops = new AlpacaRestingStops({ rest, clock, logger });
  execution.attachRestingStops(restingStops);
  // The market-data host shares the key's budget with the Trading API: a quote never makes an order wait.
  const dataRest = new AlpacaRest({ baseUrl: endpoints.dataRestUrl, credentials, clock, budget, timing, uniform, logger });
  const data = new AlpacaMarketData({ url: endpoints.dataStreamUrl, credentials, clock, timing, uniform, logger, latestTrades: new AlpacaLatestTrades(dataRest, config.feed) });
  let started = false;
  let stopped = false;

  return {
    capabilities: ALPACA_CAPABILITIES,
    instruments: new AlpacaInstruments({ rest, clock, logger }),
    execution,
    account: alpacaAccount(rest),
    data,
    restingStops,
    endpoints,
    config,
    async start() {
      if (stopped) throw new Error('this Alpaca broker was stopped; create a new one');
      if (started) return;
      started = true;
      execution.attachStream(
        new TradeUpdatesStream({
          url: endpoints.tradeStreamUrl,
          credentials,
          clock,
          timing,
          uniform,
          logger,
          onUpdate: (event, order, timestamp) => execution.onStreamUpdate(event, order, timestamp),
          onUp: () => execution.onStreamUp(),
          onDown: (detail) => {
            logger.warn({ detail }, 'alpaca trade_updates stream down; polling open orders');
            execution.onStreamDown();
          },
        }),
      );
      data.start();
    },
    async stop() {
      stopped = true;
      execution.stop();
      restingStops.stop();
      data.stop();
      rest.close();
      dataRest.close();
    },
  };
}

function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, prefix: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw validationError(
    result.error.issues.flatMap((issue) => {
      const at = [prefix, ...issue.path.map(String)].join('.');
      // A misspelt option names itself, rather than the whole object.
      if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ field: `${at}.${key}`, message: `is not an Alpaca ${prefix === 'options' ? 'option' : 'credential'}` }));
      return [{ field: at, message: issue.message }];
    }),
  );
}
