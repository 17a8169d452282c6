/**
 * The Kite fake's record read as the judge reads Alpaca's (tests/soak/kite-record.ts): tagged orders
 * keep their ids; a GTT becomes a backstop of the leg whose entry it protects, its fire the fill of
 * its untagged LIMIT order (not listed again); one no entry explains, or an untagged order no GTT
 * placed, gets an id the judge refuses; an option's LIMIT exit re-priced in place is one order and
 * one placement. Then the judge itself on those records: a GTT fired beside the engine's own exit is
 * a double exit, and a LIMIT exit left resting part-filled leaves its leg short.
 */
import { describe, expect, it } from 'vitest';
import { asStrategyId, backstopId, clientOrderId } from '../../engine/core/ids';
import { kiteOrders, kiteReceived, type KiteRecord, type KiteRecordGtt, type KiteRecordOrder } from '../soak/kite-record';
import { judgeBackstops, judgeBroker, judgeCancelToExit, metFault, REJECTED_BY_RMS, restingBackstops } from '../soak/soak-judge';
import { KINDS } from '../soak/soak-mix';

const DAY = '2026-12-07';
const T = Date.parse(`${DAY}T04:30:00Z`);
const id = (strategy: number, slot: 'entry' | 'exit', leg = 0) => clientOrderId('k3x9a1', asStrategyId(strategy), DAY, slot, 1, leg);
const bid = (strategy: number, leg = 0, version = 1) => backstopId('k3x9a1', asStrategyId(strategy), DAY, leg, version);

function order(orderId: string, tag: string | null, side: 'BUY' | 'SELL', atMs: number, over: Partial<KiteRecordOrder> = {}): KiteRecordOrder {
  return { order_id: orderId, status: 'COMPLETE', tradingsymbol: 'TCS', order_type: 'MARKET', transaction_type: side, quantity: 2, filled_quantity: 2, average_price: 100, tag, accepted_at_ms: atMs, done_at_ms: atMs + 5, ...over };
}
function gtt(gttId: number, side: 'BUY' | 'SELL', atMs: number, status: string, orderId?: string): KiteRecordGtt {
  return { id: gttId, status, condition: { tradingsymbol: 'TCS', trigger_values: [98] }, orders: [{ transaction_type: side, quantity: 2, result: orderId ? { order_result: { status: 'success', order_id: orderId } } : null }], created_at_ms: atMs };
}

