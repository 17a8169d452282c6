import { describe, expect, it } from 'vitest';
import type { LoggedEventDto } from '../../lib/api-types';
import { summary } from './audit-log';

const row = (type: string, fields: Record<string, unknown>): LoggedEventDto => ({ id: 1, type, at: 0, strategy_id: 3, run_id: 9, ...fields });

describe('audit summary of the exits', () => {
  it('says which stop was crossed: the stop-loss, the trailing stop, or (a row from before trails) the stop-loss', () => {
    expect(summary(row('stop_loss_triggered', { price: 94.9, stop_loss: 95, tick_at: 0, trailing: false }))).toBe('Price 94.90 reached the stop-loss 95.00');
    expect(summary(row('stop_loss_triggered', { price: 101.9, stop_loss: 102, tick_at: 0, trailing: true }))).toBe('Price 101.90 reached the trailing stop 102.00');
    expect(summary(row('stop_loss_triggered', { price: 94.9, stop_loss: 95, tick_at: 0 }))).toBe('Price 94.90 reached the stop-loss 95.00');
  });

  it('says when the price acted on was a REST quote or an old last price, and a stream gone stale and back', () => {
    expect(summary(row('stop_loss_triggered', { price: 94.9, stop_loss: 95, tick_at: 0, trailing: false, price_source: 'rest', silent_for_ms: 40_000 }))).toBe('Price 94.90 (REST quote: no tick for 40 s) reached the stop-loss 95.00');
    expect(summary(row('target_hit', { price: 105.1, target: 105, tick_at: 0, price_source: 'stream', silent_for_ms: 61_000 }))).toBe('Price 105.10 (last price, 61 s old) reached the target 105.00');
    expect(summary(row('price_stale', { instrument: 'NYSE:AAPL', last_price: 100, last_price_at: 0, last_price_age_ms: 15_000, quote_price: 98, detail: 'a REST quote shows 98' }))).toBe(
      'Stop watching a stale price: last tick 100.00 15 s ago (a REST quote shows 98)',
    );
    expect(summary(row('price_fresh', { instrument: 'NYSE:AAPL', price: 97.5, silent_for_ms: 40_000 }))).toBe('Prices flowing again: 97.50 after 40 s without a tick');
  });

  it('names the target when it fired', () => {
    expect(summary(row('target_hit', { price: 105.1, target: 105, tick_at: 0 }))).toBe('Price 105.10 reached the target 105.00');
  });

  it('tells a trail moving the stop from a move to cost', () => {
    expect(summary(row('stop_moved', { why: 'trail', from: 98, to: 99.5, best: 101.5 }))).toBe('Trailing stop moved up to 99.50 (was 98.00): best price since the entry 101.50');
    expect(summary(row('stop_moved', { why: 'cost', from: 95, to: 100, best: 103 }))).toBe('Stop moved up to the entry price 100.00 (was 95.00): the price reached 103.00');
     // A short's (sell first) stop moves down.
    expect(summary(row('stop_moved', { why: 'trail', from: 102, to: 100.5, best: 98.5 }))).toBe('Trailing stop moved down to 100.50 (was 102.00): best price since the entry 98.50');
    expect(summary(row('stop_moved', { why: 'cost', from: 105, to: 100, best: 97 }))).toBe('Stop moved down to the entry price 100.00 (was 105.00): the price reached 97.00');
  });

  it('says which level a skipped BUY had already reached; a row from before targets is the stop-loss', () => {
    expect(summary(row('buy_skipped', { last_price: 106, stop_loss: null, target: 105 }))).toBe('BUY skipped: last price 106.00 is at or above the target 105.00, so it would exit at once');
    expect(summary(row('buy_skipped', { last_price: 94, stop_loss: 95, target: null }))).toBe('BUY skipped: last price 94.00 is at or below the stop-loss 95.00');
    expect(summary(row('buy_skipped', { last_price: 94, stop_loss: 95 }))).toBe('BUY skipped: last price 94.00 is at or below the stop-loss 95.00');
    expect(summary(row('buy_skipped', { last_price: 96, stop_loss: 95, target: null, side: 'sell' }))).toBe('Short sale skipped: last price 96.00 is at or above the stop-loss 95.00');
    expect(summary(row('buy_skipped', { last_price: 84, stop_loss: null, target: 85, side: 'sell' }))).toBe('Short sale skipped: last price 84.00 is at or below the target 85.00, so it would exit at once');
    expect(summary(row('buy_skipped', { last_price: 94, stop_loss: 95, target: null, side: 'buy' }))).toBe('BUY skipped: last price 94.00 is at or below the stop-loss 95.00');
  });

  it('tells the backstop\'s life at the broker with its broker id and trigger', () => {
    expect(summary(row('backstop_placed', { leg_no: 0, broker_ref: 'ord-9', trigger_price: 95, qty: 10 }))).toBe('Backstop resting at the broker: 10 at 95.00 (ord-9)');
    expect(summary(row('backstop_moved', { leg_no: 0, broker_ref: 'ord-10', from: 95, to: 97.5 }))).toBe('Backstop moved to 97.50 (was 95.00; ord-10)');
    expect(summary(row('backstop_cancelled', { leg_no: 0, broker_ref: 'ord-10' }))).toBe('Backstop cancelled at the broker before the exit (ord-10)');
    expect(summary(row('backstop_fired', { leg_no: 0, broker_ref: 'ord-9', filled_qty: 10, fill_price: 94.9 }))).toBe('Backstop fired at the broker: 10 @ 94.90 (ord-9): that is the exit');
    expect(summary(row('order_filled', { order_id: 4, leg: 'BACKSTOP', filled_qty: 10, fill_price: 94.9 }))).toBe('Backstop order 4 filled: 10 @ 94.90');
  });

  it('names the new legs in order events', () => {
    expect(summary(row('order_submitted', { leg: 'TARGET', order_id: 4, client_order_id: 'c4' }))).toBe('Target order 4 sent (c4)');
    expect(summary(row('order_filled', { leg: 'TRAIL_STOP', order_id: 5, filled_qty: 10, fill_price: 102 }))).toBe('Trailing stop order 5 filled: 10 @ 102.00');
  });

  it('says which re-entry is due of how many, after which exit, and why one was not sent', () => {
    const due = Date.UTC(2026, 11, 7, 15, 2, 3, 0);
    expect(summary(row('reentry_scheduled', { leg_no: 1, of: 2, due_at: due, after: 'STOPLOSS' }), 'America/New_York')).toBe('Re-entry 1 of 2 due Mon 7 Dec 10:02:03.000 New York, after the stop-loss exit');
    expect(summary(row('reentry_scheduled', { leg_no: 2, of: 2, due_at: due, after: 'TRAIL_STOP' }), 'America/New_York')).toBe('Re-entry 2 of 2 due Mon 7 Dec 10:02:03.000 New York, after the trailing stop exit');
    expect(summary(row('reentry_scheduled', { leg_no: 1, of: 3, due_at: due, after: 'TARGET' }), 'UTC')).toMatch(/^Re-entry 1 of 3 due .*, after the target exit$/);
    expect(summary(row('reentry_skipped', { leg_no: 2, reason: 'the re-entry cut-off 11:30 has passed' }))).toBe('Re-entry 2 not sent: the re-entry cut-off 11:30 has passed');
  });
});
