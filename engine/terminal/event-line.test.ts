import { describe, expect, it } from 'vitest';
import type { EngineEvent, EngineEventType, EventOf } from '../core/events';
import { asBrokerAccountId, asOrderId, asRunId, asStrategyId, asUserId } from '../core/ids';
import { eventLine, type EventLineLookup } from './event-line';

/** Mon 7 Dec 2026 09:30:00.000 in New York. */
const BUY_AT = Date.UTC(2026, 11, 7, 14, 30, 0, 0);
const SELL_AT = Date.UTC(2026, 11, 7, 20, 55, 0, 0);
const at = BUY_AT + 312;
const run = { userId: asUserId(1), strategyId: asStrategyId(7), runId: asRunId(3), at };
const order = { ...run, orderId: asOrderId(11) };
const account = { userId: asUserId(1), brokerAccountId: asBrokerAccountId(2), at };

const lookup: EventLineLookup = {
  strategy: (id) => (id === 7 ? { symbol: 'AAPL', timezone: 'America/New_York', qty: 10, stopLoss: 180.5, mode: 'paper' } : undefined),
  order: (id) => (id === 11 ? { scheduledAt: BUY_AT, qty: 10, side: 'buy' } : id === 12 ? { scheduledAt: BUY_AT, qty: 10, side: 'sell' } : undefined),
  account: (id) => (id === 2 ? { label: 'Alpaca live', mode: 'live' } : undefined),
};

/** One event of every kind: a new kind fails to compile here until it has a line (or a null). */
const EVENTS = {
  strategy_armed: { type: 'strategy_armed', ...run, tradingDate: '2026-12-07', buyAt: BUY_AT, sellAt: SELL_AT },
  strategy_stopped: { type: 'strategy_stopped', ...run, reason: 'stopped by you.' },
  strategy_completed: { type: 'strategy_completed', ...run },
  run_state_changed: { type: 'run_state_changed', ...run, from: 'BUYING', to: 'ERROR', reason: 'the broker refused the credentials' },
  order_submitted: { type: 'order_submitted', ...order, leg: 'BUY', clientOrderId: 'tc-1', scheduledAt: BUY_AT, dispatchedAt: BUY_AT + 4 },
  order_accepted: { type: 'order_accepted', ...order, leg: 'BUY', brokerOrderId: 'b-1' },
  order_filled: { type: 'order_filled', ...order, leg: 'BUY', filledQty: 10, fillPrice: 187.2 },
  order_rejected: { type: 'order_rejected', ...order, orderId: asOrderId(12), leg: 'SELL', reason: 'insufficient qty.' },
  order_unknown: { type: 'order_unknown', ...order, orderId: asOrderId(12), leg: 'SELL', reason: 'timed out after 10 s' },
  order_not_sent: { type: 'order_not_sent', ...order, leg: 'BUY', reason: 'the broker cannot be reached' },
  prices_not_subscribed: { type: 'prices_not_subscribed', ...run, reason: 'unknown instrument' },
  stop_loss_triggered: { type: 'stop_loss_triggered', ...run, price: 180.4, stopLoss: 180.5, tickAt: at - 2, trailing: false },
  target_hit: { type: 'target_hit', ...run, price: 190.1, target: 190, tickAt: at - 2 },
  stop_moved: { type: 'stop_moved', ...run, why: 'trail', from: 180.5, to: 185.2, best: 188.2 },
  exit_suppressed: { type: 'exit_suppressed', ...run, leg: 'SELL', reason: 'the stop-loss sold first' },
  backstop_placed: { type: 'backstop_placed', ...run, legNo: 0, brokerRef: 'b-stop-1', triggerPrice: 180.5, targetPrice: null, qty: 10 },
  backstop_moved: { type: 'backstop_moved', ...run, legNo: 0, brokerRef: 'b-stop-2', from: 180.5, to: 185.2 },
  backstop_cancelled: { type: 'backstop_cancelled', ...run, legNo: 0, brokerRef: 'b-stop-2' },
  backstop_fired: { type: 'backstop_fired', ...run, legNo: 0, brokerRef: 'b-stop-1', firedLeg: 'stop', filledQty: 10, fillPrice: 180.1 },
  exit_retry_scheduled: { type: 'exit_retry_scheduled', ...run, leg: 'SELL', attempt: 1, remainingQty: 4, nextAttemptAt: BUY_AT + 30_000, reason: 'market closed' },
  buy_skipped: { type: 'buy_skipped', ...run, lastPrice: 180, stopLoss: 180.5, target: null },
  reentry_scheduled: { type: 'reentry_scheduled', ...run, legNo: 1, of: 2, dueAt: BUY_AT + 3_600_000, after: 'STOPLOSS' },
  reentry_skipped: { type: 'reentry_skipped', ...run, legNo: 2, reason: 'the re-entry cut-off 14:30:00 has passed' },
  buy_missed: { type: 'buy_missed', ...run, lateByMs: 125_400 },
  storage_failed: { type: 'storage_failed', ...run, leg: 'BUY', action: 'not_sent', detail: 'SQLITE_FULL' },
  readiness: {
    type: 'readiness',
    ...run,
    trigger: 'scheduled',
    entryAt: BUY_AT,
    status: 'fail',
    checks: [
      { check: 'session', status: 'ok', message: 'Alpaca keys do not expire daily.' },
      { check: 'funds', status: 'fail', message: '100.00 available does not cover the entry: add funds.' },
      { check: 'price_feed', status: 'warn', message: 'The price feed has gone quiet.' },
    ],
  },
  price_stale: { type: 'price_stale', ...run, instrument: 'NASDAQ:AAPL', lastPrice: 187.2, lastPriceAt: at - 40_000, lastPriceAgeMs: 40_000, quotePrice: 186.9, detail: 'a REST quote shows 186.9; it is acted on as a tick until the stream is back' },
  price_fresh: { type: 'price_fresh', ...run, instrument: 'NASDAQ:AAPL', price: 186.8, silentForMs: 52_000 },
  feed_status: { type: 'feed_status', ...account, state: 'down', detail: 'socket closed' },
  broker_session_changed: { type: 'broker_session_changed', ...account, state: 'expired', expiresAt: null, message: 'The Kite login ran out at 06:00 IST.' },
  broker_login_required: { type: 'broker_login_required', ...account, strategyId: asStrategyId(7), state: 'expired', firstOrderAt: BUY_AT, message: 'log in before the BUY' },
} satisfies { [T in EngineEventType]: EventOf<T> };

