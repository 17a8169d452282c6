/**
 * A crypto pair's two currencies, read from its symbol: CCXT's unified spot symbol is always
 * BASE/QUOTE (BTC/USDT buys and sells BTC, priced in USDT), so the symbol is where every venue
 * Tradeclock trades in fractions states them. A symbol without a `/` (AAPL, or the paper broker's
 * whole-unit BTCUSD) names no pair.
 */

/** The currency bought and sold (`base`) and the one it is priced in (`quote`). */
export interface CurrencyPair {
  readonly base: string;
  readonly quote: string;
}

/**
 * The pair a symbol names, or null when it names none.
 * @example currencyPair('BTC/USDT') // { base: 'BTC', quote: 'USDT' }; currencyPair('AAPL') // null
 */
export function currencyPair(symbol: string): CurrencyPair | null {
  const parts = symbol.split('/');
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '') return null;
  return { base: parts[0]!, quote: parts[1]! };
}
