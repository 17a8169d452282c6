/**
 * The run policy's vocabulary: what a run does is `step(plan, snapshot, event) → Step`, a pure,
 * synchronous function (no I/O, no clock: time comes in the snapshot and the event). The callers
 * keep the mechanics (queue, lock, journal transaction, send, timers, subscriptions) and carry
 * out the Step; the rules live in step.ts, entry.ts, exit.ts and reentry.ts.
 *
 * Long or short, exits by stop-loss, trailing stop, target, time and the trader; a run may enter
 * again after an exit (re-entry), each leg journaled under its `legNo` (0, then 1, 2, …).
 */
import type { BrokerAccountId, RunId, StrategyId, UserId } from '../ids';
import type { EngineEvent } from '../events';
import { LEG_PRIORITY, type Exchange, type ExitAllReason, type Leg, type Levels, type OffsetMode, type Order, type OrderSide, type OrderSlot, type Run, type RunState } from '../types';

export type { Leg, Levels, OffsetMode, OrderSide, OrderSlot, RunState };

/** Which way a run trades: long buys first and sells to exit. Only 'long' is planned today. */
export type Side = 'long' | 'short';

/** Why an exit order exists. SELL is the time exit (the stored code is kept). */
export type ExitKind = Exclude<Leg, 'BUY'>;

/** The execution queue's serving order, lower first: a stop-loss goes before a SELL due at the same instant. */
export const EXIT_PRIORITY: Readonly<Record<Leg, number>> = LEG_PRIORITY;

/** The fields of a run row a Step may write (with or without a state change). */
export type RunPatch = Partial<Pick<Run, 'positionQty' | 'unsoldQty' | 'entryPrice' | 'exitPrice' | 'exitLeg' | 'lastAction' | 'lastActionAt' | 'reason' | 'stopRequested' | 'stopKeep' | 'levels' | 'legNo' | 'reentryAt'>>;

/** Where an order trades. */
export type OrderWhere = Pick<Order, 'brokerAccountId' | 'symbol' | 'exchange'>;

/** How a stop-loss or target is given: the price itself, or a distance from the entry fill price. */
export type LevelMode = 'price' | OffsetMode;

/** The run's rules as fixed when it was armed (runs.plan; a run from before plans reads its strategy row). */
export interface RunPlan {
  readonly brokerAccountId: BrokerAccountId;
  readonly symbol: string;
  readonly exchange: Exchange;
  readonly side: Side;
  readonly qty: number;
  /**
   * The stop-loss: a price (`stopLossMode` 'price'), or a distance from the entry fill in points
   * or percent. A price-mode stop skips the entry when the last price is already at or past it.
   */
  readonly stopLoss: number;
  readonly stopLossMode: LevelMode;
  /** The take-profit, given as the stop-loss is; null: none. */
  readonly target: number | null;
  readonly targetMode: LevelMode;
  /** The trailing stop's distance from the best price since the entry; null: none. */
  readonly trail: number | null;
  readonly trailMode: OffsetMode;
  /** The gain from the entry fill after which the stop moves to the entry price; null: never. */
  readonly moveStopToCostAfter: number | null;
  readonly moveStopToCostMode: OffsetMode;
  /** How late an entry may still be sent (daemon down, laptop asleep). */
  readonly buyGraceMs: number;
  /** How many more legs the run may enter the same day after an exit; 0: none. */
  readonly reentries: number;
  /** Which exit allows a re-entry: a stop-loss (the trailing stop counts as one), a target, or either. */
  readonly reentryAfter: 'stop_loss' | 'target' | 'either';
}

/**
 * What a price level does when a tick crosses it: STOPLOSS, TRAIL_STOP and TARGET send that exit
 * (at the tick, before the run is read); RATCHET sends nothing: the price reached the point where
 * the trail or move-to-cost tightens the stop, and the new levels are set (levels.ts `ratchetAt`:
 * by the market listener at the tick for levels armed `live`, else by the policy's step).
 */
