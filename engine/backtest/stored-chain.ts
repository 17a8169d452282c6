/**
 * The option chain a backtest day has: the contracts of an index whose own 1-minute bars the store
 * holds on that day (imported under Kite's tradingsymbols on NFO or BFO), read as the live
 * engine's OptionChain so the same pure selection (options/resolve-leg-contract.ts) chooses from
 * it. Each contract's expiry and strike come from its name (options/option-symbol.ts); a monthly
 * name (NIFTY26DEC24000CE) carries its month only, so its expiry is the date of its last bar
 * stored in that month (import a contract's bars through its expiry day; one whose last bar lies
 * outside its month is left out). Kite names a month's monthly expiry in the monthly form and no
 * other, so the monthly names' expiries are the calendar's monthly ones (what expiry-select.ts
 * reads from the futures listed; futures themselves are not read here), and a month whose
 * contracts that day are all weekly names gets its last day as a stand-in: no option expires on
 * it, so it is never chosen, and the weeklies are not taken for the month's monthly (on a weekly's
 * expiry day the store may hold that week's contracts alone). The lot size is the backtest's input (index-underlyings.ts
 * keeps none: the exchange changes it over the years a backtest spans).
 */
import { DateTime } from 'luxon';
import type { HistoricalBarsRepo } from '../../db/repos/historical-bars';
import type { IndexListing } from '../core/index-underlyings';
import type { DerivativeContract, ExpiryCalendar, OptionChain, OptionLadder } from '../options/option-chain';
import { parseOptionSymbol } from '../options/option-symbol';
import { instantOf } from '../scheduler/trigger-times';
import type { CivilDate } from '../scheduler/civil-date';

const IST = 'Asia/Kolkata';

export type BarStore = Pick<HistoricalBarsRepo, 'symbols' | 'list' | 'coverage'>;

export interface StoredChainOptions {
  readonly underlying: string;
  readonly listing: IndexListing;
  readonly lotSize: number;
  readonly tickSize: number;
  /** Monthly names' expiries already read, by symbol (null: left out), shared by a backtest's days. */
  readonly monthlyExpiries: Map<string, string | null>;
}

/**
 * The chain of `underlying` on `date` (IST): its contracts with a bar that day.
 * @example storedChain(repos.historicalBars, '2026-12-07', { underlying: 'NIFTY', listing: INDEX_LISTINGS.NIFTY, lotSize: 65, tickSize: 0.05, monthlyExpiries: new Map() }).calendar('NIFTY')
 */
export function storedChain(store: BarStore, date: CivilDate, options: StoredChainOptions): OptionChain {
  const { underlying, listing } = options;
  const exchange = listing.derivatives;
  const contracts: DerivativeContract[] = [];
  const monthlies = new Set<string>();
  for (const symbol of store.symbols(exchange, instantOf(date, '00:00:00', IST), instantOf(date, '23:59:59', IST) + 1000)) {
    const named = parseOptionSymbol(symbol);
    if (!named || named.underlying !== underlying) continue;
    const expiry = named.expiry.kind === 'date' ? named.expiry.date : monthlyExpiry(store, exchange, symbol, named.expiry.month, options.monthlyExpiries);
    if (expiry === null || expiry < date) continue;
    if (named.expiry.kind === 'month') monthlies.add(expiry);
    contracts.push({ tradingsymbol: symbol, exchange, token: 0, underlying, expiry, kind: named.right, strike: named.strike, lotSize: options.lotSize, tickSize: options.tickSize });
  }
  const expiries = [...new Set(contracts.map((c) => c.expiry))].sort();
  const monthlyMonths = new Set([...monthlies].map((e) => e.slice(0, 7)));
  const standIns = [...new Set(expiries.map((e) => e.slice(0, 7)))].filter((m) => !monthlyMonths.has(m)).map((m) => DateTime.fromISO(`${m}-01`, { zone: IST }).endOf('month').toISODate()!);
  const futureExpiries = [...monthlies, ...standIns].sort();
  return {
    calendar: (u): ExpiryCalendar | null => (u === underlying && expiries.length > 0 ? { underlying, optionExpiries: expiries, futureExpiries } : null),
    ladder: (u, expiry): OptionLadder | null => {
      if (u !== underlying) return null;
      const listed = contracts.filter((c) => c.expiry === expiry);
      if (listed.length === 0) return null;
      const strikes = [...new Set(listed.map((c) => c.strike))].sort((a, b) => a - b);
      return { underlying, expiry, strikes, contract: (i, right) => listed.find((c) => c.strike === strikes[i] && c.kind === right) ?? null };
    },
    future: () => null,
  };
}

/** A monthly name's expiry: the IST date of its last stored bar, when that is in its month. */
function monthlyExpiry(store: BarStore, exchange: string, symbol: string, month: string, known: Map<string, string | null>): string | null {
  if (!known.has(symbol)) {
    const last = store.coverage(exchange, symbol)?.last;
    const date = last === undefined ? null : DateTime.fromMillis(last, { zone: IST }).toISODate()!;
    known.set(symbol, date !== null && date.startsWith(month) ? date : null);
  }
  return known.get(symbol)!;
}
