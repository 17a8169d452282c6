/**
 * A position of a multi-position strategy (issue 19): one of up to ten option holdings entered
 * at the strategy's BUY time and closed at its SELL time, each with its own side, contract rule,
 * lots and levels (a short straddle: sell the ATM CE, sell the ATM PE). "Position" is never the
 * code's `leg_no`, which counts the entries of one position in a day (re-entries).
 *
 * A position leaves out what it shares with the others: its lots, stop-loss and target are then
 * the strategy's `qty`, `stop_loss` and `target` (each with its mode), so a straddle states its
 * stop once and the v1 keys keep their meaning. Messages name the key as the trader typed it; the
 * error's field adds the position (`positions.1.stop_loss`). zod only, no I/O.
 */
import { z } from 'zod';
import { indexListing, INDEX_UNDERLYINGS } from './index-underlyings';
import { level, LEVEL_MODES, MAX_REENTRIES, OFFSET_MODES, oneOf, optionExpiry, optionStrike, POSITION_RIGHTS, orNone, positiveNumber, reentryCount, requiredOneOf, SIDES } from './spec-fields';

export const MIN_POSITIONS = 2;
/** The issue's bound, and one digit of the position in a client order id. */
export const MAX_POSITIONS = 10;

export const positionShape = {
  side: requiredOneOf('side', SIDES),
  /** CE or PE, or FUT: the index's future (no strike; its expiry monthly). */
  option_right: requiredOneOf('option_right', POSITION_RIGHTS),
  /** Left out: current_week (a future's: current_month). */
  option_expiry: optionExpiry('option_expiry'),
  /** Left out: atm. */
  option_strike: optionStrike('option_strike'),
  /** Left out: the strategy's qty. */
  lots: orNone(
    positiveNumber('lots')
      .refine((n) => Number.isInteger(n), { message: 'lots must be a whole number' })
      .refine((n) => n <= 1_000_000, { message: 'lots must be at most 1000000' }),
  ),
  /** Left out: the strategy's stop_loss and, without its own mode, the strategy's stop_loss_mode. */
  stop_loss: orNone(level('stop_loss')),
  /**
   * Points or percent of the entry fill, or price: an absolute premium (a short CE stopped when its
   * premium reaches 180), this position's own only, with its own stop_loss (positionRules).
   */
  stop_loss_mode: orNone(oneOf('stop_loss_mode', LEVEL_MODES)),
  /** Left out: the strategy's target (none when it has none). */
  target: orNone(level('target')),
  /** As stop_loss_mode: price is an absolute premium, with this position's own target. */
  target_mode: orNone(oneOf('target_mode', LEVEL_MODES)),
  /** Left out: the strategy's trail (none when it has none); followed from the position's best premium, downward for a short. */
  trail: orNone(level('trail')),
  trail_mode: orNone(oneOf('trail_mode', OFFSET_MODES)),
  /** Left out: the strategy's move_stop_to_cost_after (never when it has none). */
  move_stop_to_cost_after: orNone(level('move_stop_to_cost_after')),
  move_stop_to_cost_mode: orNone(oneOf('move_stop_to_cost_mode', OFFSET_MODES)),
  /** Left out: the strategy's reentries; 0: this position never re-enters. Each re-entry is of the contract the day chose for the position. */
  reentries: orNone(reentryCount('reentries')),
};

export type PositionField = keyof typeof positionShape;
export const positionSpec = z.strictObject(positionShape);
export type PositionSpec = z.output<typeof positionSpec>;

export const positionsField = orNone(
  z
    .array(positionSpec, { error: 'positions must be a list of positions' })
    .min(MIN_POSITIONS, { error: `positions must list ${MIN_POSITIONS} to ${MAX_POSITIONS} positions; one position is the strategy's own keys: leave positions out` })
    .max(MAX_POSITIONS, { error: `positions must list ${MIN_POSITIONS} to ${MAX_POSITIONS} positions` }),
);