export type TriggerKind = 'STOPLOSS' | 'TRAIL_STOP' | 'TARGET' | 'RATCHET';

/** One armed level: `down` fires when the price falls to it or below, `up` when it rises to it or above. */
export interface Trigger {
  readonly kind: TriggerKind;
  readonly level: number;
  readonly dir: 'down' | 'up';
}

/** One journal row as the policy reads it. */
/** A journal row as the policy reads it (Order.legNo: 0 until re-entry). */
export type OrderView = Pick<Order, 'id' | 'leg' | 'legNo' | 'slot' | 'side' | 'attempt' | 'status' | 'qty' | 'filledQty' | 'fillPrice' | 'rejectReason' | 'brokerAccountId' | 'symbol' | 'exchange'>;

/**
 * The run as it stands when the event is stepped: its row, the current leg's last entry and exit
 * journal rows (highest attempt), and the time. For `order_final`, the reported order's new
 * status is already written, so `entry` or `exit` may be that very order.
 */
export interface RunSnapshot {
  readonly runId: RunId;
  readonly strategyId: StrategyId;
  readonly userId: UserId;
  readonly state: RunState;
  /** The current leg; 0 until re-entry. */
  readonly legNo: number;
  readonly positionQty: number;
  /** What this leg's exits found not held at the broker, left unsold (runs.unsold_qty). */
  readonly unsoldQty: number;
  readonly entryPrice: number | null;
  /** Weighted average price of what the exits sold so far. */
  readonly exitPrice: number | null;
  /** The exit that last emptied the position (runs.exit_leg): how a run waiting between legs ends. */
  readonly exitLeg: Leg | null;
  /** The run's reason as written last (runs.reason): what an exit that empties the position keeps of it (exit.ts `UNSOLD`). */
  readonly reason: string | null;
  readonly stopRequested: boolean;
  /** The pending STOP keeps the position open (the trader's "STOP and keep"); false: it closes it. */
  readonly stopKeep: boolean;
  /** The group's "exit all" journaled on the run (runs.exit_all): its position exits at once, after a restart too. */
  readonly exitAll: ExitAllReason | null;
  readonly buyAt: number;
  readonly sellAt: number;
  /** When the next leg's entry is due (WAITING_REENTRY); null when none waits. */
  readonly reentryAt: number | null;
  /** No re-entry at or after this instant; null: the run takes no re-entries. */
  readonly reentryCutoffAt: number | null;
  /**
   * The last moment a position may stay open (square_off_time that day); null: none beyond the
   * SELL time. No exit attempt waits past it: one that would is made at it, as the square-off.
   */
  readonly squareOffAt: number | null;
  /** The open position's levels (runs.levels); null while flat or for a run from before levels were kept. */
  readonly levels: Levels | null;
  readonly entry: OrderView | null;
  readonly exit: OrderView | null;
  /** An exit was deferred (the entry was still in flight) and waits for the entry to settle. */
  readonly deferredExit: boolean;
  /** Epoch ms: the instant the caller steps the event. */
  readonly now: number;
}

