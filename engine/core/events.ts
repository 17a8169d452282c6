/**
 * Engine events: past tense, immutable, plain data. Every state change is one of these; the bus
 * carries them to the API's WebSocket, and the audit log stores them.
 */
import type { BrokerAccountId, OrderId, RunId, StrategyId, UserId } from './ids';
import type { Leg, Order, RunState } from './types';
import type { ReadinessCheck, ReadinessStatus, ReadinessTrigger } from './readiness';

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

/**
 * A stop or target decided on a price the stream did not just give: `priceSource` 'rest' is a REST
 * quote asked because the stream fell silent, 'stream' a last price older than the stale bound;
 * `silentForMs`: how long the stream had been silent. Absent on a fresh tick's crossing.
 */
export type StaleCrossing = { readonly priceSource?: never; readonly silentForMs?: never } | { readonly priceSource: 'stream' | 'rest'; readonly silentForMs: number };

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
  /**
   * The order is journaled but could not be handed to the broker (the broker or the instrument
   * could not be had): nothing was sent, and it is sent under the same client order id as soon
   * as the broker can be had.
   */
  | (RunScoped & { readonly type: 'order_not_sent'; readonly orderId: OrderId; readonly leg: Leg; readonly reason: string })
  /**
   * The strategy's prices could not be subscribed (the broker or the instrument could not be had):
   * the stop-loss waits for the first price, and the subscription is tried again until it holds.
   */
  | (RunScoped & { readonly type: 'prices_not_subscribed'; readonly reason: string })
  /**
   * The stop was crossed; `trailing`: the trail had moved it (a TRAIL_STOP exit), else a STOPLOSS exit.
   * `priceSource` and `silentForMs` (both or neither, StaleCrossing): the price was not a fresh tick.
   */
  | (RunScoped & { readonly type: 'stop_loss_triggered'; readonly price: number; readonly stopLoss: number; readonly tickAt: number; readonly trailing: boolean } & StaleCrossing)
  | (RunScoped & { readonly type: 'target_hit'; readonly price: number; readonly target: number; readonly tickAt: number } & StaleCrossing)
  /**
   * The instrument's price stream has been silent for longer than the stale bound during its
   * exchange's session while this run holds a position, and a REST quote did not show it current:
   * the stop is watching a stale price. `lastPrice`/`lastPriceAt`: the stream's last price and when
   * it arrived (null: none since the instrument was watched); `lastPriceAgeMs`: the silence so far;
   * `quotePrice`: the REST quote's price when it showed the stream behind, else null; `detail`: what
   * the cross-check found, in words. A quote that crosses a level is acted on as a tick.
   */
  | (RunScoped & { readonly type: 'price_stale'; readonly instrument: string; readonly lastPrice: number | null; readonly lastPriceAt: number | null; readonly lastPriceAgeMs: number; readonly quotePrice: number | null; readonly detail: string })
  /** The stream gave the instrument a price again after a price_stale: `price`, after `silentForMs` without one. */
  | (RunScoped & { readonly type: 'price_fresh'; readonly instrument: string; readonly price: number; readonly silentForMs: number })
  /** The stop was tightened: by the trail (`why` 'trail', following `best`) or to the entry price ('cost'). */
  | (RunScoped & { readonly type: 'stop_moved'; readonly why: 'trail' | 'cost'; readonly from: number; readonly to: number; readonly best: number })
  /**
   * The leg's backstop (issue 20), a stop resting at the broker: placed (its broker id, trigger and
   * quantity, and `targetPrice`, the take-profit resting with it one-cancels-other, a Kite two-leg
   * GTT; null: the stop alone), moved after the trail (`from` → `to`), cancelled before an exit of
   * the engine's own, or fired (its fills are the leg's exit: leg BACKSTOP when `firedLeg` is
   * 'stop', BACKSTOP_TARGET when the take-profit fired).
   */
  | (RunScoped & { readonly type: 'backstop_placed'; readonly legNo: number; readonly brokerRef: string; readonly triggerPrice: number; readonly targetPrice: number | null; readonly qty: number })
  | (RunScoped & { readonly type: 'backstop_moved'; readonly legNo: number; readonly brokerRef: string; readonly from: number; readonly to: number })
  | (RunScoped & { readonly type: 'backstop_cancelled'; readonly legNo: number; readonly brokerRef: string | null })
  | (RunScoped & { readonly type: 'backstop_fired'; readonly legNo: number; readonly brokerRef: string | null; readonly firedLeg: 'stop' | 'target'; readonly filledQty: number; readonly fillPrice: number | null })
  | (RunScoped & { readonly type: 'exit_suppressed'; readonly leg: Leg; readonly reason: string })
  /**
   * An exit attempt ended without selling everything (refused for a reason that may pass, or
   * cancelled after a part filled): the next attempt, under its own client order id, goes at
   * `nextAttemptAt` for the quantity still held.
   */
  | (RunScoped & { readonly type: 'exit_retry_scheduled'; readonly leg: Leg; readonly attempt: number; readonly remainingQty: number; readonly nextAttemptAt: number; readonly reason: string })
  /**
   * The entry was not sent: the last price had already reached a price-mode level. `target` set:
   * it was the target (entering would exit at once); else it was the stop-loss, `stopLoss`. An
   * event from before targets has no `target` key.
   */
  /** `side`: the entry's (a short's is a sell, its stop above the price); absent on rows from before shorts: a buy. */
  | (RunScoped & { readonly type: 'buy_skipped'; readonly lastPrice: number; readonly stopLoss: number | null; readonly target: number | null; readonly side?: 'buy' | 'sell' })
  | (RunScoped & { readonly type: 'buy_missed'; readonly lateByMs: number })
  /**
   * A leg's exit allowed a re-entry: leg `legNo` (1–9, of `of` re-entries) enters at `dueAt`.
   * `after`: the exit that allowed it (STOPLOSS, TRAIL_STOP or TARGET).
   */
  | (RunScoped & { readonly type: 'reentry_scheduled'; readonly legNo: number; readonly of: number; readonly dueAt: number; readonly after: Leg })
  /** A re-entry that was due did not go out, and the run ends as its last leg ended: why, in words. */
  | (RunScoped & { readonly type: 'reentry_skipped'; readonly legNo: number; readonly reason: string })
  /**
   * The journal could not be written (disk full, database busy or read-only). A BUY is then not
   * sent ('not_sent'); an exit goes out anyway under its deterministic client order id and is
   * journaled once storage recovers ('sent_unjournaled').
   */
  | (RunScoped & { readonly type: 'storage_failed'; readonly leg: Leg; readonly action: 'not_sent' | 'sent_unjournaled'; readonly detail: string })
  | (Base & { readonly type: 'feed_status'; readonly brokerAccountId: BrokerAccountId; readonly state: FeedState; readonly detail: string | null })
  /** A daily-login broker's session changed (a new token, a refused token, 06:00 IST passing). */
  | (Base & { readonly type: 'broker_session_changed'; readonly brokerAccountId: BrokerAccountId; readonly state: BrokerSessionState; readonly expiresAt: number | null; readonly message: string })
  /**
   * The readiness check before an entry found something to fix (a check warned or failed): every
   * check's answer, `status` the worst of them, `entryAt` the entry it was checked for.
   */
  | (RunScoped & { readonly type: 'readiness'; readonly trigger: ReadinessTrigger; readonly entryAt: number; readonly status: ReadinessStatus; readonly checks: readonly ReadinessCheck[] })
  /** A running strategy will need the broker before its login runs out or after it already has: log in now. */
  | (Base & { readonly type: 'broker_login_required'; readonly brokerAccountId: BrokerAccountId; readonly strategyId: StrategyId; readonly state: BrokerSessionState; readonly firstOrderAt: number; readonly message: string });

/** Mirrors brokers/broker.ts BrokerSessionState; core does not import the broker seam. */
export type BrokerSessionState = 'no_token' | 'unverified' | 'valid' | 'expired';

export type EngineEventType = EngineEvent['type'];
export type EventOf<T extends EngineEventType> = Extract<EngineEvent, { type: T }>;

/**
 * The fields every event about one order carries, taken from its journal row.
 * @example bus.publish({ type: 'order_unknown', ...orderScope(order, clock.now()), reason })
 */
export function orderScope(order: Pick<Order, 'userId' | 'strategyId' | 'runId' | 'id' | 'leg'>, at: number) {
  return { userId: order.userId, strategyId: order.strategyId, runId: order.runId, orderId: order.id, leg: order.leg, at };
}
