/** Kite order rows → OrderReport: statuses (both spellings), fills, tags, and picking by tag. */
import { describe, expect, it } from 'vitest';
import { findByTag, kiteStatusToBroker, parseOrderList, toOrderReport, type KiteOrder } from './kite-orders';

const row = (over: Partial<KiteOrder> = {}): KiteOrder => ({
  order_id: '2603090000000000001',
  status: 'COMPLETE',
  tag: 'tck3x9a116260309E',
  tradingsymbol: 'INFY',
  exchange: 'NSE',
  transaction_type: 'BUY',
  quantity: 10,
  filled_quantity: 10,
  average_price: 1573.5,
  status_message: null,
  order_timestamp: '2026-03-09 09:15:00',
  exchange_update_timestamp: '2026-03-09 09:15:01',
  ...over,
});

describe('kiteStatusToBroker', () => {
  it.each([
    ['COMPLETE', 10, 'filled'],
    ['REJECTED', 0, 'rejected'],
    ['CANCELLED', 0, 'cancelled'],
    ['CANCELLED', 4, 'cancelled'],
    ['OPEN', 0, 'accepted'],
    ['OPEN', 4, 'partially_filled'],
    ['PUT ORDER REQ RECEIVED', 0, 'accepted'],
    ['PUT ORDER REQUEST RECEIVED', 0, 'accepted'],
    ['VALIDATION PENDING', 0, 'accepted'],
    ['OPEN PENDING', 0, 'accepted'],
    ['TRIGGER PENDING', 0, 'accepted'],
    ['MODIFIED', 0, 'accepted'],
    ['SOMETHING NEW', 0, 'accepted'],
  ] as const)('%s with %i filled → %s', (status, filled, expected) => {
    expect(kiteStatusToBroker(status, filled)).toBe(expected);
  });
});

describe('toOrderReport', () => {
  it('reports a fill with its exchange time (IST) and average price', () => {
    expect(toOrderReport(row(), 0)).toEqual({ clientOrderId: 'tck3x9a116260309E', brokerOrderId: '2603090000000000001', status: 'filled', filledQty: 10, avgFillPrice: 1573.5, at: Date.parse('2026-03-09T03:45:01Z'), reason: null });
  });

  it('carries Kite\'s status message as the reason of a rejection', () => {
    expect(toOrderReport(row({ status: 'REJECTED', filled_quantity: 0, average_price: 0, status_message: 'Insufficient funds' }), 0)).toMatchObject({ status: 'rejected', avgFillPrice: null, reason: 'Kite: Insufficient funds' });
  });

  it('marks a rejection lasting only when Kite says there is nothing to sell, from either message', () => {
    const rejected = (status_message: string | null, status_message_raw: string | null = null) =>
      toOrderReport(row({ status: 'REJECTED', transaction_type: 'SELL', filled_quantity: 0, average_price: 0, status_message, status_message_raw }), 0);
    expect(rejected('RMS:Rule: Check holdings')).toMatchObject({ status: 'rejected', lasting: true, reason: 'Kite: RMS:Rule: Check holdings' });
    expect(rejected('Insufficient holdings to place this sell order.', 'RMS:Rule: Check holdings')).toMatchObject({ lasting: true, reason: 'Kite: Insufficient holdings to place this sell order.' });
    expect(rejected(null, 'RMS:Rule: Check holdings')).toMatchObject({ lasting: true, reason: 'Kite: RMS:Rule: Check holdings' });
    // A circuit, a price band or margin may pass: no `lasting`, so an exit is tried again.
    expect(rejected('Price exceeds circuit limits for the instrument. Place an order within the daily range.', 'RMS:Rule: Check circuit limit including square off order exceeds')).toMatchObject({ lasting: false });
    expect(rejected('Insufficient funds. Required margin is 95417.84 but available margin is 74251.80. Check the orderbook for open orders.', 'RMS:Margin Exceeds,Required:95417.84, Available:74251.80')).not.toHaveProperty('lasting');
    expect(rejected(null)).not.toHaveProperty('lasting');
  });

  it('an exchange cancel for the price protection range will pass (lasting false, so even a cancel with nothing filled is tried again); a fill carries no `lasting`', () => {
    const lpp = 'The order was cancelled by the exchange because the price is outside the current allowed limit price protection range.';
    expect(toOrderReport(row({ status: 'CANCELLED', filled_quantity: 0, average_price: 0, status_message: lpp }), 0)).toMatchObject({ status: 'cancelled', reason: `Kite: ${lpp}`, lasting: false });
    expect(toOrderReport(row({ status: 'CANCELLED', filled_quantity: 0, average_price: 0, status_message: 'cancelled by the user' }), 0)).not.toHaveProperty('lasting');
    expect(toOrderReport(row(), 0)).not.toHaveProperty('lasting');
  });

  it('takes the tag from `tags` when `tag` is empty, and ignores untagged orders', () => {
    expect(toOrderReport(row({ tag: null, tags: ['abc'] }), 0)?.clientOrderId).toBe('abc');
    expect(toOrderReport(row({ tag: null, tags: null }), 0)).toBeNull();
  });

  it('falls back to the given time without a timestamp', () => {
    expect(toOrderReport(row({ exchange_update_timestamp: null, order_timestamp: null }), 42)?.at).toBe(42);
  });
});

describe('findByTag', () => {
  it('finds nothing for another tag', () => {
    expect(findByTag([row()], 'other')).toBeNull();
  });

  it('prefers a live or filled order over a dead duplicate, then the latest', () => {
    const dead = row({ order_id: '1', status: 'REJECTED', filled_quantity: 0 });
    const live = row({ order_id: '2', status: 'OPEN', filled_quantity: 0 });
    expect(findByTag([live, dead], 'tck3x9a116260309E')?.order_id).toBe('2');
    expect(findByTag([dead, row({ order_id: '3', status: 'CANCELLED', filled_quantity: 0 })], 'tck3x9a116260309E')?.order_id).toBe('3');
  });
});

describe('parseOrderList', () => {
  it('reads numeric strings and numbers alike', () => {
    expect(parseOrderList([{ order_id: '1', status: 'OPEN', filled_quantity: '0', average_price: '0' }])[0]).toMatchObject({ filled_quantity: 0 });
  });

  it('fails the whole list on one unreadable row, so "not found" is never a guess', () => {
    expect(() => parseOrderList([row(), { status: 'OPEN' }])).toThrow(/row 1/);
    expect(() => parseOrderList({})).toThrow(/not return a list/);
  });
});
