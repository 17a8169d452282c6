import { describe, expect, it } from 'vitest';
import { floorToStep, isMultipleOfStep, qtyLeft, qtySum, qtyText, qtyValue, stepDecimals } from './qty';

describe('quantities as the decimals they are written as', () => {
  it('subtracts without float residue, never below 0', () => {
    expect(0.3 - 0.1).not.toBe(0.2);
    expect(qtyLeft(0.3, 0.1)).toBe(0.2);
    expect(qtyLeft(1.1, 1)).toBe(0.1);
    expect(qtyLeft(0.1, 0.3)).toBe(0);
    expect(qtyLeft(10, 4)).toBe(6);
  });

  it('sums exactly', () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(qtySum([0.1, 0.2])).toBe(0.3);
    expect(qtySum([0.00001, 0.00149])).toBe(0.0015);
    expect(qtySum([])).toBe(0);
  });

  it('floors to a step, the step a whole number of units where shares are whole', () => {
    expect(floorToStep(0.001239, 0.00001)).toBe(0.00123);
    expect(floorToStep(0.3, 0.1)).toBe(0.3);
    expect(floorToStep(7.9, 1)).toBe(7);
    expect(floorToStep(0.000000019, 1e-8)).toBe(1e-8);
  });

  it('tells an off-step quantity, and the digits a step is shown with', () => {
    expect(isMultipleOfStep(0.00151, 0.00001)).toBe(true);
    expect(isMultipleOfStep(0.000151, 0.00001)).toBe(false);
    expect(isMultipleOfStep(3, 1)).toBe(true);
    expect(isMultipleOfStep(2.5, 1)).toBe(false);
    expect([stepDecimals(0.00001), stepDecimals(1), stepDecimals(1e-8), stepDecimals(0.25)]).toEqual([5, 0, 8, 2]);
  });

  it('spells a quantity in plain notation and values it exactly', () => {
    expect(qtyText(1e-7)).toBe('0.0000001');
    expect(qtyText(12)).toBe('12');
    expect(qtyValue(0.0015, 60000)).toBe(90);
    expect(qtyValue(0.00001, 60000)).toBe(0.6);
  });
});
