import { describe, expect, it } from 'vitest';
import { arrowRoom, edgeBars, placeLabel } from './marker-labels';

const PHONE_PLOT = { width: 280, height: 290 };
const LABEL = { width: 84, height: 16 };
const inside = (box: { left: number; top: number }, plot = PHONE_PLOT) =>
  box.left >= 0 && box.top >= 0 && box.left + LABEL.width <= plot.width && box.top + LABEL.height <= plot.height;

describe('placeLabel', () => {
  it('centres the label on its fill, below a BUY and above an exit', () => {
    expect(placeLabel({ x: 140, y: 100 }, LABEL, 'below', PHONE_PLOT, 16)).toEqual({ left: 98, top: 116 });
    expect(placeLabel({ x: 140, y: 100 }, LABEL, 'above', PHONE_PLOT, 16)).toEqual({ left: 98, top: 100 - 16 - 16 });
  });

  it('keeps a label at any edge of a phone-sized plot inside it', () => {
    for (const x of [0, 3, 40, 240, 277, 280]) {
      for (const y of [0, 5, 150, 285, 290]) {
        for (const side of ['below', 'above'] as const) {
          const box = placeLabel({ x, y }, LABEL, side, PHONE_PLOT, 34);
          expect({ x, y, side, inside: inside(box) }).toEqual({ x, y, side, inside: true });
        }
      }
    }
  });
});

describe('arrowRoom', () => {
  it("clears the library's arrow and margin, which grow with the bar spacing up to 30 px", () => {
    expect(arrowRoom(2)).toBe(16); // 12 + 3, plus a pixel
    expect(arrowRoom(20)).toBe(24); // 20 + 3
    expect(arrowRoom(300)).toBe(34); // 30 + 3
  });
});

describe('edgeBars', () => {
  it('leaves enough bars at each end for the arrow to keep its distance from the edge', () => {
    for (const bars of [1, 2, 30, 239]) {
      const m = edgeBars(bars, 280, 12);
      expect((m * 280) / (bars + 2 * m)).toBeGreaterThanOrEqual(12);
    }
    expect(edgeBars(0, 280, 12)).toBe(0);
    expect(edgeBars(10, 20, 12)).toBe(0);
  });
});