const STAMP = 'Mon 7 Dec 09:30:00.312 New York';

const EXPECTED: { [T in EngineEventType]: [level: string, text: string] | null } = {
  strategy_armed: ['info', `${STAMP}  PAPER AAPL  armed for 2026-12-07: BUY 10 at 09:30:00 New York, SELL at 15:55:00 New York, stop-loss 180.5`],
  strategy_stopped: ['info', `${STAMP}  PAPER AAPL  stopped: stopped by you`],
  strategy_completed: ['info', `${STAMP}  PAPER AAPL  completed: nothing more to trade`],
  run_state_changed: ['error', `${STAMP}  PAPER AAPL  needs attention: the broker refused the credentials`],
  order_submitted: ['info', `${STAMP}  PAPER AAPL  BUY 10 sent, +4 ms after the BUY time`],
  order_accepted: null,
  order_filled: ['info', `${STAMP}  PAPER AAPL  BUY filled: 10 @ 187.2, +312 ms after the BUY time`],
  order_rejected: ['error', `${STAMP}  PAPER AAPL  SELL rejected by the broker: insufficient qty`],
  order_unknown: ['error', `${STAMP}  PAPER AAPL  SELL outcome unknown (timed out after 10 s): looking it up at the broker before anything else`],
  order_not_sent: ['error', `${STAMP}  PAPER AAPL  BUY not sent yet (the broker cannot be reached): it goes as soon as the broker can be reached`],
  prices_not_subscribed: ['warn', `${STAMP}  PAPER AAPL  no prices yet (unknown instrument): the stop-loss waits for the first price`],
  stop_loss_triggered: ['warn', `${STAMP}  PAPER AAPL  stop-loss hit: price 180.4 reached 180.5, selling now`],
  target_hit: ['info', `${STAMP}  PAPER AAPL  target hit: price 190.1 reached 190, selling now`],
  stop_moved: ['info', `${STAMP}  PAPER AAPL  trailing stop moved up to 185.2 (best price 188.2)`],
  exit_suppressed: ['info', `${STAMP}  PAPER AAPL  SELL not sent: the stop-loss sold first`],
  backstop_placed: ['info', `${STAMP}  PAPER AAPL  backstop resting at the broker: sell 10 if the price reaches 180.5 (b-stop-1)`],
  backstop_moved: ['info', `${STAMP}  PAPER AAPL  backstop moved to 185.2 (was 180.5)`],
  backstop_cancelled: ['info', `${STAMP}  PAPER AAPL  backstop cancelled at the broker before the exit`],
  backstop_fired: ['warn', `${STAMP}  PAPER AAPL  backstop fired at the broker: 10 sold @ 180.1; that is the exit`],
  exit_retry_scheduled: ['error', `${STAMP}  PAPER AAPL  SELL attempt 1 did not sell everything (market closed): attempt 2 sells the 4 still held at 09:30:30 New York`],
  buy_skipped: ['warn', `${STAMP}  PAPER AAPL  BUY skipped: the last price 180 is at or below the stop-loss 180.5`],
  reentry_scheduled: ['info', `${STAMP}  PAPER AAPL  re-entry 1 of 2 at 10:30:00 New York, after the stop-loss`],
  reentry_skipped: ['warn', `${STAMP}  PAPER AAPL  re-entry 2 not sent: the re-entry cut-off 14:30:00 has passed`],
  buy_missed: ['error', `${STAMP}  PAPER AAPL  BUY missed: the BUY time passed 2 min 5 s ago (125400 ms), beyond its grace window; no order was sent`],
  storage_failed: ['error', `${STAMP}  PAPER AAPL  BUY not sent: the journal could not be written (SQLITE_FULL)`],
  readiness: ['error', `${STAMP}  PAPER AAPL  not ready for the entry at 09:30:00 New York: funds: 100.00 available does not cover the entry: add funds; price feed: The price feed has gone quiet`],
  price_stale: ['warn', `${STAMP}  PAPER AAPL  stop watching a stale price: last tick 40 s ago, at 187.2 (a REST quote shows 186.9; it is acted on as a tick until the stream is back)`],
  price_fresh: ['info', `${STAMP}  PAPER AAPL  prices flowing again: 186.8 after 52 s without a tick`],
  // Account events: the machine's zone (here Kolkata), the account's label and money.
  feed_status: ['error', 'Mon 7 Dec 20:00:00.312 Kolkata  LIVE Alpaca live  price feed down (socket closed): stop-losses cannot trigger until prices come back'],
  broker_session_changed: ['warn', 'Mon 7 Dec 20:00:00.312 Kolkata  LIVE Alpaca live  broker login expired: The Kite login ran out at 06:00 IST'],
  broker_login_required: ['error', 'Mon 7 Dec 20:00:00.312 Kolkata  LIVE Alpaca live  log in to the broker for AAPL (first order 09:30:00 New York): log in before the BUY'],
};

