/**
 * Domain types shared by every engine part. Plain data only: no classes, no Dates (epoch ms),
 * so any value here can cross the API, the event bus or a worker boundary unchanged.
 */
import type { BrokerAccountId, OrderId, RunId, StrategyId, UserId } from './ids';
import type { RunPlanSpec } from './run-plan-spec';
import type { StoredStrategySpec } from './strategy-spec';

/** NFO and BFO: the derivatives segments of NSE and BSE (index options and futures), in IST on NSE's calendar. */
export const EXCHANGES = ['NSE', 'BSE', 'NFO', 'BFO', 'NYSE', 'NASDAQ', 'CRYPTO'] as const;
export type Exchange = (typeof EXCHANGES)[number];

export const REPEATS = ['once', 'daily'] as const;
export type Repeat = (typeof REPEATS)[number];

/**
 * Why an order exists. Every leg but BUY fills the run's single exit slot: SELL is the time exit,
 * STOPLOSS the stop (also once moved to cost), TRAIL_STOP the stop once the trail has moved it,
 * TARGET the take-profit, MANUAL_EXIT the trader's STOP or the kill switch, SQUARE_OFF the exit at
 * the square-off time (the last moment a position may stay open), BACKSTOP the stop resting at
 * the broker (issue 20), whose fills are journaled as the leg's exit when it fired, and
 * BACKSTOP_TARGET the take-profit resting with it (a Kite two-leg GTT) when that side fired: the
 * target reached at the broker.
 */
export type Leg = 'BUY' | 'SELL' | 'STOPLOSS' | 'TRAIL_STOP' | 'TARGET' | 'MANUAL_EXIT' | 'SQUARE_OFF' | 'BACKSTOP' | 'BACKSTOP_TARGET';
export type OrderSide = 'buy' | 'sell';
export type OrderSlot = 'entry' | 'exit';

export function slotOf(leg: Leg): OrderSlot {
  return leg === 'BUY' ? 'entry' : 'exit';
}

/** Serving order of the execution queue: lower first. */
export const LEG_PRIORITY: Readonly<Record<Leg, number>> = {
  STOPLOSS: 0,
  TRAIL_STOP: 0,
  BACKSTOP: 0,
  MANUAL_EXIT: 1,
  TARGET: 2,
  BACKSTOP_TARGET: 2,
  SELL: 3,
  SQUARE_OFF: 3,
  BUY: 4,
};

export type StrategyStatus = 'idle' | 'running' | 'stopped' | 'completed';

/**
 * A strategy: its spec, the one definition of what it trades and when, plus who owns it and its
 * lifecycle. The account, symbol and exchange repeat the spec's keys (the table keeps them as
 * columns; the repository writes both from the spec, so they cannot drift).
 */
