/** Plans, snapshots and journal rows for the run policy's tests: a long run of 10 shares, stop at 95. */
import { asBrokerAccountId, asOrderId, asRunId, asStrategyId, asUserId } from '../ids';
import type { OrderView, RunPlan, RunSnapshot } from './types';

/** What a plan without targets, trails, moves to cost or re-entries says (a v1 strategy's). */
export const NO_EXTRA_EXITS = { stopLossMode: 'price', target: null, targetMode: 'price', trail: null, trailMode: 'points', moveStopToCostAfter: null, moveStopToCostMode: 'points', reentries: 0, reentryAfter: 'stop_loss' } as const;

export const PLAN: RunPlan = { brokerAccountId: asBrokerAccountId(1), symbol: 'AAPL', exchange: 'NASDAQ', side: 'long', qty: 10, stopLoss: 95, buyGraceMs: 60_000, ...NO_EXTRA_EXITS };

export const NOW = 1_700_000_000_000;

export function snapshot(over: Partial<RunSnapshot> = {}): RunSnapshot {
  return {
    runId: asRunId(7),
    strategyId: asStrategyId(3),
    userId: asUserId(1),
    state: 'ARMED',
    legNo: 0,
    positionQty: 0,
    unsoldQty: 0,
    entryPrice: null,
    exitPrice: null,
    exitLeg: null,
    reason: null,
    stopRequested: false,
    stopKeep: false,
    exitAll: null,
    buyAt: NOW - 60_000,
    sellAt: NOW + 3_600_000,
    reentryAt: null,
    reentryCutoffAt: null,
    squareOffAt: null,
    levels: null,
    entry: null,
    exit: null,
    deferredExit: false,
    now: NOW,
    ...over,
  };
}

/** The entry as bought, at 100, on another account and symbol than the plan's (the strategy edited since). */
export function entryRow(over: Partial<OrderView> = {}): OrderView {
  return {
    id: asOrderId(11),
    leg: 'BUY',
    slot: 'entry',
    side: 'buy',
    attempt: 1,
    status: 'filled',
    qty: 10,
    filledQty: 10,
    fillPrice: 100,
    rejectReason: null,
    brokerAccountId: asBrokerAccountId(2),
    symbol: 'MSFT',
    exchange: 'NASDAQ',
    legNo: 0,
    ...over,
  };
}

export function exitRow(over: Partial<OrderView> = {}): OrderView {
  return { ...entryRow(), id: asOrderId(12), leg: 'SELL', slot: 'exit', side: 'sell', status: 'accepted', filledQty: 0, fillPrice: null, ...over };
}

/** A run holding the entry's 10 shares. */
export function holding(over: Partial<RunSnapshot> = {}): RunSnapshot {
  return snapshot({ state: 'IN_POSITION', positionQty: 10, entryPrice: 100, entry: entryRow(), ...over });
}