describe('eventLine', () => {
  for (const [type, event] of Object.entries(EVENTS) as [EngineEventType, EngineEvent][]) {
    it(`${type}`, () => {
      const line = eventLine(event, lookup, 'Asia/Kolkata');
      const want = EXPECTED[type];
      expect(line && [line.level, line.text]).toEqual(want);
    });
  }

  it('times the fill of every exit against what it was due to: a stop-loss against its tick', () => {
    const stopLossLookup: EventLineLookup = { ...lookup, order: () => ({ scheduledAt: at - 40, qty: 10, side: 'sell' }) };
    const line = eventLine({ ...EVENTS.order_filled, leg: 'STOPLOSS', fillPrice: 180.1 }, stopLossLookup, 'UTC');
    expect(line?.text).toBe(`${STAMP}  PAPER AAPL  STOP-LOSS SELL filled: 10 @ 180.1, +40 ms after the stop-loss tick`);
  });

  it('says a two-leg backstop rests with its take-profit, and which side fired: the target reached at the broker is no alarm', () => {
    expect(eventLine({ ...EVENTS.backstop_placed, targetPrice: 195 }, lookup, 'UTC')?.text).toBe(`${STAMP}  PAPER AAPL  backstop resting at the broker: sell 10 if the price reaches 180.5 or the target 195, whichever comes first (b-stop-1)`);
    const fired = eventLine({ ...EVENTS.backstop_fired, firedLeg: 'target', fillPrice: 195.2 }, lookup, 'UTC');
    expect(fired && [fired.level, fired.text]).toEqual(['info', `${STAMP}  PAPER AAPL  target reached at the broker (the backstop's take-profit): 10 sold @ 195.2; that is the exit`]);
  });

  it("names a short's orders by their side: the entry sells short, every exit buys back", () => {
    const shortEntry: EventLineLookup = { ...lookup, order: () => ({ scheduledAt: BUY_AT, qty: 10, side: 'sell' }) };
    expect(eventLine(EVENTS.order_submitted, shortEntry, 'UTC')?.text).toBe(`${STAMP}  PAPER AAPL  SELL SHORT 10 sent, +4 ms after the BUY time`);
    expect(eventLine(EVENTS.order_filled, shortEntry, 'UTC')?.text).toBe(`${STAMP}  PAPER AAPL  SELL SHORT filled: 10 @ 187.2, +312 ms after the BUY time`);
    const cover: EventLineLookup = { ...lookup, order: () => ({ scheduledAt: at - 40, qty: 10, side: 'buy' }) };
    expect(eventLine({ ...EVENTS.order_filled, leg: 'STOPLOSS', fillPrice: 190.1 }, cover, 'UTC')?.text).toBe(`${STAMP}  PAPER AAPL  STOP-LOSS BUY-BACK filled: 10 @ 190.1, +40 ms after the stop-loss tick`);
    expect(eventLine(EVENTS.order_rejected, cover, 'UTC')?.text).toBe(`${STAMP}  PAPER AAPL  BUY-BACK rejected by the broker: insufficient qty`);
  });

  it("words a skipped short sale by its side: its stop above the price, its target below", () => {
    expect(eventLine({ ...EVENTS.buy_skipped, side: 'sell', lastPrice: 181 }, lookup, 'UTC')?.text).toBe(`${STAMP}  PAPER AAPL  SELL SHORT skipped: the last price 181 is at or above the stop-loss 180.5`);
    expect(eventLine({ ...EVENTS.buy_skipped, side: 'sell', lastPrice: 170, stopLoss: null, target: 170.5 }, lookup, 'UTC')?.text).toBe(`${STAMP}  PAPER AAPL  SELL SHORT skipped: the last price 170 is already at or below the target 170.5`);
    expect(eventLine({ ...EVENTS.buy_skipped, side: 'buy' }, lookup, 'UTC')?.text).toBe(EXPECTED.buy_skipped?.[1]);
  });

  it("words a short's events without an order by the strategy's side: armed, hits, a suppressed or retried exit, a storage failure", () => {
    const short: EventLineLookup = { ...lookup, strategy: (id) => (id === 7 ? { symbol: 'AAPL', timezone: 'America/New_York', qty: 10, stopLoss: 190.5, mode: 'paper', side: 'sell' } : undefined) };
    const text = (e: EngineEvent) => eventLine(e, short, 'UTC')?.text.slice(`${STAMP}  PAPER AAPL  `.length);
    expect([
      text(EVENTS.strategy_armed),
      text({ ...EVENTS.stop_loss_triggered, price: 190.6, stopLoss: 190.5 }),
      text({ ...EVENTS.stop_loss_triggered, price: 190.6, stopLoss: 190.5, trailing: true }),
      text({ ...EVENTS.target_hit, price: 170.1, target: 170.2 }),
      text({ ...EVENTS.exit_suppressed, leg: 'STOPLOSS' }),
      text({ ...EVENTS.exit_retry_scheduled, leg: 'TARGET' }),
      text({ ...EVENTS.storage_failed, leg: 'SELL', action: 'sent_unjournaled' }),
    ]).toEqual([
      'armed for 2026-12-07: SELL SHORT 10 at 09:30:00 New York, BUY-BACK at 15:55:00 New York, stop-loss 190.5',
      'stop-loss hit: price 190.6 reached 190.5, buying back now',
      'trailing stop hit: price 190.6 reached 190.5, buying back now',
      'target hit: price 170.1 reached 170.2, buying back now',
      'STOP-LOSS BUY-BACK not sent: the stop-loss sold first',
      'TARGET BUY-BACK attempt 1 did not buy back everything (market closed): attempt 2 buys back the 4 still short at 09:30:30 New York',
      'BUY-BACK sent before it could be journaled (SQLITE_FULL): it is journaled once storage recovers',
    ]);
    // A long's side said outright reads as one whose side is not known.
    const long: EventLineLookup = { ...lookup, strategy: (id) => ({ ...lookup.strategy(id)!, side: 'buy' }) };
    for (const type of ['strategy_armed', 'stop_loss_triggered', 'target_hit', 'exit_suppressed', 'exit_retry_scheduled'] as const) expect(eventLine(EVENTS[type], long, 'Asia/Kolkata')?.text).toBe(EXPECTED[type]?.[1]);
  });

  it('says when a stop or target was decided on a price that was not a fresh tick, and a stream silent since it was watched', () => {
    const text = (e: EngineEvent) => eventLine(e, lookup, 'UTC')?.text.slice(`${STAMP}  PAPER AAPL  `.length);
    expect([
      text({ ...EVENTS.stop_loss_triggered, priceSource: 'rest', silentForMs: 40_000 }),
      text({ ...EVENTS.target_hit, priceSource: 'stream', silentForMs: 75_000 }),
      text({ ...EVENTS.price_stale, lastPrice: null, lastPriceAt: null, lastPriceAgeMs: 20_000, quotePrice: null, detail: 'this broker has no REST quote to cross-check it with' }),
    ]).toEqual([
      'stop-loss hit: price 180.4 (from a REST quote: no tick for 40 s) reached 180.5, selling now',
      'target hit: price 190.1 (the last price, 1 min 15 s old) reached 190, selling now',
      'stop watching a stale price: no tick for 20 s (this broker has no REST quote to cross-check it with)',
    ]);
  });

  it('says a run moving between ordinary states nothing, and the feed coming back once', () => {
    expect(eventLine({ ...EVENTS.run_state_changed, to: 'IN_POSITION' }, lookup, 'UTC')).toBeNull();
    expect(eventLine({ ...EVENTS.feed_status, state: 'up', detail: null }, lookup, 'UTC')?.text).toBe('Mon 7 Dec 14:30:00.312 UTC  LIVE Alpaca live  price feed up');
  });

  it('still prints a line for a strategy or order it cannot look up (deleted since)', () => {
    const none: EventLineLookup = { strategy: () => undefined, order: () => undefined, account: () => undefined };
    expect(eventLine(EVENTS.order_filled, none, 'UTC')?.text).toBe('Mon 7 Dec 14:30:00.312 UTC  strategy #7  BUY filled: 10 @ 187.2');
    expect(eventLine(EVENTS.feed_status, none, 'UTC')?.text).toContain('account #2  price feed down');
  });

  it('says "damaged" for the stop-loss of a strategy whose stored spec cannot be read', () => {
    const damaged: EventLineLookup = { ...lookup, strategy: () => ({ symbol: 'AAPL', timezone: 'America/New_York', qty: null, stopLoss: null, mode: 'paper' }) };
    expect(eventLine(EVENTS.strategy_armed, damaged, 'UTC')?.text).toBe(`${STAMP}  PAPER AAPL  armed for 2026-12-07: BUY at 09:30:00 New York, SELL at 15:55:00 New York, stop-loss: strategy damaged`);
  });
});