/** How a form presents a position's key (the strategy's form describes `positions` as rows of these). */
export const POSITION_FIELD_META = {
  side: { label: 'Side', hint: 'buy: bought at the BUY time, sold at the exit; sell: sold first, bought back at the exit' },
  option_right: { label: 'Option', hint: "CE or PE of the index in Symbol, or FUT: the index's future (the month's, or a listed expiry date; no strike)" },
  option_expiry: { label: 'Expiry', hint: 'The nearest listed expiry (current_week), the one after it, the month’s, or a listed expiry date YYYY-MM-DD' },
  option_strike: { label: 'Strike', hint: 'atm: nearest the index; atm+2: two listed strikes out of the money (atm-1: one in); premium:120: the premium nearest 120; width:0.5: nearest ATM ± 0.5 × the ATM straddle’s premium' },
  lots: { label: 'Lots', hint: "Empty: the strategy's Quantity", unit: 'lots' },
  stop_loss: { label: 'Stop-loss', hint: "Points or % of the entry premium against the position, or the premium itself (a sold option's stop above its premium); empty: the strategy's" },
  stop_loss_mode: { label: 'Stop-loss unit', hint: "points, % of the entry premium, or price: the premium that stops it (this position's own stop-loss only); empty: the strategy's" },
  target: { label: 'Target', hint: "Points or % of the entry premium in the position's favour, or the premium itself (a sold option's target below its premium); empty: the strategy's" },
  target_mode: { label: 'Target unit', hint: "points, % of the entry premium, or price: the premium that takes the profit (this position's own target only); empty: the strategy's" },
  trail: { label: 'Trailing stop', hint: "The stop follows the position's best premium at this distance (down for a sold option), never back; empty: the strategy's" },
  trail_mode: { label: 'Trailing stop unit', hint: "points or % of the best premium; empty: the strategy's" },
  move_stop_to_cost_after: { label: 'Move stop to cost after', hint: "A gain of this much on the premium moves the position's stop to its entry price; empty: the strategy's" },
  move_stop_to_cost_mode: { label: 'Move stop to cost unit', hint: "points or % of the entry premium; empty: the strategy's" },
  reentries: { label: 'Re-entries', hint: `Times this position enters again the same day after its exit (the strategy's Re-enter after and cut-off), on the contract it traded; 0: never; empty: the strategy's (at most ${MAX_REENTRIES})` },
} as const satisfies Record<PositionField, { readonly label: string; readonly hint: string; readonly unit?: string }>;

/** What happens to the filled positions when another position's entry fails (refused, missed, no contract). */
export const POSITION_FAILURE_RULES = ['unwind', 'keep'] as const;
/** The most a combined MTM stop or target may be, in the account's money: above is a typo. */
export const MTM_MAX = 1e9;

/** An amount of money the group's combined MTM is measured against: above 0, in paise at most. */
const money = (field: string) =>
  positiveNumber(field)
    .refine((n) => !Number.isFinite(n) || n <= MTM_MAX, { message: `${field} must be at most ${MTM_MAX}` })
    .refine((n) => !(n > 0 && n <= MTM_MAX) || Number(n.toFixed(2)) === n, { message: `${field} must have at most 2 decimals (rupees and paise)` });

/**
 * The rules of the group of positions as a whole (issue 19): the strategy's keys, copied into every
 * position's run plan (run-plan-spec.ts runPlanOfPosition) so an edit cannot move them under a day
 * that is running. Each is refused without `positions` (groupRules).
 */
export const groupShape = {
  /** The combined MTM loss, in money (a positive amount), at which every position exits; left out: none. */
  mtm_stop: orNone(money('mtm_stop')),
  /** The combined MTM profit, in money, at which every position exits; left out: none. */
  mtm_target: orNone(money('mtm_target')),
  /** Left out: unwind. */
  on_position_failure: orNone(oneOf('on_position_failure', POSITION_FAILURE_RULES)),
  /** Left out or false: a position's stop-out leaves the others' stops where they are. */
  stops_to_cost_on_stop: orNone(z.boolean({ error: 'stops_to_cost_on_stop must be true or false' })),
};

export type GroupField = keyof typeof groupShape;

/** How a form presents the group's keys (the strategy's form, beside `positions`). */
export const GROUP_FIELD_META = {
  mtm_stop: { label: 'Combined stop-loss (MTM)', hint: "Every position exits when the positions' combined profit and loss (open and closed) is a loss of this much; empty: none", group: 'exits', unit: 'rupees', available: true },
  mtm_target: { label: 'Combined target (MTM)', hint: "Every position exits when the positions' combined profit and loss (open and closed) is a profit of this much; empty: none", group: 'exits', unit: 'rupees', available: true },
  on_position_failure: { label: 'When a position fails', hint: "unwind (empty): a position whose entry fails (refused, missed, no contract) closes the filled ones, shorts bought back first, and enters no more; keep: the others go on", group: 'entry', available: true },
  stops_to_cost_on_stop: { label: 'Stops to cost on a stop-out', hint: "When one position's stop-loss closes it, the other open positions' stops move to their entry price", group: 'exits', available: true },
} as const;

