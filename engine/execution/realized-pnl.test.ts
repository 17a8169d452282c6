import { describe, expect, it } from 'vitest';
import { closedLegsPnl, legFills, realizedPnl, realizedPnlNumber, runPnl, runSoldQty, soldQty, sumPnl } from './realized-pnl';

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

describe('legFills and runPnl: a run that re-entered', () => {
  const fill = (legNo: number, slot: 'entry' | 'exit', filledQty: number, fillPrice: number | null) => ({ legNo, slot, filledQty, fillPrice });

  it('sums its legs: earlier legs from their journal fills, the latest from the run row', () => {
    // Leg 0: 10 in at 100, out at 95 (stop); leg 1: 10 in at 96, out 4 at 97 and 6 at 99 (two attempts); leg 2 (the row): 10 in at 98, out at 104.
    const fills = [fill(0, 'entry', 10, 100), fill(0, 'exit', 10, 95), fill(1, 'entry', 10, 96), fill(1, 'exit', 4, 97), fill(1, 'exit', 6, 99), fill(2, 'entry', 10, 98)];
    const legs = legFills({ entryPrice: 98, exitPrice: 104, heldQty: 0 }, 30, fills);
    expect(legs.map((l) => [l.entryPrice, l.exitPrice, l.boughtQty, l.heldQty])).toEqual([
      [100, 95, 10, 0],
      [96, 98.2, 10, 0],
      [98, 104, 10, 0],
    ]);
    expect(runPnl(legs)?.toNumber()).toBe(-50 + (4 * 1 + 6 * 3) + 60);
    expect(runSoldQty(legs)).toBe(30);
  });

  it('waiting to re-enter, or with the next entry not filled yet, the row is the leg just closed: nothing counted twice', () => {
    const fills = [fill(0, 'entry', 10, 100), fill(0, 'exit', 10, 95), fill(1, 'entry', 10, 96), fill(1, 'exit', 10, 94)];
    const legs = legFills({ entryPrice: 96, exitPrice: 94, heldQty: 0 }, 20, fills);
    expect(legs).toHaveLength(2);
    expect(runPnl(legs)?.toNumber()).toBe(-50 - 20);
    expect(runSoldQty(legs)).toBe(20);
  });

  it('a new leg bought but not yet sold adds nothing, though the row still holds the last exit price', () => {
    const fills = [fill(0, 'entry', 10, 100), fill(0, 'exit', 10, 103), fill(1, 'entry', 10, 101)];
    const legs = legFills({ entryPrice: 101, exitPrice: 103, heldQty: 10 }, 20, fills);
    expect(runPnl(legs)?.toNumber()).toBe(30);
    expect(runSoldQty(legs)).toBe(10);
  });

  it('a short re-entered earns each leg the short way round', () => {
    const fills = [fill(0, 'entry', 10, 100), fill(0, 'exit', 10, 105), fill(1, 'entry', 10, 104)];
    const legs = legFills({ entryPrice: 104, exitPrice: 99, heldQty: 0, short: true }, 20, fills);
    expect(runPnl(legs)?.toNumber()).toBe(-50 + 50);
  });

  it('without journal fills (one leg) it is the run row alone, as before', () => {
    const legs = legFills({ entryPrice: 100, exitPrice: 103.5, heldQty: 0 }, 10, []);
    expect(legs).toEqual([{ entryPrice: 100, exitPrice: 103.5, boughtQty: 10, heldQty: 0, unsoldQty: 0, short: false }]);
    expect(runPnl(legs)?.toNumber()).toBe(35);
    expect(runPnl(legFills({ entryPrice: null, exitPrice: null, heldQty: 0 }, null, []))).toBeNull();
  });
});

describe('what an exit left unsold', () => {
  it('is not sold: 0.0015 bought, 0.00001 left unsold at the broker, 0.00149 sold at 54 000 loses 6 000 × 0.00149', () => {
    const f = { entryPrice: 60_000, exitPrice: 54_000, boughtQty: 0.0015, heldQty: 0, unsoldQty: 0.00001 };
    expect(soldQty(f)).toBe(0.00149);
    expect(realizedPnl(f)?.toNumber()).toBe(-8.94);
    expect(runSoldQty(legFills({ entryPrice: 60_000, exitPrice: 54_000, heldQty: 0, unsoldQty: 0.00001 }, 0.0015, []))).toBe(0.00149);
  });
});

describe('closedLegsPnl', () => {
  const fills = [
    { legNo: 0, slot: 'entry', filledQty: 65, fillPrice: 100 },
    { legNo: 0, slot: 'exit', filledQty: 65, fillPrice: 130.1 },
    { legNo: 1, slot: 'entry', filledQty: 65, fillPrice: 120 },
    { legNo: 1, slot: 'exit', filledQty: 65, fillPrice: 110 },
    { legNo: 2, slot: 'entry', filledQty: 65, fillPrice: 105 },
  ] as const;

  it('sums, in decimal, the legs before the one given from their journal rows alone (a short earns as the buy-back is cheaper)', () => {
    expect(closedLegsPnl(fills, 1, true).toNumber()).toBe(-1956.5);
    expect(closedLegsPnl(fills, 2, true).toNumber()).toBe(-1306.5);
    // The leg under way (2, its exit not filled) is the run row's, never counted here.
    expect(closedLegsPnl(fills, 3, true).toNumber()).toBe(-1306.5);
    expect(closedLegsPnl(fills, 0, true).toNumber()).toBe(0);
    expect(closedLegsPnl(fills, 2, false).toNumber()).toBe(1306.5);
  });
});