describe('kiteOrders', () => {
  it('keys each GTT to the leg whose entry it protects, fired ones with their LIMIT order\'s fill; every leg judged as at Alpaca', () => {
    const record: KiteRecord = {
      orders: [
        order('1', id(1, 'entry'), 'BUY', T),
        order('2', null, 'SELL', T + 4_000, { order_type: 'LIMIT', average_price: 97.5 }), // the GTT's fire
        order('3', id(1, 'entry', 1), 'BUY', T + 5_000),
        order('4', id(1, 'exit', 1), 'SELL', T + 9_000),
      ],
      gtts: [gtt(11, 'SELL', T + 800, 'triggered', '2'), { ...gtt(12, 'SELL', T + 5_900, 'deleted'), updated_at_ms: T + 8_700 }],
    };
    const orders = kiteOrders(record);
    expect(orders.map((o) => [o.client_order_id, o.type, o.status, o.filled_qty])).toEqual([
      [id(1, 'entry'), 'market', 'filled', '2'],
      [id(1, 'entry', 1), 'market', 'filled', '2'],
      [id(1, 'exit', 1), 'market', 'filled', '2'],
      [bid(1, 0), 'gtt', 'filled', '2'],
      [bid(1, 1), 'gtt', 'canceled', '0'],
    ]);
    expect(orders[3]).toMatchObject({ side: 'sell', filled_avg_price: '97.5', created_at: new Date(T + 800).toISOString(), filled_at: new Date(T + 4_005).toISOString() });
    expect(kiteReceived(record).map((r) => r.clientOrderId)).toEqual([id(1, 'entry'), id(1, 'entry', 1), id(1, 'exit', 1)]);
    const reentering = { ...KINDS[5]!, reentries: 2 };
    const verdict = judgeBroker(orders, kiteReceived(record), new Map([[1, { kind: reentering, armed: { symbol: 'TCS', qty: 2, side: 'buy' } }]]));
    expect(verdict.problems).toEqual([]);
    expect(verdict).toMatchObject({ exitedLegs: 2, duplicates: 0, backstops: { orders: 2, firedLegs: 1 } });
    expect(judgeBackstops(orders, [], 3_000, 2_000)).toMatchObject({ filledEntries: 2, protectedInTime: 2, unprotected: 0 });
    expect(restingBackstops(orders)).toEqual([]);
    // The deleted GTT's last change is its cancel, the fired one's is not: leg 1's exit 0.3 s after its GTT's deletion.
    expect([orders[3]!.canceled_at, orders[4]!.canceled_at]).toEqual([null, new Date(T + 8_700).toISOString()]);
    expect(judgeCancelToExit(orders, [], [], 3_000, 10_000, new Set())).toMatchObject({ timed: 1, longestWaitMs: 300, late: 0 });
  });

  it('a GTT whose LIMIT rests unfilled is still resting; one fired beside the engine\'s exit is a double exit', () => {
    const resting = kiteOrders({ orders: [order('1', id(2, 'entry'), 'BUY', T), order('2', null, 'SELL', T + 4_000, { order_type: 'LIMIT', status: 'OPEN', filled_quantity: 0, average_price: 0 })], gtts: [gtt(21, 'SELL', T + 500, 'triggered', '2')] });
    expect(restingBackstops(resting).map((o) => o.client_order_id)).toEqual([bid(2)]);
    const record: KiteRecord = {
      orders: [order('1', id(2, 'entry'), 'BUY', T), order('2', null, 'SELL', T + 4_000, { order_type: 'LIMIT' }), order('3', id(2, 'exit'), 'SELL', T + 4_100)],
      gtts: [gtt(21, 'SELL', T + 500, 'triggered', '2')],
    };
    const verdict = judgeBroker(kiteOrders(record), kiteReceived(record), new Map([[2, { kind: KINDS[2]!, armed: { symbol: 'TCS', qty: 2, side: 'buy' } }]]));
    expect(verdict.duplicates).toBe(1);
    expect(verdict.problems).toEqual([expect.stringMatching(/leg 0: entered 2, exited 4 at the broker/)]);
  });

  it('an option exit sent as a LIMIT and re-priced in place (PUT keeps its order id and tag) is one exit and one placement; left resting part-filled, its leg is short', () => {
    const ce = { tradingsymbol: 'NIFTY26D0826000CE', order_type: 'LIMIT' };
    const short = new Map([[3, { kind: KINDS[1]!, armed: { symbol: ce.tradingsymbol, qty: 2, side: 'sell' } }]]);
    // The record holds an order as last modified: its last price, its first acceptance, its fills.
    const filled: KiteRecord = { orders: [order('1', id(3, 'entry'), 'SELL', T, ce), order('2', id(3, 'exit'), 'BUY', T + 9_000, { ...ce, average_price: 104.5, done_at_ms: T + 14_000 })], gtts: [] };
    const orders = kiteOrders(filled);
    expect(orders.map((o) => [o.client_order_id, o.type, o.status, o.filled_qty])).toEqual([
      [id(3, 'entry'), 'limit', 'filled', '2'],
      [id(3, 'exit'), 'limit', 'filled', '2'],
    ]);
    expect(orders[1]).toMatchObject({ created_at: new Date(T + 9_000).toISOString(), filled_at: new Date(T + 14_000).toISOString() });
    expect(kiteReceived(filled).map((r) => r.clientOrderId)).toEqual([id(3, 'entry'), id(3, 'exit')]);
    const verdict = judgeBroker(orders, kiteReceived(filled), short);
    expect(verdict.problems).toEqual([]);
    expect(verdict).toMatchObject({ exitOrders: 1, exitedLegs: 1, duplicates: 0, lostExits: 0 });
    const resting: KiteRecord = { orders: [filled.orders[0]!, { ...filled.orders[1]!, status: 'OPEN', filled_quantity: 1, done_at_ms: null }], gtts: [] };
    const short1 = judgeBroker(kiteOrders(resting), kiteReceived(resting), short);
    expect(short1.exitedLegs).toBe(0);
    expect(short1.problems).toEqual([expect.stringMatching(/leg 0: entered 2, exited 1 at the broker/)]);
  });

  it('names a GTT no entry explains and an untagged order no GTT placed', () => {
    const record: KiteRecord = { orders: [order('1', null, 'SELL', T)], gtts: [gtt(31, 'SELL', T, 'active')] };
    const orders = kiteOrders(record);
    expect(orders.map((o) => o.client_order_id)).toEqual(['untagged-1', 'gtt-31']);
    const verdict = judgeBroker(orders, kiteReceived(record), new Map());
    expect(verdict.wrongOrders).toBe(2);
    expect(verdict.problems).toEqual(expect.arrayContaining([expect.stringMatching(/an order placement \(sell TCS\) without a client order id/)]));
  });

  it('lists the placements an injected fault met in arrival order: a 429 and an OrderException never booked, an RMS rejection booked and then refused', () => {
    const fault = (kind: 'rate-limit' | 'order-exception' | 'rms-reject', tag: string, after: number) => ({ kind, tag, side: 'SELL', tradingsymbol: 'TCS', after_orders: after, at_ms: T + after });
    const record: KiteRecord = {
      orders: [order('1', id(1, 'entry'), 'BUY', T), order('2', id(1, 'exit'), 'SELL', T + 3_000, { status: 'REJECTED', filled_quantity: 0 }), order('3', id(2, 'exit'), 'SELL', T + 4_000)],
      gtts: [],
      faulted: [fault('rate-limit', id(1, 'exit'), 1), fault('rms-reject', id(1, 'exit'), 1), fault('order-exception', id(2, 'exit'), 2), fault('rate-limit', id(2, 'exit'), 3)],
    };
    expect(kiteReceived(record).map((r) => [r.clientOrderId, r.outcome])).toEqual([
      [id(1, 'entry'), 'accepted'],
      [id(1, 'exit'), 'not processed (rate-limit)'],
      [id(1, 'exit'), REJECTED_BY_RMS],
      [id(2, 'exit'), 'not processed (refused)'],
      [id(2, 'exit'), 'accepted'],
      [id(2, 'exit'), 'not processed (rate-limit)'],
    ]);
    expect(kiteReceived(record).filter(metFault)).toHaveLength(4);
  });
});