/**
 * The group's keys mean something only for a group: refused without `positions`, each naming
 * itself (its default, unwind or false, is no rule and passes).
 */
export function groupRules(v: Record<string, unknown>, issue: (path: string, message: string) => void): void {
  if (Array.isArray(v.positions)) return;
  const set: readonly [GroupField, boolean][] = [
    ['mtm_stop', v.mtm_stop != null],
    ['mtm_target', v.mtm_target != null],
    ['on_position_failure', v.on_position_failure != null && v.on_position_failure !== 'unwind'],
    ['stops_to_cost_on_stop', v.stops_to_cost_on_stop === true],
  ];
  for (const [key, given] of set) {
    if (given) issue(key, `${key} applies to a strategy with positions (it is a rule of the positions as a group): add positions or leave ${key} out`);
  }
}

/**
 * The rules of a strategy with `positions`, on what the trader sent (possibly unparsed: a rule
 * speaks only when its keys read as they should). Each position names its own side and contract,
 * so the strategy's side and option keys are refused; the symbol is an index with options; the
 * strategy's levels (every position's default) are points or percent of each premium, a trail's and
 * a move to cost's too, and an absolute premium is a position's own (premiumLevelRules); a position
 * that re-enters has the strategy's cut-off (and, re-entering after its target, a target); no two
 * positions choose their contract by the same rule (one contract is one position, with more lots).
 */
