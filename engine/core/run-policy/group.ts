/**
 * The group policy of a multi-position strategy (issue 19, docs/plans/issue-19-options.md
 * "Multi-leg design"): what spans the runs of one strategy's day, one run per position. Each run
 * keeps its own run policy (step.ts) for its entry, levels and exits; this module only answers
 * which position's entry goes next, when the filled positions must all be closed and in what order,
 * and the combined mark-to-market. Pure and synchronous like `step`, so its answer can be taken in
 * the same transaction that journals what it asks for. The strategy manager asks it for the next
 * entry and the exits' order; strategy/group-exits.ts for the combined MTM on each tick and for
 * stops to cost. Money is summed in decimal (decimal.js), as realized P&L is
 * (execution/realized-pnl.ts): an MTM stop of 650 is reached at −650 exactly, not at −650.0000000001.
 */
import Decimal from 'decimal.js';
import { isDayOver } from '../run-state';
import type { RunPlanSpec } from '../run-plan-spec';
import type { Run } from '../types';

/** One position of the group as the group policy reads it (from its run's row and journal, and the feed). */
export interface PositionView {
  readonly positionNo: number;
  readonly side: 'long' | 'short';
  /** Where its entry stands: not sent yet, at the broker, filled (in part or whole), or ended without a fill (rejected, missed, contract refused). */
  readonly entry: 'not_sent' | 'in_flight' | 'filled' | 'failed';
  /** Units held now (lots × the contract's lot size); 0 when flat. */
  readonly held: number;
  /** The average entry price of what is held; null when flat. */
  readonly entryPrice: number | null;
  /** The last price of its instrument; null before one arrived. */
  readonly last: number | null;
  /** Money its exits made or lost so far (signed). */
  readonly realized: number;
}

/**
 * A run of the group as the group policy reads it, from its row alone: its entry ARMED is not sent,
 * BUYING at the broker; a run that held a position (an entry price, or a leg before this one) filled;
 * one that ended without (missed, skipped, rejected into ERROR, stopped before a fill) failed. A run whose day is over
 * holds nothing the group must close. `last` and `realized` are the MTM's: strategy/group-exits.ts
 * fills them in from the feed and the journal.
 * @example positionOfRun({ positionNo: 1, state: 'IN_POSITION', positionQty: 65, entryPrice: 110, plan: { side: 'sell', … }, … }) // { positionNo: 1, side: 'short', entry: 'filled', held: 65, entryPrice: 110, last: null, realized: 0 }
 */
export function positionOfRun(run: Pick<Run, 'positionNo' | 'state' | 'positionQty' | 'entryPrice' | 'plan' | 'legNo'>): PositionView {
  // A run past its first leg entered once (a leg ends flat before the next begins): a re-entry that
  // fails ends that position alone, never the group's failure rule, which is about the day's entries.
  const entry: PositionView['entry'] =
    run.state === 'ARMED' ? 'not_sent' : run.state === 'BUYING' ? 'in_flight' : run.legNo > 0 || run.entryPrice !== null || run.positionQty > 0 ? 'filled' : run.state === 'STOPPED' || run.state === 'ERROR' || run.state === 'MISSED_BUY' || run.state === 'SKIPPED' ? 'failed' : 'filled';
  const held = isDayOver(run) ? 0 : run.positionQty;
  return { positionNo: run.positionNo, side: run.plan?.side === 'sell' ? 'short' : 'long', entry, held, entryPrice: held > 0 ? run.entryPrice : null, last: null, realized: 0 };
}

export interface GroupRules {
  /** A position whose entry failed: close every filled one (`unwind`) or go on with the others (`keep`). */
  readonly onFailure: 'unwind' | 'keep';
  /** Close everything when the combined MTM is a loss of this much money or more; null: never. */
  readonly mtmStop: number | null;
  /** Close everything when the combined MTM is a gain of this much money or more; null: never. */
  readonly mtmTarget: number | null;
}

/**
 * The group's rules as a run's plan carries them (each position's plan has the same copy,
 * run-plan-spec.ts runPlanOfPosition); a plan without them: unwind, no MTM levels, stops stay.
 * @example groupRulesOf({ mtm_stop: 2500, on_position_failure: 'keep', … }) // { onFailure: 'keep', mtmStop: 2500, mtmTarget: null, stopsToCost: false }
 */
export function groupRulesOf(plan: Pick<RunPlanSpec, 'mtm_stop' | 'mtm_target' | 'on_position_failure' | 'stops_to_cost_on_stop'> | null): GroupRules & { readonly stopsToCost: boolean } {
  return { onFailure: plan?.on_position_failure ?? 'unwind', mtmStop: plan?.mtm_stop ?? null, mtmTarget: plan?.mtm_target ?? null, stopsToCost: plan?.stops_to_cost_on_stop ?? false };
}

type Sided = Pick<PositionView, 'positionNo' | 'side'>;

