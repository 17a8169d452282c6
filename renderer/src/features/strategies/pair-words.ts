/**
 * A crypto pair's quantity in the words a trader reads: the amount in the base currency, and the
 * currency it is priced in ("0.00150 BTC, priced in USDT"); and, in the form, what the pair
 * accepts as a quantity (its step, least quantity and least order value). Anything that is not a
 * pair reads as it always did.
 */
import type { InstrumentFactsDto } from '../../lib/api-types';
import { qty } from '../../lib/format';

/**
 * A quantity of an instrument, with the pair's currencies when it is one.
 * @example pairQty(0.0015, { base: 'BTC', quote: 'USDT', qty_step: 0.00001 }) // '0.00150 BTC, priced in USDT'
 * @example pairQty(10, { base: null, quote: null, qty_step: null }) // '10'
 */
export function pairQty(n: number, facts: Pick<InstrumentFactsDto, 'base' | 'quote' | 'qty_step'>): string {
  const amount = qty(n, facts.qty_step);
  return facts.base !== null && facts.quote !== null ? `${amount} ${facts.base}, priced in ${facts.quote}` : amount;
}

/**
 * What `symbol` accepts as a quantity, or null when it states nothing (whole units).
 * @example qtyRulesWords('BTC/USDT', { base: 'BTC', quote: 'USDT', qty_step: 0.00001, min_qty: 0.00001, min_notional: 5 })
 *   // 'BTC/USDT: in steps of 0.00001 BTC, least quantity 0.00001 BTC, least order value 5 USDT'
 */
export function qtyRulesWords(symbol: string, facts: InstrumentFactsDto): string | null {
  const unit = facts.base === null ? '' : ` ${facts.base}`;
  const parts = [
    facts.qty_step !== null && `in steps of ${qty(facts.qty_step, facts.qty_step)}${unit}`,
    facts.min_qty !== null && `least quantity ${qty(facts.min_qty, facts.qty_step)}${unit}`,
    facts.min_notional !== null && `least order value ${qty(facts.min_notional)}${facts.quote === null ? '' : ` ${facts.quote}`}`,
  ].filter((p): p is string => p !== false);
  return parts.length === 0 ? null : `${symbol}: ${parts.join(', ')}`;
}
