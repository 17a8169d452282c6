import { describe, expect, it } from 'vitest';
import { chainReport, movesForward, orderReport, readLeg, type OrderLeg } from './alpaca-order-report';
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
    // Not an end: the replacement may still fill (order-chains.ts follows it).
    ['replaced', '0', null, 'accepted'],
    ['replaced', '4', '10', 'partially_filled'],
    ['calculated', '4', '10', 'partially_filled'],
  ])('%s (filled %s, avg %s) is %s', (status, filled, avg, expected) => {
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

describe('every ordered share filled is a fill', () => {
  it('reads calculated with filled_qty == qty as filled (the BUY that never armed its stop-loss)', () => {
    // alpaca-docs orders.md: calculated = "completed for the day (either filled or done for day), but
    // remaining settlement calculations are still pending".
    const r = orderReport(order({ status: 'calculated', qty: '10', filled_qty: '10', filled_avg_price: '187.23' }), 0);
    expect(r).toMatchObject({ ok: true, knownStatus: true, report: { status: 'filled', filledQty: 10, avgFillPrice: 187.23, reason: null } });
  });

  it.each(['done_for_day', 'pending_cancel', 'pending_replace', 'partially_filled', 'brand_new_state'])('so is %s with all shares filled', (status) => {
    const r = orderReport(order({ status, qty: '10', filled_qty: '10', filled_avg_price: '5' }), 0);
    expect(r.ok && r.report.status).toBe('filled');
  });

  it('but not a replaced order, a final one, a notional order (no qty) or one with shares left', () => {
    const status = (over: Record<string, unknown>) => {
      const r = orderReport(order({ filled_avg_price: '5', ...over }), 0);
      return r.ok && r.report.status;
    };
    expect(status({ status: 'replaced', qty: '10', filled_qty: '10' })).toBe('partially_filled');
    expect(status({ status: 'canceled', qty: '10', filled_qty: '10' })).toBe('cancelled');
    expect(status({ status: 'calculated', qty: null, notional: '500', filled_qty: '10' })).toBe('partially_filled');
    expect(status({ status: 'calculated', qty: '10', filled_qty: '9.999999999' })).toBe('partially_filled');
    // Compared as decimals, whatever the spelling.
    expect(status({ status: 'calculated', qty: '10.000000000', filled_qty: 10 })).toBe('filled');
  });
});

describe('decimals as JSON numbers', () => {
  it('reads qty, filled_qty and filled_avg_price sent as numbers exactly', () => {
    const r = orderReport(order({ qty: 10, filled_qty: 10, filled_avg_price: 187.23 }), 0);
    expect(r).toMatchObject({ ok: true, report: { status: 'filled', filledQty: 10, avgFillPrice: 187.23 } });
  });

  it("reads alpaca-py's own reply of an order not yet processed: numbers, and filled_avg_price 0", () => {
    // alpaca-py bd1fa9e tests/trading/trading_client/test_order_routes.py (test_get_orders).
    const r = orderReport(order({ status: 'new', qty: 1, filled_qty: 0, filled_avg_price: 0, filled_at: null }), 0);
    expect(r).toMatchObject({ ok: true, report: { status: 'accepted', filledQty: 0, avgFillPrice: null } });
  });

  it('refuses what is not a non-negative decimal, naming the field', () => {
    const reason = (over: Record<string, unknown>) => {
      const r = orderReport(order(over), 0);
      return r.ok ? 'read' : r.reason;
    };
    expect(reason({ filled_qty: -1 })).toBe('filled_qty: -1 is negative');
    expect(reason({ filled_qty: '1e1' })).toBe('filled_qty: "1e1" is not a plain decimal');
    expect(reason({ qty: 'ten' })).toBe('qty: "ten" is not a plain decimal');
    expect(reason({ filled_avg_price: '-105.5' })).toBe('filled_avg_price: "-105.5" is not a plain decimal');
    expect(reason({ filled_avg_price: 0 })).toBe('filled_avg_price: 0 with shares filled');
    expect(reason({ filled_avg_price: '0' })).toBe('filled_avg_price: 0 with shares filled');
    expect(() => order({ filled_qty: true })).toThrow();
  });
});

describe('chainReport', () => {
  const leg = (over: Record<string, unknown>): OrderLeg => {
    const r = readLeg(order({ filled_at: null, ...over }), 0);
    if (!r.ok) throw new Error(r.reason);
    return r.leg;
  };
  const ours = (over: Record<string, unknown> = {}) =>
    leg({ id: 'a1a1a1a1-0000-4000-8000-000000000001', status: 'replaced', filled_qty: '0', filled_avg_price: null, replaced_by: 'b2b2b2b2-0000-4000-8000-000000000002', replaced_at: '2026-03-09T14:30:00Z', ...over });
  const replacement = (over: Record<string, unknown> = {}) =>
    leg({ id: 'b2b2b2b2-0000-4000-8000-000000000002', client_order_id: '6b2a3c6e-3f0e-4a57-9b63-c1a2b0f4d001', replaces: 'a1a1a1a1-0000-4000-8000-000000000001', updated_at: '2026-03-09T14:30:01Z', ...over });

  it("reports the replacement's status, fills and id under our client order id", () => {
    expect(chainReport([ours(), replacement({ status: 'filled', filled_qty: '10', filled_avg_price: '187.23' })])).toEqual({
      clientOrderId: 'tcabc1231260309E',
      brokerOrderId: 'b2b2b2b2-0000-4000-8000-000000000002',
      status: 'filled',
      filledQty: 10,
      avgFillPrice: 187.23,
      at: Date.parse('2026-03-09T14:30:01Z'),
      reason: null,
    });
  });

  it('adds up the fills of every leg, with their average price, exactly', () => {
    const r = chainReport([ours({ filled_qty: '4', filled_avg_price: '100.1' }), replacement({ status: 'filled', qty: '6', filled_qty: '6', filled_avg_price: '100.2' })]);
    expect(r).toMatchObject({ status: 'filled', filledQty: 10, avgFillPrice: 100.16 });
  });

  it('is never final while the newest leg is replaced and its replacement not read', () => {
    expect(chainReport([ours()])).toMatchObject({ status: 'accepted', brokerOrderId: 'a1a1a1a1-0000-4000-8000-000000000001', reason: null });
    expect(chainReport([ours({ filled_qty: '4', filled_avg_price: '100' })])).toMatchObject({ status: 'partially_filled', filledQty: 4 });
  });

  it('ends as the replacement ends, saying it was the replacement', () => {
    expect(chainReport([ours(), replacement({ status: 'canceled', filled_qty: '0', filled_avg_price: null })])).toMatchObject({
      status: 'cancelled',
      reason: 'Alpaca order canceled (replacement order b2b2b2b2-0000-4000-8000-000000000002)',
    });
    // Fills before the replacement count: the run holds them.
    expect(chainReport([ours({ filled_qty: '4', filled_avg_price: '100' }), replacement({ status: 'new', filled_qty: '0', filled_avg_price: null })])).toMatchObject({ status: 'partially_filled', filledQty: 4 });
  });
});
