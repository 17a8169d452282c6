/**
 * The one notification policy (issue 21): which engine events interrupt the trader, in what words,
 * at what urgency and under which topic, for every channel (the desktop's native notification, a
 * webhook, Telegram, e-mail). Every fill, every stop-loss or trailing stop and
 * target hit, the stop moved to cost, every error (rejected or unknown order, a run in ERROR, a
 * missed BUY, a price feed down, a readiness check that warns or fails before an entry, a position's stop watching a stale price). Everything else is for the UI and the audit log only: a trailing
 * stop moving up is not (it moves on every rise of a tick, and asks nothing of the trader).
 */
import type { EngineEvent } from '../core/events';
import type { OrderId, StrategyId } from '../core/ids';
import type { Leg, OrderSide } from '../core/types';
import { clause, formatDelay, formatPrice } from '../terminal/words';

/** What a channel can choose to receive; every event that notifies has exactly one. */
export const NOTIFY_TOPICS = ['fills', 'exits', 'errors', 'entries', 'readiness'] as const;
export type NotifyTopic = (typeof NOTIFY_TOPICS)[number];

/** The words of one notification, the same on every channel. */
export interface NotificationText {
  readonly title: string;
  readonly body: string;
  /** 'critical' stays on screen (Linux) and is used for stop-losses and errors. */
  readonly urgency: 'normal' | 'critical';
  /** Same key within a short window = shown once (a flapping feed must not flood the screen). */
  readonly key: string;
  readonly topic: NotifyTopic;
}

/** fills: every fill; exits: a stop, trailing stop or target hit, the stop moved to cost; entries: a BUY skipped or missed. */
const TOPIC: Readonly<Partial<Record<EngineEvent['type'], NotifyTopic>>> = {
  order_filled: 'fills',
  stop_loss_triggered: 'exits',
  target_hit: 'exits',
  stop_moved: 'exits',
  price_stale: 'errors',
  order_rejected: 'errors',
  order_unknown: 'errors',
  order_not_sent: 'errors',
  exit_retry_scheduled: 'errors',
  prices_not_subscribed: 'errors',
  run_state_changed: 'errors',
  feed_status: 'errors',
  buy_missed: 'entries',
  buy_skipped: 'entries',
  readiness: 'readiness',
};

export interface StrategyLabel {
  readonly symbol: string;
  /** The entry's side: 'sell' for a short (its exits buy back); absent: a long's, or not known. */
  readonly side?: OrderSide;
}

export type StrategyLookup = (id: StrategyId) => StrategyLabel | undefined;

/** The journal's side of an order; undefined when the order is not found (a long's sides are assumed). */
export type OrderSideLookup = (id: OrderId) => OrderSide | undefined;

/** `text` ending in one full stop (reasons come from brokers with or without one). */
export function sentence(text: string): string {
  const t = text.trim();
  return t === '' ? t : /[.!?]$/.test(t) ? t : `${t}.`;
}

const SOLD_BECAUSE: Readonly<Record<Exclude<Leg, 'BUY'>, string>> = {
  SELL: 'at its SELL time',
  STOPLOSS: 'by the stop-loss',
  TRAIL_STOP: 'by the trailing stop',
  TARGET: 'at its target',
  MANUAL_EXIT: 'because you stopped the strategy',
  SQUARE_OFF: 'at its square-off time',
  BACKSTOP: 'by the backstop resting at the broker',
  BACKSTOP_TARGET: 'at its target, by the take-profit resting at the broker',
};

/** What an order is called in a title: a short's entry is a short sale; an exit is an exit either way. */
function orderWord(leg: Leg, side: OrderSide | undefined): string {
  if (leg !== 'BUY') return 'Exit';
  return side === 'sell' ? 'Short sale' : 'BUY';
}

/**
 * The notification for `event`, or null when the event is not one the trader is interrupted for.
 *
 * @example
 * notificationFor({ type: 'order_filled', leg: 'BUY', filledQty: 10, fillPrice: 187.2, … }, () => ({ symbol: 'AAPL' }))
 * // { title: 'Bought 10 AAPL', body: 'Filled at 187.2.', urgency: 'normal', key: 'fill:…', topic: 'fills' }
 */
