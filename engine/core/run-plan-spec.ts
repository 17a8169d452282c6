/**
 * What a run keeps of its strategy (runs.plan): the part of the spec that decides what the run
 * sends and when it exits, copied when the run is created. An unfinished run reads this, never the
 * editable strategy (invariant 8), so an edit, or a strategy row that can no longer be read,
 * cannot move the stop or the instrument of a run under way. zod only, no I/O.
 */
import { z } from 'zod';
import { OFFSET_MODES, strategyShape, type StoredStrategySpec } from './strategy-spec';
import { oneOf, orNone, POSITION_RIGHTS } from './spec-fields';
import { asBrokerAccountId } from './ids';
import type { RunPlan } from './run-policy/types';
import type { Levels } from './types';
import { MAX_POSITIONS } from './position-spec';

const price = z.number().finite().positive();

/**
 * The contract an option run's entry chose (issue 19), journaled in the plan before any order: the
 * plan's symbol, exchange and qty are then the contract's, and a restart reuses it rather than
 * choosing again from a price that has moved.
 */
export const optionContractSpec = z.strictObject({
  /** The index the contract is on (the strategy's symbol). */
  underlying: z.string().min(1),
  expiry: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  /** null: a future (no strike). */
  strike: price.nullable(),
  right: z.enum(POSITION_RIGHTS),
  lot_size: z.number().int().positive(),
  lots: z.number().int().positive(),
  /** The index price the strike was chosen from, the ATM strike, and the premium the rule read (premium rules). */
  spot: price,
  atm: price.nullable(),
  premium: price.nullable(),
  /** When it was chosen, epoch ms. */
  resolved_at: z.number().int().nonnegative(),
});
export type OptionContractSpec = z.output<typeof optionContractSpec>;

/**
 * The spec's keys a run trades by, each by the spec's own rule, the exchange settled. The times
 * of day are the run's own (runs.buy_at, runs.sell_at), fixed when it was armed.
 */
export const runPlanSpec = z.strictObject({
  broker_account_id: strategyShape.broker_account_id,
  symbol: strategyShape.symbol,
  exchange: strategyShape.exchange.unwrap(),
  /** A strategy's option right, or a position's (which may be FUT: the index's future). */
  option_right: orNone(oneOf('option_right', POSITION_RIGHTS)),
  option_expiry: strategyShape.option_expiry,
  option_strike: strategyShape.option_strike,
  /** The days to expiry the run may enter on (a daily option strategy's filter, position 0's expiry for a group); absent: any. */
  dte: strategyShape.dte,
  /** Set once the option's contract is chosen (never copied from the spec). */
  option_contract: optionContractSpec.optional(),
  /** The position of a multi-position strategy this run trades (runPlanOfPosition); absent: the strategy's one position. */
  position_no: z.number().int().min(0).max(MAX_POSITIONS - 1).optional(),
  side: strategyShape.side,
  qty: strategyShape.qty,
  buy_grace_seconds: strategyShape.buy_grace_seconds,
  square_off_time: strategyShape.square_off_time,
  stop_loss: strategyShape.stop_loss,
  stop_loss_mode: strategyShape.stop_loss_mode,
  target: strategyShape.target,
  target_mode: strategyShape.target_mode,
  trail: strategyShape.trail,
  trail_mode: strategyShape.trail_mode,
  move_stop_to_cost_after: strategyShape.move_stop_to_cost_after,
  move_stop_to_cost_mode: strategyShape.move_stop_to_cost_mode,
  backstop: strategyShape.backstop,
  backstop_margin: strategyShape.backstop_margin,
  backstop_margin_mode: strategyShape.backstop_margin_mode,
  reentries: strategyShape.reentries,
  reentry_after: strategyShape.reentry_after,
  reentry_cutoff: strategyShape.reentry_cutoff,
  /** The group's rules (position-spec.ts groupShape), the same in every position's plan; absent in a plan without positions. */
  mtm_stop: strategyShape.mtm_stop,
  mtm_target: strategyShape.mtm_target,
  on_position_failure: strategyShape.on_position_failure,
  stops_to_cost_on_stop: strategyShape.stops_to_cost_on_stop,
});
export type RunPlanSpec = z.output<typeof runPlanSpec>;

/** The plan's keys the spec has: everything but what the run itself settles (the option's contract) or a position says (its number). */
const RUN_PLAN_KEYS = Object.keys(runPlanSpec.shape).filter((k) => k !== 'option_contract' && k !== 'position_no') as Exclude<keyof RunPlanSpec, 'option_contract' | 'position_no'>[];

/**
 * The run's copy of `spec`, as it stands: copied, not judged (a spec is parsed when it is read),
 * as migration 0006 copies it for the runs under way.
 * @example runPlanOf(strategy.spec) // { broker_account_id: 1, symbol: 'AAPL', …, stop_loss: 95, … }
 */
export function runPlanOf(spec: StoredStrategySpec): RunPlanSpec {
  const out: Record<string, unknown> = {};
  for (const k of RUN_PLAN_KEYS) if (spec[k] !== undefined) out[k] = spec[k];
  return out as RunPlanSpec;
}

