import { describe, expect, it } from 'vitest';
import { StopLossIndex } from './stop-loss-index';

describe('StopLossIndex', () => {
  it('returns exactly the stops at or above the price, highest first, once', () => {
    const idx = new StopLossIndex();
    idx.arm('a|NSE:X', 1, 95);
    idx.arm('a|NSE:X', 2, 99);
    idx.arm('a|NSE:X', 3, 90);
    idx.arm('a|NSE:Y', 4, 200);
    expect(idx.takeTriggered('a|NSE:X', 100)).toEqual([]);
    expect(idx.takeTriggered('a|NSE:X', 95).map((s) => s.strategyId)).toEqual([2, 1]);
    expect(idx.takeTriggered('a|NSE:X', 95)).toEqual([]);
    expect(idx.isArmed(3)).toBe(true);
    expect(idx.isArmed(1)).toBe(false);
    expect(idx.size()).toBe(2);
  });

  it('treats a price equal to the stop as a crossing', () => {
    const idx = new StopLossIndex();
    idx.arm('f', 1, 100.05);
    expect(idx.takeTriggered('f', 100.05).map((s) => s.strategyId)).toEqual([1]);
  });

  it('keeps feeds apart and re-arms with a new price', () => {
    const idx = new StopLossIndex();
    idx.arm('f1', 1, 50);
    idx.arm('f2', 1, 10);
    expect(idx.takeTriggered('f1', 1)).toEqual([]);
    expect(idx.takeTriggered('f2', 9).map((s) => s.strategyId)).toEqual([1]);
  });

  it('disarm removes a stop and reports whether one was armed', () => {
    const idx = new StopLossIndex();
    idx.arm('f', 7, 10);
    expect(idx.disarm(7)).toBe(true);
    expect(idx.disarm(7)).toBe(false);
    expect(idx.takeTriggered('f', 1)).toEqual([]);
  });

  it('stays ordered under many random arms', () => {
    const idx = new StopLossIndex();
    const prices = Array.from({ length: 500 }, (_, i) => ((i * 7919) % 1000) / 10 + 1);
    prices.forEach((p, i) => idx.arm('f', i, p));
    const hit = idx.takeTriggered('f', 50);
    expect(hit.length).toBe(prices.filter((p) => p >= 50).length);
    for (let i = 1; i < hit.length; i++) expect(hit[i - 1]!.stopLoss).toBeGreaterThanOrEqual(hit[i]!.stopLoss);
  });
});