export function positionRules(v: Record<string, unknown>, issue: (path: string, message: string) => void): void {
  const positions = v.positions;
  if (!Array.isArray(positions)) return;
  const own = 'with positions, each position names its own';
  if (v.option_right != null) issue('option_right', `option_right applies to a strategy of one position: ${own} option_right; leave it out`);
  if (v.option_expiry != null && v.option_expiry !== 'current_week') issue('option_expiry', `option_expiry applies to a strategy of one position: ${own} option_expiry; leave it out`);
  if (v.option_strike != null && v.option_strike !== 'atm') issue('option_strike', `option_strike applies to a strategy of one position: ${own} option_strike; leave it out`);
  if (v.side === 'sell') issue('side', `side applies to a strategy of one position: ${own} side; leave it out`);
  const symbol = typeof v.symbol === 'string' ? v.symbol.trim().toUpperCase() : null;
  const listing = symbol === null ? null : indexListing(symbol);
  if (symbol !== null && !listing) issue('symbol', `symbol must be an index with options (${INDEX_UNDERLYINGS.join(', ')}) when the strategy has positions`);
  if (listing && v.exchange != null && v.exchange !== listing.derivatives) issue('exchange', `exchange must be ${listing.derivatives} (or left out) for ${symbol}'s options`);
  // The strategy's levels are every position's: one premium cannot be every contract's stop (a CE's and a PE's premiums differ).
  const perPosition = 'an absolute premium is one contract\'s: set it on the position, with its own';
  if ((v.stop_loss_mode ?? 'price') === 'price') issue('stop_loss_mode', `stop_loss_mode must be points or percent with positions, the stop of every position whose own is left out; ${perPosition} stop_loss and stop_loss_mode price`);
  if (v.target != null && (v.target_mode ?? 'price') === 'price') issue('target_mode', `target_mode must be points or percent with positions, the target of every position whose own is left out; ${perPosition} target and target_mode price`);
  // The days to expiry are an option's (a future's monthly expiry is not what the filter means): counted to the first option position's.
  if (v.dte != null && positions.length > 0 && positions.every((p: unknown) => typeof p === 'object' && p !== null && (p as Record<string, unknown>).option_right === 'FUT')) {
    issue('dte', 'dte counts the days to an option position\'s expiry, and every position is a future: leave dte out');
  }
  const seen = new Map<string, number>();
  let cutoffAsked = false;
  positions.forEach((p: unknown, i) => {
    if (typeof p !== 'object' || p === null) return;
    const item = p as Record<string, unknown>;
    // A position re-enters by the strategy's reentry_after and reentry_cutoff: the cut-off is required
    // (said once; the strategy's own re-entries ask for it already), and after a target it needs a target.
    const reentries = item.reentries ?? v.reentries;
    const strategyReenters = typeof v.reentries === 'number' && v.reentries > 0;
    if (typeof item.reentries === 'number' && item.reentries > 0 && v.reentry_cutoff == null && !strategyReenters && !cutoffAsked) {
      cutoffAsked = true;
      issue('reentry_cutoff', `reentry_cutoff is required when a position re-enters (position ${i + 1} has reentries ${item.reentries}): no re-entry goes out at or after it`);
    }
    if (typeof reentries === 'number' && reentries > 0 && v.reentry_after === 'target' && item.target == null && v.target == null) {
      issue(`positions.${i}.target`, "reentry_after target needs a target for this position (its own or the strategy's): without one no exit allows its re-entry");
    }
    for (const [key, mode] of [['stop_loss', 'stop_loss_mode'], ['target', 'target_mode'], ['trail', 'trail_mode'], ['move_stop_to_cost_after', 'move_stop_to_cost_mode']] as const) {
      if (item[key] == null && item[mode] == null) continue; // the strategy's own, checked as the strategy's
      const value = item[key] ?? v[key];
      if ((item[mode] ?? v[mode]) === 'percent' && typeof value === 'number' && value >= 100) issue(`positions.${i}.${key}`, `${key} must be below 100 when its unit is percent`);
    }
    // A position's own target counted by the strategy's unit: that unit must not be a premium price.
    if (item.target != null && item.target_mode == null && (v.target_mode ?? 'price') === 'price') {
      issue(`positions.${i}.target_mode`, "target_mode is required with this position's target (points, percent, or price for a premium): the strategy's target_mode is price, which no position inherits");
    }
    premiumLevelRules(v, item, i, issue);
    if (typeof item.option_right !== 'string') return;
    if (item.option_right === 'FUT') futureRules(v, item, i, issue);
    const future = item.option_right === 'FUT';
    // As the parse reads it: current_week (the form's default) is a future's current_month, so two such futures are one contract.
    const expiry = item.option_expiry == null ? null : String(item.option_expiry);
    const rule = future ? `FUT ${expiry === null || expiry === 'current_week' ? 'current_month' : expiry}` : `${item.option_right} ${expiry ?? 'current_week'} ${typeof item.option_strike === 'string' ? item.option_strike.trim().toLowerCase() : 'atm'}`;
    const first = seen.get(rule);
    if (first === undefined) seen.set(rule, i);
    else issue(`positions.${i}`, `positions ${first} and ${i} choose the same contract (${rule}): one contract is one position; give it more lots`);
  });
}

/** The number X of a strike rule `premium:X`, else null. */
function premiumOfStrike(strike: unknown): number | null {
  const m = typeof strike === 'string' ? /^premium:(\d+(?:\.\d+)?)$/.exec(strike.trim().toLowerCase()) : null;
  return m ? Number(m[1]) : null;
}

/**
 * A position's stop-loss or target as an absolute premium (`stop_loss_mode: 'price'` on the
 * position): its own value is required (the strategy's is in points or percent for every
 * position); a bought option's stop is below its target, a sold one's above (a short gains as the
 * premium falls); a strike chosen by `premium:X` enters near X, so a level on the wrong side of X
 * would be reached at the entry, which is then skipped; and a position that re-enters after that
 * exit would find the premium at its level again at once. Where the premium stands to the levels
 * is known only at the entry: the run policy skips an entry whose contract's last premium has
 * reached one (levels.ts levelAlreadyReached; without a tick yet the broker is asked first, and
 * without its answer the entry is skipped: strategy-manager.ts quoteThenEnter), and a fill past
 * the stop is closed by it at once.
 */
