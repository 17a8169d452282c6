/**
 * Engine events: past tense, immutable, plain data. Every state change is one of these; the bus
 * carries them to the API's WebSocket, and the audit log stores them.
 */
import type { BrokerAccountId, OrderId, RunId, StrategyId, UserId } from './ids';
import type { Leg, RunState } from './types';

interface Base {
  readonly userId: UserId;
  /** Epoch ms at which the engine observed the change. */
  readonly at: number;
}

interface StrategyScoped extends Base {
  readonly strategyId: StrategyId;
}

interface RunScoped extends StrategyScoped {
  readonly runId: RunId;
}

export type FeedState = 'up' | 'down' | 'stale';

export type EngineEvent =
  | (RunScoped & { readonly type: 'strategy_armed'; readonly tradingDate: string; readonly buyAt: number; readonly sellAt: number })
  | (StrategyScoped & { readonly type: 'strategy_stopped'; readonly reason: string })
  | (StrategyScoped & { readonly type: 'strategy_completed' })
  | (RunScoped & { readonly type: 'run_state_changed'; readonly from: RunState; readonly to: RunState; readonly reason: string | null })
  | (RunScoped & { readonly type: 'order_submitted'; readonly orderId: OrderId; readonly leg: Leg; readonly clientOrderId: string; readonly scheduledAt: number; readonly dispatchedAt: number })
  | (RunScoped & { readonly type: 'order_accepted'; readonly orderId: OrderId; readonly leg: Leg; readonly brokerOrderId: string })
  | (RunScoped & { readonly type: 'order_filled'; readonly orderId: OrderId; readonly leg: Leg; readonly filledQty: number; readonly fillPrice: number })
  | (RunScoped & { readonly type: 'order_rejected'; readonly orderId: OrderId; readonly leg: Leg; readonly reason: string })
  | (RunScoped & { readonly type: 'order_unknown'; readonly orderId: OrderId; readonly leg: Leg; readonly reason: string })
  | (RunScoped & { readonly type: 'stop_loss_triggered'; readonly price: number; readonly stopLoss: number; readonly tickAt: number })
  | (RunScoped & { readonly type: 'exit_suppressed'; readonly leg: Leg; readonly reason: string })
  | (RunScoped & { readonly type: 'buy_skipped'; readonly lastPrice: number; readonly stopLoss: number })
  | (RunScoped & { readonly type: 'buy_missed'; readonly lateByMs: number })
  | (Base & { readonly type: 'feed_status'; readonly brokerAccountId: BrokerAccountId; readonly state: FeedState; readonly detail: string | null });

export type EngineEventType = EngineEvent['type'];
export type EventOf<T extends EngineEventType> = Extract<EngineEvent, { type: T }>;
