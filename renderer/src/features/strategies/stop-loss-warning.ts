/**
 * Whether a level about to be saved has already been reached by the instrument's last price: a
 * stop-loss at or above it would sell at the first tick, a target at or below it would sell at
 * once too. The engine skips such a run at BUY time if the price is still there; the form asks
 * the trader before saving one rather than let that happen unseen. Only a level given as a price
 * compares: one in points or percent is a distance from the entry fill, which is never reached yet.
 */
import type { QuoteDto } from '../../lib/api-types';

export interface LevelWarning {
  readonly level: 'stop' | 'target';
  readonly symbol: string;
  readonly exchange: string;
  /** The level as typed, a price. */
  readonly value: number;
  readonly price: number;
}

const PRICE_TEXT = /^\d+(\.\d+)?$/;

function reached(level: LevelWarning['level'], text: string, mode: string, quote: QuoteDto | null): LevelWarning | null {
  if (mode !== 'price' || !quote?.known || quote.price === null) return null;
  const t = text.trim();
  if (!PRICE_TEXT.test(t)) return null;
  const value = Number(t);
  const hit = level === 'stop' ? value >= quote.price : value <= quote.price;
  return hit ? { level, symbol: quote.symbol, exchange: quote.exchange, value, price: quote.price } : null;
}

/**
 * The warning about the stop-loss, or null when there is nothing to ask: a stop-loss in points or
 * percent, no price yet, a symbol the broker does not list, or a stop-loss that is not a number
 * (the engine names that error).
 *
 * @example stopAtOrAbove('190', 'price', { symbol: 'AAPL', exchange: 'NASDAQ', known: true, price: 187.5, at: 1 })
 *   // { level: 'stop', symbol: 'AAPL', exchange: 'NASDAQ', value: 190, price: 187.5 }
 */
export const stopAtOrAbove = (stopText: string, mode: string, quote: QuoteDto | null): LevelWarning | null => reached('stop', stopText, mode, quote);

/**
 * The warning about a price target at or below the last price, or null as for the stop-loss (an
 * empty target, none, is nothing to ask).
 *
 * @example targetAtOrBelow('185', 'price', { symbol: 'AAPL', exchange: 'NASDAQ', known: true, price: 187.5, at: 1 })
 *   // { level: 'target', symbol: 'AAPL', exchange: 'NASDAQ', value: 185, price: 187.5 }
 */
export const targetAtOrBelow = (targetText: string, mode: string, quote: QuoteDto | null): LevelWarning | null => reached('target', targetText, mode, quote);
