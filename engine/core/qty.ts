/**
 * Quantity arithmetic without float residue. Quantities travel as numbers (the journal's `real`,
 * the broker seam), but a fractional one is a decimal: 0.3 held less 0.1 sold is 0.2, not
 * 0.19999999999999998, which a "remaining > 0" test would read as a position still open. So every
 * subtraction, sum and floor of a quantity goes through here: each number is read as the decimal
 * it is written as (its shortest round-trip spelling, what the journal and the broker wrote),
 * computed exactly in decimal.js, and given back as the nearest double, which spells that decimal
 * again. Whole shares come out as before: the integers are exact either way.
 */
import Decimal from 'decimal.js';

/** 40 significant digits: more than any quantity needs, so no sum or difference is rounded. */
const Q = Decimal.clone({ precision: 40 });

const dec = (n: number) => new Q(n === 0 ? 0 : n);

/**
 * What is left of `held` after `done` of it: never below 0.
 * @example qtyLeft(0.3, 0.1) // 0.2
 */
export function qtyLeft(held: number, done: number): number {
  const left = dec(held).minus(dec(done));
  return left.isPositive() && !left.isZero() ? left.toNumber() : 0;
}

/**
 * The sum of quantities, exactly.
 * @example qtySum([0.1, 0.2]) // 0.3
 */
export function qtySum(qtys: readonly number[]): number {
  return qtys.reduce((sum, q) => sum.plus(dec(q)), new Q(0)).toNumber();
}

/**
 * The most of `qty` that is a whole number of `step`s (a broker takes no other quantity).
 * @example floorToStep(0.001239, 0.00001) // 0.00123; floorToStep(7.9, 1) // 7
 */
export function floorToStep(qty: number, step: number): number {
  const s = dec(step);
  return dec(qty).div(s).floor().times(s).toNumber();
}

/**
 * Whether `qty` is a whole number of `step`s.
 * @example isMultipleOfStep(0.00151, 0.00001) // true; isMultipleOfStep(0.000151, 0.00001) // false
 */
export function isMultipleOfStep(qty: number, step: number | null): boolean {
  return dec(qty).mod(dec(step ?? 1)).isZero();
}

/**
 * How many digits after the point a step has: what a quantity of it is shown with.
 * @example stepDecimals(0.00001) // 5; stepDecimals(1) // 0
 */
export function stepDecimals(step: number | null): number {
  return dec(step ?? 1).decimalPlaces();
}

/**
 * A quantity in plain decimal notation, for messages: 1e-7 reads 0.0000001.
 * @example qtyText(0.00001) // '0.00001'
 */
export function qtyText(qty: number): string {
  return dec(qty).toFixed();
}

/**
 * The value of `qty` at `price`, exactly: what a minimum notional is compared with.
 * @example qtyValue(0.0015, 60000) // 90
 */
export function qtyValue(qty: number, price: number): number {
  return dec(qty).times(dec(price)).toNumber();
}
