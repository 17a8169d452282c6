/**
 * The Kite Connect broker: REST for instruments, orders, GTT backstops (kite-resting-stops.ts) and
 * the session check; the binary ticker for prices and order updates. Built from parsed credentials and options plus the injected clock
 * (and, for tests, jitter and fetch).
 */
import type { Logger } from 'pino';
import { createLogger } from '../../logger';
import type { Clock } from '../../core/clock';
import type { Exchange } from '../../core/types';
import type { Broker, BrokerCapabilities, IntradaySquareOff, IntradaySquareOffs } from '../broker';
import { proxiedFetch } from '../proxy';
import { proxyLabel } from '../proxy-url';
import { seededJitter, type Uniform } from './backoff';
import { kiteAccount } from './kite-account';
import { KiteData } from './kite-data';
import { KITE_TAG_MAX_LENGTH, KiteExecution } from './kite-execution';
import { KiteHttp, type FetchLike } from './kite-http';
import { KITE_QUOTE_WINDOWS, KiteLtp } from './kite-ltp';
import { KiteExitChase } from './kite-exit-chase';
import { KITE_TRADED_EXCHANGES, KiteInstruments } from './kite-instruments';
import { KiteDerivatives } from './kite-derivatives';
import { KITE_DERIVATIVE_EXCHANGES, type KiteDerivativeExchange } from './derivatives-rows';
import { parseKiteCredentials, parseKiteOptions, type KiteOptions } from './kite-options';
import { KiteRestingStops } from './kite-resting-stops';
import { KiteSessionTracker, type KiteSession } from './kite-session';
import { KiteTicker, type KiteTickerNotice } from './kite-ticker';
import { KITE_ORDER_WINDOWS, KITE_ORDERS_PER_DAY, RateLimiter } from './rate-limiter';
import { KITE_SESSION_EXPIRY } from './token-expiry';

/**
 * Selling first at Kite, by the account's product. Equity shorts are intraday only: "the order
 * must be placed using intraday order type, i.e. MIS … or CO", squared off by Zerodha at 3:20 PM,
 * and "allowed only in a list of scripts" Zerodha's RMS keeps, which Kite Connect does not serve
 * (support.zerodha.com, "How to short sell shares in equity and futures?"; PROTOCOLS.md §2.6
 * lists the products). A CNC (delivery) sell needs the shares: the RMS refuses it ("RMS:Rule:
 * Check holdings", tests/fakes/kite/SOURCES.md).
 * @example kiteSellFirst('MIS') // { sellFirst: 'intraday_product', shortable: null }
 */
export function kiteSellFirst(product: KiteOptions['product']): { readonly sellFirst: BrokerCapabilities['sellFirst']; readonly shortable: boolean | null } {
  return product === 'MIS' ? { sellFirst: 'intraday_product', shortable: null } : { sellFirst: 'none', shortable: false };
}

/**
 * Zerodha's own square-off of MIS (intraday) positions, by segment: "Open intraday positions are
 * closed or auto-squared-off at or after" 3:20 PM for Equity/Cash and 3:25 PM for Equity
 * derivatives (NSE and BSE F&O: NFO and BFO here), times its risk team may move, with a charge of
 * ₹50 + GST per order it squares off (support.zerodha.com, "What are the auto square-off timings
 * for open intraday positions?", category margin-leverage-and-product-and-order-types, article
 * intraday-auto-square-off-timings; PROTOCOLS.md does not list them). A strategy's own square-off
 * defaults to five minutes before Zerodha's: 15:15 IST for cash, the start of NSE's closing
 * auction session (from August 2026 continuous trading ends at 15:15 for stocks with
 * derivatives), and 15:20 for derivatives, which trade on to 15:30. CNC: none (its F&O orders go
 * as NRML, kite-product.ts, which Zerodha does not square off either). The square-off on each
 * exchange Kite trades, for an account on `product` (BrokerCapabilities.intradaySquareOff).
 * @example kiteIntradaySquareOffs('MIS')?.NFO // { segment: 'equity derivatives', at: '15:25:00', defaultAt: '15:20:00', timezone: 'Asia/Kolkata' }
 */
export function kiteIntradaySquareOffs(product: KiteOptions['product']): IntradaySquareOffs | null {
  return product === 'MIS' ? Object.fromEntries(KITE_TRADED_EXCHANGES.map((e) => [e, misSquareOff(e)])) : null;
}

function misSquareOff(exchange: Exchange): IntradaySquareOff {
  return (KITE_DERIVATIVE_EXCHANGES as readonly Exchange[]).includes(exchange)
    ? { segment: 'equity derivatives', at: '15:25:00', defaultAt: '15:20:00', timezone: 'Asia/Kolkata' }
    : { segment: 'equity cash', at: '15:20:00', defaultAt: '15:15:00', timezone: 'Asia/Kolkata' };
}

