/**
 * What differs between the exchanges Tradeclock reaches through CCXT, in one table, so another
 * venue is a row here rather than code (issue 22's plan §3). Only Binance spot is a row yet.
 */

/** The recvWindow every signed Binance request carries (CCXT's default too, `binance.js:1397`), in ms. */
const BINANCE_RECV_WINDOW_MS = 10_000;

export interface CcxtVenue {
  /** CCXT's exchange id (`ccxt.pro[id]`). */
  readonly ccxtId: string;
  readonly title: string;
  /** The raw parameter that carries our client order id on a placement (Binance `newClientOrderId`). */
  readonly placeIdParam: string;
  /** The raw parameter that names an order by our id on a lookup or cancel (Binance `origClientOrderId`). */
  readonly lookupIdParam: string;
  readonly clientOrderIdMaxLength: number;
  /**
   * Whether the venue refuses a reused client order id for good. Binance refuses it only while
   * the first order is open ("Arbitrary unique ID among open orders"; errors.md "Duplicate order
   * sent."): a filled MARKET order's id is taken again as a second order. So false, and the
   * reconciler looks the order up before any resend.
   */
  readonly rejectsDuplicateClientOrderId: boolean;
  /**
   * How long after the request leaves a placement the venue may still carry out (and so list), for
   * a venue that takes a reused id (BrokerCapabilities.placedOrderListedWithinMs); null where a
   * resend is its own lookup.
   */
  readonly placedOrderListedWithinMs: number | null;
  /**
   * Whether the venue may take a buy's fee out of the coin bought (BrokerCapabilities.feeInBoughtAsset):
   * Binance does, unless the account pays its fees in BNB ("commissionAsset" of each fill).
   */
  readonly feeInBoughtAsset: boolean;
  /** The highest taker rate it takes out of the coin bought (BrokerCapabilities.maxFeeInBoughtAssetRate). */
  readonly maxFeeInBoughtAssetRate: number;
  /**
   * The timestamp window of a signed request (BrokerCapabilities.signedRequestWindow): refused when
   * `aheadMs` or more ahead of the venue's clock, or more than `behindMs` (the recvWindow we send) behind.
   */
  readonly signedRequestWindow: { readonly aheadMs: number; readonly behindMs: number };
  /** Our own request budget (CCXT's limiter is off): requests per window. */
  readonly requestsPerWindow: number;
  readonly rateWindowMs: number;
  /** Tokens of that budget optional work (a form's quote) leaves free, for orders and what an exit asks first. */
  readonly reservedForOrders: number;
  /** The venue's order-rate limit, as the capabilities state it. */
  readonly ordersPerSecond: number | null;
  /** Where in CCXT's `urls.api` the trade stream and the order update stream are (each a URL prefix). */
  readonly tradeStreamUrlAt: readonly string[];
  readonly orderStreamUrlAt: readonly string[];
  /**
   * Where the venue says what the API key itself may do (Binance GET /sapi/v1/account/apiRestrictions,
   * CCXT `sapiGetAccountApiRestrictions`): the one endpoint off the REST bases the account may reach,
   * as CCXT's `urls.api` key and path; its test network serves none (`testnetHasIt` false).
   */
  readonly keyRestrictions: { readonly api: string; readonly path: string; readonly testnetHasIt: boolean } | null;
  /** Options CCXT needs so it asks only what we use (fact 4: Binance's loadMarkets reaches three hosts by default). */
  readonly ccxtOptions: Readonly<Record<string, unknown>>;
  /**
   * The venue's own error codes whose meaning CCXT's class does not carry, by the `code` of its
   * error JSON: CCXT picks its per-market table by hostname (`binance.js` `getExceptionsByUrl`),
   * so its classes for a loopback URL and a live one can differ; the code does not.
   */
  readonly codes: Readonly<Record<string, VenueCode>>;
  /** Messages that name an answer more exactly than the code (Binance's -2010 carries several). */
  readonly messages: Readonly<Record<string, VenueCode>>;
}

/**
 * - `rate`: refused before matching for the request rate; not placed, send again after the wait.
 * - `clock`: the timestamp fell outside the venue's window; not placed, resync the clock and send.
 * - `unknown`: the venue says it does not know whether the order was carried out.
 * - `in-use`: an order with this client id is open at the venue: it was placed; look it up.
 * - `funds`, `auth`, `invalid`: refused for good (lasting).
 * - `not-found`: no such order (lookup, cancel).
 */
