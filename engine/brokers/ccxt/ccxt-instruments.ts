/**
 * Instruments from CCXT's markets (`loadMarkets`, one request, cached by CCXT): a spot pair such
 * as `BTC/USDT` on the CRYPTO exchange, with the venue's tick, quantity step, least quantity and
 * least order value (Binance: PRICE_FILTER tickSize, LOT_SIZE stepSize / minQty, NOTIONAL
 * minNotional, read by CCXT at `binance.js:3929-3960` in its TICK_SIZE precision mode).
 */
import type { Exchange as CcxtExchange, Market } from 'ccxt';
import type { Exchange } from '../../core/types';
import type { BrokerInstruments, Instrument } from '../broker';

/** The exchange every CCXT pair is listed under in Tradeclock. */
export const CCXT_EXCHANGE: Exchange = 'CRYPTO';

const positive = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : null);

/**
 * The instrument of a spot market, or null where the market is not a spot pair trading now or
 * states no tick or step (nothing could be quantised to it).
 * @example instrumentOf(markets['BTC/USDT']) // { symbol: 'BTC/USDT', brokerRef: 'BTCUSDT', tickSize: 0.01, qtyStep: 0.00001, minQty: 0.00001, minNotional: 5, … }
 */
export function instrumentOf(market: Market): Instrument | null {
  if (!market || market.spot !== true || market.active === false || !market.symbol || !market.id) return null;
  const tickSize = positive(market.precision?.price);
  const qtyStep = positive(market.precision?.amount);
  if (tickSize === null || qtyStep === null) return null;
  return {
    symbol: market.symbol,
    exchange: CCXT_EXCHANGE,
    brokerRef: market.id,
    tickSize,
    shortable: false,
    qtyStep,
    minQty: positive(market.limits?.amount?.min),
    minNotional: positive(market.limits?.cost?.min),
  };
}

export class CcxtInstruments implements BrokerInstruments {
  constructor(private readonly markets: () => Promise<CcxtExchange>) {}

  /** `BTC/USDT` (CCXT's unified symbol) or the venue's own id (`BTCUSDT`), on CRYPTO only. */
  async resolve(symbol: string, exchange: Exchange): Promise<Instrument | null> {
    if (exchange !== CCXT_EXCHANGE) return null;
    const ex = await this.markets();
    const wanted = symbol.trim().toUpperCase();
    const market = ex.markets?.[wanted] ?? ex.markets_by_id?.[wanted]?.[0];
    return market ? instrumentOf(market) : null;
  }
}