function premiumLevelRules(v: Record<string, unknown>, item: Record<string, unknown>, i: number, issue: (path: string, message: string) => void): void {
  const at = (key: string) => `positions.${i}.${key}`;
  const premium = (key: 'stop_loss' | 'target', mode: 'stop_loss_mode' | 'target_mode'): number | null => {
    if (item[mode] !== 'price') return null;
    if (item[key] == null) issue(at(key), `${key} is required with ${mode} price: an absolute premium is this position's own, and the strategy's ${key} is points or percent of each premium`);
    return typeof item[key] === 'number' && (item[key] as number) > 0 ? (item[key] as number) : null;
  };
  const stop = premium('stop_loss', 'stop_loss_mode');
  const target = premium('target', 'target_mode');
  if (item.side !== 'buy' && item.side !== 'sell') return;
  const sold = item.side === 'sell';
  const above = (a: number, b: number) => (sold ? a > b : a < b); // a on the stop side of b
  if (stop !== null && target !== null && !above(stop, target)) {
    issue(at('target'), sold ? `target must be below stop_loss (${stop}) when both are premiums of a sold option: it gains as its premium falls` : `target must be above stop_loss (${stop}) when both are premiums of a bought option`);
  }
  const chosenNear = premiumOfStrike(item.option_strike);
  if (chosenNear !== null && stop !== null && !above(stop, chosenNear)) {
    issue(at('stop_loss'), `stop_loss must be ${sold ? 'above' : 'below'} ${chosenNear} for a ${sold ? 'sold' : 'bought'} option whose strike is chosen by premium:${chosenNear}: its entry premium is near ${chosenNear}, so the stop would be reached at the entry`);
  }
  if (chosenNear !== null && target !== null && !above(chosenNear, target)) {
    issue(at('target'), `target must be ${sold ? 'below' : 'above'} ${chosenNear} for a ${sold ? 'sold' : 'bought'} option whose strike is chosen by premium:${chosenNear}: its entry premium is near ${chosenNear}, so the target would be reached at the entry`);
  }
  const reentries = item.reentries ?? v.reentries;
  if (typeof reentries !== 'number' || reentries <= 0) return;
  const after = v.reentry_after ?? 'stop_loss';
  if (stop !== null && (after === 'stop_loss' || after === 'either')) {
    issue(at('stop_loss_mode'), `a re-entry after the stop-loss (reentry_after ${String(after)}) needs this position's stop_loss_mode points or percent: the premium would be at its stop-loss premium again at once`);
  }
  if (target !== null && (after === 'target' || after === 'either')) {
    issue(at('target_mode'), `a re-entry after the target (reentry_after ${String(after)}) needs this position's target_mode points or percent: the premium would be at its target premium again at once`);
  }
}

/**
 * A position on the index's future (`option_right: 'FUT'`): futures are listed monthly (NSE and BSE
 * list index futures for three months, expiring with the month's last option expiry). Left out (or
 * current_week, the form's default, which the parse leaves out) it is the month's future, the
 * nearest listed; next_week would name a weekly the futures do not have and is refused rather than
 * read as next month's (a listed date names that one); a strike rule means nothing for a future.
 * A level in percent the future would take from the strategy (its unit, or its value) is refused:
 * the strategy's percent is sized to an option's premium, and 30% of the future's price (thousands
 * of index points) is no stop at all while every position looks covered; the position states its
 * own, both value and unit.
 */
function futureRules(v: Record<string, unknown>, item: Record<string, unknown>, i: number, issue: (path: string, message: string) => void): void {
  for (const [key, mode, units] of [['stop_loss', 'stop_loss_mode', 'points or price'], ['target', 'target_mode', 'points or price'], ['trail', 'trail_mode', 'points'], ['move_stop_to_cost_after', 'move_stop_to_cost_mode', 'points']] as const) {
    const value = item[key] ?? v[key];
    if (value == null || (item[mode] ?? v[mode]) !== 'percent' || (item[key] != null && item[mode] != null)) continue;
    issue(`positions.${i}.${key}`, `a future's ${key} would be the strategy's ${String(value)} percent, sized to an option's premium: on the future's price that is thousands of index points, no ${key} in practice; set this position's own ${key} in ${units}`);
  }
  if (item.option_expiry === 'next_week') {
    issue(`positions.${i}.option_expiry`, 'option_expiry next_week names a weekly expiry, and futures expire monthly: use current_month (the default for a future) or a listed expiry date YYYY-MM-DD (the next month\'s future)');
  }
  if (item.option_strike != null && (typeof item.option_strike !== 'string' || item.option_strike.trim().toLowerCase() !== 'atm')) issue(`positions.${i}.option_strike`, 'option_strike applies to an option: a future has no strike; leave it out');
}