/**
 * What happened to the run. Each names the caller that steps it:
 * - entry_due: the entry job fired (strategy-manager). `lastPrice` is the instrument's last
 *   price or null; `dueLabel` is `scheduledAt` as the trader reads it (the strategy's zone),
 *   formatted by the caller, since core has no time-zone library.
 * - exit_due: the time-exit job (SELL) or the square-off job (SQUARE_OFF) fired (strategy-manager).
 * - reentry_due: the next leg's entry timer fired (strategy-manager), in WAITING_REENTRY; its
 *   fields as entry_due's (`scheduledAt`: the run's reentryAt).
 * - trigger_crossed: a tick crossed an armed level (strategy-manager), stepped in the turn after
 *   the tick (`stale`: the price was a REST quote or older than the stale bound, StalePrice): an exit level's exit itself was submitted at the tick (`crossingExit`), because
 *   reading the run on the tick path costs ~0.2 ms; its journal_exit decides whether it goes. A
 *   RATCHET submits nothing: its step tightens the levels.
 * - journal_entry / journal_exit: an intent is being journaled (execution-engine decide(), inside
 *   the journal transaction). `legNo`: the leg the intent was submitted for (the run's leg then);
 *   one for another leg is stale (a retry timer or a queued exit of a leg since closed) and goes
 *   nowhere. `heldAtBroker`: what the broker says is held in whole steps, asked before a new
 *   attempt (attempt ≥ 2), and before the first where the broker may take its fee out of what a
 *   buy receives (BrokerCapabilities.feeInBoughtAsset). `dust`: set when what is left of a
 *   position, part of which an earlier exit of the leg sold, is under the venue's least order
 *   (order-minimum.ts), saying why: no order can sell it, so the run is closed with it, reported.
 *   `notSeen`: a spot account's reading of what is held fell short of the position by more than the
 *   broker's fee and one step (held-qty.ts; its balance may lag a cancel): the attempt sells what
 *   was read, and the rest, this much, is not booked as not held but stays the run's, so the sale
 *   ends with shares held and the next attempt reads again.
 * - order_final: an order reached filled, rejected or cancelled (apply-report). `lasting`: the
 *   broker's word on whether a refusal will pass (true: it will not; false: it may; null: none).
 *   `tickSize`: the instrument's price step, for an entry (its levels are rounded to it); null
 *   when not known or for an exit.
 * - entry_abandoned: an entry known not to be at the broker, given up (reconciler).
 * - stop_requested: the trader's STOP, or the kill switch (strategy-manager).
 * - stop_to_cost: another position of the run's group stopped out and the group's
 *   stops_to_cost_on_stop is set (strategy/group-exits.ts): the stop moves to the entry price.
 * - recovered: the process started with this run unfinished (recovery). `bestSinceEntry`: the
 *   best price (a long's highest) recorded since the entry filled (price bars), so a trail moved
 *   after its levels were last written is not lost; null when none is recorded. `groupClosed`:
 *   another position of the run's group ended by the group's exit (its SELL filled, or the flag
 *   on it), the trace an "exit all" whose flag never landed leaves; left out: false.
 */
export type RunEvent =
  | { readonly type: 'entry_due'; readonly scheduledAt: number; readonly lateByMs: number; readonly lastPrice: number | null; readonly dueLabel: string }
  | { readonly type: 'exit_due'; readonly leg: 'SELL' | 'SQUARE_OFF'; readonly scheduledAt: number }
  | { readonly type: 'reentry_due'; readonly scheduledAt: number; readonly lateByMs: number; readonly lastPrice: number | null; readonly dueLabel: string }
  | { readonly type: 'trigger_crossed'; readonly kind: TriggerKind; readonly legNo: number; readonly price: number; readonly level: number; readonly tickAt: number; readonly at: number; readonly stale?: StalePrice }
  | { readonly type: 'journal_entry'; readonly legNo: number; readonly scheduledAt: number }
  | { readonly type: 'journal_exit'; readonly leg: ExitKind; readonly legNo: number; readonly scheduledAt: number; readonly heldAtBroker?: number; readonly dust?: string; readonly notSeen?: number }
  | { readonly type: 'order_final'; readonly order: OrderView; readonly lasting: boolean | null; readonly tickSize: number | null }
  | { readonly type: 'entry_abandoned'; readonly to: 'MISSED_BUY' | 'STOPPED'; readonly reason: string }
  | { readonly type: 'stop_requested'; readonly closePosition: boolean }
  | { readonly type: 'stop_to_cost' }
  | { readonly type: 'recovered'; readonly strategyRunning: boolean; readonly bestSinceEntry: number | null; readonly groupClosed?: boolean };

