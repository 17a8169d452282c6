import { describe, expect, it } from 'vitest';
import { orderSchema, type AlpacaOrder } from './alpaca-wire';
import { readStop } from './resting-stop-report';

const order = (over: Record<string, unknown>): AlpacaOrder =>
  orderSchema.parse({ id: 'o-1', client_order_id: 'tpk-1', symbol: 'AAPL', side: 'sell', type: 'stop', status: 'new', qty: '10', filled_qty: '0', filled_avg_price: null, stop_price: '98.5', limit_price: null, updated_at: '2026-03-09T14:00:00.000000000Z', ...over });

describe('readStop', () => {
  it.each([
    ['new', '0', null, 'resting', false],
    ['accepted', '0', null, 'resting', false],
    ['pending_new', '0', null, 'resting', false],
    ['held', '0', null, 'resting', false],
    ['pending_cancel', '0', null, 'resting', false],
    ['partially_filled', '4', '98.4', 'fired', false],
    ['filled', '10', '98.4', 'fired', true],
    ['canceled', '4', '98.4', 'fired', true],
    ['expired', '4', '98.4', 'fired', true],
    ['canceled', '0', null, 'cancelled', true],
    ['expired', '0', null, 'cancelled', true],
    ['rejected', '0', null, 'rejected', true],
    ['some_new_status', '0', null, 'resting', false],
  ])('%s with %s filled reads %s (done %s)', (status, filled, avg, expected, done) => {
    const read = readStop(order({ status, filled_qty: filled, filled_avg_price: avg }), 0);
    expect(read).toMatchObject({ kind: 'report', report: { status: expected, done, filledQty: Number(filled), triggerPrice: 98.5, qty: 10, brokerRef: 'o-1', clientOrderId: 'tpk-1' } });
  });

  it('follows a replaced order to its successor, and names an unreadable field', () => {
    expect(readStop(order({ status: 'replaced', replaced_by: 'o-2' }), 0)).toEqual({ kind: 'replaced', by: 'o-2' });
    expect(readStop(order({ status: 'replaced' }), 0)).toEqual({ kind: 'replaced', by: null });
    expect(readStop(order({ stop_price: null }), 0)).toEqual({ kind: 'unreadable', reason: 'stop_price: null is not a decimal' });
    expect(readStop(order({ filled_qty: '3', filled_avg_price: null }), 0)).toEqual({ kind: 'unreadable', reason: 'filled_avg_price: null is not a decimal with shares filled' });
    expect(readStop(order({ limit_price: '-1' }), 0)).toEqual({ kind: 'unreadable', reason: 'limit_price: "-1" is not a plain decimal' });
  });

  it('takes the time of the latest step, else our clock', () => {
    expect(readStop(order({ status: 'filled', filled_qty: '10', filled_avg_price: '98', filled_at: '2026-03-09T15:00:00Z' }), 0)).toMatchObject({ report: { at: Date.parse('2026-03-09T15:00:00Z') } });
    expect(readStop(order({ updated_at: null }), 1234)).toMatchObject({ report: { at: 1234 } });
  });
});
