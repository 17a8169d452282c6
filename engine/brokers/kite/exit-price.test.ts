import { describe, expect, it } from 'vitest';
import { atBandEdge, exitLimitPrice, nextExitPrice, priceBand, stepBack } from './exit-price';
import { isChasedExit } from './chased-exit';

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

  it('stops at the circuit, and at 0.8 of NSE\'s limit price protection around the last price (the LPP is from a 30 s average)', () => {
    expect(exitLimitPrice('buy', { ...q, upperCircuit: 107.5 }, 0.05, 5, 3)).toBe(107.5);
    expect(exitLimitPrice('sell', { ...q, lowerCircuit: 91.02 }, 0.05, 5, 3)).toBe(91.05);
    // LPP: ±40% above ₹50, ±₹20 at or below; the band keeps 0.8 of it.
    expect(priceBand(q, 0.05)).toEqual({ low: 68, high: 132 });
    expect(priceBand({ lastPrice: 30, lowerCircuit: 0.05, upperCircuit: 500 }, 0.05)).toEqual({ low: 14, high: 46 });
    expect(exitLimitPrice('buy', q, 0.05, 5, 30)).toBe(132);
    expect(atBandEdge('buy', 132, priceBand(q, 0.05)!, 0.05)).toBe(true);
    expect(atBandEdge('buy', 131.9, priceBand(q, 0.05)!, 0.05)).toBe(false);
  });

  it('never prices a sell at 0, and has no price when the last price is beyond the circuit', () => {
    // A ₹3 premium with a lower circuit of 0: the band stops one tick above 0.
    const cheap = { lastPrice: 3, lowerCircuit: 0, upperCircuit: 50 };
    expect(priceBand(cheap, 0.05)).toEqual({ low: 0.05, high: 19 });
    expect(exitLimitPrice('sell', cheap, 0.05, 40, 5)).toBe(0.05);
    // The last price above the upper circuit by more than the LPP: nothing is inside both.
    const beyond = { lastPrice: 300, lowerCircuit: 10, upperCircuit: 150 };
    expect(priceBand(beyond, 0.05)).toBeNull();
    expect(exitLimitPrice('buy', beyond, 0.05, 5, 0)).toBeNull();
    expect(exitLimitPrice('sell', beyond, 0.05, 5, 0)).toBeNull();
  });

  it('steps back halfway toward the resting price from one the exchange refused', () => {
    expect(stepBack('buy', 110, 130, 0.05)).toBe(120);
    expect(stepBack('sell', 90, 70, 0.05)).toBe(80);
    expect(stepBack('buy', 110, 110.1, 0.05)).toBe(110.05);
    expect(stepBack('buy', 110, 110.05, 0.05)).toBeNull();
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
