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
import type { BrokerAccountId, RunId, StrategyId, UserId } from './ids';
import type { Exchange, OrderSide } from './types';

export const BACKSTOP_STATES = ['placing', 'resting', 'modifying', 'cancelling', 'cancelled', 'fired', 'rejected'] as const;
export type BackstopState = (typeof BACKSTOP_STATES)[number];

/** States in which something may rest at the broker: recovery looks each one up. */
export const OPEN_BACKSTOP_STATES = ['placing', 'resting', 'modifying', 'cancelling'] as const satisfies readonly BackstopState[];

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
  readonly filledQty: number;
  readonly fillPrice: number | null;
  readonly done: boolean;
  readonly reason: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}
