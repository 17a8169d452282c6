/**
 * Options of the fake Alpaca server, with defaults that make a test short: one account, a few
 * US stocks (and a non-tradable and an inactive one), prices at 100, instant fills.
 */

/** How the fake's order desk treats an order after accepting it. */
export type OrderBehavior =
  /** new → fill (the default). */
  | 'fill'
  /** new → partial_fill (half) → fill. */
  | 'partial'
  /** new → partial_fill (half) → canceled. */
  | 'partial-then-cancel'
  /** rejected after acceptance (the trade_updates `rejected` event). */
  | 'reject'
  /** new, then nothing until `fillOrder` or a cancel. */
  | 'hold';

export interface FakeAccountSpec {
  readonly keyId: string;
  readonly secretKey: string;
  /** Cash = buying power; default 100 000. */
  readonly cash?: number;
  /** Market-data feeds the plan includes; default all (a missing one answers 409). */
  readonly feeds?: readonly string[];
  /** trading_blocked/account_blocked; default false. */
  readonly blocked?: boolean;
  /** `daytrade_count` (§1.3): day trades in the last 5 business days; default 0. */
  readonly dayTradeCount?: number;
  /** `pattern_day_trader` (§1.3); default false. */
  readonly patternDayTrader?: boolean;
}

export interface FakeAssetSpec {
  readonly symbol: string;
  readonly exchange?: string;
  readonly tradable?: boolean;
  readonly status?: 'active' | 'inactive';
  readonly class?: string;
  readonly name?: string;
  /** asset-v2.yaml `shortable`; default: as `tradable`. */
  readonly shortable?: boolean;
  /** asset-v2.yaml `easy_to_borrow` (hard to borrow when false); default: as `shortable`. */
  readonly easyToBorrow?: boolean;
}

export interface FakeAlpacaOptions {
  /** Bind address; always loopback. Port 0 (default) picks a free one. */
  readonly port?: number;
  readonly accounts?: readonly FakeAccountSpec[];
  readonly assets?: readonly FakeAssetSpec[];
  /** Start prices by symbol; default 100. */
  readonly prices?: Readonly<Record<string, number>>;
  /** Time for the fake's timestamps and rate-limit windows (a test's FakeClock); default Date.now. */
  readonly now?: () => number;
  /** Real milliseconds from acceptance to the order's first event; default 0. */
  readonly fillDelayMs?: number;
  readonly behavior?: OrderBehavior;
  /** Send qty, filled_qty and filled_avg_price as JSON numbers, not strings (alpaca-py accepts both); default false. */
  readonly numbers?: boolean;
  /** The paper host sends trade_updates as binary frames (PROTOCOLS.md §6.1); default true. */
  readonly binaryTradeFrames?: boolean;
  /** IEX plan: 30 symbols for trades + quotes (§1.10). */
  readonly symbolLimit?: number;
  /** Real ms a data-stream client has to authenticate (§1.10: 10 s). */
  readonly authTimeoutMs?: number;
  /** Requests per minute per key before 429 (§1.9: 200); 0 turns the limit off. */
  readonly rateLimit?: number;
  /** The most bars one page of GET /v2/stocks/{symbol}/bars holds, below the `limit` asked (Alpaca may answer fewer); default 10 000. */
  readonly barsPageMax?: number;
  /** The most trades one page of GET /v2/stocks/trades holds, below the `limit` asked; default 10 000. */
  readonly tradesPageMax?: number;
  /** How far the fake's clock (the HTTP `Date` header of every REST reply) is from `now`, in ms; default 0. */
  readonly clockSkewMs?: number;
}

export const DEFAULT_ACCOUNT: FakeAccountSpec = { keyId: 'PKFAKE0000000000000A', secretKey: 'fake-secret-0000000000000000000000000000A' };

export const DEFAULT_ASSETS: readonly FakeAssetSpec[] = [
  { symbol: 'AAPL', exchange: 'NASDAQ', name: 'Apple Inc. Common Stock' },
  { symbol: 'MSFT', exchange: 'NASDAQ', name: 'Microsoft Corporation Common Stock' },
  { symbol: 'IBM', exchange: 'NYSE', name: 'International Business Machines Corporation Common Stock' },
  { symbol: 'SPY', exchange: 'ARCA', name: 'SPDR S&P 500 ETF Trust' },
  { symbol: 'BRK.B', exchange: 'NYSE', name: 'Berkshire Hathaway Inc. Class B' },
  { symbol: 'NOTRD', exchange: 'NYSE', tradable: false, name: 'Data-only listing' },
  { symbol: 'GONE', exchange: 'NASDAQ', status: 'inactive', tradable: false, name: 'Delisted Corp' },
];