/**
 * The plan of position `positionNo` of a multi-position strategy: the flat plan of a strategy of
 * one option position, so the run policy runs it unchanged: the position's side, contract rule and
 * lots (else the strategy's qty), its stop-loss, target, trail and move to cost each with its unit
 * and its re-entries (each else the strategy's), the strategy's account, index, grace, square-off,
 * re-entry rule and cut-off, the group's rules (MTM stop and target, the failed-position rule,
 * stops to cost), and the strategy's backstop keys as it has them (left out: the broker's default;
 * its id names the position, core/ids.ts backstopId). A re-entry is of the contract the day chose
 * for the position (the plan's option_contract, journaled once): the run policy re-enters the
 * plan's instrument.
 * @throws Error when the spec has no such position (a caller's mistake, never the trader's).
 * @example runPlanOfPosition(straddle, 1) // { symbol: 'NIFTY', option_right: 'PE', side: 'sell', qty: 1, stop_loss: 30, stop_loss_mode: 'percent', position_no: 1, … }
 */
export function runPlanOfPosition(spec: StoredStrategySpec, positionNo: number): RunPlanSpec {
  const p = spec.positions?.[positionNo];
  if (!p) throw new Error(`strategy has no position ${positionNo}`);
  const target = p.target ?? spec.target;
  const trail = p.trail ?? spec.trail;
  const toCost = p.move_stop_to_cost_after ?? spec.move_stop_to_cost_after;
  return {
    broker_account_id: spec.broker_account_id,
    symbol: spec.symbol,
    exchange: spec.exchange,
    option_right: p.option_right,
    ...(p.option_expiry !== undefined ? { option_expiry: p.option_expiry } : {}),
    ...(p.option_strike !== undefined ? { option_strike: p.option_strike } : {}),
    ...(spec.dte !== undefined ? { dte: spec.dte } : {}),
    position_no: positionNo,
    side: p.side,
    qty: p.lots ?? spec.qty,
    buy_grace_seconds: spec.buy_grace_seconds,
    ...(spec.square_off_time !== undefined ? { square_off_time: spec.square_off_time } : {}),
    // Each key by itself: the position's own, else the strategy's (points or percent: a premium price is only ever the position's own, with its value).
    stop_loss: p.stop_loss ?? spec.stop_loss,
    stop_loss_mode: p.stop_loss_mode ?? spec.stop_loss_mode,
    ...(target !== undefined ? { target } : {}),
    target_mode: p.target_mode ?? spec.target_mode,
    // Trail, move to cost and re-entries likewise, each the position's own, else the strategy's.
    ...(trail !== undefined ? { trail } : {}),
    trail_mode: p.trail_mode ?? spec.trail_mode,
    ...(toCost !== undefined ? { move_stop_to_cost_after: toCost } : {}),
    move_stop_to_cost_mode: p.move_stop_to_cost_mode ?? spec.move_stop_to_cost_mode,
    ...(spec.backstop !== undefined ? { backstop: spec.backstop } : {}),
    ...(spec.backstop_margin !== undefined ? { backstop_margin: spec.backstop_margin } : {}),
    ...(spec.backstop_margin_mode !== undefined ? { backstop_margin_mode: spec.backstop_margin_mode } : {}),
    reentries: p.reentries ?? spec.reentries,
    reentry_after: spec.reentry_after,
    ...(spec.reentry_cutoff !== undefined ? { reentry_cutoff: spec.reentry_cutoff } : {}),
    // The group's rules, in every position's plan: each run carries what its group decides by.
    ...(spec.mtm_stop !== undefined ? { mtm_stop: spec.mtm_stop } : {}),
    ...(spec.mtm_target !== undefined ? { mtm_target: spec.mtm_target } : {}),
    ...(spec.on_position_failure !== undefined ? { on_position_failure: spec.on_position_failure } : {}),
    ...(spec.stops_to_cost_on_stop !== undefined ? { stops_to_cost_on_stop: spec.stops_to_cost_on_stop } : {}),
  };
}

/**
 * The run policy's plan from a run's copy of the spec: the one mapping of the spec's keys to the
 * policy's, for the engine's runs (execution/apply-step.ts) and for backtests alike.
 * @example runPlanFrom(runPlanOf(spec)).side // 'long' for side 'buy'
 */
export function runPlanFrom(p: RunPlanSpec): RunPlan {
  return {
    brokerAccountId: asBrokerAccountId(p.broker_account_id),
    symbol: p.symbol,
    exchange: p.exchange,
    side: p.side === 'buy' ? 'long' : 'short',
    qty: p.qty,
    stopLoss: p.stop_loss,
    stopLossMode: p.stop_loss_mode,
    target: p.target ?? null,
    targetMode: p.target_mode,
    trail: p.trail ?? null,
    trailMode: p.trail_mode,
    moveStopToCostAfter: p.move_stop_to_cost_after ?? null,
    moveStopToCostMode: p.move_stop_to_cost_mode,
    buyGraceMs: p.buy_grace_seconds * 1000,
    reentries: p.reentries,
    reentryAfter: p.reentry_after,
  };
}

/**
 * An open position's levels as runs.levels keeps them (core/types.ts Levels), read back with the
 * same rules they were written by: a stored text that does not read is refused, never defaulted.
 */
export const levelsSpec = z.strictObject({
  entry: price,
  tick: price.nullable(),
  stop: price,
  stopKind: z.enum(['STOPLOSS', 'TRAIL_STOP']),
  target: price.nullable(),
  trail: z.strictObject({ offset: price, mode: z.enum(OFFSET_MODES), best: price }).nullable(),
  costAt: price.nullable(),
}) satisfies z.ZodType<Levels>;
