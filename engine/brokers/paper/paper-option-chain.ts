/**
 * The paper broker's index option chain (issue 19): NIFTY, BANKNIFTY, FINNIFTY and SENSEX
 * options and futures, listed and priced by simulation so a strategy can choose a strike and trade
 * it end to end without an account.
 *
 * What is simulated, and so differs from the exchange:
 * - Expiries are generated from weekday rules (NSE's Tuesday, BSE's Thursday; the monthly is the
 *   month's last one), with no holiday moving them: the real lists come from the exchange (Kite's
 *   master), never from weekdays.
 * - Strikes are listed at every multiple of the step; the ladder a strike is chosen from spans
 *   LADDER_STEPS steps either side of the index now.
 * - Every option is named in Kite's weekly form (NIFTY26D0826000CE: year, month 1–9/O/N/D, day,
 *   strike, right), monthlies too, so a name says its expiry; futures in the monthly form (NIFTY26DECFUT).
 * - Premiums are Black-Scholes prices from the simulated index (volatility a paper option, rate
 *   0), with the time to 15:30 IST on the expiry date; a future is priced at the index.
 * Steps and lot sizes are the exchanges' (the same facts as the Kite fake's chain and its SOURCES.md).
 */
import { DateTime } from 'luxon';
import type { Exchange } from '../../core/types';
import { blackScholes } from '../../options/black-scholes';
import { INDEX_LISTINGS, INDEX_UNDERLYINGS, type IndexUnderlying } from '../../core/index-underlyings';
import type { DerivativeContract, ExpiryCalendar, OptionChain, OptionLadder, OptionRight } from '../../options/option-chain';
import { parseOptionSymbol, weeklyOptionSymbol } from '../../options/option-symbol';
import { roundToTick } from './paper-price';

interface PaperUnderlying {
  readonly step: number;
  readonly lotSize: number;
  /** Lists weekly expiries; else monthly only. */
  readonly weekly: boolean;
  /** Expiry weekday, luxon's 1 Monday … 7 Sunday. */
  readonly weekday: number;
  /** Where the simulated index starts, unless the account's startPrices say otherwise. */
  readonly level: number;
}

export const PAPER_UNDERLYINGS: Readonly<Record<IndexUnderlying, PaperUnderlying>> = {
  NIFTY: { step: 50, lotSize: 65, weekly: true, weekday: 2, level: 26_000 },
  BANKNIFTY: { step: 100, lotSize: 30, weekly: false, weekday: 2, level: 59_000 },
  FINNIFTY: { step: 50, lotSize: 60, weekly: false, weekday: 2, level: 27_500 },
  SENSEX: { step: 100, lotSize: 20, weekly: true, weekday: 4, level: 85_000 },
};

export const PAPER_OPTION_TICK = 0.05;
const LADDER_STEPS = 40;
const WEEKLIES = 4;
const MONTHLIES = 3;
const IST = 'Asia/Kolkata';
const YEAR_MS = 365 * 86_400_000;
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const FUTURE_SYMBOL = /^(NIFTY|BANKNIFTY|FINNIFTY|SENSEX)(\d{2})(JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)FUT$/;

/** The index default start prices, "EXCHANGE:SYMBOL" → level, for the paper market. */
export const PAPER_INDEX_LEVELS: Readonly<Record<string, number>> = Object.fromEntries(
  INDEX_UNDERLYINGS.map((u) => [`${INDEX_LISTINGS[u].spot.exchange}:${INDEX_LISTINGS[u].spot.symbol}`, PAPER_UNDERLYINGS[u].level]),
);

export interface PaperChainDeps {
  readonly now: () => number;
  /** The simulated price of an instrument now. */
  readonly priceOf: (exchange: Exchange, symbol: string) => number;
  /** Annualised volatility of every option's price. */
  readonly volatility: number;
}

export class PaperOptionChain implements OptionChain {
  constructor(private readonly deps: PaperChainDeps) {}

  calendar(underlying: string): ExpiryCalendar | null {
    const u = factsOf(underlying);
    if (!u) return null;
    const today = this.today();
    const monthly = monthlyExpiries(u, today);
    const weekly = u.weekly ? weeklyExpiries(u, today) : [];
    return { underlying, optionExpiries: [...new Set([...weekly, ...monthly])].sort(), futureExpiries: monthly };
  }

  ladder(underlying: string, expiry: string): OptionLadder | null {
    const u = factsOf(underlying);
    if (!u || !this.calendar(underlying)!.optionExpiries.includes(expiry)) return null;
    const atm = Math.round(this.spotOf(underlying as IndexUnderlying) / u.step) * u.step;
    const strikes: number[] = [];
    for (let k = -LADDER_STEPS; k <= LADDER_STEPS; k++) if (atm + k * u.step > 0) strikes.push(atm + k * u.step);
    return { underlying, expiry, strikes, contract: (i, right) => (strikes[i] === undefined ? null : optionContract(underlying as IndexUnderlying, expiry, strikes[i]!, right)) };
  }

  future(underlying: string, expiry: string): DerivativeContract | null {
    const u = factsOf(underlying);
    if (!u || !this.calendar(underlying)!.futureExpiries.includes(expiry)) return null;
    return futureContract(underlying as IndexUnderlying, expiry);
  }

  /**
   * The contract this paper tradingsymbol names on `exchange`, when it is listed today.
   * @example chain.bySymbol('NIFTY26D0826000CE', 'NFO')?.lotSize // 65
   */
  bySymbol(symbol: string, exchange: Exchange): DerivativeContract | null {
    const contract = this.named(symbol, exchange);
    if (!contract) return null;
    const calendar = this.calendar(contract.underlying)!;
    const listed = contract.kind === 'FUT' ? calendar.futureExpiries : calendar.optionExpiries;
    return listed.includes(contract.expiry) ? contract : null;
  }

