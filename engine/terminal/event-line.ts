/**
 * One readable line per trading event, for the daemon's terminal: when (in the strategy's zone,
 * named), which account (PAPER / LIVE) and symbol, and what happened, with the lateness of every
 * order sent or filled against the moment it was due. Events a trader does not act on (an order
 * accepted before its fill, a run moving between ordinary states) have no line.
 */
import type { AccountMode } from '../brokers/broker-kinds';
import type { EngineEvent, StaleCrossing } from '../core/events';
import type { BrokerAccountId, OrderId, StrategyId } from '../core/ids';
import type { Leg, OrderSide } from '../core/types';
import { clause, formatDelay, formatPrice, lateness, zonedStamp, zonedTime } from './words';

/** What a line says about the strategy an event belongs to. */
export interface StrategyFacts {
  readonly symbol: string;
  /** IANA zone of its triggers. */
  readonly timezone: string;
  /** null: the strategy's stored definition is damaged (unreadable); the line says so. */
  readonly qty: number | null;
  readonly stopLoss: number | null;
  readonly mode: AccountMode;
  /** The entry's side: 'sell' for a short (its exits buy back); absent: a long's, or not known. */
  readonly side?: OrderSide;
}

/** Where the lines look up what the events leave out. */
export interface EventLineLookup {
  strategy(id: StrategyId): StrategyFacts | undefined;
  /** The journal's order: when it was due (a trigger's time, the crossing tick's), its quantity and side. */
  order(id: OrderId): { readonly scheduledAt: number; readonly qty: number; readonly side: OrderSide } | undefined;
  account(id: BrokerAccountId): { readonly label: string; readonly mode: AccountMode } | undefined;
}

export type LineLevel = 'info' | 'warn' | 'error';

export interface EventLine {
  readonly level: LineLevel;
  readonly text: string;
}

const SIDE: Readonly<Record<Leg, string>> = { BUY: 'BUY', SELL: 'SELL', STOPLOSS: 'STOP-LOSS SELL', TRAIL_STOP: 'TRAILING-STOP SELL', TARGET: 'TARGET SELL', MANUAL_EXIT: 'EXIT SELL', SQUARE_OFF: 'SQUARE-OFF SELL', BACKSTOP: 'BACKSTOP SELL', BACKSTOP_TARGET: 'TARGET SELL AT THE BROKER' };
/** A short's orders: its entry sells first, its exits buy back. */
const SHORT_SIDE: Readonly<Record<Leg, string>> = { BUY: 'SELL SHORT', SELL: 'BUY-BACK', STOPLOSS: 'STOP-LOSS BUY-BACK', TRAIL_STOP: 'TRAILING-STOP BUY-BACK', TARGET: 'TARGET BUY-BACK', MANUAL_EXIT: 'EXIT BUY-BACK', SQUARE_OFF: 'SQUARE-OFF BUY-BACK', BACKSTOP: 'BACKSTOP BUY-BACK', BACKSTOP_TARGET: 'TARGET BUY-BACK AT THE BROKER' };
/** What an order was due to; the BUY and SELL times name a short's triggers too (it sells at the BUY time). */
const DUE: Readonly<Record<Leg, string>> = { BUY: 'the BUY time', SELL: 'the SELL time', STOPLOSS: 'the stop-loss tick', TRAIL_STOP: 'the trailing-stop tick', TARGET: 'the target tick', MANUAL_EXIT: 'your stop', SQUARE_OFF: 'the square-off time', BACKSTOP: 'the backstop resting at the broker', BACKSTOP_TARGET: 'the take-profit resting at the broker with the backstop' };

/** The exit a re-entry follows, in words. */
const AFTER: Partial<Record<Leg, string>> = { STOPLOSS: 'stop-loss', TRAIL_STOP: 'trailing stop', BACKSTOP: 'backstop', TARGET: 'target', BACKSTOP_TARGET: 'target reached at the broker' };

/**
 * The line for `event`, or null when it has none. `localZone` times the events that belong to an
 * account rather than a strategy (a price feed, a broker login).
 *
 * @example
 * eventLine({ type: 'order_filled', leg: 'BUY', filledQty: 10, fillPrice: 187.2, at, … }, lookup, 'UTC')
 * // { level: 'info', text: 'Mon 7 Dec 09:30:00.312 New York  PAPER AAPL  BUY filled: 10 @ 187.2, +312 ms after the BUY time' }
 */