export interface Strategy {
  readonly id: StrategyId;
  readonly userId: UserId;
  readonly brokerAccountId: BrokerAccountId;
  readonly symbol: string;
  readonly exchange: Exchange;
  /** The strategy as its one definition (core/strategy-spec.ts), as stored. */
  readonly spec: StoredStrategySpec;
  readonly status: StrategyStatus;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** Whose strategy it is and where it trades: read from its columns, without its spec. */
export type StrategyIdentity = Pick<Strategy, 'id' | 'userId' | 'brokerAccountId' | 'symbol' | 'exchange' | 'status'>;

export type RunState =
  | 'ARMED'
  | 'BUYING'
  | 'IN_POSITION'
  | 'EXITING'
  | 'SOLD'
  | 'EXITED_BY_SL'
  | 'EXITED_BY_TARGET'
  /** Flat between legs: a leg's exit allowed a re-entry, whose entry is due at runs.reentry_at. */
  | 'WAITING_REENTRY'
  | 'MISSED_BUY'
  | 'SKIPPED'
  | 'ERROR'
  | 'STOPPED';

/** How a relative distance is given: price points, or percent of a price. */
export type OffsetMode = 'points' | 'percent';

/**
 * An open position's exit levels, as absolute prices resolved from the entry's fill (runs.levels).
 * A long's stop sits below the price and its target above; a short mirrors both. The stop is only
 * ever tightened (by the trail and by move-to-cost), never loosened.
 */
export interface Levels {
  /** The entry fill price the levels were resolved from: the cost the stop may move to. */
  readonly entry: number;
  /** The instrument's price step the levels are rounded to; null when not known (no rounding). */
  readonly tick: number | null;
  /** The stop now. */
  readonly stop: number;
  /** Which exit the stop's crossing sends: STOPLOSS, or TRAIL_STOP once the trail has moved the stop. */
  readonly stopKind: 'STOPLOSS' | 'TRAIL_STOP';
  /** The take-profit; null: none. */
  readonly target: number | null;
  /** The trailing stop: its distance, and the best price since the entry; null: none. */
  readonly trail: { readonly offset: number; readonly mode: OffsetMode; readonly best: number } | null;
  /** The price at which the stop moves to the entry price; null: none, or already moved. */
  readonly costAt: number | null;
}

/** Why a day's group closes every position at once: its combined MTM stop or target, or a position's failed entry (unwind). */
export const EXIT_ALL_REASONS = ['mtm_stop', 'mtm_target', 'unwind'] as const;
export type ExitAllReason = (typeof EXIT_ALL_REASONS)[number];

/** One strategy's attempt on one trading day. */
export interface Run {
  readonly id: RunId;
  readonly strategyId: StrategyId;
  readonly userId: UserId;
  /** "YYYY-MM-DD" in the strategy's timezone. */
  readonly tradingDate: string;
  readonly state: RunState;
  /** Scheduled instants of today's triggers, epoch ms. */
  readonly buyAt: number;
  readonly sellAt: number;
  readonly positionQty: number;
  /** What the current leg's exits found not held at the broker, left unsold (runs.unsold_qty). */
  readonly unsoldQty: number;
  readonly entryPrice: number | null;
  readonly exitPrice: number | null;
  readonly exitLeg: Leg | null;
  readonly lastAction: string | null;
  readonly lastActionAt: number | null;
  /** Human-readable why for MISSED_BUY, SKIPPED, ERROR, STOPPED. */
  readonly reason: string | null;
  /** Set when the trader pressed STOP while an order was in flight; stopKeep says which STOP. */
  readonly stopRequested: boolean;
  /** Which STOP is pending (with stopRequested): true keeps the position open, false closes it. */
  readonly stopKeep: boolean;
  /**
   * The group's "exit all" and why (a multi-position strategy, issue 19): journaled on every open
   * run of the day's group at once, before any exit; the run's exit then goes at once, also after a
   * restart. Null: none.
   */
  readonly exitAll: ExitAllReason | null;
  /** The current leg: 0 for the day's first entry and its exits, n for the n-th re-entry. */
  readonly legNo: number;
  /** Which of the strategy's simultaneous positions the run holds (0–9): 0 for a strategy without `positions`. */
  readonly positionNo: number;
  /**
   * What the run trades by, copied from the strategy when it was armed (invariant 8: an edit of
   * the strategy never reaches a run under way); null for a run armed before runs kept one.
   */
  readonly plan: RunPlanSpec | null;
  /** The open position's exit levels (runs.levels); null while flat or for a run from before levels were kept. */
  readonly levels: Levels | null;
  /** When the next leg's entry is due (WAITING_REENTRY), epoch ms; null when none is waiting. */
  readonly reentryAt: number | null;
  /** No re-entry at or after this instant (the plan's reentry_cutoff on this day); null: no re-entries. */
  readonly reentryCutoffAt: number | null;
  /** The last moment a position of this run may stay open (the plan's square_off_time on this day); null: the SELL time. */
  readonly squareOffAt: number | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export type OrderStatus =
  /** Journaled, not yet handed to the broker. */
  | 'pending'
  /** Handed to the broker, no answer yet. */
  | 'sent'
  | 'accepted'
  | 'partially_filled'
  | 'filled'
  | 'rejected'
  | 'cancelled'
  /** Timeout, dropped connection or ambiguous error: resolved only by a lookup at the broker. */
  | 'unknown';

export const FINAL_ORDER_STATUSES: ReadonlySet<OrderStatus> = new Set(['filled', 'rejected', 'cancelled']);

export interface Order {
  readonly id: OrderId;
  readonly runId: RunId;
  readonly strategyId: StrategyId;
  readonly userId: UserId;
  readonly brokerAccountId: BrokerAccountId;
  readonly leg: Leg;
  readonly side: OrderSide;
  /** The run's leg the order belongs to (Run.legNo): 0 for the day's first entry and its exits. */
  readonly legNo: number;
  readonly slot: OrderSlot;
  /** 1 for the slot's first order; a refused exit's new attempts are 2, 3, … (each its own client order id). */
  readonly attempt: number;
  readonly clientOrderId: string;
  readonly brokerOrderId: string | null;
  readonly symbol: string;
  readonly exchange: Exchange;
  readonly qty: number;
  readonly status: OrderStatus;
  /** The instant the trigger was due (time trigger) or the crossing tick's time (stop-loss). */
  readonly scheduledAt: number;
  /**
   * When the request that may place the order was last about to go on the wire (the adapter's
   * PlaceOrderRequest.sending): written before it leaves, so a later process knows whether an
   * order whose answer it never saw can be at the broker (Reconciler). null: never handed over.
   */
  readonly sendingAt: number | null;
  readonly dispatchedAt: number | null;
  readonly ackedAt: number | null;
  readonly filledAt: number | null;
  readonly filledQty: number;
  readonly fillPrice: number | null;
  readonly rejectReason: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/**
 * The backstop (issue 20): the stop resting at the broker for one leg of a run, as the journal
 * keeps it (db/schema.ts backstops). Its states, in the order the engine moves it through them:
 * - 'placing': journaled, the placement on its way (or its answer lost to a crash).
 * - 'resting': the broker holds it; it may still fire.
 * - 'modifying': a move to `next*` on its way; the broker holds the current or the next version.
 * - 'cancelling': a cancel on its way before an exit of the engine's own; that exit waits.
 * - 'cancelled': it can no longer fire, nothing of it filled.
 * - 'fired': it became an order; its fills are the leg's exit (`done` once that order finished).
 * - 'rejected': the broker refused it; nothing rests, the engine's own stop is all there is.
 */

export const BACKSTOP_STATES = ['placing', 'resting', 'modifying', 'cancelling', 'cancelled', 'fired', 'rejected'] as const;
export type BackstopState = (typeof BACKSTOP_STATES)[number];

/** States in which something may rest at the broker: recovery looks each one up. */
export const OPEN_BACKSTOP_STATES = ['placing', 'resting', 'modifying', 'cancelling'] as const satisfies readonly BackstopState[];

/** Which side of a backstop fired: its stop, or the take-profit resting with it. */
export type BackstopFiredLeg = 'stop' | 'target';

export interface Backstop {
  readonly id: number;
  readonly runId: RunId;
  readonly strategyId: StrategyId;
  readonly userId: UserId;
  readonly brokerAccountId: BrokerAccountId;
  readonly legNo: number;
  /** The current version: 1 when placed, one more for each move. */
  readonly version: number;
  /** The current version's deterministic id (core/ids.ts backstopId). */
  readonly clientOrderId: string;
  readonly brokerRef: string | null;
  readonly symbol: string;
  readonly exchange: Exchange;
  /** The exit's side: 'sell' protects a long, 'buy' a short. */
  readonly side: OrderSide;
  readonly qty: number;
  readonly triggerPrice: number;
  readonly limitPrice: number | null;
  readonly state: BackstopState;
  /** While 'modifying': the next version's trigger and limit. */
  readonly nextTriggerPrice: number | null;
  readonly nextLimitPrice: number | null;
  /**
   * The take-profit resting with the stop, one cancelling the other (a Kite two-leg GTT, when the
   * leg has a target): its trigger and limit; null: the stop rests alone.
   */
  readonly targetPrice: number | null;
  readonly targetLimitPrice: number | null;
  /** Once 'fired': which side fired; 'target' makes its fills the leg's BACKSTOP_TARGET exit. Null before (and on a stop alone, read as 'stop'). */
  readonly firedLeg: BackstopFiredLeg | null;
  readonly filledQty: number;
  readonly fillPrice: number | null;
  readonly done: boolean;
  readonly reason: string | null;
  /** When the moves of the last minute were sent (epoch ms, oldest first): the modify budget, kept across restarts (run-policy/backstop.ts nextModifyAt). */
  readonly modifiesSentAt: readonly number[];
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface Tick {
  readonly symbol: string;
  readonly exchange: Exchange;
  readonly price: number;
  /** Exchange or broker timestamp of the trade, epoch ms. */
  readonly at: number;
}

/** The runtime store's symbol sets and the stop-loss index are keyed per exchange and symbol. */
export function instrumentKey(exchange: Exchange, symbol: string): string {
  return `${exchange}:${symbol}`;
}
