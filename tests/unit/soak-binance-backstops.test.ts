/**
 * The crash soak's Binance backstops, on records written by hand and read through binance-record.ts:
 * a STOP_LOSS sell under a `tb…` id is its leg's backstop (a fired one its exit, so a fired stop
 * beside an exit of the engine's is a double exit; one cancelled before the SELL gives the
 * cancel → exit window its start), and a trailing stop's versions are counted against the budget.
 */
import { describe, expect, it } from 'vitest';
import { asStrategyId, backstopId, clientOrderId } from '../../engine/core/ids';
import { judgeBackstops, judgeBroker, judgeCancelToExit, restingBackstops, type Asked } from '../soak/soak-judge';
import { binanceBackstopMoves, binanceOrders, binanceReceived, type BinanceRecordOrder } from '../soak/binance-record';
import { LONGS_ONLY, type SoakKind } from '../soak/soak-mix';

const DAY = '2026-12-07';
const [, longStop] = LONGS_ONLY as [SoakKind, SoakKind];
const id = (slot: 'entry' | 'exit') => clientOrderId('k3x9a1', asStrategyId(1), DAY, slot, 1, 0);
const stopId = (version: number) => backstopId('k3x9a1', asStrategyId(1), DAY, 0, version);
const T0 = Date.parse(`${DAY}T00:00:01Z`);
const STEP = { stepOf: () => 0.00001 };
const asked = new Map<number, Asked>([[1, { kind: longStop, armed: { symbol: 'BTC/USDT', qty: 0.0015, side: 'buy' } }]]);

/** An order on BTCUSDT at 60 000 as the fake's record lists it, filled unless `over` says otherwise. */
function order(cid: string, type: string, side: 'BUY' | 'SELL', qty: string, second: number, over: Partial<BinanceRecordOrder> = {}): BinanceRecordOrder {
  const fee = side === 'BUY' ? '0.00000150' : '0.00000000';
  return {
    symbol: 'BTCUSDT',
    clientOrderId: cid,
    origQty: qty,
    executedQty: qty,
    cummulativeQuoteQty: String(Number(qty) * 60000),
    status: 'FILLED',
    type,
    side,
    time: T0 + second * 1000,
    updateTime: T0 + second * 1000,
    fills: [{ qty, commission: fee, commissionAsset: side === 'BUY' ? 'BTC' : 'USDT' }],
    ...over,
  };
}
const cancelled = (cid: string, placedAt: number, cancelledAt: number) =>
  order(cid, 'STOP_LOSS', 'SELL', '0.00149', placedAt, { status: 'CANCELED', executedQty: '0', cummulativeQuoteQty: '0', updateTime: T0 + cancelledAt * 1000, fills: [] });
const placed = (orders: readonly BinanceRecordOrder[]) => orders.map((o, i) => ({ symbol: o.symbol, side: o.side, newClientOrderId: o.clientOrderId, outcome: `placed #${i + 1}` }));

function read(orders: BinanceRecordOrder[]) {
  const record = { orders, received: placed(orders) };
  return { orders: binanceOrders(record), received: binanceReceived(record) };
}

describe('Binance backstops in the crash soak judge', () => {
  it('counts a fired STOP_LOSS as its leg\'s exit and its placement as the protection in time', () => {
    const { orders, received } = read([order(id('entry'), 'MARKET', 'BUY', '0.0015', 1), order(stopId(1), 'STOP_LOSS', 'SELL', '0.00149', 2)]);
    expect(orders[1]).toMatchObject({ type: 'stop_loss', side: 'sell', status: 'filled', canceled_at: null });
    const v = judgeBroker(orders, received, asked, STEP);
    expect(v.problems).toEqual([]);
    expect(v).toMatchObject({ exitedLegs: 1, duplicates: 0, lostExits: 0, backstops: { orders: 1, firedLegs: 1 } });
    expect(judgeBackstops(orders, [], 3_000, 2_000)).toMatchObject({ filledEntries: 1, protectedInTime: 1, unprotected: 0 });
  });

  it('names a fired STOP_LOSS beside the exit of the engine as a double exit', () => {
    const { orders, received } = read([order(id('entry'), 'MARKET', 'BUY', '0.0015', 1), order(stopId(1), 'STOP_LOSS', 'SELL', '0.00149', 2), order(id('exit'), 'MARKET', 'SELL', '0.00149', 9)]);
    const v = judgeBroker(orders, received, asked, STEP);
    expect(v.duplicates).toBeGreaterThanOrEqual(1);
    expect(v.problems.join('\n')).toMatch(/more sold than bought/);
  });

  it('reads a cancelled STOP_LOSS\'s updateTime as the cancel, so the exit 5 s after it is late, and one resting after the day is named', () => {
    const { orders } = read([order(id('entry'), 'MARKET', 'BUY', '0.0015', 1), cancelled(stopId(1), 2, 10), order(id('exit'), 'MARKET', 'SELL', '0.00149', 15)]);
    expect(orders[1]).toMatchObject({ status: 'canceled', canceled_at: new Date(T0 + 10_000).toISOString() });
    const late = judgeCancelToExit(orders, [], [], 3_000, null, new Set());
    expect(late).toMatchObject({ timed: 0, late: 1 });
    const inTime = read([order(id('entry'), 'MARKET', 'BUY', '0.0015', 1), cancelled(stopId(1), 2, 14), order(id('exit'), 'MARKET', 'SELL', '0.00149', 15)]);
    expect(judgeCancelToExit(inTime.orders, [], [], 3_000, null, new Set())).toMatchObject({ timed: 1, late: 0 });
    const resting = read([order(stopId(1), 'STOP_LOSS', 'SELL', '0.00149', 2, { status: 'NEW', executedQty: '0', fills: [] })]);
    expect(restingBackstops(resting.orders).map((o) => o.client_order_id)).toEqual([stopId(1)]);
  });

  it('leaves a leg out of the cancel → exit window only when a fault met its exit; one that met its backstop is timed and counted apart', () => {
    const { orders } = read([order(id('entry'), 'MARKET', 'BUY', '0.0015', 1), cancelled(stopId(1), 2, 14), order(id('exit'), 'MARKET', 'SELL', '0.00149', 15)]);
    const leg = new Set([`1/${DAY}/0`]);
    expect(judgeCancelToExit(orders, [], [], 3_000, null, leg)).toMatchObject({ timed: 0, leftOut: 1, backstopFaulted: 0 });
    expect(judgeCancelToExit(orders, [], [], 3_000, null, new Set(), leg)).toMatchObject({ timed: 1, leftOut: 0, backstopFaulted: 1 });
  });

  it("counts a trail's versions after the first, and the most within a minute", () => {
    // v1 at 2 s; v2 at 20 s, v3 at 30 s, v4 at 90 s: three moves, two of them within a minute of each other.
    const orders = [cancelled(stopId(1), 2, 19), cancelled(stopId(2), 20, 29), cancelled(stopId(3), 30, 89), order(stopId(4), 'STOP_LOSS', 'SELL', '0.00149', 90), order(id('entry'), 'MARKET', 'BUY', '0.0015', 1)];
    expect(binanceBackstopMoves({ orders, received: [] })).toEqual({ total: 3, maxPerMinute: 2 });
    expect(binanceBackstopMoves({ orders: orders.slice(3), received: [] })).toEqual({ total: 0, maxPerMinute: 0 });
  });
});
