/**
 * A position's exit levels: resolved once from the plan and the entry's fill price (price, points
 * or percent, rounded to the instrument's tick), then only ever tightened, by the trailing stop
 * following the best price and by the stop moving to cost. Which levels are armed, on which side
 * of the price, follows from them (`triggersOf`). Pure arithmetic; prices go through decimal.js,
 * so 101.1 − 0.3 is 100.8, not 100.79999999999998.
 */
import Decimal from 'decimal.js';
import type { ArmedLevels, Levels, OffsetMode, RunPlan, Side, Trigger } from './types';

/** The step a level moves by when the instrument's tick is not known: finer than any market prices. */
const NO_TICK = 1e-8;

/**
 * `price` on the tick grid: to the nearest tick, or, with `away`, to the tick on that side of it.
 * No tick: the price itself.
 */
function onTick(price: Decimal, tick: number | null, away?: 'up' | 'down'): number {
  if (tick === null) return price.toNumber();
  const steps = price.div(tick);
  const whole = away === 'up' ? steps.ceil() : away === 'down' ? steps.floor() : steps.round();
  return whole.mul(tick).toNumber();
}

/** +1 for a long (its stop below, its target above), −1 for a short. */
const sign = (side: Side) => (side === 'long' ? 1 : -1);

/** Which way a price crosses a level on the stop side (−1) or the target side (+1) of the position. */
const crossing = (side: Side, toward: -1 | 1): Trigger['dir'] => (toward * sign(side) > 0 ? 'up' : 'down');

/** `from` moved by `distance` (points, or percent of `from`), `toward` the stop side (−1) or the target side (+1). */
function offset(side: Side, from: number, distance: number, mode: OffsetMode, toward: -1 | 1): Decimal {
  const d = mode === 'points' ? new Decimal(distance) : new Decimal(from).mul(distance).div(100);
  return new Decimal(from).plus(d.mul(toward * sign(side)));
}

/**
 * A level given as a price or as a distance from the fill. A distance is rounded to the tick away
 * from the fill, so a stop or target never sits closer than the trader asked, and at least one
 * tick from it.
 */
function resolve(side: Side, fill: number, value: number, mode: RunPlan['stopLossMode'], toward: -1 | 1, tick: number | null): number {
  if (mode === 'price') return value;
  const away = toward * sign(side) > 0 ? 'up' : 'down';
  const level = onTick(offset(side, fill, value, mode, toward), tick, away);
  const step = tick ?? NO_TICK;
  const atLeastOneTick = new Decimal(fill).plus(new Decimal(step).mul(toward * sign(side))).toNumber();
  // A distance larger than the price itself puts the level at the lowest price there is: one tick.
  return Math.max(step, toward * sign(side) > 0 ? Math.max(level, atLeastOneTick) : Math.min(level, atLeastOneTick));
}

/** Whether stop `a` is tighter than `b` (closer to the price from the stop side). */
const tighter = (side: Side, a: number, b: number) => (side === 'long' ? a > b : a < b);

/** The trail's stop for a best price: `offset` behind it, on the tick at or behind that. */
function trailStop(side: Side, trail: NonNullable<Levels['trail']>, tick: number | null): number {
  return Math.max(tick ?? NO_TICK, onTick(offset(side, trail.best, trail.offset, trail.mode, -1), tick, side === 'long' ? 'down' : 'up'));
}

/** The levels of a position entered at `fill`: what the plan asks, made absolute. */
export function resolveLevels(plan: RunPlan, fill: number, tick: number | null): Levels {
  const side = plan.side;
  let stop = resolve(side, fill, plan.stopLoss, plan.stopLossMode, -1, tick);
  let stopKind: Levels['stopKind'] = 'STOPLOSS';
  const trail = plan.trail === null ? null : { offset: plan.trail, mode: plan.trailMode, best: fill };
  if (trail) {
    const t = trailStop(side, trail, tick);
    if (tighter(side, t, stop)) [stop, stopKind] = [t, 'TRAIL_STOP'];
  }
  return {
    entry: fill,
    tick,
    stop,
    stopKind,
    target: plan.target === null ? null : resolve(side, fill, plan.target, plan.targetMode, 1, tick),
    trail,
    costAt: plan.moveStopToCostAfter === null ? null : resolve(side, fill, plan.moveStopToCostAfter, plan.moveStopToCostMode, 1, tick),
  };
}

