/**
 * Whether a level about to be saved has already been reached by the instrument's last price. A
 * long's (side 'buy') stop-loss at or above it would sell at the first tick, and a target at or
 * below it would sell at once too; for a sell-first strategy (a short, side 'sell') the stop-loss
 * sits above the price and the target below, so the warnings are the other way round (a stop at or
 * below the last price, a target at or above it). The engine skips such a run at BUY time if the
 * price is still there; the form asks the trader before saving one rather than let that happen
 * unseen. Only a level given as a price compares: one in points or percent is a distance from the
 * entry fill, which is never reached yet.
 */
import type { QuoteDto, StrategyDto } from '../../lib/api-types';

export interface LevelWarning {
  readonly level: 'stop' | 'target';
  /** The strategy's side, as chosen in the form. */
  readonly side: StrategyDto['side'];
  /** Where the level is from the last price: the reason to ask. */
  readonly relation: 'at or above' | 'at or below';
  readonly symbol: string;
  readonly exchange: string;
  /** The level as typed, a price. */
  readonly value: number;
  readonly price: number;
}

const PRICE_TEXT = /^\d+(\.\d+)?$/;

function reached(level: LevelWarning['level'], text: string, mode: string, quote: QuoteDto | null, side: StrategyDto['side']): LevelWarning | null {
  if (mode !== 'price' || !quote?.known || quote.price === null) return null;
  const t = text.trim();
  if (!PRICE_TEXT.test(t)) return null;
  const value = Number(t);
  // A long's stop is reached from below (the price falls to it), a short's from above; a target the other way.
  const relation = (level === 'stop') === (side === 'buy') ? 'at or above' : 'at or below';
  const hit = relation === 'at or above' ? value >= quote.price : value <= quote.price;
  return hit ? { level, side, relation, symbol: quote.symbol, exchange: quote.exchange, value, price: quote.price } : null;
}

/**
 * The warning about the stop-loss, or null when there is nothing to ask: a stop-loss on the safe
 * side of the price, in points or percent, no price yet, a symbol the broker does not list, or a
 * stop-loss that is not a number (the engine names that error).
 *
 * @example stopReached('190', 'price', { symbol: 'AAPL', exchange: 'NASDAQ', known: true, price: 187.5, at: 1 }, 'buy')
 *   // { level: 'stop', side: 'buy', relation: 'at or above', symbol: 'AAPL', exchange: 'NASDAQ', value: 190, price: 187.5 }
 */
export const stopReached = (stopText: string, mode: string, quote: QuoteDto | null, side: StrategyDto['side']): LevelWarning | null =>
  reached('stop', stopText, mode, quote, side);

/**
 * The warning about a price target already reached (a long's at or below the last price, a
 * short's at or above it), or null as for the stop-loss (an empty target, none, is nothing to ask).
 *
 * @example targetReached('185', 'price', { symbol: 'AAPL', exchange: 'NASDAQ', known: true, price: 187.5, at: 1 }, 'buy')
 *   // { level: 'target', side: 'buy', relation: 'at or below', symbol: 'AAPL', exchange: 'NASDAQ', value: 185, price: 187.5 }
 */
export const targetReached = (targetText: string, mode: string, quote: QuoteDto | null, side: StrategyDto['side']): LevelWarning | null =>
  reached('target', targetText, mode, quote, side);
