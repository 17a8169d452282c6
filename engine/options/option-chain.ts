/**
 * What an option chain is to the strategy side: contracts by underlying, expiry, strike and right,
 * whichever broker lists them (Kite's NFO/BFO instrument master now; the paper broker's simulated
 * chain later). The selection and resolution functions beside this file read these views only, so
 * they stay pure and are tested without a broker.
 */

export type OptionRight = 'CE' | 'PE';
export type ContractKind = 'FUT' | OptionRight;

/**
 * One tradable derivative contract, as a resolved leg names it.
 * @example { tradingsymbol: 'NIFTY26D2226000CE', exchange: 'NFO', token: 9_876_546, underlying: 'NIFTY', expiry: '2026-12-22', kind: 'CE', strike: 26000, lotSize: 65, tickSize: 0.05 }
 */
export interface DerivativeContract {
  readonly tradingsymbol: string;
  readonly exchange: string;
  /** The broker's handle for it (Kite's instrument_token). */
  readonly token: number;
  /** The underlying's name as the master lists it (NIFTY, BANKNIFTY, SENSEX, …). */
  readonly underlying: string;
  /** The expiry date, ISO `YYYY-MM-DD` (the exchange's date, IST). */
  readonly expiry: string;
  readonly kind: ContractKind;
  /** 0 for a future. */
  readonly strike: number;
  /** Units per lot; a leg's quantity is a whole number of lots. */
  readonly lotSize: number;
  readonly tickSize: number;
}

/** The listed strikes of one underlying and expiry, ascending and distinct, and the contract at each. */
export interface OptionLadder {
  readonly underlying: string;
  readonly expiry: string;
  readonly strikes: ArrayLike<number>;
  /** The CE or PE listed at `strikes[strikeIndex]`, or null where only the other right is listed. */
  contract(strikeIndex: number, right: OptionRight): DerivativeContract | null;
}

/** An underlying's listed expiries, as the master has them (never computed from weekdays). */
export interface ExpiryCalendar {
  readonly underlying: string;
  /** Expiries with options listed, ascending ISO dates. */
  readonly optionExpiries: readonly string[];
  /** Expiries with a future listed (the monthly series), ascending ISO dates. */
  readonly futureExpiries: readonly string[];
}

/** What a master offers the resolution functions. */
export interface OptionChain {
  calendar(underlying: string): ExpiryCalendar | null;
  ladder(underlying: string, expiry: string): OptionLadder | null;
  future(underlying: string, expiry: string): DerivativeContract | null;
}

export type ResolveErrorCode =
  /** The master lists no derivatives on that underlying. */
  | 'unknown_underlying'
  /** No listed expiry matches the rule (none left, or the date is not an expiry). */
  | 'no_expiry'
  /** A weekly rule on an underlying with monthly expiries only. */
  | 'no_weekly_series'
  /** No listed strike is near the price, or the offset runs past the listed strikes. */
  | 'no_strike'
  /** The strike is listed, but not for this right. */
  | 'no_contract'
  /** A rule that needs premiums found no usable quote. */
  | 'no_quote'
  /** The request itself is malformed (a negative premium, a NaN price). */
  | 'bad_request';

export interface ResolveError {
  readonly code: ResolveErrorCode;
  /** A sentence for the trader naming what was missing. */
  readonly message: string;
}

/** A resolution's answer: data, never a throw, so the UI can show why a leg cannot be placed. */
export type Resolved<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ResolveError };

export const resolved = <T>(value: T): Resolved<T> => ({ ok: true, value });
export const unresolved = <T = never>(code: ResolveErrorCode, message: string): Resolved<T> => ({ ok: false, error: { code, message } });
