/**
 * The fake Binance's spot symbols and the `GET /api/v3/exchangeInfo` entry of each, every field
 * of the documented example (SOURCES.md), with the filters the fake enforces at placement.
 */

export interface FakeSymbol {
  /** Binance's symbol, base then quote without a separator: BTCUSDT. */
  readonly symbol: string;
  readonly baseAsset: string;
  readonly quoteAsset: string;
  /** PRICE_FILTER */
  readonly tickSize: string;
  readonly minPrice: string;
  readonly maxPrice: string;
  /** LOT_SIZE (MARKET_LOT_SIZE has the same figures here) */
  readonly stepSize: string;
  readonly minQty: string;
  readonly maxQty: string;
  /** NOTIONAL (`minNotional` applied to MARKET orders too, at the last price). */
  readonly minNotional: string;
  /** 'TRADING', or 'BREAK' / 'HALT' for a symbol that takes no orders. */
  readonly status?: string;
  /** exchangeInfo `permissionSets`; default [['SPOT']]. */
  readonly permissionSets?: readonly (readonly string[])[];
}

/** Figures as Binance lists these pairs (tick, step, notional); the limits are round numbers of ours. */
export const DEFAULT_SYMBOLS: readonly FakeSymbol[] = [
  { symbol: 'BTCUSDT', baseAsset: 'BTC', quoteAsset: 'USDT', tickSize: '0.01000000', minPrice: '0.01000000', maxPrice: '1000000.00000000', stepSize: '0.00001000', minQty: '0.00001000', maxQty: '9000.00000000', minNotional: '5.00000000' },
  { symbol: 'ETHUSDT', baseAsset: 'ETH', quoteAsset: 'USDT', tickSize: '0.01000000', minPrice: '0.01000000', maxPrice: '1000000.00000000', stepSize: '0.00010000', minQty: '0.00010000', maxQty: '9000.00000000', minNotional: '5.00000000' },
  { symbol: 'ETHBTC', baseAsset: 'ETH', quoteAsset: 'BTC', tickSize: '0.00001000', minPrice: '0.00001000', maxPrice: '922327.00000000', stepSize: '0.00010000', minQty: '0.00010000', maxQty: '100000.00000000', minNotional: '0.00010000' },
];

/** One `symbols[]` entry of exchangeInfo, field for field as the docs' example. */
export function symbolJson(s: FakeSymbol): Record<string, unknown> {
  return {
    symbol: s.symbol,
    status: s.status ?? 'TRADING',
    baseAsset: s.baseAsset,
    baseAssetPrecision: 8,
    quoteAsset: s.quoteAsset,
    quotePrecision: 8,
    quoteAssetPrecision: 8,
    baseCommissionPrecision: 8,
    quoteCommissionPrecision: 8,
    orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET', 'STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT'],
    icebergAllowed: true,
    ocoAllowed: true,
    otoAllowed: true,
    quoteOrderQtyMarketAllowed: true,
    allowTrailingStop: true,
    cancelReplaceAllowed: true,
    amendAllowed: true,
    pegInstructionsAllowed: true,
    isSpotTradingAllowed: true,
    isMarginTradingAllowed: false,
    filters: [
      { filterType: 'PRICE_FILTER', minPrice: s.minPrice, maxPrice: s.maxPrice, tickSize: s.tickSize },
      { filterType: 'LOT_SIZE', minQty: s.minQty, maxQty: s.maxQty, stepSize: s.stepSize },
      { filterType: 'MARKET_LOT_SIZE', minQty: s.minQty, maxQty: s.maxQty, stepSize: s.stepSize },
      { filterType: 'NOTIONAL', minNotional: s.minNotional, applyMinToMarket: true, maxNotional: '9000000.00000000', applyMaxToMarket: false, avgPriceMins: 5 },
    ],
    permissions: [],
    permissionSets: s.permissionSets ?? [['SPOT']],
    defaultSelfTradePreventionMode: 'EXPIRE_MAKER',
    allowedSelfTradePreventionModes: ['NONE', 'EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH', 'DECREMENT'],
  };
}

/** The documented REQUEST_WEIGHT and ORDERS limits (spot, 2025 figures). */
export const RATE_LIMITS = [
  { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 },
  { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 100 },
  { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 200000 },
  { rateLimitType: 'RAW_REQUESTS', interval: 'MINUTE', intervalNum: 5, limit: 61000 },
] as const;
