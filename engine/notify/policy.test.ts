import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../core/events';
import { asBrokerAccountId, asOrderId, asRunId, asStrategyId, asUserId } from '../core/ids';
import { formatDelay, formatPrice } from '../terminal/words';
import { createNotificationGate, notificationFor, sentence } from './policy';

const base = { userId: asUserId(1), strategyId: asStrategyId(7), runId: asRunId(3), at: 0 };
const lookup = (id: number) => (id === 7 ? { symbol: 'AAPL' } : undefined);
const note = (e: EngineEvent) => notificationFor(e, lookup);

describe('notificationFor', () => {
  it('announces every fill with symbol, quantity, price and why', () => {
    const fill = (leg: 'BUY' | 'SELL' | 'STOPLOSS' | 'TRAIL_STOP' | 'TARGET' | 'MANUAL_EXIT' | 'BACKSTOP') =>
      note({ ...base, type: 'order_filled', orderId: asOrderId(9), leg, filledQty: 10, fillPrice: 187.2 });
    expect(fill('BUY')).toEqual({ title: 'Bought 10 AAPL', body: 'Filled at 187.2.', urgency: 'normal', key: 'fill:9:10', topic: 'fills' });
    expect(fill('SELL')).toMatchObject({ title: 'Sold 10 AAPL', body: 'Filled at 187.2, at its SELL time.', urgency: 'normal' });
    expect(fill('STOPLOSS')).toMatchObject({ body: 'Filled at 187.2, by the stop-loss.', urgency: 'critical' });
    expect(fill('MANUAL_EXIT')).toMatchObject({ body: 'Filled at 187.2, because you stopped the strategy.' });
    expect(fill('TRAIL_STOP')).toMatchObject({ body: 'Filled at 187.2, by the trailing stop.', urgency: 'critical' });
    expect(fill('TARGET')).toMatchObject({ body: 'Filled at 187.2, at its target.', urgency: 'normal' });
    expect(fill('BACKSTOP')).toMatchObject({ body: 'Filled at 187.2, by the backstop resting at the broker.', urgency: 'critical' });
  });

  it("words a short's fills by the order's side: a short sale, then a buy-back", () => {
    const sides = new Map([[asOrderId(9), 'sell' as const], [asOrderId(10), 'buy' as const]]);
    const fill = (orderId: number, leg: 'BUY' | 'STOPLOSS') =>
      notificationFor({ ...base, type: 'order_filled', orderId: asOrderId(orderId), leg, filledQty: 10, fillPrice: 187.2 }, lookup, (id) => sides.get(id));
    expect(fill(9, 'BUY')).toEqual({ title: 'Sold short 10 AAPL', body: 'Filled at 187.2.', urgency: 'normal', key: 'fill:9:10', topic: 'fills' });
    expect(fill(10, 'STOPLOSS')).toMatchObject({ title: 'Bought back 10 AAPL', body: 'Filled at 187.2, by the stop-loss.', urgency: 'critical' });
    expect(fill(11, 'BUY')).toMatchObject({ title: 'Bought 10 AAPL' });
  });

  it("words a short's hits, retries, refused or unsent entry and missed entry as a short's: buying back, a short sale", () => {
    const shortLookup = (id: number) => (id === 7 ? { symbol: 'AAPL', side: 'sell' as const } : undefined);
    const shortNote = (e: EngineEvent) => notificationFor(e, shortLookup, () => 'sell');
    expect(shortNote({ ...base, type: 'stop_loss_triggered', price: 105.5, stopLoss: 105, tickAt: 0, trailing: false })?.body).toBe('Price 105.5 reached the stop-loss 105. Buying back now.');
    expect(shortNote({ ...base, type: 'stop_loss_triggered', price: 103.1, stopLoss: 103, tickAt: 0, trailing: true })?.body).toBe('Price 103.1 reached the trailing stop 103. Buying back now.');
    expect(shortNote({ ...base, type: 'target_hit', price: 89.9, target: 90, tickAt: 0 })?.body).toBe('Price 89.9 reached the target 90. Buying back now.');
    expect(shortNote({ ...base, type: 'exit_retry_scheduled', leg: 'STOPLOSS', attempt: 1, remainingQty: 4, nextAttemptAt: 1_000, reason: 'market closed' })?.body).toBe(
      `market closed. Attempt 2 buys back the 4 still short in ${formatDelay(1_000)}.`,
    );
    expect(shortNote({ ...base, type: 'order_rejected', orderId: asOrderId(9), leg: 'BUY', reason: 'not shortable' })?.title).toBe('Short sale order rejected: AAPL');
    expect(shortNote({ ...base, type: 'order_not_sent', orderId: asOrderId(9), leg: 'BUY', reason: 'HTTP 503' })?.title).toBe('Short sale not sent yet: AAPL');
    expect(shortNote({ ...base, type: 'buy_missed', lateByMs: 125_000 })?.title).toBe('Short sale missed: AAPL');
    // A long's side said outright reads as one whose side is not known.
    const longNote = (e: EngineEvent) => notificationFor(e, (id) => (id === 7 ? { symbol: 'AAPL', side: 'buy' as const } : undefined), () => 'buy');
    expect(longNote({ ...base, type: 'target_hit', price: 110.1, target: 110, tickAt: 0 })?.body).toBe('Price 110.1 reached the target 110. Selling now.');
    expect(longNote({ ...base, type: 'exit_retry_scheduled', leg: 'SELL', attempt: 1, remainingQty: 4, nextAttemptAt: 1_000, reason: 'market closed' })?.body).toBe(`market closed. Attempt 2 sells the 4 still held in ${formatDelay(1_000)}.`);
    expect(longNote({ ...base, type: 'order_rejected', orderId: asOrderId(9), leg: 'BUY', reason: 'x' })?.title).toBe('BUY order rejected: AAPL');
  });

  it('announces a stop-loss the moment it triggers', () => {
    expect(note({ ...base, type: 'stop_loss_triggered', price: 94.5, stopLoss: 95, tickAt: 0, trailing: false })).toEqual({
      title: 'Stop-loss hit: AAPL',
      body: 'Price 94.5 reached the stop-loss 95. Selling now.',
      urgency: 'critical',
      key: 'sl:3',
      topic: 'exits',
    });
    expect(note({ ...base, type: 'stop_loss_triggered', price: 101.9, stopLoss: 102, tickAt: 0, trailing: true })).toMatchObject({
      title: 'Trailing stop hit: AAPL',
      body: 'Price 101.9 reached the trailing stop 102. Selling now.',
      urgency: 'critical',
    });
  });

  it('announces a target hit, and the stop moved to cost, once per run', () => {
    expect(note({ ...base, type: 'target_hit', price: 110.2, target: 110, tickAt: 0 })).toEqual({
      title: 'Target hit: AAPL',
      body: 'Price 110.2 reached the target 110. Selling now.',
      urgency: 'normal',
      key: 'target:3',
      topic: 'exits',
    });
    expect(note({ ...base, type: 'stop_moved', why: 'cost', from: 95, to: 100, best: 103 })).toEqual({
      title: 'Stop moved to cost: AAPL',
      body: 'The price reached 103: the stop is now the entry price 100.',
      urgency: 'normal',
      key: 'cost:3',
      topic: 'exits',
    });
  });

  it("interrupts for a position's stop watching a stale price, once per run, and not for the price coming back", () => {
    const stale = { ...base, type: 'price_stale', instrument: 'NYSE:AAPL', lastPrice: 100, lastPriceAt: 0, lastPriceAgeMs: 40_000, quotePrice: 98, detail: 'a REST quote shows 98; it is acted on as a tick until the stream is back' } as const;
    expect(note(stale)).toEqual({
      title: 'Stale price: AAPL',
      body: 'No price since 100, 40 s ago: the stop is watching a stale price (a REST quote shows 98; it is acted on as a tick until the stream is back).',
      urgency: 'critical',
      key: 'stale:3',
      topic: 'errors',
    });
    expect(note({ ...base, type: 'price_fresh', instrument: 'NYSE:AAPL', price: 98, silentForMs: 40_000 })).toBeNull();
  });

  it('says which level a skipped BUY had already reached', () => {
    expect(note({ ...base, type: 'buy_skipped', lastPrice: 94, stopLoss: 95, target: null })?.body).toBe('The last price 94 was already at or below the stop-loss 95.');
    expect(note({ ...base, type: 'buy_skipped', lastPrice: 111, stopLoss: null, target: 110 })?.body).toBe('The last price 111 was already at or above the target 110.');
    expect(note({ ...base, type: 'buy_skipped', side: 'sell', lastPrice: 96, stopLoss: 95, target: null })).toMatchObject({ title: 'Short sale skipped: AAPL', body: 'The last price 96 was already at or above the stop-loss 95.' });
    expect(note({ ...base, type: 'buy_skipped', side: 'sell', lastPrice: 89, stopLoss: null, target: 90 })?.body).toBe('The last price 89 was already at or below the target 90.');
  });

  it('announces every kind of error', () => {
    expect(note({ ...base, type: 'order_rejected', orderId: asOrderId(9), leg: 'BUY', reason: 'insufficient buying power' })).toMatchObject({
      title: 'BUY order rejected: AAPL',
      body: 'The broker said: insufficient buying power.',
      urgency: 'critical',
    });
    expect(note({ ...base, type: 'order_rejected', orderId: asOrderId(9), leg: 'STOPLOSS', reason: 'market closed.' })?.title).toBe('Exit order rejected: AAPL');
    expect(note({ ...base, type: 'order_unknown', orderId: asOrderId(9), leg: 'SELL', reason: 'timeout after 10 s' })).toMatchObject({
      title: 'Order outcome unknown: AAPL',
      body: 'timeout after 10 s. Tradeclock is looking the order up at the broker before doing anything else.',
    });
    expect(note({ ...base, type: 'order_not_sent', orderId: asOrderId(9), leg: 'SELL', reason: 'could not look AAPL up at Alpaca: HTTP 503; Tradeclock keeps trying' })).toMatchObject({
      title: 'Exit not sent yet: AAPL',
      body: 'The broker cannot be reached: could not look AAPL up at Alpaca: HTTP 503; Tradeclock keeps trying.',
      urgency: 'critical',
    });
    expect(note({ ...base, type: 'prices_not_subscribed', reason: 'AAPL on NYSE: connect ECONNREFUSED' })).toMatchObject({ title: 'No prices yet: AAPL', body: 'AAPL on NYSE: connect ECONNREFUSED.', urgency: 'critical' });
    expect(note({ ...base, type: 'run_state_changed', from: 'BUYING', to: 'ERROR', reason: 'broker session expired' })).toMatchObject({
      title: 'AAPL needs attention',
      body: 'broker session expired.',
    });
    expect(note({ ...base, type: 'buy_missed', lateByMs: 125_000 })).toMatchObject({ title: 'BUY missed: AAPL', topic: 'entries' });
    expect(note({ ...base, type: 'buy_missed', lateByMs: 125_000 })?.body).toContain('2 min 5 s ago');
    expect(note({ userId: base.userId, at: 0, type: 'feed_status', brokerAccountId: asBrokerAccountId(2), state: 'down', detail: null })).toMatchObject({
      title: 'Price feed down',
      body: 'The broker stopped sending prices. Stop-losses cannot trigger until prices come back.',
      key: 'feed:2',
      topic: 'errors',
    });
  });

  it('tells what to fix before an entry: the failed checks of a readiness event, and a warning as such', () => {
    const checks = [
      { check: 'session' as const, status: 'ok' as const, message: 'Alpaca keys do not expire daily.' },
      { check: 'funds' as const, status: 'fail' as const, message: '100.00 available does not cover the entry: add funds' },
      { check: 'day_trades' as const, status: 'warn' as const, message: 'This exit would use the last day trade.' },
    ];
    expect(note({ ...base, type: 'readiness', trigger: 'scheduled', entryAt: 5, status: 'fail', checks })).toEqual({
      title: 'Not ready: AAPL',
      body: '100.00 available does not cover the entry: add funds.',
      urgency: 'critical',
      key: 'readiness:3:5:fail',
      topic: 'readiness',
    });
    expect(note({ ...base, type: 'readiness', trigger: 'start', entryAt: 5, status: 'warn', checks: checks.slice(2) })).toMatchObject({ title: 'Check before the entry: AAPL', body: 'This exit would use the last day trade.', urgency: 'normal' });
  });

  it('stays quiet for routine events', () => {
    const quiet: EngineEvent[] = [
      { ...base, type: 'strategy_armed', tradingDate: '2026-03-09', buyAt: 0, sellAt: 0 },
      { ...base, type: 'run_state_changed', from: 'ARMED', to: 'BUYING', reason: null },
      { ...base, type: 'order_submitted', orderId: asOrderId(1), leg: 'BUY', clientOrderId: 'x', scheduledAt: 0, dispatchedAt: 0 },
      { ...base, type: 'order_accepted', orderId: asOrderId(1), leg: 'BUY', brokerOrderId: 'b' },
      { ...base, type: 'exit_suppressed', leg: 'SELL', reason: 'stop-loss came first' },
      { ...base, type: 'stop_moved', why: 'trail', from: 95, to: 96.5, best: 101.5 },
      { userId: base.userId, at: 0, type: 'feed_status', brokerAccountId: asBrokerAccountId(2), state: 'up', detail: null },
      { userId: base.userId, strategyId: base.strategyId, at: 0, type: 'strategy_stopped', reason: 'by trader' },
    ];
    expect(quiet.map(note)).toEqual(quiet.map(() => null));
  });

  it('names a strategy it cannot look up by id', () => {
    expect(notificationFor({ ...base, type: 'stop_loss_triggered', price: 1, stopLoss: 2, tickAt: 0, trailing: false }, () => undefined)?.title).toBe('Stop-loss hit: strategy #7');
  });
});

describe('formatting', () => {
  it('prints prices without float noise', () => {
    expect(formatPrice(0.1 + 0.2)).toBe('0.3');
    expect(formatPrice(100)).toBe('100');
    expect(formatPrice(1234.5)).toBe('1234.5');
  });

  it('prints delays for people', () => {
    expect([formatDelay(4_400), formatDelay(60_000), formatDelay(125_000), formatDelay(3_780_000)]).toEqual(['4 s', '1 min', '2 min 5 s', '1 h 3 min']);
  });

  it('ends a reason with exactly one full stop', () => {
    expect([sentence('no'), sentence('no.'), sentence(' why? '), sentence('')]).toEqual(['no.', 'no.', 'why?', '']);
  });
});

describe('createNotificationGate', () => {
  it('shows a key once per window', () => {
    const allow = createNotificationGate(60_000);
    expect(allow('feed:1', 0)).toBe(true);
    expect(allow('feed:1', 59_999)).toBe(false);
    expect(allow('feed:2', 59_999)).toBe(true);
    expect(allow('feed:1', 60_000)).toBe(true);
  });
});
