/**
 * Alpaca's quantities and prices, read exactly. The docs say decimals travel as strings
 * (PROTOCOLS.md §1.2), but alpaca-py types qty, filled_qty and filled_avg_price as
 * `Optional[Union[str, float]]` and its own test replies carry `"qty": 1, "filled_qty": 0,
 * "filled_avg_price": 0` (alpaca-py bd1fa9e, alpaca/trading/models.py `Order`,
 * tests/trading/trading_client/test_order_routes.py), so a JSON number is read too.
 *
 * What is accepted, and why:
 * - a string of plain decimal notation, `"10"`, `"0.1"`, `"187.230000000"`: what Alpaca writes.
 *   No sign, exponent, blank, `"Infinity"` or `"NaN"`: Alpaca never writes them, so such a string
 *   is garbage, not a number in another spelling.
 * - a JSON number, finite and not negative (`-0` is 0). JSON.parse has already made it the
 *   nearest double, so `10` and `187.23` read as exactly 10 and 187.23; how it was spelt
 *   (`1e-3`) can no longer be seen and does not matter.
 * The value is kept as a Decimal, so sums and comparisons across a replacement chain add no
 * float noise; it becomes a number only at the seam (OrderReport), the nearest double, as
 * `Number("187.23")` would give.
 */
import Decimal from 'decimal.js';

export type DecimalRead = { readonly ok: true; readonly value: Decimal } | { readonly ok: false; readonly reason: string };

const PLAIN_DECIMAL = /^\d+(\.\d+)?$/;

/** 40 significant digits for sums and averages: more than any quantity or price needs, so none is rounded. */
export const Dec = Decimal.clone({ precision: 40 });

/**
 * A non-negative decimal from an Alpaca field, or why it is not one.
 * @example readDecimal('187.23') → { ok: true, value: Decimal('187.23') }; readDecimal(-1).ok === false
 */
export function readDecimal(value: unknown): DecimalRead {
  if (typeof value === 'string') {
    if (!PLAIN_DECIMAL.test(value)) return { ok: false, reason: `"${value.slice(0, 40)}" is not a plain decimal` };
    const d = new Dec(value);
    // "1" followed by 400 zeros is a decimal, yet no double holds it.
    return Number.isFinite(d.toNumber()) ? { ok: true, value: d } : { ok: false, reason: `"${value.slice(0, 40)}…" is too large` };
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return { ok: false, reason: `${value} is not a finite number` };
    if (value < 0) return { ok: false, reason: `${value} is negative` };
    // Decimal(number) reads the double's shortest round-trip spelling: 187.23 stays 187.23.
    return { ok: true, value: new Dec(value === 0 ? 0 : value) };
  }
  return { ok: false, reason: `${value === null ? 'null' : typeof value} is not a decimal` };
}
