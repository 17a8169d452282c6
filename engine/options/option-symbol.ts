/**
 * An index option's name as Kite lists it, read back into what it says. Two forms:
 * - weekly: NIFTY26D0826000CE — underlying, year (yy), month (1–9, O, N, D), day, strike, right;
 *   the name carries its expiry date.
 * - monthly: NIFTY26DEC26000CE — underlying, year, month (JAN … DEC), strike, right; the name
 *   carries the month only (the expiry is that month's monthly, whose date the listing knows).
 * Kite names a series' monthly expiry in the monthly form and the other expiries in the weekly form
 * (the NFO/BFO instruments dump). The paper broker names every option in the weekly form.
 */
import { DateTime } from 'luxon';
import type { OptionRight } from './option-chain';

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const MONTH_CODES = '123456789OND';
const WEEKLY = /^([A-Z]+?)(\d{2})([1-9OND])(\d{2})(\d{1,6})(CE|PE)$/;
const MONTHLY = /^([A-Z]+?)(\d{2})(JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)(\d{1,6})(CE|PE)$/;

export interface OptionSymbol {
  readonly underlying: string;
  readonly right: OptionRight;
  readonly strike: number;
  /** The weekly form's expiry date (ISO), or the monthly form's month (`YYYY-MM`): its date is the listing's. */
  readonly expiry: { readonly kind: 'date'; readonly date: string } | { readonly kind: 'month'; readonly month: string };
}

/**
 * @example parseOptionSymbol('NIFTY26D0826000CE') // { underlying: 'NIFTY', right: 'CE', strike: 26000, expiry: { kind: 'date', date: '2026-12-08' } }
 * @example parseOptionSymbol('NIFTY26DEC24000PE') // { underlying: 'NIFTY', right: 'PE', strike: 24000, expiry: { kind: 'month', month: '2026-12' } }
 */
export function parseOptionSymbol(symbol: string): OptionSymbol | null {
  const weekly = WEEKLY.exec(symbol);
  if (weekly) {
    const [, underlying, yy, m, dd, strikeText, right] = weekly;
    const date = DateTime.fromObject({ year: 2000 + Number(yy), month: MONTH_CODES.indexOf(m!) + 1, day: Number(dd) }, { zone: 'UTC' });
    const strike = Number(strikeText);
    if (!date.isValid || !wholeStrike(strike, strikeText!)) return null;
    return { underlying: underlying!, right: right as OptionRight, strike, expiry: { kind: 'date', date: date.toISODate()! } };
  }
  const monthly = MONTHLY.exec(symbol);
  if (monthly) {
    const [, underlying, yy, mon, strikeText, right] = monthly;
    const strike = Number(strikeText);
    if (!wholeStrike(strike, strikeText!)) return null;
    return { underlying: underlying!, right: right as OptionRight, strike, expiry: { kind: 'month', month: `20${yy}-${String(MONTHS.indexOf(mon!) + 1).padStart(2, '0')}` } };
  }
  return null;
}

/**
 * The weekly-form name of an option expiring on `expiry` (ISO date).
 * @example weeklyOptionSymbol('SENSEX', '2026-12-17', 85000, 'PE') // 'SENSEX26D1785000PE'
 */
export function weeklyOptionSymbol(underlying: string, expiry: string, strike: number, right: OptionRight): string {
  const d = DateTime.fromISO(expiry, { zone: 'UTC' });
  return `${underlying}${d.toFormat('yy')}${MONTH_CODES[d.month - 1]}${d.toFormat('dd')}${strike}${right}`;
}

/** A strike written as Kite writes it: a positive whole number without leading zeros. */
function wholeStrike(strike: number, text: string): boolean {
  return strike > 0 && String(strike) === text;
}
