/**
 * Whether a stop-loss about to be saved is at or above the instrument's last price. Such a stop
 * would sell at the first tick, so the engine skips the run at BUY time if the price is still
 * there; the form asks the trader before saving one rather than let that happen unseen.
 */
import type { QuoteDto } from '../../lib/api-types';

export interface StopWarning {
  readonly symbol: string;
  readonly exchange: string;
  readonly stopLoss: number;
  readonly price: number;
}

/**
 * The warning to show, or null when there is nothing to ask: a stop-loss in points or percent
 * (a distance below the entry fill, not a price: it cannot be above the price), no price yet, a
 * symbol the broker does not list, or a stop-loss that is not a number (the engine names that error).
 *
 * @example stopAtOrAbove('190', 'price', { symbol: 'AAPL', exchange: 'NASDAQ', known: true, price: 187.5, at: 1 })
 *   // { symbol: 'AAPL', exchange: 'NASDAQ', stopLoss: 190, price: 187.5 }
 */
export function stopAtOrAbove(stopText: string, mode: string, quote: QuoteDto | null): StopWarning | null {
  if (mode !== 'price' || !quote?.known || quote.price === null) return null;
  const t = stopText.trim();
  if (!/^\d+(\.\d+)?$/.test(t)) return null;
  const stopLoss = Number(t);
  return stopLoss >= quote.price ? { symbol: quote.symbol, exchange: quote.exchange, stopLoss, price: quote.price } : null;
}