/** Why the stop moved, with where from and to (for the stop_moved event). */
export interface StopMove {
  readonly why: 'trail' | 'cost';
  readonly from: number;
  readonly to: number;
}

/**
 * The levels once the price has reached `price`: the trail's best follows it and may tighten the
 * stop; reaching `costAt` moves the stop to the entry price. Never loosens the stop. The same
 * object when the price moves nothing (not past the best, nor at `costAt`).
 */
export function ratchet(levels: Levels, side: Side, price: number): { readonly levels: Levels; readonly moved: StopMove | null } {
  let { stop, stopKind, trail, costAt } = levels;
  let why: StopMove['why'] | null = null;
  if (costAt !== null && !tighter(side, costAt, price)) {
    costAt = null;
    if (tighter(side, levels.entry, stop)) [stop, stopKind, why] = [levels.entry, 'STOPLOSS', 'cost'];
  }
  if (trail && tighter(side, price, trail.best)) {
    trail = { ...trail, best: price };
    const t = trailStop(side, trail, levels.tick);
    // Past the cost on the same tick: still the move that means the trade can no longer lose ('cost', said once).
    if (tighter(side, t, stop)) [stop, stopKind, why] = [t, 'TRAIL_STOP', why ?? 'trail'];
  }
  if (trail === levels.trail && costAt === levels.costAt) return { levels, moved: null };
  return { levels: { ...levels, stop, stopKind, trail, costAt }, moved: why === null ? null : { why, from: levels.stop, to: stop } };
}

/**
 * The levels with the stop at the entry price (the group's stops to cost, issue 19), or the same
 * object when the stop is there or tighter already: a stop is never loosened. No further move to
 * cost is due once it is made.
 * @example stopAtCost({ entry: 100, stop: 130, stopKind: 'STOPLOSS', … }, 'short') // { entry: 100, stop: 100, … }
 */
export function stopAtCost(levels: Levels, side: Side): { readonly levels: Levels; readonly moved: StopMove | null } {
  if (!tighter(side, levels.entry, levels.stop)) return { levels, moved: null };
  return { levels: { ...levels, stop: levels.entry, stopKind: 'STOPLOSS', costAt: null }, moved: { why: 'cost', from: levels.stop, to: levels.entry } };
}

/**
 * The price at which the stop would next tighten: where the trail's stop is one tick past the
 * stop, or `costAt`, whichever comes first; always strictly past the best price seen, so a
 * ratchet that moved nothing cannot fire again at the same price. Null: nothing can tighten it.
 */
function nextRatchet(levels: Levels, side: Side): number | null {
  const step = new Decimal(levels.tick ?? NO_TICK);
  const s = sign(side);
  let at: number | null = levels.costAt;
  const { trail } = levels;
  if (trail) {
    const wanted = new Decimal(levels.stop).plus(step.mul(s));
    // The best price whose trail stop reaches `wanted`: wanted + offset, or wanted / (1 − pct).
    const needed = trail.mode === 'points' ? wanted.plus(new Decimal(trail.offset).mul(s)) : wanted.div(new Decimal(1).minus(new Decimal(trail.offset).div(100).mul(s)));
    const pastBest = new Decimal(trail.best).plus(step.mul(s));
    const t = (s > 0 ? Decimal.max(needed, pastBest) : Decimal.min(needed, pastBest)).toNumber();
    at = at === null ? t : s > 0 ? Math.min(at, t) : Math.max(at, t);
  }
  return at;
}

/** Whether a price at `price` has reached the level `t` watches (as the trigger index fires it). */
export function crossed(t: Trigger, price: number): boolean {
  return t.dir === 'up' ? price >= t.level : price <= t.level;
}