export function eventLine(event: EngineEvent, lookup: EventLineLookup, localZone: string): EventLine | null {
  if (!('strategyId' in event) || event.type === 'broker_login_required') return accountLine(event, lookup, localZone);
  const s = lookup.strategy(event.strategyId);
  const zone = s?.timezone ?? localZone;
  const who = s ? `${s.mode.toUpperCase()} ${s.symbol}` : `strategy #${event.strategyId}`;
  const line = (level: LineLevel, what: string): EventLine => ({ level, text: `${zonedStamp(event.at, zone)}  ${who}  ${what}` });
  // An order's side says whether it is a short's (its entry a sell, its exits buys); not found: a long's.
  const sideOf = (orderId: OrderId, leg: Leg) => {
    const side = lookup.order(orderId)?.side;
    return side !== undefined && side !== (leg === 'BUY' ? 'buy' : 'sell') ? SHORT_SIDE[leg] : SIDE[leg];
  };
  // Events without an order: the strategy's entry side says whether it is a short's.
  const short = s?.side === 'sell';
  const legWord = (leg: Leg) => (short ? SHORT_SIDE : SIDE)[leg];
  const closing = short ? 'buying back now' : 'selling now';
  const late = (orderId: OrderId, leg: Leg, at: number) => {
    const o = lookup.order(orderId);
    return o ? `, ${lateness(at, o.scheduledAt)} after ${DUE[leg]}` : '';
  };
  switch (event.type) {
    case 'strategy_armed':
      return line('info', `armed for ${event.tradingDate}: ${legWord('BUY')}${s?.qty == null ? '' : ` ${s.qty}`} at ${zonedTime(event.buyAt, zone)}, ${legWord('SELL')} at ${zonedTime(event.sellAt, zone)}${!s ? '' : s.stopLoss === null ? ', stop-loss: strategy damaged' : `, stop-loss ${formatPrice(s.stopLoss)}`}`);
    case 'strategy_stopped':
      return line('info', `stopped: ${clause(event.reason)}`);
    case 'strategy_completed':
      return line('info', 'completed: nothing more to trade');
    case 'run_state_changed':
      return event.to === 'ERROR' ? line('error', `needs attention: ${event.reason ? clause(event.reason) : 'the run is in ERROR'}`) : null;
    case 'order_submitted': {
      const qty = lookup.order(event.orderId)?.qty;
      return line('info', `${sideOf(event.orderId, event.leg)}${qty === undefined ? '' : ` ${qty}`} sent, ${lateness(event.dispatchedAt, event.scheduledAt)} after ${DUE[event.leg]}`);
    }
    case 'order_accepted':
      return null;
    case 'order_filled':
      return line('info', `${sideOf(event.orderId, event.leg)} filled: ${event.filledQty} @ ${formatPrice(event.fillPrice)}${late(event.orderId, event.leg, event.at)}`);
    case 'order_rejected':
      return line('error', `${sideOf(event.orderId, event.leg)} rejected by the broker: ${clause(event.reason)}`);
    case 'order_unknown':
      return line('error', `${sideOf(event.orderId, event.leg)} outcome unknown (${clause(event.reason)}): looking it up at the broker before anything else`);
    case 'order_not_sent':
      return line('error', `${sideOf(event.orderId, event.leg)} not sent yet (${clause(event.reason)}): it goes as soon as the broker can be reached`);
    case 'prices_not_subscribed':
      return line('warn', `no prices yet (${clause(event.reason)}): the stop-loss waits for the first price`);
    case 'stop_loss_triggered':
      return line('warn', `${event.trailing ? 'trailing stop' : 'stop-loss'} hit: price ${formatPrice(event.price)}${staleWords(event)} reached ${formatPrice(event.stopLoss)}, ${closing}`);
    case 'target_hit':
      return line('info', `target hit: price ${formatPrice(event.price)}${staleWords(event)} reached ${formatPrice(event.target)}, ${closing}`);
    case 'price_stale':
      return line(
        'warn',
        `stop watching a stale price: ${event.lastPrice === null ? `no tick for ${formatDelay(event.lastPriceAgeMs)}` : `last tick ${formatDelay(event.lastPriceAgeMs)} ago, at ${formatPrice(event.lastPrice)}`} (${clause(event.detail)})`,
      );
    case 'price_fresh':
      return line('info', `prices flowing again: ${formatPrice(event.price)} after ${formatDelay(event.silentForMs)} without a tick`);
    case 'stop_moved':
      return line('info', event.why === 'trail' ? `trailing stop moved up to ${formatPrice(event.to)} (best price ${formatPrice(event.best)})` : `stop moved to cost: ${formatPrice(event.to)}`);
    case 'exit_suppressed':
      return line('info', `${legWord(event.leg)} not sent: ${clause(event.reason)}`);
    case 'backstop_placed':
      return line('info', `backstop resting at the broker: ${short ? 'buy' : 'sell'} ${event.qty} if the price reaches ${formatPrice(event.triggerPrice)}${event.targetPrice === null ? '' : ` or the target ${formatPrice(event.targetPrice)}, whichever comes first`} (${event.brokerRef})`);
    case 'backstop_moved':
      return line('info', `backstop moved to ${formatPrice(event.to)} (was ${formatPrice(event.from)})`);
    case 'backstop_cancelled':
      return line('info', `backstop cancelled at the broker before the exit`);
    case 'backstop_fired':
      return line(event.firedLeg === 'target' ? 'info' : 'warn', `${event.firedLeg === 'target' ? 'target reached at the broker (the backstop\'s take-profit)' : 'backstop fired at the broker'}: ${event.filledQty} ${short ? 'bought back' : 'sold'}${event.fillPrice === null ? '' : ` @ ${formatPrice(event.fillPrice)}`}; that is the exit`);
    case 'exit_retry_scheduled': {
      const [done, doing, open] = short ? ['buy back', 'buys back', 'still short'] : ['sell', 'sells', 'still held'];
      return line('error', `${legWord(event.leg)} attempt ${event.attempt} did not ${done} everything (${clause(event.reason)}): attempt ${event.attempt + 1} ${doing} the ${event.remainingQty} ${open} at ${zonedTime(event.nextAttemptAt, zone)}`);
    }
    case 'buy_skipped': {
      // A short's stop is above the price and its target below: the words flip with the entry's side.
      const short = event.side === 'sell';
      return line(
        'warn',
        event.target !== null && event.target !== undefined
          ? `${short ? 'SELL SHORT' : 'BUY'} skipped: the last price ${formatPrice(event.lastPrice)} is already at or ${short ? 'below' : 'above'} the target ${formatPrice(event.target)}`
          : `${short ? 'SELL SHORT' : 'BUY'} skipped: the last price ${formatPrice(event.lastPrice)} is at or ${short ? 'above' : 'below'} the stop-loss${event.stopLoss === null ? '' : ` ${formatPrice(event.stopLoss)}`}`,
      );
    }
    case 'reentry_scheduled':
      return line('info', `re-entry ${event.legNo} of ${event.of} at ${zonedTime(event.dueAt, zone)}, after the ${AFTER[event.after] ?? SIDE[event.after]}`);
    case 'reentry_skipped':
      return line('warn', `re-entry ${event.legNo} not sent: ${clause(event.reason)}`);
    case 'buy_missed':
      return line('error', `BUY missed: the BUY time passed ${formatDelay(event.lateByMs)} ago (${event.lateByMs} ms), beyond its grace window; no order was sent`);
    case 'readiness': {
      const fix = event.checks.filter((c) => c.status === 'fail' || c.status === 'warn').map((c) => `${c.check.replace('_', ' ')}: ${clause(c.message)}`);
      return line(event.status === 'fail' ? 'error' : 'warn', `not ready for the entry at ${zonedTime(event.entryAt, zone)}: ${fix.join('; ')}`);
    }
    case 'storage_failed':
      return line('error', event.action === 'not_sent' ? `${legWord(event.leg)} not sent: the journal could not be written (${clause(event.detail)})` : `${legWord(event.leg)} sent before it could be journaled (${clause(event.detail)}): it is journaled once storage recovers`);
  }
}

