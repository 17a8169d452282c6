/**
 * Option chains built in memory for the resolution tests: a ladder from a list of strikes (with
 * the rights listed at each) and a chain from ladders and futures. Contract fields follow Kite's
 * NFO layout; tokens and symbols are made up.
 */
import type { DerivativeContract, ExpiryCalendar, OptionChain, OptionLadder, OptionRight } from '../../engine/options/option-chain';

export interface LadderSpec {
  readonly underlying?: string;
  readonly expiry?: string;
  readonly strikes: readonly number[];
  /** Rights missing at a strike (by strike value); both are listed elsewhere. */
  readonly missing?: ReadonlyArray<readonly [number, OptionRight]>;
  readonly lotSize?: number;
}

export function contractOf(underlying: string, expiry: string, kind: DerivativeContract['kind'], strike: number, lotSize = 65): DerivativeContract {
  const tag = expiry.replaceAll('-', '');
  return {
    tradingsymbol: kind === 'FUT' ? `${underlying}${tag}FUT` : `${underlying}${tag}${strike}${kind}`,
    exchange: 'NFO',
    token: Math.round(strike * 20) * 4 + (kind === 'CE' ? 1 : kind === 'PE' ? 2 : 3),
    underlying,
    expiry,
    kind,
    strike: kind === 'FUT' ? 0 : strike,
    lotSize,
    tickSize: 0.05,
  };
}

/** A ladder over `strikes` (sorted and made distinct here). */
export function ladderOf(spec: LadderSpec): OptionLadder {
  const underlying = spec.underlying ?? 'NIFTY';
  const expiry = spec.expiry ?? '2026-12-22';
  const strikes = [...new Set(spec.strikes)].sort((a, b) => a - b);
  const missing = new Set((spec.missing ?? []).map(([s, r]) => `${s}${r}`));
  const contracts = strikes.map((s) => ({
    CE: missing.has(`${s}CE`) ? null : contractOf(underlying, expiry, 'CE', s, spec.lotSize),
    PE: missing.has(`${s}PE`) ? null : contractOf(underlying, expiry, 'PE', s, spec.lotSize),
  }));
  return { underlying, expiry, strikes, contract: (i, right) => contracts[i]?.[right] ?? null };
}

/** A chain of one underlying: its ladders by expiry, and futures on the given expiries. */
export function chainOf(underlying: string, ladders: readonly OptionLadder[], futureExpiries: readonly string[]): OptionChain {
  const byExpiry = new Map(ladders.map((l) => [l.expiry, l]));
  const calendar: ExpiryCalendar = { underlying, optionExpiries: [...byExpiry.keys()].sort(), futureExpiries: [...futureExpiries].sort() };
  return {
    calendar: (u) => (u === underlying ? calendar : null),
    ladder: (u, e) => (u === underlying ? byExpiry.get(e) ?? null : null),
    future: (u, e) => (u === underlying && futureExpiries.includes(e) ? contractOf(u, e, 'FUT', 0) : null),
  };
}