/** 'passing': a refusal that may pass by trying again (the market closed for now). */
export type VenueCode = 'rate' | 'clock' | 'unknown' | 'in-use' | 'funds' | 'auth' | 'invalid' | 'passing' | 'not-found';

/**
 * Binance spot. Codes from developers.binance.com/docs/binance-spot-api-docs/errors; limits from
 * its REST API page (6000 request weight a minute, 100 orders per 10 s); client id `^[a-zA-Z0-9-_]{1,36}$`.
 */
export const BINANCE: CcxtVenue = {
  ccxtId: 'binance',
  title: 'Binance spot',
  placeIdParam: 'newClientOrderId',
  lookupIdParam: 'origClientOrderId',
  clientOrderIdMaxLength: 36,
  rejectsDuplicateClientOrderId: false,
  // A signed request is refused once it reaches the matching engine later than timestamp +
  // recvWindow (Binance "Timing security"; -1021): set to 10 s below, plus 3 s for clock slack.
  placedOrderListedWithinMs: BINANCE_RECV_WINDOW_MS + 3_000,
  feeInBoughtAsset: true,
  // rest-api "Timing security": processed only if `timestamp < serverTime + 1000` and
  // `serverTime - timestamp <= recvWindow`, else -1021.
  signedRequestWindow: { aheadMs: 1_000, behindMs: BINANCE_RECV_WINDOW_MS },
  // The regular (VIP 0) spot taker rate, Binance's highest ("Trading Fee Rate", binance.com/en/fee/schedule).
  maxFeeInBoughtAssetRate: 0.001,
  // 240 a minute: even at the heaviest call we make (weight 20: exchangeInfo, account) that is
  // 4800 of Binance's 6000 weight, so Tradeclock alone never earns a 429.
  requestsPerWindow: 240,
  rateWindowMs: 60_000,
  // An exit asks at most the balance, the order and a lookup: 20 free tokens are several exits at once.
  reservedForOrders: 20,
  ordersPerSecond: 10,
  // Besides fact 4's two, `fetchMargins` (default true, `binance.js:1360`): with keys set,
  // loadMarkets also asks `sapi/v1/margin/allPairs` and `isolated/allPairs` (`:3454-3459`).
  // `streamLimits` 1: every pair's trade stream on one connection (CCXT spreads them over up to 50
  // by default, `pro/binance.js` `stream()`), at most 200 pairs on it (`subscriptionLimitByStream`).
  ccxtOptions: { fetchMarkets: { types: ['spot'] }, fetchCurrencies: false, fetchMargins: false, streamLimits: { spot: 1 }, recvWindow: BINANCE_RECV_WINDOW_MS },
  // `pro/binance.js`: `<symbol>@trade` on `urls.api.ws.spot` (+ `/<stream index>`); spot orders on the WebSocket API.
  tradeStreamUrlAt: ['ws', 'spot'],
  orderStreamUrlAt: ['ws', 'ws-api', 'spot'],
  // wallet "Get API Key Permission" (USER_DATA, weight 1): `enableSpotAndMarginTrading`, `ipRestrict`,
  // `tradingAuthorityExpirationTime`. CCXT 4.5.84 has no testnet URL for `sapi` (`binance.js` sign()).
  keyRestrictions: { api: 'sapi', path: 'account/apiRestrictions', testnetHasIt: false },
  codes: {
    '-1003': 'rate',
    '-1015': 'rate',
    '-1021': 'clock',
    '-1006': 'unknown',
    '-1007': 'unknown',
    '-1000': 'unknown',
    '-1001': 'unknown',
    '-1008': 'rate',
    '-1002': 'auth',
    '-1022': 'auth',
    '-2014': 'auth',
    '-2015': 'auth',
    '-1013': 'invalid',
    '-1100': 'invalid',
    '-1102': 'invalid',
    '-1111': 'invalid',
    '-1121': 'invalid',
    '-2013': 'not-found',
    '-2011': 'not-found',
  },
  messages: {
    // errors.md, messages of -1013 and -2010: "The symbol is not trading." It may trade again, so
    // it is read before -1013's code, which otherwise names a lasting filter failure (CCXT's own
    // table records Binance answering {"code":-1013,"msg":"Market is closed."}).
    'Market is closed.': 'passing',
    'Duplicate order sent.': 'in-use',
    'Account has insufficient balance for requested action.': 'funds',
    'This account may not place or cancel orders.': 'auth',
    'This symbol is not permitted for this account.': 'auth',
    'Unknown order sent.': 'not-found',
  },
};

export const CCXT_VENUES: Readonly<Record<string, CcxtVenue>> = { binance: BINANCE };
