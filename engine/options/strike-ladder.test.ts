/**
 * The ladder arithmetic over random ladders (fast-check): the step is the listing's own usual gap,
 * and the nearest strike agrees with a brute-force scan, ties to the higher strike.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deriveStrikeStep, nearestStrikeIndex } from './strike-ladder';

const STEPS = [2.5, 5, 10, 50, 100];

/** A ladder with `near` strikes `step` apart, then a few far strikes twice as wide on each side. */
const ladder = fc.record({ step: fc.constantFrom(...STEPS), first: fc.integer({ min: 40, max: 1000 }), near: fc.integer({ min: 6, max: 60 }), wideBelow: fc.integer({ min: 0, max: 2 }), wideAbove: fc.integer({ min: 0, max: 2 }) }).map(({ step, first, near, wideBelow, wideAbove }) => {
  const base = first * step * 2;
  const strikes: number[] = [];
  for (let i = wideBelow; i > 0; i--) strikes.push(base - 2 * step * i);
  for (let i = 0; i < near; i++) strikes.push(base + step * i);
  for (let i = 1; i <= wideAbove; i++) strikes.push(base + step * (near - 1) + 2 * step * i);
  return { step, strikes };
});

describe('deriveStrikeStep', () => {
  it("is the ladder's usual gap, whatever wider strikes sit far from the money", () => {
    fc.assert(
      fc.property(ladder, ({ step, strikes }) => {
        expect(deriveStrikeStep(strikes)).toBe(step);
      }),
    );
  });

  it('reads decimal steps as decimals, takes the smaller of equally frequent gaps, and has none below two strikes', () => {
    expect(deriveStrikeStep([112.5, 115, 117.5, 120])).toBe(2.5);
    expect(deriveStrikeStep([100, 150, 250, 300, 400])).toBe(50);
    expect(deriveStrikeStep([26000])).toBeNull();
    expect(deriveStrikeStep([])).toBeNull();
  });
});

describe('nearestStrikeIndex', () => {
  it('names a strike no other listed strike is nearer to, and the higher of two equally near', () => {
    fc.assert(
      fc.property(ladder, fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean(), ({ strikes }, u, midway) => {
        const lo = strikes[0]! - 500;
        const hi = strikes[strikes.length - 1]! + 500;
        const k = Math.min(strikes.length - 2, Math.floor(u * (strikes.length - 1)));
        const price = midway ? (strikes[k]! + strikes[k + 1]!) / 2 : lo + u * (hi - lo);
        const i = nearestStrikeIndex(strikes, price);
        const d = Math.abs(strikes[i]! - price);
        for (const [j, s] of strikes.entries()) {
          expect(Math.abs(s - price)).toBeGreaterThanOrEqual(d);
          if (j !== i && Math.abs(s - price) === d) expect(strikes[i]!).toBeGreaterThan(s);
        }
      }),
    );
  });

  it('rounds half up: NIFTY at 26 025 is ATM 26 050, at 26 024.95 ATM 26 000', () => {
    const strikes = [25950, 26000, 26050, 26100];
    expect(strikes[nearestStrikeIndex(strikes, 26025)]).toBe(26050);
    expect(strikes[nearestStrikeIndex(strikes, 26024.95)]).toBe(26000);
    expect(strikes[nearestStrikeIndex(strikes, 10)]).toBe(25950);
    expect(strikes[nearestStrikeIndex(strikes, 99999)]).toBe(26100);
  });
});
