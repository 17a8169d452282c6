/**
 * The backstop's rules (issue 20, docs/plans/issue-20-protection.md §1), pure: where a leg's stop
 * resting at the broker sits, what a cancel's answer lets the engine's own exit do, and when a
 * trail move may modify it. The engine's execution layer does the I/O and obeys these answers.
 */
import Decimal from 'decimal.js';
import type { Levels, OffsetMode, Side } from './types';
import { qtyLeft } from '../qty';

/**
 * What the broker said of a resting stop, as far as these rules read it: the seam's
 * RestingStopReport (brokers/broker.ts), which core does not import, fits it.
 */
export interface StopReport {
  readonly status: 'resting' | 'fired' | 'cancelled' | 'rejected';
  readonly filledQty: number;
  readonly avgFillPrice: number | null;
  readonly done: boolean;
  /** On 'fired': the side that fired (a two-leg resting stop); absent: the stop. */
  readonly firedLeg?: 'stop' | 'target';
}

/** A cancel's result: the seam's RestingStopResult fits it. */
export type StopCallResult =
  | { readonly kind: 'done'; readonly report: StopReport }
  | { readonly kind: 'rejected' }
  | { readonly kind: 'unknown'; readonly retryAfterMs?: number | undefined };

/** A run plan's backstop keys (strategy-spec.ts backstop, backstop_margin, backstop_margin_mode), settled. */
export interface BackstopPlan {
  /** False: the trader turned it off (the engine's own stop is all there is); null: the broker's default (BrokerRestingStops.onByDefault). */
  readonly on: boolean | null;
  /** How far beyond the stop it rests; 0: at the stop. */
  readonly margin: number;
  readonly marginMode: OffsetMode;
}

/** The plan's keys as the spec keeps them: `backstop` left out means the broker's default, no margin, points. */
export function backstopPlanOf(spec: { readonly backstop?: boolean | undefined; readonly backstop_margin?: number | undefined; readonly backstop_margin_mode?: OffsetMode | undefined }): BackstopPlan {
  return { on: spec.backstop ?? null, margin: spec.backstop_margin ?? 0, marginMode: spec.backstop_margin_mode ?? 'points' };
}

/**
 * Whether a plan has a backstop at a broker that has resting stops (`onByDefault` its default).
 * @example backstopOn({ on: null, margin: 0, marginMode: 'points' }, true) // true
 */
export function backstopOn(plan: BackstopPlan, onByDefault: boolean): boolean {
  return plan.on ?? onByDefault;
}

/**
 * How far beyond the trigger the limit of a broker whose stop can only become a limit order (a
 * Kite GTT) sits, in percent of the trigger: far enough that a falling market still fills it,
 * inside the narrowest price band NSE sets on a stock (2 %).
 */
export const GTT_LIMIT_SLACK_PERCENT = 1;

/** Where a backstop rests: its trigger, and its limit (null: a market order when it fires). */
export interface BackstopLevels {
  readonly triggerPrice: number;
  readonly limitPrice: number | null;
}

/**
 * The backstop of a position with these levels: at the stop, moved beyond it (away from the price)
 * by the margin, on the tick on that side, never below one tick. A broker that cannot fire a market
 * order (`marketOnFire` false) gets a limit GTT_LIMIT_SLACK_PERCENT beyond the trigger.
 * @example backstopLevels('long', levels /* stop 95, tick 0.05 *\/, { on: true, margin: 0.5, marginMode: 'points' }, true) // { triggerPrice: 94.5, limitPrice: null }
 */
export function backstopLevels(side: Side, levels: Pick<Levels, 'stop' | 'tick'>, plan: BackstopPlan, marketOnFire: boolean): BackstopLevels {
  const trigger = beyond(side, levels.stop, plan.margin, plan.marginMode, levels.tick);
  const limit = marketOnFire ? null : beyond(side, trigger, GTT_LIMIT_SLACK_PERCENT, 'percent', levels.tick);
  return { triggerPrice: trigger, limitPrice: limit };
}

/**
 * The take-profit that rests with the backstop where the broker has one-cancels-other resting
 * stops (a Kite two-leg GTT) and the leg has a target: at the target, moved beyond it (away from
 * the entry: up for a long) by the plan's margin, as the stop is moved down, so that in the normal
 * case the engine's own target goes first here too; its limit GTT_LIMIT_SLACK_PERCENT back
 * towards the price (a long's take-profit sells at or above it, so it fills on the way up). Null:
 * no target. The levels never move a target (levels.ts ratchets only the stop), so neither does this.
 * @example backstopTargetLevels('long', { target: 105, tick: 0.05 }, { on: true, margin: 0, marginMode: 'points' }, false) // { triggerPrice: 105, limitPrice: 103.95 }
 */
export function backstopTargetLevels(side: Side, levels: Pick<Levels, 'target' | 'tick'>, plan: BackstopPlan, marketOnFire: boolean): BackstopLevels | null {
  if (levels.target === null) return null;
  const trigger = beyond(side === 'long' ? 'short' : 'long', levels.target, plan.margin, plan.marginMode, levels.tick);
  const limit = marketOnFire ? null : beyond(side, trigger, GTT_LIMIT_SLACK_PERCENT, 'percent', levels.tick);
  return { triggerPrice: trigger, limitPrice: limit };
}

