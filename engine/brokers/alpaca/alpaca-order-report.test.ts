import { describe, expect, it } from 'vitest';
import { movesForward, orderReport } from './alpaca-order-report';
import { orderSchema } from './alpaca-wire';

/** The order of alpaca-docs trading-api/streaming.md's example, trimmed to what we read. */
const order = (over: Record<string, unknown> = {}) =>
  orderSchema.parse({
    id: 'a5be8f5e-fdfa-41f5-a644-7a74fe947a8f',
    client_order_id: 'tcabc1231260309E',
    symbol: 'AAPL',
    side: 'buy',
    status: 'filled',
    qty: '10',
    filled_qty: '10',
    filled_avg_price: '105.8988475',
    created_at: '2022-04-19T13:45:04.981350886-04:00',
    updated_at: '2022-04-19T13:45:05.027690731-04:00',
    filled_at: '2022-04-19T17:45:05.024916716Z',
    ...over,
  });

describe('orderReport', () => {
  it('maps a fill with cumulative quantity, average price and the event time', () => {
    const r = orderReport(order(), 0, '2022-04-19T17:45:05.024916716Z');
    expect(r).toEqual({ ok: true, knownStatus: true, report: { clientOrderId: 'tcabc1231260309E', brokerOrderId: 'a5be8f5e-fdfa-41f5-a644-7a74fe947a8f', status: 'filled', filledQty: 10, avgFillPrice: 105.8988475, at: Date.parse('2022-04-19T17:45:05.024Z'), reason: null } });
  });

  it.each([
    ['new', '0', null, 'accepted'],
    ['accepted', '0', null, 'accepted'],
    ['pending_new', '0', null, 'accepted'],
    ['done_for_day', '4', '10', 'partially_filled'],
    ['partially_filled', '4', '10', 'partially_filled'],
    ['pending_cancel', '4', '10', 'partially_filled'],
    ['canceled', '4', '10', 'cancelled'],
    ['expired', '0', null, 'cancelled'],
    ['rejected', '0', null, 'rejected'],
    ['replaced', '0', null, 'cancelled'],
  ])('%s (filled %s) is %s', (status, filled, avg, expected) => {
    const r = orderReport(order({ status, filled_qty: filled, filled_avg_price: avg, filled_at: null }), 1, undefined);
    expect(r.ok && r.report.status).toBe(expected);
  });

  it('keeps an unknown status open and says so; refuses unreadable numbers', () => {
    const r = orderReport(order({ status: 'brand_new_state', filled_qty: '0', filled_avg_price: null }), 5);
    expect(r).toMatchObject({ ok: true, knownStatus: false, report: { status: 'accepted' } });
    expect(orderReport(order({ filled_qty: 'NaN' }), 0)).toMatchObject({ ok: false });
    expect(orderReport(order({ filled_avg_price: '-1' }), 0)).toMatchObject({ ok: false });
    expect(orderReport(order({ filled_avg_price: null }), 0)).toMatchObject({ ok: false, reason: 'filled_qty > 0 without filled_avg_price' });
  });

  it('falls back to our clock when no timestamp parses', () => {
    const r = orderReport(order({ status: 'new', filled_qty: '0', filled_avg_price: null, filled_at: null, updated_at: 'bogus', created_at: null }), 1234);
    expect(r.ok && r.report.at).toBe(1234);
  });
});

describe('movesForward', () => {
  const rep = (status: 'accepted' | 'partially_filled' | 'filled' | 'cancelled', filledQty: number) => ({ clientOrderId: 'c', brokerOrderId: 'b', status, filledQty, avgFillPrice: filledQty ? 1 : null, at: 0, reason: null });
  it('only ever moves forward', () => {
    expect(movesForward(null, rep('accepted', 0))).toBe(true);
    expect(movesForward(rep('accepted', 0), rep('accepted', 0))).toBe(false);
    expect(movesForward(rep('accepted', 0), rep('partially_filled', 3))).toBe(true);
    expect(movesForward(rep('partially_filled', 3), rep('partially_filled', 5))).toBe(true);
    expect(movesForward(rep('partially_filled', 5), rep('partially_filled', 3))).toBe(false);
    expect(movesForward(rep('filled', 10), rep('partially_filled', 10))).toBe(false);
    expect(movesForward(rep('filled', 10), rep('cancelled', 10))).toBe(false);
  });
});
