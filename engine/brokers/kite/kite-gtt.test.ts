/**
 * GTT objects written here from the documented fields (kiteconnect-mocks c7a8123 gtt_get_order.json
 * and gtt_get_orders.json give the shape; every value is ours).
 */
import { describe, expect, it } from 'vitest';
import type { Instrument, RestingStopRef } from '../broker';
import { gttForm, gttState, matchGtt, readGtt, readGttList, triggerTooClose } from './kite-gtt';

const tcs: Instrument = { symbol: 'TCS', exchange: 'NSE', brokerRef: '2953217', tickSize: 0.05, shortable: null };

function gtt(over: Record<string, unknown> = {}, leg: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 5501,
    user_id: 'AB1234',
    parent_trigger: null,
    type: 'single',
    created_at: '2026-03-09 09:31:00',
    updated_at: '2026-03-09 09:31:00',
    expires_at: '2027-03-09 09:31:00',
    status: 'active',
    condition: { exchange: 'NSE', tradingsymbol: 'TCS', trigger_values: [3890.5], last_price: 3925, instrument_token: 2953217 },
    orders: [{ exchange: 'NSE', tradingsymbol: 'TCS', product: 'MIS', order_type: 'LIMIT', transaction_type: 'SELL', quantity: 4, price: 3880, result: null, ...leg }],
    meta: {},
    ...over,
  };
}

const result = (orderResult: Record<string, unknown>) => ({ result: { account_id: 'AB1234', exchange: 'NSE', tradingsymbol: 'TCS', validity: 'DAY', product: 'MIS', order_type: 'LIMIT', transaction_type: 'SELL', quantity: 4, price: 3880, meta: '{"gtt":5501}', timestamp: '2026-03-09 11:02:10', triggered_at: 3890.1, order_result: orderResult } });
const ref: RestingStopRef = { clientOrderId: 'tpkA', brokerRef: null, instrument: tcs, side: 'sell', qty: 4, triggerPrice: 3890.5 };