/**
 * How long after a placement request leaves Kite lists the order, if it took it
 * (BrokerCapabilities.placedOrderListedWithinMs). Kite answers POST /orders only once its OMS holds
 * the order ("a successful place only means the OMS accepted it", kite.trade/docs/connect/v3/orders,
 * PROTOCOLS.md §2.6), and GET /orders lists it from then. Kite states no bound of its own; the
 * official SDKs give up on an answer after 7 s (pykiteconnect, kiteconnectjs: PROTOCOLS.md §2.1),
 * as this adapter does after `request_timeout_ms`: an answer slower than that is a failure to every
 * client. So the longer of the two, plus KITE_LISTING_MARGIN_MS for the request's way there and
 * the OMS's queue under load: 10 s with the default options.
 * @example kitePlacedOrderListedWithinMs(7_000) // 10_000
 */
export function kitePlacedOrderListedWithinMs(requestTimeoutMs: number): number {
  return Math.max(KITE_SDK_TIMEOUT_MS, requestTimeoutMs) + KITE_LISTING_MARGIN_MS;
}
/** The official SDKs' HTTP timeout (PROTOCOLS.md §2.1). */
const KITE_SDK_TIMEOUT_MS = 7_000;
/** Room beyond an answer's own deadline before an order not listed is taken as never placed. */
const KITE_LISTING_MARGIN_MS = 3_000;

/** What Kite can do, as the engine needs to know it: an account on MIS, the default product (kiteSellFirst for CNC). */
export const KITE_CAPABILITIES: BrokerCapabilities = {
  kind: 'kite',
  exchanges: KITE_TRADED_EXCHANGES,
  orderTypes: ['market'],
  // Kite accepts a reused tag, so the engine (and this adapter) must look up before any resend.
  rejectsDuplicateClientOrderId: false,
  placedOrderListedWithinMs: kitePlacedOrderListedWithinMs(KITE_SDK_TIMEOUT_MS),
  clientOrderIdMaxLength: KITE_TAG_MAX_LENGTH,
  ordersPerSecond: 10,
  ordersPerMinute: 400,
  sessionExpiresDaily: KITE_SESSION_EXPIRY,
  fractionalQty: false,
  sellFirst: kiteSellFirst('MIS').sellFirst,
  intradaySquareOff: kiteIntradaySquareOffs('MIS'),
  ordersFromRegisteredIp: true,
};

/** The Kite broker plus what the engine and API need about its login. */
export interface KiteBroker extends Broker {
  readonly execution: KiteExecution;
  readonly data: KiteData;
  readonly restingStops: KiteRestingStops;
  readonly options: KiteOptions;
  /** The NFO/BFO instrument masters (one per exchange, refreshed daily after 08:30 IST). */
  readonly derivatives: KiteDerivatives;
  /** The options exit chase (kite-exit-chase.ts): what it follows, for tests and the log. */
  readonly exitChase: KiteExitChase;
  /** The login state right now (no token, unverified, valid until 06:00 IST, expired). */
  session(): KiteSession;
  /** Called whenever the state changes (a refused token, 06:00 IST passing, a new token). */
  onSessionChange(listener: (session: KiteSession) => void): () => void;
  /** Asks Kite now (GET /user/profile) and returns the resulting state: the pre-market check. */
  checkSession(): Promise<KiteSession>;
  /** Installs the day's new access token: the session restarts as unverified, the ticker reconnects. */
  setAccessToken(accessToken: string): void;
  /** Malformed frames, Kite's text errors, a refused ticker token: for the log. */
  onNotice(listener: (notice: KiteTickerNotice) => void): () => void;
}

export interface KiteBrokerArgs {
  readonly clock: Clock;
  /** `{ api_key, api_secret, access_token? }`, validated here. */
  readonly credentials: unknown;
  /** Kite options, validated here; defaults for everything. */
  readonly options?: unknown;
  /** Reconnect jitter; seeded from the clock when omitted. */
  readonly random?: Uniform;
  readonly fetch?: FetchLike;
  /** The daemon's logger (redacting, to its log file): the exit chase's re-prices; default: the project's redacting logger to stdout. */
  readonly logger?: Logger;
}

/**
 * Creates a Kite broker. Throws a `validation_failed` DomainError for bad credentials or options.
 *
 * @example
 *   const kite = createKiteBroker({ clock, credentials: { api_key, api_secret, access_token } });
 *   await kite.start();
 *   const infy = await kite.instruments.resolve('INFY', 'NSE');
 */