/**
 * A crossing decided on a price the stream did not just give: a REST quote asked because the
 * stream fell silent ('rest'), or a last price older than the stale bound ('stream'). Its exit
 * event says so (core/events.ts).
 */
export interface StalePrice {
  readonly source: 'stream' | 'rest';
  /** How long the stream had been silent, ms. */
  readonly silentForMs: number;
}

export type RunEventType = RunEvent['type'];
export type EventOf<T extends RunEventType> = Extract<RunEvent, { readonly type: T }>;

/** An order to journal now (journal_* only): the caller inserts it under its client order id and sends it. */
export interface PlaceIntent {
  readonly legNo: number;
  readonly slot: OrderSlot;
  readonly attempt: number;
  readonly leg: Leg;
  readonly side: OrderSide;
  readonly qty: number;
  readonly where: OrderWhere;
  readonly scheduledAt: number;
}

/** A leg put on the execution queue; its journal_* step decides whether an order goes out. */
export interface SubmitIntent {
  readonly leg: Leg;
  readonly scheduledAt: number;
}

/**
 * Why nothing is journaled:
 * - defer: the entry is still in flight; the exit goes as soon as it fills.
 * - suppress: another exit won, or nothing is held (published as exit_suppressed).
 * - halt: not sent, and the run moved or its reason changed (published as exit_suppressed).
 * - drop: nothing to do (logged).
 */
export type Outcome = 'defer' | { readonly suppress: string } | { readonly halt: string } | { readonly drop: string };

export type TimerIntent =
  /** The next exit attempt, as `leg`, at `at` (replaces any earlier one of the run). */
  | { readonly set: 'exit_retry'; readonly at: number; readonly leg: ExitKind }
  /** The run's entry and time-exit jobs; an overdue one fires at once with its lateness. */
  | { readonly set: 'jobs' }
  /** The next leg's entry, due at `at` (reentry_due fires then, at once when already past). */
  | { readonly set: 'reentry'; readonly at: number }
  | { readonly cancel: 'time_exit' };

/**
 * What the caller does, in this order: write `move` (a checked transition, with its patch) or
 * `patch` (the same state) and journal `place`, in one transaction; once committed, publish
 * `events` (before the move's run_state_changed), put `submit` on the queue in order, arm
 * `triggers` (replacing the run's armed levels; an empty list clears them), then set `timers`.
 * Levels the run keeps go in the patch (`levels`), so they are written with the state. The order matters: a submit is served at once when the queue is
 * free, so the first one goes first. An empty Step: nothing to do.
 */
export interface Step {
  readonly move?: { readonly to: RunState; readonly patch: RunPatch };
  readonly patch?: RunPatch;
  readonly place?: PlaceIntent;
  readonly outcome?: Outcome;
  readonly events?: readonly EngineEvent[];
  readonly timers?: readonly TimerIntent[];
  readonly submit?: readonly SubmitIntent[];
  /**
   * Watch the position against these levels, at its entry's instrument. `moved`: the levels a
   * ratchet moved, which are not armed once an exit level of the leg has fired (its exit is under way).
   * `live`: the levels the set comes from, for the market listener to move at the tick from now on.
   */
  readonly triggers?: { readonly set: readonly Trigger[]; readonly moved?: true; readonly live?: ArmedLevels };
}

/**
 * A position's levels as armed, when a ratchet can still move them (a trail, a move to cost not
 * yet made). The market listener keeps them and moves them at the tick (levels.ts `ratchetAt`):
 * from the arming until the run leaves IN_POSITION they are the position's levels, and runs.levels
 * follows them within a second (the levels writer), or with the state change that ends them.
 */
export interface ArmedLevels {
  readonly side: Side;
  readonly levels: Levels;
}

/** The policy: pure and deterministic; the same arguments always give the same Step. */
export type Policy = (plan: RunPlan, snapshot: RunSnapshot, event: RunEvent) => Step;
