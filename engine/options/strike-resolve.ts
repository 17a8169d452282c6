/**
 * Which strike a leg trades, chosen at entry time from the underlying's last price. Pure: the
 * ladder and the quotes come in, a contract (or why there is none) comes out.
 *
 * Conventions, stated once:
 * - ATM is the listed strike nearest to the underlying's last price; a price exactly midway takes
 *   the higher strike. The price must lie within one strike step (the ladder's usual gap) of the
 *   listed range, or there is no strike "near".
 * - ATM ± n counts listed strikes, as the rows of an option chain: `steps` > 0 is out of the money
 *   for either right (CE: n strikes above ATM; PE: n strikes below), `steps` < 0 in the money,
 *   0 is ATM. So a short strangle "2 OTM" is { CE, steps: 2 } and { PE, steps: 2 }.
 * - Premium nearest: among the contracts of the right that have a quote, the one whose premium is
 *   nearest to the target; on a tie the cheaper (further out of the money).
 * - Straddle width: S = premium(ATM CE) + premium(ATM PE); the CE strike nearest ATM + S × factor,
 *   the PE strike nearest ATM − S × factor (ties as for ATM: the higher strike).
 */
import { resolved, unresolved, type DerivativeContract, type OptionLadder, type OptionRight, type Resolved } from './option-chain';
import { deriveStrikeStep, nearestStrikeIndex } from './strike-ladder';

export type StrikeRule =
  | { readonly kind: 'atm' }
  | { readonly kind: 'atm_offset'; readonly steps: number }
  | { readonly kind: 'premium_nearest'; readonly premium: number }
  | { readonly kind: 'straddle_width'; readonly factor: number };

/** The last traded price of a contract, or null when there is none to use. */
export type QuoteOf = (contract: DerivativeContract) => number | null;

export interface StrikeContext {
  /** The underlying's last price. */
  readonly spot: number;
  /** Needed by premium_nearest and straddle_width. */
  readonly quoteOf?: QuoteOf;
}

export interface ResolvedStrike {
  readonly contract: DerivativeContract;
  /** The ATM strike the choice started from. */
  readonly atm: number;
  /** The premium the choice read (premium_nearest: the chosen contract's; straddle_width: the ATM straddle's). */
  readonly premium: number | null;
}

/**
 * The contract the rule names on this ladder.
 *
 * @example resolveStrike(ladder, 'CE', { kind: 'atm_offset', steps: 2 }, { spot: 26010 }) // NIFTY …26100CE
 */
export function resolveStrike(ladder: OptionLadder, right: OptionRight, rule: StrikeRule, ctx: StrikeContext): Resolved<ResolvedStrike> {
  const atm = atmIndex(ladder, ctx.spot);
  if (!atm.ok) return atm;
  const i0 = atm.value;
  const atmStrike = ladder.strikes[i0]!;
  const at = (i: number, premium: number | null): Resolved<ResolvedStrike> => {
    const contract = ladder.contract(i, right);
    return contract ? resolved({ contract, atm: atmStrike, premium }) : unresolved('no_contract', `${name(ladder)} lists no ${right} at strike ${ladder.strikes[i]}`);
  };
  switch (rule.kind) {
    case 'atm':
      return at(i0, null);
    case 'atm_offset': {
      if (!Number.isSafeInteger(rule.steps)) return unresolved('bad_request', `a strike offset must be a whole number of strikes, got ${rule.steps}`);
      const i = right === 'CE' ? i0 + rule.steps : i0 - rule.steps;
      if (i < 0 || i >= ladder.strikes.length) {
        const side = i < 0 ? `below ${atmStrike}: ${i0}` : `above ${atmStrike}: ${ladder.strikes.length - 1 - i0}`;
        return unresolved('no_strike', `${name(ladder)} ${right} ${describeOffset(rule.steps)} is beyond the listed strikes (strikes ${side})`);
      }
      return at(i, null);
    }
    case 'premium_nearest':
      return byPremium(ladder, right, rule.premium, ctx.quoteOf, atmStrike);
    case 'straddle_width': {
      if (!(Number.isFinite(rule.factor) && rule.factor >= 0)) return unresolved('bad_request', `a straddle-width factor must be a number of at least 0, got ${rule.factor}`);
      const quote = ctx.quoteOf;
      if (!quote) return unresolved('no_quote', `a straddle-width strike needs the ATM premiums of ${name(ladder)}`);
      let straddle = 0;
      for (const r of ['CE', 'PE'] as const) {
        const c = ladder.contract(i0, r);
        if (!c) return unresolved('no_contract', `${name(ladder)} lists no ${r} at the ATM strike ${atmStrike}, so the straddle has no premium`);
        const p = usable(quote(c));
        if (p === null) return unresolved('no_quote', `no quote for ${c.tradingsymbol} (the ATM straddle's ${r})`);
        straddle += p;
      }
      const target = right === 'CE' ? atmStrike + straddle * rule.factor : atmStrike - straddle * rule.factor;
      const chosen = near(ladder, target);
      return chosen.ok ? at(chosen.value, straddle) : chosen;
    }
  }
}

