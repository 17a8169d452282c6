import { describe, expect, it } from 'vitest';
import { chartData, precisionOf, withBars } from './chart-data';

describe('withBars', () => {
  it('puts recorded minutes before the live ticks, each close at its minute\'s last second', () => {
    const bars = [
      { minute: 60_000, close: 99 },
      { minute: 120_000, close: 101 },
      { minute: 180_000, close: 102 },
    ];
    expect(withBars(bars, [{ time: 200, price: 103 }])).toEqual([
      { time: 119, price: 99 },
      { time: 179, price: 101 },
      { time: 200, price: 103 },
    ]);
    expect(withBars(bars, [])).toHaveLength(3);
    const live = [{ time: 5, price: 1 }];
    expect(withBars([], live)).toBe(live);
  });
});

describe('chart data', () => {
  it('merges fills into seconds without a tick, keeping ticks where both exist, ascending', () => {
    const points = [
      { time: 10, price: 100 },
      { time: 12, price: 99 },
    ];
    const orders = [
      { filled_at: 11_400, fill_price: 100.2 },
      { filled_at: 12_900, fill_price: 94 },
      { filled_at: null, fill_price: null },
    ];
    expect(chartData(points, orders)).toEqual([
      { time: 10, value: 100 },
      { time: 11, value: 100.2 },
      { time: 12, value: 99 },
    ]);
  });

  it('uses as many decimals as the prices need, from 2 to 6', () => {
    expect(precisionOf([100, 94.2])).toBe(2);
    expect(precisionOf([0.2501, 0.2])).toBe(4);
    expect(precisionOf([0.1 + 0.2])).toBe(2);
    expect(precisionOf([0.000012])).toBe(6);
    expect(precisionOf([0.0000001])).toBe(6);
  });
});