/**
 * The order entries go out in: longs before shorts (a bought hedge lowers the margin a short
 * needs, so it must be in place first), the trader's order within each side.
 * @example entryOrder([{ positionNo: 0, side: 'short' }, { positionNo: 1, side: 'long' }]) // [1, 0]
 */
export function entryOrder(positions: readonly Sided[]): number[] {
  return [...positions.filter((p) => p.side === 'long'), ...positions.filter((p) => p.side === 'short')].map((p) => p.positionNo);
}

/**
 * The order exits go out in: shorts bought back before longs are sold, so no moment holds a
 * short without its hedge (a short's loss has no bound, a long's is its premium).
 * @example exitOrder([{ positionNo: 0, side: 'long' }, { positionNo: 1, side: 'short' }]) // [1, 0]
 */
export function exitOrder(positions: readonly Sided[]): number[] {
  return [...positions.filter((p) => p.side === 'short'), ...positions.filter((p) => p.side === 'long')].map((p) => p.positionNo);
}

export type EntryStep =
  /** Send this position's entry now. */
  | { readonly kind: 'enter'; readonly positionNo: number }
  /** An entry is at the broker: the next goes out only after its answer. */
  | { readonly kind: 'wait'; readonly positionNo: number }
  /** A position failed and the rule is unwind: close these held positions, in this order; enter nothing more. */
  | { readonly kind: 'unwind'; readonly failed: number; readonly exits: readonly number[] }
  /** Every position's entry has its answer (under keep, some may have failed). */
  | { readonly kind: 'done' };

/**
 * The group's next entry step: one entry at a time in `entryOrder`, each after the previous one's
 * answer; a failure under `unwind` ends the entries and closes what is held (after every entry
 * sent has its answer, so a late fill is not left behind).
 */
export function nextEntry(positions: readonly PositionView[], rules: Pick<GroupRules, 'onFailure'>): EntryStep {
  const inFlight = positions.find((p) => p.entry === 'in_flight');
  if (inFlight) return { kind: 'wait', positionNo: inFlight.positionNo };
  const failed = positions.find((p) => p.entry === 'failed');
  if (failed && rules.onFailure === 'unwind') return { kind: 'unwind', failed: failed.positionNo, exits: exitOrder(positions.filter((p) => p.held > 0)) };
  const byNo = new Map(positions.map((p) => [p.positionNo, p]));
  const next = entryOrder(positions).find((n) => byNo.get(n)!.entry === 'not_sent');
  return next === undefined ? { kind: 'done' } : { kind: 'enter', positionNo: next };
}

/**
 * The combined mark-to-market in money: what the exits realised plus, for each held position,
 * (last − entry) × units, negated for a short. Null while a held position has no price: a sum
 * that leaves one out could hide the very loss the MTM stop is for.
 * @example combinedMtm([{ positionNo: 0, side: 'short', entry: 'filled', held: 65, entryPrice: 100, last: 90, realized: 0 }]) // 650
 */
export function combinedMtm(positions: readonly PositionView[]): number | null {
  let sum = new Decimal(0);
  for (const p of positions) {
    sum = sum.plus(p.realized);
    if (p.held === 0) continue;
    if (p.last === null || p.entryPrice === null) return null;
    const perUnit = new Decimal(p.last).minus(p.entryPrice);
    sum = sum.plus((p.side === 'long' ? perUnit : perUnit.neg()).times(p.held));
  }
  return sum.toNumber();
}

export type MtmCheck = { readonly kind: 'exit_all'; readonly reason: 'mtm_stop' | 'mtm_target'; readonly mtm: number; readonly exits: readonly number[] } | { readonly kind: 'hold'; readonly mtm: number | null };

/**
 * On a tick of any position's instrument: close every held position (shorts first) when the
 * combined MTM reaches the loss of `mtmStop` or the gain of `mtmTarget`.
 */
export function checkMtm(positions: readonly PositionView[], rules: Pick<GroupRules, 'mtmStop' | 'mtmTarget'>): MtmCheck {
  const mtm = combinedMtm(positions);
  const held = positions.filter((p) => p.held > 0);
  if (mtm === null || held.length === 0) return { kind: 'hold', mtm };
  // The sum is a decimal read back as the nearest double, and each level is the double the trader's decimal was parsed to: compared as decimals, at the level is at it.
  const at = new Decimal(mtm);
  const reason = rules.mtmStop !== null && at.lte(new Decimal(rules.mtmStop).neg()) ? 'mtm_stop' : rules.mtmTarget !== null && at.gte(rules.mtmTarget) ? 'mtm_target' : null;
  return reason === null ? { kind: 'hold', mtm } : { kind: 'exit_all', reason, mtm, exits: exitOrder(held) };
}

/**
 * When a position's stop-loss fills: the others still held whose stops move to their entry price
 * (the trader's "move the others' stops to cost"); each run's levels keep a stop only if tighter.
 */
export function stopsToCost(positions: readonly PositionView[], stopped: number): number[] {
  return positions.filter((p) => p.positionNo !== stopped && p.held > 0).map((p) => p.positionNo);
}
