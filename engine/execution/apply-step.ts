/**
 * The run policy's adapter: builds its inputs from SQLite (plan, snapshot) and carries out the
 * Step it returns with the engine's mechanics. The rules themselves live in core/run-policy.
 */
import { instrumentKey, type Leg, type Run, type Strategy } from '../core/types';
import { runPlanFrom, runPlanOf } from '../core/run-plan-spec';
import { step } from '../core/run-policy/step';
import type { OrderWhere, PlaceIntent, RunEvent, RunPlan, RunSnapshot, Step, TimerIntent } from '../core/run-policy/types';
import type { EngineContext } from '../context';
import type { MarketListener } from '../market/market-listener';
import type { Repos } from '../../db/repos';
import type { NewOrder } from '../../db/repos/orders';
import { announceRun, writeRunState } from './run-ledger';

/**
 * The run's rules, from the plan it was armed with (invariant 8: an edit of the strategy, or a
 * strategy row that can no longer be read, never reaches a run under way). A run armed before
 * runs kept a plan (runs.plan null) reads its strategy row, as it always did; null when it has neither.
 */
export function planOf(run: Run, strategy: Strategy | undefined): RunPlan | null {
  if (run.plan) return runPlanFrom(run.plan);
  return strategy ? runPlanFrom(runPlanOf(strategy.spec)) : null;
}

/**
 * The run with its entry and last exit rows (the two journal reads decide() always made). An
 * ARMED run has no journal rows (a run is re-armed only if it never placed an order), so none are
 * read for it: the BUY's journal step reads only the run and the strategy.
 */
export function snapshotOf(repos: Pick<Repos, 'orders'>, run: Run, now: number, deferredExit = false): RunSnapshot {
  const armed = run.state === 'ARMED';
  const exit = armed ? undefined : repos.orders.findBySlotInternal(run.id, 'exit', run.legNo);
  const entry = armed ? undefined : repos.orders.findBySlotInternal(run.id, 'entry', run.legNo);
  return {
    runId: run.id,
    strategyId: run.strategyId,
    userId: run.userId,
    state: run.state,
    legNo: run.legNo,
    positionQty: run.positionQty,
    unsoldQty: run.unsoldQty,
    entryPrice: run.entryPrice,
    exitPrice: run.exitPrice,
    exitLeg: run.exitLeg,
    reason: run.reason,
    stopRequested: run.stopRequested,
    stopKeep: run.stopKeep,
    exitAll: run.exitAll,
    buyAt: run.buyAt,
    sellAt: run.sellAt,
    reentryAt: run.reentryAt,
    reentryCutoffAt: run.reentryCutoffAt,
    squareOffAt: run.squareOffAt,
    levels: run.levels,
    entry: entry ?? null,
    exit: exit ?? null,
    deferredExit,
    now,
  };
}

/**
 * The journal row of an order the run policy placed (`step.place`), nothing filled yet; `sent`
 * says under which ids and in which state (a new order: pending, no broker id yet).
 * Invariant 8: an exit sells where its entry bought (`place.where`), never what the strategy says now.
 */
export function placedOrderRow(run: Run, place: PlaceIntent, sent: Pick<NewOrder, 'clientOrderId' | 'brokerOrderId' | 'status' | 'dispatchedAt' | 'ackedAt'>): NewOrder {
  return {
    runId: run.id,
    strategyId: run.strategyId,
    userId: run.userId,
    ...place.where,
    qty: place.qty,
    attempt: place.attempt,
    legNo: place.legNo,
    leg: place.leg,
    side: place.side,
    slot: place.slot,
    scheduledAt: place.scheduledAt,
    ...sent,
    filledAt: null,
    filledQty: 0,
    fillPrice: null,
    rejectReason: null,
  };
}

/**
 * Steps `event` for `run`, synchronously on SQLite, by its plan; the strategy row is read only
 * for a run without one (`strategy` saves that read when the caller has it). Null when the run
 * has no plan and its strategy is gone. A run of a group whose "exit all" is decided and its flag
 * not journaled yet (closing-groups.ts) is stepped with that flag, as if written.
 */