export function notificationFor(event: EngineEvent, lookup: StrategyLookup, sideOf: OrderSideLookup = () => undefined): NotificationText | null {
  const topic = TOPIC[event.type];
  const words = topic === undefined ? null : wordsFor(event, lookup, sideOf);
  return words && topic ? { ...words, topic } : null;
}

function wordsFor(event: EngineEvent, lookup: StrategyLookup, sideOf: OrderSideLookup): Omit<NotificationText, 'topic'> | null {
  const symbolOf = (id: StrategyId) => lookup(id)?.symbol ?? `strategy #${id}`;
  // Events without an order: the strategy's entry side says whether it is a short's.
  const shortOf = (id: StrategyId) => lookup(id)?.side === 'sell';
  switch (event.type) {
    case 'order_filled': {
      const symbol = symbolOf(event.strategyId);
      const key = `fill:${event.orderId}:${event.filledQty}`;
      // A short's entry is a sell and its exits buy back; an order not found is taken as a long's.
      const side = sideOf(event.orderId) ?? (event.leg === 'BUY' ? 'buy' : 'sell');
      if (event.leg === 'BUY') {
        return { title: `${side === 'sell' ? 'Sold short' : 'Bought'} ${event.filledQty} ${symbol}`, body: `Filled at ${formatPrice(event.fillPrice)}.`, urgency: 'normal', key };
      }
      return {
        title: `${side === 'buy' ? 'Bought back' : 'Sold'} ${event.filledQty} ${symbol}`,
        body: `Filled at ${formatPrice(event.fillPrice)}, ${SOLD_BECAUSE[event.leg]}.`,
        urgency: event.leg === 'STOPLOSS' || event.leg === 'TRAIL_STOP' || event.leg === 'BACKSTOP' ? 'critical' : 'normal',
        key,
      };
    }
    case 'stop_loss_triggered': {
      const what = event.trailing ? 'trailing stop' : 'stop-loss';
      return {
        title: `${event.trailing ? 'Trailing stop' : 'Stop-loss'} hit: ${symbolOf(event.strategyId)}`,
        body: `Price ${formatPrice(event.price)} reached the ${what} ${formatPrice(event.stopLoss)}. ${shortOf(event.strategyId) ? 'Buying back' : 'Selling'} now.`,
        urgency: 'critical',
        key: `sl:${event.runId}`,
      };
    }
    case 'target_hit':
      return {
        title: `Target hit: ${symbolOf(event.strategyId)}`,
        body: `Price ${formatPrice(event.price)} reached the target ${formatPrice(event.target)}. ${shortOf(event.strategyId) ? 'Buying back' : 'Selling'} now.`,
        urgency: 'normal',
        key: `target:${event.runId}`,
      };
    case 'price_stale':
      return {
        title: `Stale price: ${symbolOf(event.strategyId)}`,
        body: `${event.lastPrice === null ? 'No price has come' : `No price since ${formatPrice(event.lastPrice)}, ${formatDelay(event.lastPriceAgeMs)} ago`}: the stop is watching a stale price (${clause(event.detail)}).`,
        urgency: 'critical',
        key: `stale:${event.runId}`,
      };
    case 'stop_moved':
      // Once per position at most, and it changes what the trader risks; a trail's move does neither.
      if (event.why !== 'cost') return null;
      return {
        title: `Stop moved to cost: ${symbolOf(event.strategyId)}`,
        body: `The price reached ${formatPrice(event.best)}: the stop is now the entry price ${formatPrice(event.to)}.`,
        urgency: 'normal',
        key: `cost:${event.runId}`,
      };
    case 'order_rejected':
      return {
        title: `${orderWord(event.leg, sideOf(event.orderId))} order rejected: ${symbolOf(event.strategyId)}`,
        body: `The broker said: ${sentence(event.reason)}`,
        urgency: 'critical',
        key: `rejected:${event.orderId}`,
      };
    case 'order_unknown':
      return {
        title: `Order outcome unknown: ${symbolOf(event.strategyId)}`,
        body: `${sentence(event.reason)} Tradeclock is looking the order up at the broker before doing anything else.`,
        urgency: 'critical',
        key: `unknown:${event.orderId}`,
      };
    case 'order_not_sent':
      return {
        title: `${orderWord(event.leg, sideOf(event.orderId))} not sent yet: ${symbolOf(event.strategyId)}`,
        body: `The broker cannot be reached: ${sentence(event.reason)}`,
        urgency: 'critical',
        key: `not-sent:${event.orderId}`,
      };
    case 'exit_retry_scheduled':
      return {
        title: `Exit refused, trying again: ${symbolOf(event.strategyId)}`,
        body: `${sentence(event.reason)} Attempt ${event.attempt + 1} ${shortOf(event.strategyId) ? 'buys back the' : 'sells the'} ${event.remainingQty} ${shortOf(event.strategyId) ? 'still short' : 'still held'} in ${formatDelay(Math.max(0, event.nextAttemptAt - event.at))}.`,
        urgency: 'critical',
        key: `exit-retry:${event.runId}:${event.attempt}`,
      };
    case 'prices_not_subscribed':
      return {
        title: `No prices yet: ${symbolOf(event.strategyId)}`,
        body: sentence(event.reason),
        urgency: 'critical',
        key: `no-prices:${event.runId}`,
      };
    case 'run_state_changed':
      if (event.to !== 'ERROR') return null;
      return {
        title: `${symbolOf(event.strategyId)} needs attention`,
        body: event.reason ? sentence(event.reason) : 'The run is in ERROR. Open Tradeclock to see what happened.',
        urgency: 'critical',
        key: `error:${event.runId}`,
      };
    case 'buy_missed':
      return {
        title: `${shortOf(event.strategyId) ? 'Short sale' : 'BUY'} missed: ${symbolOf(event.strategyId)}`,
        body: `The BUY time passed ${formatDelay(event.lateByMs)} ago (the computer was asleep or Tradeclock was closed), beyond its grace window, so no order was sent.`,
        urgency: 'critical',
        key: `missed:${event.runId}`,
      };
    case 'buy_skipped': {
      // A short's stop is above the price and its target below.
      const short = event.side === 'sell';
      return {
        title: `${short ? 'Short sale' : 'BUY'} skipped: ${symbolOf(event.strategyId)}`,
        body:
          event.target !== null && event.target !== undefined
            ? `The last price ${formatPrice(event.lastPrice)} was already at or ${short ? 'below' : 'above'} the target ${formatPrice(event.target)}.`
            : `The last price ${formatPrice(event.lastPrice)} was already at or ${short ? 'above' : 'below'} the stop-loss${event.stopLoss === null ? '' : ` ${formatPrice(event.stopLoss)}`}.`,
        urgency: 'normal',
        key: `skipped:${event.runId}`,
      };
    }
    case 'readiness': {
      // Raised only when a check warns or fails, minutes before the entry: time to fix it.
      const fix = event.checks.filter((c) => c.status === event.status);
      return {
        title: `${event.status === 'fail' ? 'Not ready' : 'Check before the entry'}: ${symbolOf(event.strategyId)}`,
        body: fix.map((c) => sentence(c.message)).join(' '),
        urgency: event.status === 'fail' ? 'critical' : 'normal',
        key: `readiness:${event.runId}:${event.entryAt}:${event.status}`,
      };
    }
    case 'feed_status':
      if (event.state !== 'down') return null;
      return {
        title: 'Price feed down',
        body: `${sentence(event.detail ?? 'The broker stopped sending prices')} Stop-losses cannot trigger until prices come back.`,
        urgency: 'critical',
        key: `feed:${event.brokerAccountId}`,
      };
    default:
      return null;
  }
}

/**
 * Lets a notification through unless one with the same key was shown within `windowMs`.
 *
 * @example
 * const allow = createNotificationGate(60_000);
 * allow('feed:1', 0); // true
 * allow('feed:1', 10_000); // false
 */
export function createNotificationGate(windowMs: number): (key: string, now: number) => boolean {
  const lastShown = new Map<string, number>();
  return (key, now) => {
    const last = lastShown.get(key);
    if (last !== undefined && now - last < windowMs) return false;
    lastShown.set(key, now);
    if (lastShown.size > 500) {
      for (const [k, t] of lastShown) if (now - t >= windowMs) lastShown.delete(k);
    }
    return true;
  };
}
