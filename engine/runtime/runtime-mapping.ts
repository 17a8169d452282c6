/** How a strategy and its run are mirrored into strategy:{id} and runtime:{id}. */
import type { Run, Strategy } from '../core/types';
import type { RuntimeFields, StrategyFields } from './runtime-store';

/** Whose strategy it is and where it trades, and its spec (the one definition) as JSON. */
export function strategyFields(s: Strategy): StrategyFields {
  return {
    userId: String(s.userId),
    brokerAccountId: String(s.brokerAccountId),
    symbol: s.symbol,
    exchange: s.exchange,
    spec: JSON.stringify(s.spec),
  };
}

export function runtimeFields(run: Run): RuntimeFields {
  return {
    runId: run.id,
    tradingDate: run.tradingDate,
    state: run.state,
    positionQty: run.positionQty,
    entryPrice: run.entryPrice,
    lastAction: run.lastAction,
    lastActionAt: run.lastActionAt,
  };
}