describe('gttState', () => {
  it('reads an active GTT as resting, with its trigger, limit and quantity', () => {
    expect(gttState(readGtt(gtt()), 'tpkA', 0)).toEqual({ kind: 'report', report: { clientOrderId: 'tpkA', brokerRef: '5501', status: 'resting', triggerPrice: 3890.5, limitPrice: 3880, qty: 4, filledQty: 0, avgFillPrice: null, done: false, at: Date.parse('2026-03-09T04:01:00Z'), reason: null, target: null } });
  });

  it.each([
    ['cancelled', 'cancelled'],
    ['deleted', 'cancelled'],
    ['disabled', 'cancelled'],
    ['expired', 'cancelled'],
    ['rejected', 'rejected'],
  ])('reads %s as %s and done', (status, expected) => {
    expect(gttState(readGtt(gtt({ status })), 'tpkA', 0)).toMatchObject({ kind: 'report', report: { status: expected, done: true } });
  });

  it('reads a status it does not know as resting (the engine still cancels it first)', () => {
    expect(gttState(readGtt(gtt({ status: 'paused' })), 'tpkA', 0)).toMatchObject({ report: { status: 'resting', done: false } });
  });

  it('names the order a triggered GTT placed, and reads a failed placement as rejected with its reason', () => {
    const placed = gttState(readGtt(gtt({ status: 'triggered' }, result({ status: 'success', order_id: '260309000123456', rejection_reason: '' }))), 'tpkA', 0);
    expect(placed).toMatchObject({ kind: 'fired', orderId: '260309000123456', base: { status: 'fired', at: Date.parse('2026-03-09T05:32:10Z') } });
    const failed = gttState(readGtt(gtt({ status: 'triggered' }, result({ status: 'failed', order_id: '', rejection_reason: 'Insufficient holdings.' }))), 'tpkA', 0);
    expect(failed).toMatchObject({ kind: 'report', report: { status: 'rejected', done: true, reason: 'Kite triggered the GTT but could not place its order: Insufficient holdings.' } });
    expect(gttState(readGtt(gtt({ status: 'triggered' })), 'tpkA', 0)).toMatchObject({ kind: 'report', report: { status: 'fired', done: false } });
  });

  it.each(['deleted', 'expired', 'cancelled', 'disabled'])('reads a GTT %s after it placed its order as fired, with that order to read: never gone with nothing filled', (status) => {
    const placed = gttState(readGtt(gtt({ status }, result({ status: 'success', order_id: '260309000123456', rejection_reason: '' }))), 'tpkA', 0);
    expect(placed).toMatchObject({ kind: 'fired', orderId: '260309000123456', base: { status: 'fired' } });
  });

  it('refuses a GTT it cannot read, naming the field', () => {
    expect(() => readGtt(gtt({ condition: { exchange: 'NSE', tradingsymbol: 'TCS', trigger_values: [] } }))).toThrow("Kite's GTT could not be read (condition.trigger_values: ");
    expect(() => readGttList([gtt(), gtt({ orders: [] })])).toThrow(/row 1 could not be read \(orders: /);
    expect(() => readGttList({})).toThrow('did not return a list');
  });
});

describe('matchGtt', () => {
  it('takes the newest active or triggered single GTT of the same instrument, side, quantity and trigger, not excluded', () => {
    const list = readGttList([gtt({ id: 1 }), gtt({ id: 2, created_at: '2026-03-09 09:40:00' }), gtt({ id: 3, created_at: '2026-03-09 09:50:00', status: 'deleted' }), gtt({ id: 4, created_at: '2026-03-09 10:00:00' }, { quantity: 5 }), gtt({ id: 5, created_at: '2026-03-09 10:10:00' }, { transaction_type: 'BUY' })]);
    expect(matchGtt(list, ref, new Set())?.id).toBe('2');
    expect(matchGtt(list, ref, new Set(['2']))?.id).toBe('1');
    expect(matchGtt(list, ref, new Set(['1', '2']))).toBeNull();
    expect(matchGtt(list, { ...ref, triggerPrice: 3890.55 }, new Set())).toBeNull();
    expect(matchGtt(list, { ...ref, instrument: { ...tcs, exchange: 'BSE' } }, new Set())).toBeNull();
  });
});

describe('gttForm and the trigger band', () => {
  it('writes condition and orders as JSON text', () => {
    expect(gttForm({ clientOrderId: 'x', instrument: tcs, side: 'buy', qty: 4, triggerPrice: 3950, limitPrice: 3960 }, 'CNC', 3925)).toEqual({
      type: 'single',
      condition: '{"exchange":"NSE","tradingsymbol":"TCS","trigger_values":[3950],"last_price":3925}',
      orders: '[{"exchange":"NSE","tradingsymbol":"TCS","transaction_type":"BUY","quantity":4,"order_type":"LIMIT","product":"CNC","price":3960}]',
    });
  });

  it('needs 0.25% above ₹50 and ₹0.09 at or below', () => {
    expect(triggerTooClose(100, 99.76)).toBe(true);
    expect(triggerTooClose(100, 99.75)).toBe(false);
    expect(triggerTooClose(40, 39.92)).toBe(true);
    expect(triggerTooClose(40, 39.91)).toBe(false);
  });
});

/**
 * Two-leg (OCO) GTTs in the shape of kiteconnect-mocks c7a8123 gtt_get_order.json (type "two-leg",
 * ascending trigger_values, `orders[i]` for `trigger_values[i]`, only the fired order's `result`
 * set); every value ours.
 */
describe('two-leg (OCO) GTTs', () => {
  const order = (side: 'SELL' | 'BUY', price: number, res: Record<string, unknown> | null = null) => ({ exchange: 'NSE', tradingsymbol: 'TCS', product: 'MIS', order_type: 'LIMIT', transaction_type: side, quantity: 4, price, result: res });
  const fired = (side: 'SELL' | 'BUY', price: number, at: number, orderId: string) => ({ account_id: 'AB1234', exchange: 'NSE', tradingsymbol: 'TCS', validity: 'DAY', product: 'MIS', order_type: 'LIMIT', transaction_type: side, quantity: 4, price, meta: '{"gtt":5502}', timestamp: '2026-03-09 11:02:10', triggered_at: at, order_result: { status: 'success', order_id: orderId, rejection_reason: '' } });
  // A long's: sells at the stop 3890 (limit 3851.1) or the target 4010 (limit 3969.9); the last price 3925 between.
  const longOco = (status: string, results: [Record<string, unknown> | null, Record<string, unknown> | null] = [null, null]) =>
    gtt({ id: 5502, type: 'two-leg', status, condition: { exchange: 'NSE', tradingsymbol: 'TCS', trigger_values: [3890, 4010], last_price: 3925, instrument_token: 2953217 }, orders: [order('SELL', 3851.1, results[0]), order('SELL', 3969.9, results[1])] });
  // A short's, the mirror: buys back at the target 3840 (lower, limit 3878.4) or the stop 3960 (upper, limit 3999.6).
  const shortOco = (status: string, results: [Record<string, unknown> | null, Record<string, unknown> | null] = [null, null]) =>
    gtt({ id: 5503, type: 'two-leg', status, condition: { exchange: 'NSE', tradingsymbol: 'TCS', trigger_values: [3840, 3960], last_price: 3925, instrument_token: 2953217 }, orders: [order('BUY', 3878.4, results[0]), order('BUY', 3999.6, results[1])] });

  it('gttForm: a long\'s backstop with a target is type two-leg, trigger_values [stop, target] ascending, the stop\'s order first', () => {
    const form = gttForm({ clientOrderId: 'x', instrument: tcs, side: 'sell', qty: 4, triggerPrice: 3890, limitPrice: 3851.1, target: { triggerPrice: 4010, limitPrice: 3969.9 } }, 'MIS', 3925);
    expect(form).toEqual({
      type: 'two-leg',
      condition: '{"exchange":"NSE","tradingsymbol":"TCS","trigger_values":[3890,4010],"last_price":3925}',
      orders:
        '[{"exchange":"NSE","tradingsymbol":"TCS","transaction_type":"SELL","quantity":4,"order_type":"LIMIT","product":"MIS","price":3851.1},{"exchange":"NSE","tradingsymbol":"TCS","transaction_type":"SELL","quantity":4,"order_type":"LIMIT","product":"MIS","price":3969.9}]',
    });
  });

  it('gttForm: a short\'s is the mirror, still ascending: [target, stop], the take-profit\'s BUY first', () => {
    const form = gttForm({ clientOrderId: 'x', instrument: tcs, side: 'buy', qty: 4, triggerPrice: 3960, limitPrice: 3999.6, target: { triggerPrice: 3840, limitPrice: 3878.4 } }, 'MIS', 3925);
    expect(JSON.parse(form.condition!)).toMatchObject({ trigger_values: [3840, 3960] });
    expect((JSON.parse(form.orders!) as { transaction_type: string; price: number }[]).map((o) => [o.transaction_type, o.price])).toEqual([
      ['BUY', 3878.4],
      ['BUY', 3999.6],
    ]);
    expect(form.type).toBe('two-leg');
  });

  it('gttForm: without a target it stays the single-leg form, byte for byte', () => {
    const req = { clientOrderId: 'x', instrument: tcs, side: 'sell' as const, qty: 4, triggerPrice: 3890.5, limitPrice: 3880 };
    expect(gttForm({ ...req, target: null }, 'MIS', 3925)).toEqual(gttForm(req, 'MIS', 3925));
    expect(gttForm(req, 'MIS', 3925).type).toBe('single');
  });

  it('gttState: a resting long OCO is its stop, with the take-profit beside it', () => {
    expect(gttState(readGtt(longOco('active')), 'tpkB', 0)).toMatchObject({ kind: 'report', report: { status: 'resting', triggerPrice: 3890, limitPrice: 3851.1, qty: 4, target: { triggerPrice: 4010, limitPrice: 3969.9 } } });
    expect(gttState(readGtt(shortOco('active')), 'tpkC', 0)).toMatchObject({ kind: 'report', report: { status: 'resting', triggerPrice: 3960, limitPrice: 3999.6, target: { triggerPrice: 3840, limitPrice: 3878.4 } } });
  });

  it('gttState: the fired side is the order with a result: the upper on a long is the target, on a short the stop', () => {
    expect(gttState(readGtt(longOco('triggered', [null, fired('SELL', 3969.9, 4010.2, '260309000000002')])), 'tpkB', 0)).toMatchObject({ kind: 'fired', orderId: '260309000000002', base: { status: 'fired', firedLeg: 'target' } });
    expect(gttState(readGtt(longOco('triggered', [fired('SELL', 3851.1, 3889.5, '260309000000001'), null])), 'tpkB', 0)).toMatchObject({ kind: 'fired', orderId: '260309000000001', base: { status: 'fired', firedLeg: 'stop' } });
    expect(gttState(readGtt(shortOco('triggered', [fired('BUY', 3878.4, 3839.9, '260309000000003'), null])), 'tpkC', 0)).toMatchObject({ kind: 'fired', base: { firedLeg: 'target' } });
    expect(gttState(readGtt(shortOco('triggered', [null, fired('BUY', 3999.6, 3960.1, '260309000000004')])), 'tpkC', 0)).toMatchObject({ kind: 'fired', base: { firedLeg: 'stop' } });
  });

  it('matchGtt: a stop asked with a take-profit finds the two-leg GTT with both values, or the single-leg one placed without it; a stop alone never a two-leg one', () => {
    const single = gtt({ id: 6001, created_at: '2026-03-09 09:00:00', condition: { exchange: 'NSE', tradingsymbol: 'TCS', trigger_values: [3890], last_price: 3925 } }, { price: 3851.1 });
    const list = readGttList([longOco('active'), single]);
    const ocoRef: RestingStopRef = { ...ref, triggerPrice: 3890, targetPrice: 4010 };
    expect(matchGtt(list, ocoRef, new Set())?.id).toBe('5502');
    // A take-profit Kite would have refused was left out: the single-leg GTT with the stop's trigger is the one placed.
    expect(matchGtt(list, { ...ocoRef, targetPrice: 4010.05 }, new Set())?.id).toBe('6001');
    expect(matchGtt(list, ocoRef, new Set(['5502']))?.id).toBe('6001');
    expect(matchGtt(readGttList([longOco('active')]), { ...ocoRef, targetPrice: 4010.05 }, new Set())).toBeNull();
    expect(matchGtt(list, { ...ref, triggerPrice: 3890 }, new Set())?.id).toBe('6001');
    expect(matchGtt(readGttList([longOco('active')]), { ...ref, triggerPrice: 3890 }, new Set())).toBeNull();
    expect(matchGtt(readGttList([shortOco('active')]), { ...ref, side: 'buy', triggerPrice: 3960, targetPrice: 3840 }, new Set())?.id).toBe('5503');
  });
});
