/**
 * Issue 22, fee-aware exits: a venue that takes a buy's fee out of the coin bought (Binance spot
 * without BNB) leaves the account holding less than the buy filled, and a sale of the whole fill
 * is refused for good. The exit's quantity is min(position, held floored to the step): the engine
 * floors what `netQty` says (held-qty.ts `withHeldQty`, `floorToStep`), the policy takes
 * the least (exit.ts `journalExit`). For any step from 1e-8 to 1, fee rate from 0 to 1 % and coin
 * already in the account, the exit is a whole number of steps, sells no more than is held nor than
 * the run bought, leaves less than one step of what was held, and its fill ends the run SOLD at
 * exactly 0, saying what was left unsold when anything was.
 */
import Decimal from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { floorToStep, isMultipleOfStep, qtyLeft, qtySum } from '../qty';
import { UNSOLD } from './exit';
import { step } from './step';
import { entryRow, exitRow, holding, NOW, PLAN } from './test-support';

/** A step as a venue writes one: 1, 2, 25 or 5 times a power of ten, from 1e-8 to 1. */
const stepArb = fc.tuple(fc.constantFrom(1, 2, 25, 5), fc.integer({ min: 0, max: 8 })).map(([m, e]) => Math.min(1, Number(new Decimal(m).times(new Decimal(10).pow(-e - (m === 25 ? 1 : 0))).toString())));

const caseArb = fc.record({
  stepSize: stepArb,
  units: fc.integer({ min: 1, max: 100_000 }),
  // The taker fee in hundredths of a basis point, 0 (paid in BNB or the quote) to 1 %.
  feeCentiBps: fc.integer({ min: 0, max: 10_000 }),
  // Coin the account held before the buy, in units of 1e-8 (0 most often).
  before: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 1e10 })),
});

describe('an exit where the fee was taken in the coin bought', () => {
  it('sells min(position, held floored to the step) and its fill ends the run SOLD at exactly 0', () => {
    fc.assert(
      fc.property(caseArb, ({ stepSize, units, feeCentiBps, before }) => {
        const bought = Number(new Decimal(stepSize).times(units).toString());
        // As Binance charges it: the fee on what was received, to 8 decimals rounded up.
        const fee = new Decimal(bought).times(feeCentiBps).div(1_000_000).toDecimalPlaces(8, Decimal.ROUND_UP);
        const held = Number(new Decimal(bought).minus(fee).plus(new Decimal(before).div(1e8)).toString());
        const heldAtBroker = floorToStep(held, stepSize);

        const s = holding({ positionQty: bought, entry: entryRow({ qty: bought, filledQty: bought }) });
        const journaled = step(PLAN, s, { type: 'journal_exit', leg: 'SELL', legNo: 0, scheduledAt: NOW, heldAtBroker });
        if (heldAtBroker <= 0) {
          // Nothing sellable at all (a position of one step, its fee taken): the trader is asked, nothing sent.
          expect(journaled.place).toBeUndefined();
          expect(journaled.move?.to).toBe('ERROR');
          return;
        }
        const qty = journaled.place!.qty;
        expect(isMultipleOfStep(qty, stepSize)).toBe(true);
        expect(qty).toBeLessThanOrEqual(bought);
        expect(qty).toBeLessThanOrEqual(held);
        // Nothing sellable is left behind: either the whole position, or less than one step of what is held.
        if (qty < bought) expect(new Decimal(held).minus(qty).lt(stepSize)).toBe(true);
        else expect(qty).toBe(bought);
        const unsold = qtyLeft(bought, qty);
        expect(qtySum([qty, unsold])).toBe(bought);

        const patch = journaled.move!.patch;
        const exiting = { ...s, state: 'EXITING' as const, positionQty: patch.positionQty ?? s.positionQty, reason: patch.reason ?? null };
        expect(exiting.positionQty).toBe(qty);
        const filled = exitRow({ qty, filledQty: qty, fillPrice: 100, status: 'filled' });
        const ended = step(PLAN, { ...exiting, exit: filled }, { type: 'order_final', order: filled, lasting: null, tickSize: null });
        expect(ended.move?.to).toBe('SOLD');
        expect(ended.move?.patch.positionQty).toBe(0);
        expect(ended.submit).toBeUndefined();
        expect(ended.timers).toBeUndefined();
        if (unsold > 0) expect(ended.move?.patch.reason).toMatch(new RegExp(`^${UNSOLD} ${new Decimal(unsold).toFixed()} of the ${new Decimal(bought).toFixed()} held`));
        else expect(ended.move?.patch.reason).toBeNull();
      }),
      { seed: 20261207, numRuns: 500 },
    );
  });

  it('Binance with its 0.1 % in BTC: 0.0015 bought, 0.0014985 held, 0.00149 sold, the run SOLD', () => {
    const heldAtBroker = floorToStep(0.0014985, 0.00001);
    expect(heldAtBroker).toBe(0.00149);
    const s = holding({ positionQty: 0.0015, entry: entryRow({ qty: 0.0015, filledQty: 0.0015 }) });
    expect(step(PLAN, s, { type: 'journal_exit', leg: 'STOPLOSS', legNo: 0, scheduledAt: NOW, heldAtBroker }).place?.qty).toBe(0.00149);
    // Unasked (a broker that keeps its fee out of the coin), the same run sells all of it.
    expect(step(PLAN, s, { type: 'journal_exit', leg: 'STOPLOSS', legNo: 0, scheduledAt: NOW }).place?.qty).toBe(0.0015);
  });
});