export function createKiteBroker(args: KiteBrokerArgs): KiteBroker {
  const { clock } = args;
  const credentials = parseKiteCredentials(args.credentials);
  const options = parseKiteOptions(args.options);
  let accessToken: string | null = credentials.access_token ?? null;
  const session = new KiteSessionTracker(clock, accessToken !== null);
  const notices = new Set<(n: KiteTickerNotice) => void>();
  const notify = (n: KiteTickerNotice) => notices.forEach((l) => l(n));

  // Kite takes orders only from the registered static IP: REST through the trader's proxy when set.
  const proxy = options.proxy_url === undefined ? null : proxiedFetch({ url: options.proxy_url, username: credentials.proxy_username, password: credentials.proxy_password });
  const http = new KiteHttp({
    restUrl: options.rest_url,
    apiKey: credentials.api_key,
    accessToken: () => accessToken,
    clock,
    timeoutMs: options.request_timeout_ms,
    // The proxy's fetch when one is set (a test's injected fetch serves accounts without one).
    fetch: proxy?.fetch ?? args.fetch,
    ...(options.proxy_url === undefined ? {} : { via: proxyLabel(options.proxy_url) }),
    onAuth: (valid, err) => (valid ? session.markValid() : session.expire(err?.kiteMessage ? `Kite refused the access token ("${err.kiteMessage}")` : 'Kite refused the access token')),
  });
  const orderLimiter = new RateLimiter(clock, KITE_ORDER_WINDOWS, KITE_ORDERS_PER_DAY);
  // Kite's 1 request a second on /quote*: the LTP reader and the exit chase's quotes share it.
  const quoteLimiter = new RateLimiter(clock, KITE_QUOTE_WINDOWS);
  const derivatives = new KiteDerivatives(http, clock);
  const exitChase = new KiteExitChase({
    http,
    clock,
    logger: (args.logger ?? createLogger({ clock })).child({ broker: 'kite' }),
    options,
    quoteLimiter,
    orderLimiter,
    tickSizeOf: async (exchange, symbol) =>
      (KITE_DERIVATIVE_EXCHANGES as readonly string[]).includes(exchange) ? ((await derivatives.master(exchange as KiteDerivativeExchange)).bySymbol(symbol)?.tickSize ?? null) : null,
  });
  const execution = new KiteExecution({ http, clock, session, options, orderLimiter, exitChase });
  // One LTP reader for the account: the stale-price cross-check and the GTT's last price share Kite's 1 quote request a second.
  const ltp = new KiteLtp(http, clock, quoteLimiter);
  const restingStops = new KiteRestingStops({ http, clock, options, ltp });
  let data: KiteData | null = null;
  const ticker = new KiteTicker(
    {
      url: options.ticker_url,
      apiKey: credentials.api_key,
      accessToken: () => accessToken,
      clock,
      random: args.random ?? seededJitter(clock.now()),
      mode: options.mode,
      staleAfterMs: options.stale_after_ms,
      backoff: { baseMs: 500, maxMs: options.reconnect_max_delay_ms },
    },
    {
      onPackets: (packets) => data?.handlePackets(packets),
      onOrder: (payload) => {
        const problem = execution.handleOrderMessage(payload);
        if (problem) notify({ kind: 'malformed_frame', detail: problem });
        // Untagged, it may be the LIMIT order a backstop GTT placed when it fired: the GTT is read at once.
        else restingStops.noticeOrder(payload);
      },
      onState: (state, detail) => {
        data?.handleFeedState(state, detail);
        // Order messages come on the ticker: one Kite sent while it was down reached no one.
        if (state === 'up') execution.noteListening();
      },
      onNotice: (n) => {
        if (n.kind === 'token_rejected') session.expire('Kite refused the ticker connection (HTTP 403)');
        notify(n);
      },
    },
  );
  data = new KiteData(ticker, clock, ltp);
  // The chase's stand-in for a /quote that fails: the ticker's last price of a contract it follows.
  data.onTick((t) => exitChase.noteTick(t.exchange, t.symbol, t.price));

  const sellFirst = kiteSellFirst(options.product);
  return {
    capabilities: {
      ...KITE_CAPABILITIES,
      placedOrderListedWithinMs: kitePlacedOrderListedWithinMs(options.request_timeout_ms),
      sellFirst: sellFirst.sellFirst,
      intradaySquareOff: kiteIntradaySquareOffs(options.product),
    },
    instruments: new KiteInstruments(http, clock, options.exchanges, sellFirst.shortable, derivatives),
    derivatives,
    optionChains: {
      async warm(exchange) {
        await derivatives.master(exchange);
      },
      current: (exchange) => derivatives.current(exchange),
    },
    execution,
    exitChase,
    account: kiteAccount(http),
    data,
    restingStops,
    options,
    async start() {
      ticker.start();
      // Learn the session state now (not at the first order), so an expired token shows at once.
      if (accessToken) void execution.validateCredentials();
    },
    async stop() {
      ticker.stop();
      execution.stop();
      restingStops.stop();
      data?.stop();
      session.stop();
      notices.clear();
      await proxy?.close();
    },
    session: () => session.current(),
    onSessionChange: (listener) => session.onChange(listener),
    async checkSession() {
      await execution.validateCredentials();
      return session.current();
    },
    setAccessToken(token) {
      accessToken = parseKiteCredentials({ api_key: credentials.api_key, api_secret: credentials.api_secret, access_token: token }).access_token ?? null;
      session.reset(accessToken !== null);
      ticker.reconnectNow();
    },
    onNotice(listener) {
      notices.add(listener);
      return () => notices.delete(listener);
    },
  };
}
