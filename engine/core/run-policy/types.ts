/**
 * The run policy's vocabulary: what a run does is `step(plan, snapshot, event) → Step`, a pure,
 * synchronous function (no I/O, no clock: time comes in the snapshot and the event). The callers
 * keep the mechanics (queue, lock, journal transaction, send, timers, subscriptions) and carry
 * out the Step; the rules live in step.ts, entry.ts and exit.ts.
 *
 * Today's rules only: long, one leg (legNo 0), legs BUY / STOPLOSS / MANUAL_EXIT / SELL. The
 * shapes carry `legNo` and an order `side` so that sell-first and re-entry extend them.
 */
import type { BrokerAccountId, RunId, StrategyId, UserId } from '../ids';
import type { EngineEvent } from '../events';
import { LEG_PRIORITY, type Exchange, type Leg, type Order, type OrderSide, type OrderSlot, type Run, type RunState } from '../types';

export type { Leg, OrderSide, OrderSlot, RunState };

/** Which way a run trades: long buys first and sells to exit. Only 'long' is planned today. */
export type Side = 'long' | 'short';

/** Why an exit order exists. SELL is the time exit (the stored code is kept). */
export type ExitKind = Exclude<Leg, 'BUY'>;

/** The execution queue's serving order, lower first: a stop-loss goes before a SELL due at the same instant. */
export const EXIT_PRIORITY: Readonly<Record<Leg, number>> = LEG_PRIORITY;

/** The fields of a run row a Step may write (with or without a state change). */
export type RunPatch = Partial<Pick<Run, 'positionQty' | 'entryPrice' | 'exitPrice' | 'exitLeg' | 'lastAction' | 'lastActionAt' | 'reason' | 'stopRequested' | 'stopKeep'>>;

/** Where an order trades. */
export type OrderWhere = Pick<Order, 'brokerAccountId' | 'symbol' | 'exchange'>;

/** The run's rules as fixed when it was armed (today read from the strategy row). */
export interface RunPlan {
  readonly brokerAccountId: BrokerAccountId;
  readonly symbol: string;
  readonly exchange: Exchange;
  readonly side: Side;
  readonly qty: number;
  /** Absolute price; the entry is skipped if the last price is already at or past it. */
  readonly stopLoss: number;
  /** How late an entry may still be sent (daemon down, laptop asleep). */
  readonly buyGraceMs: number;
}

/** The exit levels a position is watched against (absolute prices). Slice 3 adds target and trail. */
export interface Levels {
  readonly stop: number;
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
  readonly entryPrice: number | null;
  /** Weighted average price of what the exits sold so far. */
  readonly exitPrice: number | null;
  readonly stopRequested: boolean;
  /** The pending STOP keeps the position open (the trader's "STOP and keep"); false: it closes it. */
  readonly stopKeep: boolean;
  readonly buyAt: number;
  readonly sellAt: number;
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
 * - exit_due: the time-exit job fired (strategy-manager).
 * - trigger_crossed: a tick crossed an armed level (strategy-manager), stepped in the turn after
 *   the tick: the exit itself was submitted at the tick (`crossingExit`), because reading the run
 *   on the tick path costs ~0.2 ms; its journal_exit decides whether it goes.
 * - journal_entry / journal_exit: an intent is being journaled (execution-engine decide(), inside
 *   the journal transaction). `heldAtBroker`: what the broker says is held, asked before a new
 *   attempt (attempt ≥ 2).
 * - order_final: an order reached filled, rejected or cancelled (apply-report). `lasting`: the
 *   broker's word on whether a refusal will pass (true: it will not; false: it may; null: none).
 * - entry_abandoned: an entry known not to be at the broker, given up (reconciler).
 * - stop_requested: the trader's STOP, or the kill switch (strategy-manager).
 * - recovered: the process started with this run unfinished (recovery).
 */
export type RunEvent =
  | { readonly type: 'entry_due'; readonly scheduledAt: number; readonly lateByMs: number; readonly lastPrice: number | null; readonly dueLabel: string }
  | { readonly type: 'exit_due'; readonly leg: 'SELL'; readonly scheduledAt: number }
  | { readonly type: 'trigger_crossed'; readonly kind: 'STOPLOSS'; readonly legNo: number; readonly price: number; readonly level: number; readonly tickAt: number; readonly at: number }
  | { readonly type: 'journal_entry'; readonly scheduledAt: number }
  | { readonly type: 'journal_exit'; readonly leg: ExitKind; readonly scheduledAt: number; readonly heldAtBroker?: number }
  | { readonly type: 'order_final'; readonly order: OrderView; readonly lasting: boolean | null }
  | { readonly type: 'entry_abandoned'; readonly to: 'MISSED_BUY' | 'STOPPED'; readonly reason: string }
  | { readonly type: 'stop_requested'; readonly closePosition: boolean }
  | { readonly type: 'recovered'; readonly strategyRunning: boolean };

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
  | { readonly cancel: 'time_exit' };

/**
 * What the caller does, in this order: write `move` (a checked transition, with its patch) or
 * `patch` (the same state) and journal `place`, in one transaction; once committed, publish
 * `events` (before the move's run_state_changed), put `submit` on the queue in order, arm
 * `triggers`, then set `timers`. The order matters: a submit is served at once when the queue is
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
  /** Watch the position against these levels, at its entry's instrument. */
  readonly triggers?: { readonly set: Levels };
}

/** The policy: pure and deterministic; the same arguments always give the same Step. */
export type Policy = (plan: RunPlan, snapshot: RunSnapshot, event: RunEvent) => Step;