/** `price` moved by `distance` away from the position's price (down for a long), on the tick that way. */
function beyond(side: Side, price: number, distance: number, mode: OffsetMode, tick: number | null): number {
  const d = mode === 'points' ? new Decimal(distance) : new Decimal(price).mul(distance).div(100);
  const moved = side === 'long' ? new Decimal(price).minus(d) : new Decimal(price).plus(d);
  if (tick === null) return Math.max(moved.toNumber(), MIN_PRICE);
  const steps = moved.div(tick);
  return Math.max(tick, (side === 'long' ? steps.floor() : steps.ceil()).mul(tick).toNumber());
}

/** The lowest price a backstop may rest at when the tick is not known. */
const MIN_PRICE = 1e-8;

/**
 * What an answer about a backstop (a cancel's, a lookup's, or its update stream's) means for the
 * engine's own exit of the leg, which waits on it:
 * - 'exit': nothing rests or can fill any more (cancelled, refused, never placed): the exit goes.
 * - 'fired': it fired and its order is finished: its fills are the leg's exit (kind BACKSTOP);
 *   `remainder` is what it left unsold, which the engine exits as usual (0: the leg is closed).
 * - 'ask_again': not known yet (no answer, or fired and still filling): look it up after `afterMs`.
 */
export type BackstopAnswer =
  | { readonly kind: 'exit' }
  | { readonly kind: 'fired'; readonly filledQty: number; readonly avgFillPrice: number | null; readonly remainder: number; readonly firedLeg: 'stop' | 'target' }
  | { readonly kind: 'ask_again'; readonly afterMs: number };

/** Waits before a backstop whose state is not known is looked up again; the last repeats (bounded backoff). */
export const BACKSTOP_ASK_AGAIN_MS = [250, 500, 1_000, 2_000, 5_000] as const;

/**
 * Reads a cancel's result (`tries`: how many answers were unknown in a row before this one).
 * @example answerOfCancel({ kind: 'done', report: { status: 'cancelled', … } }, 10, 0) // { kind: 'exit' }
 */
export function answerOfCancel(result: StopCallResult, qty: number, tries: number): BackstopAnswer {
  if (result.kind === 'done') return answerOfReport(result.report, qty, tries);
  // Refused: the broker holds no such stop that can be cancelled, or will not say; a lookup tells which.
  return askAgain(result.kind === 'unknown' ? result.retryAfterMs : undefined, tries);
}

/** Reads a lookup's report (null: the broker never had it) or a streamed one. */
export function answerOfReport(report: StopReport | null, qty: number, tries: number): BackstopAnswer {
  if (report === null) return { kind: 'exit' };
  switch (report.status) {
    case 'cancelled':
    case 'rejected':
      return { kind: 'exit' };
    case 'fired':
      if (!report.done) return askAgain(undefined, tries);
      return { kind: 'fired', filledQty: report.filledQty, avgFillPrice: report.avgFillPrice, remainder: qtyLeft(qty, report.filledQty), firedLeg: report.firedLeg ?? 'stop' };
    case 'resting':
      // Still resting after a cancel was sent: the cancel is on its way (pending_cancel).
      return askAgain(undefined, tries);
  }
}

function askAgain(retryAfterMs: number | undefined, tries: number): BackstopAnswer {
  const backoff = BACKSTOP_ASK_AGAIN_MS[Math.min(tries, BACKSTOP_ASK_AGAIN_MS.length - 1)]!;
  return { kind: 'ask_again', afterMs: Math.max(backoff, retryAfterMs ?? 0) };
}

/**
 * When a trail move may next modify the backstop: at once while fewer than `perMinute` modifies
 * went out in the last minute, else when the oldest of them leaves that minute. The engine keeps
 * only the latest level to send then (the latest wins); its own stop moves at once regardless.
 * A time after `now` (the clock stepped back since it was journaled) counts as `now`: still spent,
 * but never freezing the trail for as long as the step.
 * @example nextModifyAt([0, 10_000], 20_000, 2) === 60_000
 */
export function nextModifyAt(sentAt: readonly number[], now: number, perMinute: number): number {
  const recent = inLastMinute(sentAt, now).sort((a, b) => a - b);
  if (recent.length < perMinute) return now;
  return recent[recent.length - perMinute]! + MINUTE_MS;
}

/**
 * The modify times to journal with a move sent at `now`: those still in the last minute, and `now`.
 * @example withModifyAt([0, 10_000], 65_000) // [10_000, 65_000]
 */
export function withModifyAt(sentAt: readonly number[], now: number): number[] {
  return [...inLastMinute(sentAt, now), now];
}

/** The times within the minute before `now`, a future one read as `now` (nextModifyAt). */
function inLastMinute(sentAt: readonly number[], now: number): number[] {
  return sentAt.map((t) => Math.min(t, now)).filter((t) => t > now - MINUTE_MS);
}

const MINUTE_MS = 60_000;
