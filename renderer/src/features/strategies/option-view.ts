/**
 * How a row names an option strategy's contract (issue 19): before its BUY, the rule it will be
 * chosen by; once chosen (a few seconds before the BUY), the contract itself, what it was chosen
 * from and the quantity in lots. The row's live price follows the contract once chosen.
 */
import type { StrategyDto } from '../../lib/api-types';
import { clockTime, price } from '../../lib/format';

const EXPIRY_WORDS: Readonly<Record<string, string>> = {
  current_week: 'nearest expiry',
  next_week: 'next expiry',
  current_month: 'monthly expiry',
};

/**
 * An expiry rule in a trader's words; an exact date as itself.
 * @example expiryWords('2026-12-22') // 'expiry 2026-12-22'
 */
export function expiryWords(e: StrategyDto['option_expiry']): string {
  return EXPIRY_WORDS[e] ?? `expiry ${e}`;
}

/**
 * A position's instrument rule in a trader's words: an option's right and strike rule, or a future.
 * @example positionRuleWords({ option_right: 'CE', option_strike: 'atm+2' }) // 'CE atm+2'
 * @example positionRuleWords({ option_right: 'FUT', option_strike: 'atm' }) // 'future'
 */
export function positionRuleWords(p: { readonly option_right: string; readonly option_strike: string }): string {
  return p.option_right === 'FUT' ? 'future' : `${p.option_right} ${p.option_strike}`;
}

/**
 * @example optionLine(nifty) // 'NIFTY26D0826000CE · 2 lots × 65 = 130 · chosen 09:19:57 from 26,012.00'
 * @example optionLine(niftyArmed) // 'CE atm, nearest expiry: chosen a few seconds before the BUY'
 */
export function optionLine(s: StrategyDto): string | null {
  if (s.option_right === null) return null;
  const c = s.runtime?.contract;
  if (!c) return `${s.option_right} ${s.option_strike}, ${expiryWords(s.option_expiry)}: chosen a few seconds before the BUY`;
  return `${c.symbol} · ${c.lots} ${c.lots === 1 ? 'lot' : 'lots'} × ${c.lot_size} = ${c.qty} · chosen ${clockTime(c.chosen_at)} from ${price(c.spot)}`;
}

/** What the row's live price is of: the chosen contract, else the strategy's symbol. */
export function pricedInstrument(s: StrategyDto): { readonly exchange: string; readonly symbol: string } {
  const c = s.runtime?.contract;
  return c ? { exchange: c.exchange, symbol: c.symbol } : { exchange: s.exchange, symbol: s.symbol };
}
