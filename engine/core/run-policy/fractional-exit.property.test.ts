/**
 * Issue 22 slice 1: a fractional position (a crypto pair's, in steps from 1e-8 to 1) is bought in
 * any number of partial fills and sold over any number of exit attempts, each part-filled, and the
 * run policy counts what is held as the exact decimal at every step, so the last fill leaves
 * exactly 0 and the run ends SOLD, never in ERROR over a float residue (0.3 - 0.1 - 0.2 > 0).
 */
import Decimal from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_EXIT_ATTEMPTS } from '../ids';
import { qtySum } from '../qty';
import { step } from './step';
import { entryRow, exitRow, holding, PLAN } from './test-support';
import type { RunSnapshot } from './types';

/** A step as a venue writes one: 1, 2, 25 or 5 times a power of ten, from 1e-8 to 1. */
const stepArb = fc.tuple(fc.constantFrom(1, 2, 25, 5), fc.integer({ min: 0, max: 8 })).map(([m, e]) => Math.min(1, Number(new Decimal(m).times(new Decimal(10).pow(-e - (m === 25 ? 1 : 0))).toString())));

/** `units` split into 1..`most` parts, each at least one unit. */
const split = (units: number, most: number) =>
  fc.array(fc.integer({ min: 1, max: 1_000_000 }), { minLength: 0, maxLength: Math.min(units, most) - 1 }).map((cuts) => {
    const at = [...new Set(cuts.map((c) => 1 + (c % (units - 1 || 1))))].filter((c) => c < units).sort((a, b) => a - b);
    return [...at, units].map((c, i) => c - (i === 0 ? 0 : at[i - 1]!));
  });

/** What a broker writes for `units` steps: the decimal, read as the nearest double. */
const qtyOf = (units: number, stepSize: number) => Number(new Decimal(stepSize).times(units).toString());

const dayArb = fc
  .tuple(stepArb, fc.integer({ min: 1, max: 5_000 }))
  .chain(([stepSize, units]) => fc.record({ stepSize: fc.constant(stepSize), units: fc.constant(units), buys: split(units, 6), exits: split(units, MAX_EXIT_ATTEMPTS) }))
  .chain((d) => fc.record({ day: fc.constant(d), fillsPerExit: fc.tuple(...d.exits.map((u) => split(u, 4))) }));

describe('a fractional position bought and sold in parts', () => {
  it('is exactly 0 after the last exit fill, for steps from 1e-8 to 1', () => {
    fc.assert(
      fc.property(dayArb, ({ day, fillsPerExit }) => {
        // The entry's cumulative fill, as a broker adds its partial fills up.
        const bought = qtySum(day.buys.map((u) => qtyOf(u, day.stepSize)));
        expect(bought).toBe(qtyOf(day.units, day.stepSize));
        let s: RunSnapshot = holding({ state: 'EXITING', positionQty: bought, entry: entryRow({ qty: bought, filledQty: bought }) });
        let left = day.units;
        fillsPerExit.forEach((fills, i) => {
          const filledQty = qtySum(fills.map((u) => qtyOf(u, day.stepSize)));
          const last = i === fillsPerExit.length - 1;
          const order = exitRow({ attempt: i + 1, qty: s.positionQty, filledQty, fillPrice: 100, status: last ? 'filled' : 'cancelled' });
          const next = step(PLAN, { ...s, exit: order }, { type: 'order_final', order, lasting: null, tickSize: null });
          const patch = next.move?.patch ?? next.patch ?? {};
          left -= day.exits[i]!;
          if (last) expect(next.move?.to).toBe('SOLD');
          expect(patch.positionQty).toBe(qtyOf(left, day.stepSize));
          s = { ...s, positionQty: patch.positionQty!, exitPrice: patch.exitPrice ?? s.exitPrice };
        });
        expect(s.positionQty).toBe(0);
      }),
      { seed: 20261207, numRuns: 400 },
    );
  });

  it('a float sum would have left a residue: the case the property guards', () => {
    const s = holding({ state: 'EXITING', positionQty: 1.1, entry: entryRow({ qty: 1.1, filledQty: 1.1 }) });
    const first = exitRow({ attempt: 1, qty: 1.1, filledQty: 1, fillPrice: 100, status: 'cancelled' });
    const after = step(PLAN, { ...s, exit: first }, { type: 'order_final', order: first, lasting: null, tickSize: null });
    expect(1.1 - 1).not.toBe(0.1);
    expect(after.patch?.positionQty).toBe(0.1);
    const second = exitRow({ attempt: 2, qty: 0.1, filledQty: 0.1, fillPrice: 100, status: 'filled' });
    expect(step(PLAN, { ...s, positionQty: 0.1, exit: second }, { type: 'order_final', order: second, lasting: null, tickSize: null }).move).toMatchObject({ to: 'SOLD', patch: { positionQty: 0 } });
  });
});