  /** The contract a paper tradingsymbol names on `exchange`, listed today or not (one bought before its expiry is still priced after). */
  named(symbol: string, exchange: Exchange): DerivativeContract | null {
    const contract = parseSymbol(symbol);
    return contract && contract.exchange === exchange ? contract : null;
  }

  /**
   * The contract's price now, on its tick: Black-Scholes from the index for an option (its value
   * at expiry once 15:30 IST of its expiry date has passed), the index for a future.
   */
  premium(contract: DerivativeContract): number {
    const spot = this.spotOf(contract.underlying as IndexUnderlying);
    if (contract.kind === 'FUT') return roundToTick(spot, contract.tickSize);
    const years = (expiryClose(contract.expiry) - this.deps.now()) / YEAR_MS;
    const value = blackScholes({ right: contract.kind, spot, strike: contract.strike, years, volatility: this.deps.volatility, rate: 0 });
    return roundToTick(value, contract.tickSize);
  }

  /** Where the index of `underlying` is quoted: the instrument an option's price follows. */
  spotListing(underlying: string): { readonly exchange: Exchange; readonly symbol: string } | null {
    return factsOf(underlying) ? INDEX_LISTINGS[underlying as IndexUnderlying].spot : null;
  }

  private spotOf(underlying: IndexUnderlying): number {
    const { exchange, symbol } = INDEX_LISTINGS[underlying].spot;
    return this.deps.priceOf(exchange, symbol);
  }

  private today(): string {
    return DateTime.fromMillis(this.deps.now(), { zone: IST }).toISODate()!;
  }
}

function factsOf(underlying: string): PaperUnderlying | null {
  return (INDEX_UNDERLYINGS as readonly string[]).includes(underlying) ? PAPER_UNDERLYINGS[underlying as IndexUnderlying] : null;
}

/**
 * A paper tradingsymbol read back into its contract (listed or not), or null when it is not one.
 * @example parseSymbol('SENSEX26D1785000PE') // { underlying: 'SENSEX', exchange: 'BFO', expiry: '2026-12-17', strike: 85000, kind: 'PE', lotSize: 20, … }
 */
export function parseSymbol(symbol: string): DerivativeContract | null {
  const option = parseOptionSymbol(symbol);
  if (option) {
    const u = factsOf(option.underlying);
    if (!u || option.expiry.kind !== 'date' || option.strike % u.step !== 0) return null;
    return optionContract(option.underlying as IndexUnderlying, option.expiry.date, option.strike, option.right);
  }
  const future = FUTURE_SYMBOL.exec(symbol);
  if (future) {
    const [, name, yy, mon] = future;
    const u = PAPER_UNDERLYINGS[name as IndexUnderlying];
    return futureContract(name as IndexUnderlying, lastWeekdayOfMonth(u.weekday, 2000 + Number(yy), MONTHS.indexOf(mon!) + 1));
  }
  return null;
}

function optionContract(underlying: IndexUnderlying, expiry: string, strike: number, right: OptionRight): DerivativeContract {
  return contractOf(underlying, weeklyOptionSymbol(underlying, expiry, strike, right), expiry, right, strike);
}

function futureContract(underlying: IndexUnderlying, expiry: string): DerivativeContract {
  const d = DateTime.fromISO(expiry, { zone: IST });
  return contractOf(underlying, `${underlying}${d.toFormat('yy')}${MONTHS[d.month - 1]}FUT`, expiry, 'FUT', 0);
}

function contractOf(underlying: IndexUnderlying, tradingsymbol: string, expiry: string, kind: DerivativeContract['kind'], strike: number): DerivativeContract {
  return {
    tradingsymbol,
    exchange: INDEX_LISTINGS[underlying].derivatives,
    // A paper contract has no broker token; a stable number from its name stands in for one.
    token: tokenOf(tradingsymbol),
    underlying,
    expiry,
    kind,
    strike,
    lotSize: PAPER_UNDERLYINGS[underlying].lotSize,
    tickSize: PAPER_OPTION_TICK,
  };
}

function tokenOf(text: string): number {
  let h = 2_166_136_261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16_777_619) >>> 0;
  return h;
}

/** 15:30 IST on the expiry date, when the contract stops trading. */
function expiryClose(expiry: string): number {
  return DateTime.fromISO(`${expiry}T15:30:00`, { zone: IST }).toMillis();
}

function weeklyExpiries(u: PaperUnderlying, today: string): string[] {
  const start = DateTime.fromISO(today, { zone: IST });
  const first = start.plus({ days: (u.weekday - start.weekday + 7) % 7 });
  return Array.from({ length: WEEKLIES }, (_, i) => first.plus({ weeks: i }).toISODate()!);
}

function monthlyExpiries(u: PaperUnderlying, today: string): string[] {
  const start = DateTime.fromISO(today, { zone: IST });
  const out: string[] = [];
  for (let m = 0; out.length < MONTHLIES; m++) {
    const month = start.startOf('month').plus({ months: m });
    const last = lastWeekdayOfMonth(u.weekday, month.year, month.month);
    if (last >= today) out.push(last);
  }
  return out;
}

function lastWeekdayOfMonth(weekday: number, year: number, month: number): string {
  const end = DateTime.fromObject({ year, month }, { zone: IST }).endOf('month').startOf('day');
  return end.minus({ days: (end.weekday - weekday + 7) % 7 }).toISODate()!;
}
