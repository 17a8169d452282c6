import { describe, expect, it } from 'vitest';
import { realizedPnl, realizedPnlNumber, soldQty, sumPnl } from './realized-pnl';

describe('realizedPnl', () => {
  it('is (exit − entry) × quantity sold for a plain SELL', () => {
    expect(realizedPnlNumber({ entryPrice: 100, exitPrice: 103.5, boughtQty: 10, heldQty: 0 })).toBe(35);
    expect(realizedPnlNumber({ entryPrice: 100, exitPrice: 94.2, boughtQty: 10, heldQty: 0 })).toBe(-58);
  });

  it('adds in decimal: no binary float residue', () => {
    expect(realizedPnlNumber({ entryPrice: 0.1, exitPrice: 0.2, boughtQty: 3, heldQty: 0 })).toBe(0.3);
    expect(sumPnl([0.1, 0.2, null]).toNumber()).toBe(0.3);
  });

  it('counts a two-attempt exit once, at the weighted average exit price', () => {
    // Attempt 1 sold 4 at 101 and the rest was cancelled; attempt 2 sold 6 at 96.
    // the run policy's averageExitPrice gives (4×101 + 6×96) / 10 = 98.
    const exitPrice = (4 * 101 + 6 * 96) / 10;
    const pnl = realizedPnl({ entryPrice: 100, exitPrice, boughtQty: 10, heldQty: 0 });
    expect(pnl?.toNumber()).toBe(4 * 1 + 6 * -4);
    expect(soldQty({ entryPrice: 100, exitPrice, boughtQty: 10, heldQty: 0 })).toBe(10);
  });

  it('counts only what was sold of a partial exit, not what is still held', () => {
    const partial = { entryPrice: 50, exitPrice: 52.25, boughtQty: 10, heldQty: 6 };
    expect(soldQty(partial)).toBe(4);
    expect(realizedPnlNumber(partial)).toBe(9);
  });

  it('uses the entry fill, not the strategy quantity, after a partial BUY', () => {
    expect(realizedPnlNumber({ entryPrice: 10, exitPrice: 11, boughtQty: 7, heldQty: 0 })).toBe(7);
  });

  it('is null before anything is sold', () => {
    expect(realizedPnl({ entryPrice: 100, exitPrice: null, boughtQty: 10, heldQty: 10 })).toBeNull();
    expect(realizedPnl({ entryPrice: 100, exitPrice: null, boughtQty: 10, heldQty: 10, short: true })).toBeNull();
    expect(realizedPnl({ entryPrice: null, exitPrice: null, boughtQty: null, heldQty: 0 })).toBeNull();
    expect(soldQty({ entryPrice: 100, exitPrice: null, boughtQty: 10, heldQty: 10 })).toBe(0);
  });

  it('a short earns when it buys back cheaper than it sold: (entry − exit) × quantity bought back, part by part', () => {
    expect(realizedPnl({ entryPrice: 100, exitPrice: 97.5, boughtQty: 10, heldQty: 0, short: true })?.toNumber()).toBe(25);
    expect(realizedPnl({ entryPrice: 100, exitPrice: 100.1, boughtQty: 10, heldQty: 4, short: true })?.toNumber()).toBe(-0.6);
  });
});