/** A crossing decided on a price the stream did not just give, in words (" (a REST quote, no tick for 40 s)"). */
function staleWords(event: StaleCrossing): string {
  if (event.priceSource === undefined) return '';
  return event.priceSource === 'rest' ? ` (from a REST quote: no tick for ${formatDelay(event.silentForMs)})` : ` (the last price, ${formatDelay(event.silentForMs)} old)`;
}

function accountLine(event: Extract<EngineEvent, { brokerAccountId: BrokerAccountId }>, lookup: EventLineLookup, zone: string): EventLine | null {
  const a = lookup.account(event.brokerAccountId);
  const who = a ? `${a.mode.toUpperCase()} ${a.label}` : `account #${event.brokerAccountId}`;
  const line = (level: LineLevel, what: string): EventLine => ({ level, text: `${zonedStamp(event.at, zone)}  ${who}  ${what}` });
  switch (event.type) {
    case 'feed_status':
      if (event.state === 'up') return line('info', 'price feed up');
      if (event.state === 'stale') return line('warn', `price feed stale${event.detail ? ` (${clause(event.detail)})` : ''}: no price for a while`);
      return line('error', `price feed down${event.detail ? ` (${clause(event.detail)})` : ''}: stop-losses cannot trigger until prices come back`);
    case 'broker_session_changed':
      return line(event.state === 'valid' ? 'info' : 'warn', `broker login ${event.state.replace('_', ' ')}: ${clause(event.message)}`);
    case 'broker_login_required': {
      const s = lookup.strategy(event.strategyId);
      return line('error', `log in to the broker${s ? ` for ${s.symbol}` : ''} (first order ${zonedTime(event.firstOrderAt, s?.timezone ?? zone)}): ${clause(event.message)}`);
    }
  }
}
