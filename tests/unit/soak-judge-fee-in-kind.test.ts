/**
 * The crash soak's judge at a broker that takes a buy's fee out of the coin bought (Binance spot,
 * soak-judge.ts FeeInKind), on records written by hand and read through binance-record.ts: legs
 * that sold what was held after the fee pass, two legs sharing a pair pass when the first sold its
 * whole position with the second's coin, and a lost remainder, an oversold leg and a placement
 * accepted twice under one id are each named.
 */
import { describe, expect, it } from 'vitest';
import { asStrategyId, clientOrderId } from '../../engine/core/ids';
import { judgeBroker, type Asked } from '../soak/soak-judge';
import { binanceOrders, binanceReceived, type BinanceRecordOrder } from '../soak/binance-record';
import { LONGS_ONLY, type SoakKind } from '../soak/soak-mix';

const DAY = '2026-12-07';
const [longTime, longStop] = LONGS_ONLY as [SoakKind, SoakKind];
const id = (strategy: number, slot: 'entry' | 'exit', attempt = 1) => clientOrderId('k3x9a1', asStrategyId(strategy), DAY, slot, attempt, 0);
const T0 = Date.parse(`${DAY}T00:00:01Z`);
const STEP = { stepOf: () => 0.00001 };

/** A filled MARKET order on BTCUSDT at 60 000 as the fake's record lists it; a buy's fee is 0.1 % in BTC, rounded up to 8 places. */
function filled(cid: string, side: 'BUY' | 'SELL', qty: string, second: number, over: Partial<BinanceRecordOrder> = {}): BinanceRecordOrder {
  const fee = side === 'BUY' ? (Math.ceil(Number(qty) * 0.001 * 1e8) / 1e8).toFixed(8) : '0.00000000';
  return {
    symbol: 'BTCUSDT',
    clientOrderId: cid,
    origQty: qty,
    executedQty: qty,
    cummulativeQuoteQty: String(Number(qty) * 60000),
    status: 'FILLED',
    type: 'MARKET',
    side,
    time: T0 + second * 1000,
    updateTime: T0 + second * 1000,
    fills: [{ qty, commission: fee, commissionAsset: side === 'BUY' ? 'BTC' : 'USDT' }],
    ...over,
  };
}
const placed = (orders: readonly BinanceRecordOrder[]) => orders.map((o, i) => ({ symbol: o.symbol, side: o.side, newClientOrderId: o.clientOrderId, outcome: `placed #${i + 1}` }));
const asking = (entries: Array<[number, SoakKind, number]>) => new Map<number, Asked>(entries.map(([s, kind, qty]) => [s, { kind, armed: { symbol: 'BTC/USDT', qty, side: 'buy' } }]));

function judge(orders: BinanceRecordOrder[], asked: Map<number, Asked>, received = placed(orders)) {
  const record = { orders, received };
  return judgeBroker(binanceOrders(record), binanceReceived(record), asked, STEP);
}

describe('judgeBroker with fees taken in the coin bought', () => {
  it('passes a leg that sold the 0.00149 held of 0.0015 bought (0.0000085 dust left), read with its fee and unified symbol', () => {
    const orders = [filled(id(1, 'entry'), 'BUY', '0.0015', 1), filled(id(1, 'exit'), 'SELL', '0.00149', 5)];
    expect(binanceOrders({ orders, received: [] })[0]).toMatchObject({ symbol: 'BTC/USDT', side: 'buy', qty: '0.0015', filled_qty: '0.0015', filled_avg_price: '60000', fee_in_kind: '0.0000015' });
    const v = judge(orders, asking([[1, longTime, 0.0015]]));
    expect(v.problems).toEqual([]);
    expect(v).toMatchObject({ entries: 1, exitedLegs: 1, duplicates: 0, lostExits: 0 });
    // Without the fee-in-kind judge the same leg is a lost exit: it is the mode that makes this pass.
    const record = { orders, received: placed(orders) };
    expect(judgeBroker(binanceOrders(record), binanceReceived(record), asking([[1, longTime, 0.0015]])).lostExits).toBe(1);
  });

  it("passes two legs on one pair whose first exit sold its whole 0.0015 with the second's coin, the second selling what was left", () => {
    // Held after both buys: 0.0014985 + 0.001998 = 0.0034965; the first sells 0.0015, the second floor(0.0019965) = 0.00199.
    const orders = [filled(id(1, 'entry'), 'BUY', '0.0015', 1), filled(id(2, 'entry'), 'BUY', '0.002', 1), filled(id(1, 'exit'), 'SELL', '0.0015', 5), filled(id(2, 'exit'), 'SELL', '0.00199', 6)];
    const v = judge(orders, asking([[1, longTime, 0.0015], [2, longStop, 0.002]]));
    expect(v.problems).toEqual([]);
    expect(v).toMatchObject({ exitedLegs: 2, lostExits: 0, duplicates: 0 });
  });

  it('names a pair left holding more than dust (a remainder of a step or more not sold) and a leg sold twice', () => {
    const lost = judge([filled(id(1, 'entry'), 'BUY', '0.0015', 1), filled(id(1, 'exit'), 'SELL', '0.00148', 5)], asking([[1, longTime, 0.0015]]));
    expect(lost.lostExits).toBe(1);
    // 0.0015 bought − 0.0000015 fee − 0.00148 sold: 0.0000185, over one step.
    expect(lost.problems).toEqual([expect.stringMatching(/^BTC\/USDT: 0\.0000185 bought and not sold over the soak, fees taken in kind aside: more than dust \(one step is 0\.00001\)/)]);

    const twice = judge([filled(id(1, 'entry'), 'BUY', '0.0015', 1), filled(id(1, 'exit'), 'SELL', '0.00149', 5), filled(id(1, 'exit', 2), 'SELL', '0.00149', 6)], asking([[1, longTime, 0.0015]]));
    expect(twice.duplicates).toBe(2); // the leg sold more than it bought, and the pair more than it held
    expect(twice.problems[0]).toMatch(/leg 0: entered 0\.0015, exited 0\.00298 at the broker: more sold than bought/);
  });

  it('names a leg with no exit, and one client order id placed twice (Binance takes a closed order\'s id again)', () => {
    const none = judge([filled(id(1, 'entry'), 'BUY', '0.0015', 1)], asking([[1, longTime, 0.0015]]));
    expect(none.lostExits).toBe(2); // the leg, and its pair holding 0.0014985
    expect(none.problems[0]).toMatch(/leg 0: entered 0\.0015, nothing exited at the broker after the day/);

    const orders = [filled(id(1, 'entry'), 'BUY', '0.0015', 1), filled(id(1, 'exit'), 'SELL', '0.00149', 5)];
    const again = judge(orders, asking([[1, longTime, 0.0015]]), [...placed(orders), { symbol: 'BTCUSDT', side: 'BUY', newClientOrderId: id(1, 'entry'), outcome: 'placed #3' }]);
    expect(again.duplicates).toBe(1);
    expect(again.problems).toEqual([`client order id ${id(1, 'entry')} accepted 2 times`]);
  });
});