/**
 * The ATM strike's index on the ladder, or why there is none near the price.
 * @example atmIndex(ladder, 26025) // the index of 26050 when 26000 and 26050 are listed
 */
export function atmIndex(ladder: OptionLadder, spot: number): Resolved<number> {
  if (!(Number.isFinite(spot) && spot > 0)) return unresolved('bad_request', `the underlying's price must be a positive number, got ${spot}`);
  return near(ladder, spot);
}

/** The listed strike nearest to a price that lies within one step of the listed range. */
function near(ladder: OptionLadder, price: number): Resolved<number> {
  const { strikes } = ladder;
  const step = deriveStrikeStep(strikes);
  if (step === null) return unresolved('no_strike', `${name(ladder)} lists ${strikes.length === 0 ? 'no strikes' : `one strike only (${strikes[0]})`}, too few to judge which is near ${price}`);
  const low = strikes[0]!;
  const high = strikes[strikes.length - 1]!;
  if (price < low - step || price > high + step) {
    return unresolved('no_strike', `no listed strike near ${price}: ${name(ladder)} lists strikes ${low}–${high}`);
  }
  return resolved(nearestStrikeIndex(strikes, price));
}

function byPremium(ladder: OptionLadder, right: OptionRight, target: number, quote: QuoteOf | undefined, atm: number): Resolved<ResolvedStrike> {
  if (!(Number.isFinite(target) && target > 0)) return unresolved('bad_request', `a target premium must be a positive number, got ${target}`);
  if (!quote) return unresolved('no_quote', `a premium-nearest strike needs quotes of ${name(ladder)} ${right}`);
  let best: { contract: DerivativeContract; premium: number } | null = null;
  for (let i = 0; i < ladder.strikes.length; i++) {
    const contract = ladder.contract(i, right);
    const premium = contract ? usable(quote(contract)) : null;
    if (!contract || premium === null) continue;
    const d = Math.abs(premium - target);
    const bestD = best ? Math.abs(best.premium - target) : Infinity;
    if (d < bestD || (d === bestD && best && premium < best.premium)) best = { contract, premium };
  }
  return best ? resolved({ contract: best.contract, atm, premium: best.premium }) : unresolved('no_quote', `no quote for any ${right} of ${name(ladder)}, so no premium is nearest ${target}`);
}

/** A premium that can be used: finite and positive (an option never trades at 0). */
function usable(p: number | null): number | null {
  return p !== null && Number.isFinite(p) && p > 0 ? p : null;
}

function describeOffset(steps: number): string {
  return steps === 0 ? 'ATM' : steps > 0 ? `OTM ${steps}` : `ITM ${-steps}`;
}

function name(ladder: OptionLadder): string {
  return `${ladder.underlying} ${ladder.expiry}`;
}
