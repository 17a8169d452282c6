import { describe, expect, it } from 'vitest';
import { chartData, precisionOf } from './chart-data';

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