/** The triggers that watch a position with these levels: its stop, its target, and the next ratchet. */
export function triggersOf(levels: Levels, side: Side): Trigger[] {
  const out: Trigger[] = [{ kind: levels.stopKind, level: levels.stop, dir: crossing(side, -1) }];
  if (levels.target !== null) out.push({ kind: 'TARGET', level: levels.target, dir: crossing(side, 1) });
  const r = nextRatchet(levels, side);
  if (r !== null) out.push({ kind: 'RATCHET', level: r, dir: crossing(side, 1) });
  return out;
}

/** Whether a ratchet can still move the levels: a trail, or a move to cost not yet made. */
export function canMove(levels: Levels): boolean {
  return levels.trail !== null || levels.costAt !== null;
}

/**
 * What watches a position with these levels: their triggers, and, when a ratchet can still move
 * them, the levels themselves, which the market listener then moves at the tick (`ratchetAt`).
 */
export function watchLevels(levels: Levels, side: Side): { readonly set: Trigger[]; readonly live?: ArmedLevels } {
  const set = triggersOf(levels, side);
  return canMove(levels) ? { set, live: { side, levels } } : { set };
}

/**
 * A RATCHET crossed at `price`: the levels as the price moved them (`ratchet`), and the triggers
 * to arm in place of the run's: the stop where it now is, the target, the next ratchet. An exit
 * level `price` has reached is left out: it fired on this very tick, and armed again it would fire
 * twice. One rule for both ways a ratchet is carried out: at the tick by the market listener (no
 * run read, no step), and by the run policy's step (triggerCrossed), so they cannot differ.
 *
 * @example ratchetAt(levels, 'long', 103.4) // { levels: { stop: 101.4, … }, moved: { why: 'trail', from: 98, to: 101.4 }, triggers: [TRAIL_STOP 101.4, RATCHET 103.45] }
 */
export function ratchetAt(levels: Levels, side: Side, price: number): { readonly levels: Levels; readonly moved: StopMove | null; readonly triggers: Trigger[] } {
  const r = ratchet(levels, side, price);
  return { ...r, triggers: triggersOf(r.levels, side).filter((t) => t.kind === 'RATCHET' || !crossed(t, price)) };
}

/** Whether every exit level of the plan is given as a price (none needs the fill price). */
export function pricedOnly(plan: RunPlan): boolean {
  return plan.stopLossMode === 'price' && (plan.target === null || plan.targetMode === 'price') && plan.trail === null && plan.moveStopToCostAfter === null;
}

/**
 * The triggers of a position without kept levels (a run from before levels were kept, or a fill
 * the broker gave no price for): the plan's levels given as prices, as they are.
 */
export function planTriggers(plan: RunPlan): Trigger[] {
  const out: Trigger[] = [];
  if (plan.stopLossMode === 'price') out.push({ kind: 'STOPLOSS', level: plan.stopLoss, dir: crossing(plan.side, -1) });
  if (plan.target !== null && plan.targetMode === 'price') out.push({ kind: 'TARGET', level: plan.target, dir: crossing(plan.side, 1) });
  return out;
}

/**
 * A level given as a price that `lastPrice` has already reached, or null: the stop (the position
 * would be closed at once at a loss), checked first, or the target (entering would exit at once,
 * paying the spread twice for nothing). A long's stop is below the price and its target above; a
 * short's the other way round. `where`: how the price stands to it, in words.
 */
export function levelAlreadyReached(plan: RunPlan, lastPrice: number | null): { readonly name: 'stop-loss' | 'target'; readonly level: number; readonly where: string } | null {
  if (lastPrice === null) return null;
  const reached = (level: number, toward: 1 | -1) => toward * sign(plan.side) * (lastPrice - level) >= 0;
  const where = (toward: 1 | -1) => (crossing(plan.side, toward) === 'up' ? 'at or above' : 'at or below');
  if (plan.stopLossMode === 'price' && reached(plan.stopLoss, -1)) return { name: 'stop-loss', level: plan.stopLoss, where: where(-1) };
  if (plan.target !== null && plan.targetMode === 'price' && reached(plan.target, 1)) return { name: 'target', level: plan.target, where: where(1) };
  return null;
}
