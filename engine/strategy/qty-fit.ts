/**
 * Whether a strategy's quantity is one the instrument can be ordered in, checked when the strategy
 * is saved so the BUY is not the first to find out: a whole number where the broker takes no
 * fractions, else a whole number of the instrument's step (BTC/USDT 0.00001), at least its least
 * quantity, and worth at least its least order value at the last price. Each refusal names the figure.
 */
import { isMultipleOfStep, qtyText, qtyValue } from '../core/qty';
import { currencyPair } from '../core/currency-pair';
import type { QtyRules } from '../brokers/broker';

/**
 * What is wrong with `qty` of `symbol`, or null. `instrument` null: not resolved (an option chosen
 * at entry, an index), so only the broker's whole-number rule applies. `price` null: not known yet,
 * and the least order value is left to the broker at the entry.
 * @example qtyProblem(0.000151, 'BTC/USDT', { qtyStep: 0.00001 }, false, 60000) // "qty 0.000151 is not a multiple of BTC/USDT's step 0.00001"
 */
export function qtyProblem(qty: number, symbol: string, instrument: QtyRules | null, fractionalQty: boolean, price: number | null): string | null {
  const step = instrument?.qtyStep ?? null;
  if (step === null) return !fractionalQty && !Number.isInteger(qty) ? 'qty must be a whole number at this broker' : null;
  if (!isMultipleOfStep(qty, step)) return `qty ${qtyText(qty)} is not a multiple of ${symbol}'s step ${qtyText(step)}`;
  const minQty = instrument?.minQty ?? null;
  if (minQty !== null && qty < minQty) return `qty ${qtyText(qty)} is below ${symbol}'s least quantity ${qtyText(minQty)}`;
  const minNotional = instrument?.minNotional ?? null;
  if (minNotional === null || price === null) return null;
  const value = qtyValue(qty, price);
  if (value >= minNotional) return null;
  const pair = currencyPair(symbol);
  const quote = pair ? ` ${pair.quote}` : '';
  return `qty ${qtyText(qty)} of ${symbol} is worth ${qtyText(value)}${quote} at the last price ${qtyText(price)}, below ${symbol}'s least order value of ${qtyText(minNotional)}${quote}`;
}
