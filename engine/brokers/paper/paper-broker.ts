/**
 * The paper broker: Tradeclock's embedded default. A simulated market (seeded random walk or
 * scripted prices) and an order book that fills market orders at that market, all on the
 * injected clock, so a whole trading day runs on a FakeClock in milliseconds.
 */
import { EXCHANGES, type Exchange } from '../../core/types';
import type { Broker, BrokerCapabilities } from '../broker';
import type { FeedState } from '../../core/events';
import { parsePaperBrokerOptions, type PaperBrokerConfig, type PaperBrokerOptions } from './paper-config';
import { PAPER_CLIENT_ORDER_ID_MAX_LENGTH, PaperExecution, type PaperFault, type PaperFaultOptions, type PaperOrder } from './paper-execution';
import { PaperMarket } from './paper-market';
import { PaperRestingStops, type PaperStopFault } from './paper-resting-stops';
import { paperInstruments } from './paper-instruments';
import { PaperOptionChain } from './paper-option-chain';

/** What the paper broker can do; it mimics Alpaca's duplicate-id rule so that path gets exercised. */
export const PAPER_CAPABILITIES: BrokerCapabilities = {
  intradaySquareOff: null,
  kind: 'paper',
  exchanges: EXCHANGES,
  orderTypes: ['market'],
  rejectsDuplicateClientOrderId: true,
  placedOrderListedWithinMs: null,
  clientOrderIdMaxLength: PAPER_CLIENT_ORDER_ID_MAX_LENGTH,
  ordersPerSecond: null,
  ordersPerMinute: null,
  sessionExpiresDaily: null,
  fractionalQty: false,
  // Every paper instrument is shortable: a sell from flat opens a short, as on a margin account.
  sellFirst: 'per_instrument',
  simulated: true,
};

/** A Broker plus the controls tests use to steer the simulation and inject faults. */
export interface PaperBroker extends Broker {
  readonly execution: PaperExecution;
  readonly data: PaperMarket;
  readonly restingStops: PaperRestingStops;
  /** The simulated NIFTY, BANKNIFTY, FINNIFTY and SENSEX options (paper-option-chain.ts says what is simulated). */
  readonly optionChain: PaperOptionChain;
  /** The parsed options, defaults applied, and the seed actually used. */
  readonly config: PaperBrokerConfig & { readonly seed: number };
  /** Every order the broker holds, oldest first (orders that never reached it are not listed). */
  placedOrders(): readonly PaperOrder[];
  /** Makes the next `placeOrder` fail as `fault` says; queued, one fault per call. */
  failNextPlace(fault: PaperFault, options?: PaperFaultOptions): void;
  /** Forces a price for "EXCHANGE:SYMBOL" and, if subscribed and the feed is up, ticks it at once. */
  setPrice(instrumentKey: string, price: number): void;
  /** Reports a feed state; anything but 'up' pauses ticks until 'up' again. */
  setFeed(state: FeedState, detail?: string | null): void;
  /**
   * The trader sells `qty` of "EXCHANGE:SYMBOL" by hand in the broker's app, outside Tradeclock:
   * `execution.netQty` drops by `qty` (below 0 when they sell more than is held: a short).
   * @example broker.sellByHand('NSE:INFY', 10)
   */
  sellByHand(instrumentKey: string, qty: number): void;
  /** Makes the next resting-stop place, modify or cancel fail as `fault` says; queued, one per call. */
  failNextRestingStop(fault: PaperStopFault): void;
  /** Makes the next `execution.netQty` throw, as a broker that cannot be asked; queued, one per call. */
  failNextNetQty(reason?: string): void;
}

/**
 * Creates a paper broker. Options other than `clock` are user input (a broker account's
 * `options`) and are validated: a bad value throws a `validation_failed` DomainError naming it.
 *
 * The broker never reads the system time: ticks, fills and latencies all run on `clock`. Without
 * a `seed`, the clock's time at creation seeds the walk (deterministic on a FakeClock).
 *
 * @example
 *   const broker = createPaperBroker({ clock, seed: 7, scripts: { 'NSE:INFY': [{ afterMs: 5_000, price: 94 }] } });
 *   await broker.start();
 *   broker.data.subscribe([(await broker.instruments.resolve('INFY', 'NSE'))!]);
 */
export function createPaperBroker(options: PaperBrokerOptions): PaperBroker {
  const { clock, ...userOptions } = options;
  const parsed = parsePaperBrokerOptions(userOptions);
  const config = { ...parsed, seed: parsed.seed ?? Math.trunc(clock.now()) };
  const market = new PaperMarket(clock, config, config.seed);
  const priceOf = (exchange: Exchange, symbol: string) => market.priceOf(exchange, symbol);
  const optionChain = new PaperOptionChain({ now: () => clock.now(), priceOf, volatility: config.optionVolatility });
  market.derive({
    follows: (exchange, symbol) => {
      const contract = optionChain.named(symbol, exchange);
      return contract && optionChain.spotListing(contract.underlying);
    },
    price: (exchange, symbol) => optionChain.premium(optionChain.named(symbol, exchange)!),
  });
  const execution = new PaperExecution(clock, config, priceOf);
  const restingStops = new PaperRestingStops(clock, execution, priceOf);
  market.onPriceMove((key, price) => restingStops.priceMoved(key, price));

  return {
    capabilities: PAPER_CAPABILITIES,
    instruments: paperInstruments(config, optionChain),
    optionChain,
    // Nothing to download: the simulated chain is listed from the clock.
    optionChains: { warm: async () => {}, current: () => optionChain },
    execution,
    data: market,
    restingStops,
    config,
    async start() {
      market.start();
    },
    async stop() {
      market.stop();
      restingStops.stop();
      execution.stop();
    },
    placedOrders: () => execution.placedOrders(),
    failNextPlace: (fault, faultOptions) => execution.failNextPlace(fault, faultOptions),
    setPrice: (key, price) => market.setPrice(key, price),
    setFeed: (state, detail) => market.setFeed(state, detail ?? null),
    sellByHand: (key, qty) => execution.sellByHand(key, qty),
    failNextRestingStop: (fault) => restingStops.failNext(fault),
    failNextNetQty: (reason) => execution.failNextNetQty(reason),
  };
}