export function stepRun(ctx: Pick<EngineContext, 'repos' | 'clock' | 'closingGroups'>, run: Run, event: RunEvent, deferredExit = false, strategy?: Strategy): Step | null {
  const plan = planOf(run, run.plan ? undefined : (strategy ?? ctx.repos.strategies.getInternal(run.strategyId)));
  if (!plan) return null;
  const snapshot = snapshotOf(ctx.repos, run, ctx.clock.now(), deferredExit);
  const closing = run.exitAll === null ? ctx.closingGroups.reasonOf(run.strategyId, run.tradingDate) : null;
  return step(plan, closing === null ? snapshot : { ...snapshot, exitAll: closing }, event);
}

/** Writes the Step's run change: a checked move, or a patch keeping the state. Returns the row as it now stands. */
export function writeStep(ctx: EngineContext, run: Run, s: Step): Run {
  if (s.move) return writeRunState(ctx, run, s.move.to, s.move.patch);
  const { patch } = s;
  if (!patch) return run;
  const write = () => ctx.repos.runs.update(run.id, patch, ctx.clock.now());
  // A ratchet's step alone (a RATCHET the market listener held no levels for; those it holds it
  // moves at the tick, and the levels writer writes them) does not wait for the disk: a crash of
  // the process keeps it; a power cut may lose the last moves, which recovery takes again from the
  // price bars (the best price since the entry), short of the minute not yet written: a stop a
  // little lower for a while, never a lost exit.
  return levelsOnly(s) ? ctx.repos.transaction(write, { durable: false }) : write();
}

/** A Step that only moves the position's levels (a ratchet): no state, no order. */
function levelsOnly(s: Step): boolean {
  return !s.move && !s.place && s.patch !== undefined && Object.keys(s.patch).every((k) => k === 'levels');
}

/** What a caller does with a Step's follow-ups. */
export interface StepMechanics {
  /** Puts a leg of this run on the execution queue. */
  readonly submit: (leg: Leg, scheduledAt: number) => void;
  /** Where the position is watched (its entry's instrument). */
  readonly where: () => OrderWhere;
  readonly timer: (t: TimerIntent) => void;
}

/**
 * The follow-ups, in the Step's order: submits (the first is served first), the stop armed where
 * the position was bought, then the timers. Events and the run change are the caller's, since
 * they go with its transaction.
 */
export function followUp(market: Pick<MarketListener, 'setTriggers'>, run: Run, s: Step, m: StepMechanics): void {
  for (const x of s.submit ?? []) m.submit(x.leg, x.scheduledAt);
  if (s.triggers) {
    const at = m.where();
    const { live } = s.triggers;
    market.setTriggers(at.brokerAccountId, instrumentKey(at.exchange, at.symbol), run.strategyId, run.legNo, s.triggers.set, s.triggers.moved, live && { ...live, runId: run.id, userId: run.userId }, run.positionNo);
  }
  for (const t of s.timers ?? []) m.timer(t);
}

/**
 * Carries out a Step outside the journal (the manager, recovery): the run change in its own
 * statement, the events, the move announced (a patch alone is not: it changes no state), then
 * the follow-ups. Returns the row as it now stands.
 */
export function applyStep(ctx: EngineContext, run: Run, s: Step, m: StepMechanics): Run {
  let after: Run;
  try {
    after = writeStep(ctx, run, s);
  } catch (err) {
    if (!levelsOnly(s)) throw err;
    // The trail's move could not be kept (storage failing): it is watched all the same, and a
    // restart takes it again from the price bars. Not arming it would leave the stop where it was.
    ctx.logger.error({ err, strategyId: run.strategyId, runId: run.id }, 'the moved levels could not be written; they are watched all the same');
    after = run;
  }
  for (const e of s.events ?? []) ctx.bus.publish(e);
  if (s.move) announceRun(ctx, run, after);
  followUp(ctx.market, run, s, m);
  return after;
}
