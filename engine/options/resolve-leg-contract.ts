/**
 * A leg's instrument as the trader defined it (underlying, expiry rule, right and strike rule, or
 * the future) resolved to one listed contract at entry time.
 */
import { selectExpiry, type ExpiryRule } from './expiry-select';
import { resolved, unresolved, type DerivativeContract, type OptionChain, type OptionRight, type Resolved } from './option-chain';
import { resolveStrike, type StrikeContext, type StrikeRule } from './strike-resolve';

export type LegInstrumentSpec =
  | { readonly kind: 'option'; readonly underlying: string; readonly expiry: ExpiryRule; readonly right: OptionRight; readonly strike: StrikeRule }
  | { readonly kind: 'future'; readonly underlying: string; readonly expiry: ExpiryRule };

export type OptionLeg = Extract<LegInstrumentSpec, { kind: 'option' }>;

/** A strategy's option keys as the leg to resolve (the live engine's and the backtest's one reading). */
export function optionLegOf(spec: { readonly symbol: string; readonly option_right: OptionRight; readonly option_expiry?: string | null; readonly option_strike?: string | null }): OptionLeg {
  return { kind: 'option', underlying: spec.symbol, expiry: expiryRule(spec.option_expiry ?? 'current_week'), right: spec.option_right, strike: strikeRule(spec.option_strike ?? 'atm') };
}

/**
 * A run plan's instrument as the leg to resolve: a position's future (`option_right` FUT: the
 * month's, unless a listed date is named), else its option (optionLegOf).
 * @example legOf({ symbol: 'NIFTY', option_right: 'FUT' }) // { kind: 'future', underlying: 'NIFTY', expiry: { kind: 'current_month' } }
 */
export function legOf(spec: { readonly symbol: string; readonly option_right: OptionRight | 'FUT'; readonly option_expiry?: string | null; readonly option_strike?: string | null }): LegInstrumentSpec {
  if (spec.option_right === 'FUT') return { kind: 'future', underlying: spec.symbol, expiry: expiryRule(spec.option_expiry ?? 'current_month') };
  return optionLegOf({ ...spec, option_right: spec.option_right });
}

/** The spec's expiry text as the selection rule: a named rule, else an exact date. */
export function expiryRule(text: string): ExpiryRule {
  return text === 'current_week' || text === 'next_week' || text === 'current_month' ? { kind: text } : { kind: 'date', date: text };
}

/** The spec's strike text as the resolution rule. */
export function strikeRule(text: string): StrikeRule {
  if (text === 'atm') return { kind: 'atm' };
  if (text.startsWith('atm')) return { kind: 'atm_offset', steps: Number(text.slice(3)) };
  if (text.startsWith('width:')) return { kind: 'straddle_width', factor: Number(text.slice('width:'.length)) };
  return { kind: 'premium_nearest', premium: Number(text.slice('premium:'.length)) };
}

export interface ResolvedLegContract {
  readonly contract: DerivativeContract;
  /** The ATM strike an option's choice started from; null for a future. */
  readonly atm: number | null;
  /** The premium the choice read, where the rule reads one. */
  readonly premium: number | null;
}

export interface LegContext extends StrikeContext {
  /** The IST date of the entry, `YYYY-MM-DD`. */
  readonly today: string;
}

/**
 * The contract a leg trades today, or why it cannot be named.
 *
 * @example resolveLegContract(master, { kind: 'option', underlying: 'NIFTY', expiry: { kind: 'current_week' }, right: 'PE', strike: { kind: 'atm' } }, { today: '2026-12-07', spot: 26010 })
 */
export function resolveLegContract(chain: OptionChain, spec: LegInstrumentSpec, ctx: LegContext): Resolved<ResolvedLegContract> {
  const expiry = legExpiry(chain, spec, ctx.today);
  if (!expiry.ok) return expiry;
  if (spec.kind === 'future') {
    const contract = chain.future(spec.underlying, expiry.value);
    return contract ? resolved({ contract, atm: null, premium: null }) : unresolved('no_contract', `no ${spec.underlying} future expires on ${expiry.value}`);
  }
  const ladder = chain.ladder(spec.underlying, expiry.value);
  if (!ladder) return unresolved('no_strike', `${spec.underlying} lists no options expiring ${expiry.value}`);
  const strike = resolveStrike(ladder, spec.right, spec.strike, ctx);
  return strike.ok ? resolved({ contract: strike.value.contract, atm: strike.value.atm, premium: strike.value.premium }) : strike;
}

/**
 * The expiry a leg's rule names today: among the option expiries for an option, among the futures'
 * for a future (a weekly rule names none there: `no_weekly_series`).
 */
export function legExpiry(chain: OptionChain, spec: LegInstrumentSpec, today: string): Resolved<string> {
  const calendar = chain.calendar(spec.underlying);
  if (!calendar) return unresolved('unknown_underlying', `the instrument list has no derivatives on ${spec.underlying}`);
  if (spec.kind === 'option') return selectExpiry(calendar, spec.expiry, today);
  return selectExpiry({ underlying: `${spec.underlying} futures`, optionExpiries: calendar.futureExpiries, futureExpiries: calendar.futureExpiries }, spec.expiry, today);
}
