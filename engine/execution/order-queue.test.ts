import { describe, expect, it } from 'vitest';
import { OrderQueue } from './order-queue';
import type { Leg } from '../core/types';

describe('OrderQueue', () => {
  it('serves STOPLOSS before MANUAL_EXIT before SELL before BUY, FIFO within a leg', () => {
    const q = new OrderQueue<{ leg: Leg; n: number }>();
    const pushed: Array<{ leg: Leg; n: number }> = [
      { leg: 'BUY', n: 1 },
      { leg: 'SELL', n: 2 },
      { leg: 'BUY', n: 3 },
      { leg: 'STOPLOSS', n: 4 },
      { leg: 'MANUAL_EXIT', n: 5 },
      { leg: 'SELL', n: 6 },
      { leg: 'STOPLOSS', n: 7 },
    ];
    pushed.forEach((p) => q.push(p));
    const out: number[] = [];
    for (let x = q.pop(); x; x = q.pop()) out.push(x.n);
    expect(out).toEqual([4, 7, 5, 2, 6, 1, 3]);
    expect(q.size).toBe(0);
  });

  it('keeps FIFO order within a priority across 10 000 interleaved pushes', () => {
    const q = new OrderQueue<{ leg: Leg; n: number }>();
    for (let i = 0; i < 10_000; i++) q.push({ leg: i % 3 === 0 ? 'SELL' : 'BUY', n: i });
    let lastSell = -1;
    let lastBuy = -1;
    let sawBuy = false;
    for (let x = q.pop(); x; x = q.pop()) {
      if (x.leg === 'SELL') {
        expect(sawBuy).toBe(false);
        expect(x.n).toBeGreaterThan(lastSell);
        lastSell = x.n;
      } else {
        sawBuy = true;
        expect(x.n).toBeGreaterThan(lastBuy);
        lastBuy = x.n;
      }
    }
  });
});
