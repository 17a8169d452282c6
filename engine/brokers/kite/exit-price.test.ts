import { describe, expect, it } from 'vitest';
import { atBandEdge, exitLimitPrice, nextExitPrice, priceBand } from './exit-price';
import { isChasedExit } from './kite-exit-chase';

describe('an options exit price at Kite', () => {
  const q = { lastPrice: 100, lowerCircuit: 0.05, upperCircuit: 500 };

  it('crosses the last price by the buffer, one more buffer a step, on the tick', () => {
    expect(exitLimitPrice('buy', q, 0.05, 5, 0)).toBe(105);
    expect(exitLimitPrice('buy', q, 0.05, 5, 1)).toBe(110);
    expect(exitLimitPrice('sell', q, 0.05, 5, 0)).toBe(95);
    // Off the grid: a buy rounds up and a sell down (the crossing side).
    expect(exitLimitPrice('buy', { ...q, lastPrice: 101.13 }, 0.05, 5, 0)).toBe(106.2);
    expect(exitLimitPrice('sell', { ...q, lastPrice: 101.13 }, 0.05, 5, 0)).toBe(96.05);
  });

  it('stops at the circuit, and at NSE\'s limit price protection around the last price', () => {
    expect(exitLimitPrice('buy', { ...q, upperCircuit: 107.5 }, 0.05, 5, 3)).toBe(107.5);
    expect(exitLimitPrice('sell', { ...q, lowerCircuit: 91.02 }, 0.05, 5, 3)).toBe(91.05);
    // LPP: ±40% above ₹50, ±₹20 at or below.
    expect(priceBand(q)).toEqual({ low: 60, high: 140 });
    expect(priceBand({ lastPrice: 30, lowerCircuit: 0.05, upperCircuit: 500 })).toEqual({ low: 10, high: 50 });
    expect(exitLimitPrice('buy', q, 0.05, 5, 30)).toBe(140);
    expect(atBandEdge('buy', 140, priceBand(q), 0.05)).toBe(true);
    expect(atBandEdge('buy', 139.9, priceBand(q), 0.05)).toBe(false);
  });

  it('never pulls a resting exit back while it is inside the band, and follows a band that moved past it', () => {
    const band = { low: 60, high: 140 };
    expect(nextExitPrice('buy', 120, 110, band)).toBe(120);
    expect(nextExitPrice('buy', 110, 120, band)).toBe(120);
    expect(nextExitPrice('sell', 80, 90, band)).toBe(80);
    expect(nextExitPrice('buy', 150, 140, band)).toBe(140);
    expect(nextExitPrice('buy', null, 105, band)).toBe(105);
  });
});

describe('which orders are chased', () => {
  const ce = { exchange: 'NFO', symbol: 'NIFTY26D0826000CE' };
  it('an options exit on NFO or BFO, by `opens` on a placement and by the id\'s exit slot on a lookup', () => {
    expect(isChasedExit({ clientOrderId: 'x', opens: false, instrument: ce })).toBe(true);
    expect(isChasedExit({ clientOrderId: 'x', opens: true, instrument: ce })).toBe(false);
    expect(isChasedExit({ clientOrderId: 'tck3x9a116260309X', instrument: { exchange: 'BFO', symbol: 'SENSEX26D1784800PE' } })).toBe(true);
    expect(isChasedExit({ clientOrderId: 'tck3x9a116260309E', instrument: ce })).toBe(false);
    expect(isChasedExit({ clientOrderId: 'someoneelse', instrument: ce })).toBe(false);
    // Futures and equity are not.
    expect(isChasedExit({ clientOrderId: 'x', opens: false, instrument: { exchange: 'NFO', symbol: 'NIFTY26DECFUT' } })).toBe(false);
    expect(isChasedExit({ clientOrderId: 'x', opens: false, instrument: { exchange: 'NSE', symbol: 'INFY' } })).toBe(false);
  });
});
