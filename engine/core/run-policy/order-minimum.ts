/**
 * Whether a quantity can be ordered at all where the venue sets a least order (Binance spot's
 * LOT_SIZE `minQty` and NOTIONAL `minNotional`, filters.md): an order under either is refused -1013
 * "Filter failure: …", however often it is sent. The exit uses it for a remainder left after part of
 * a position was sold: such dust is reported and the run closed, not sent to be refused.
 */
import { qtyText, qtyValue } from '../qty';

/** The instrument's least order, as the broker states it (null or absent: none). */
export interface OrderMinimum {
  readonly minQty?: number | null;
  readonly minNotional?: number | null;
}

/**
 * Why `qty` is under the least order, in words, or null when it is not (or cannot be told: no
 * price for the value, which the venue then judges). The value is taken at `price`, the last
 * price the engine saw; Binance compares a MARKET order's with its average price of the last
 * minutes (`avgPriceMins`), so one right at the minimum may still be refused.
 * @example belowMinimum({ minQty: 0.00001, minNotional: 5 }, 0.00003, 60000) // 'worth 1.8 at 60000, under the least order value of 5'
 */
export function belowMinimum(min: OrderMinimum, qty: number, price: number | null): string | null {
  if (min.minQty != null && qty < min.minQty) return `under the least order quantity of ${qtyText(min.minQty)}`;
  if (min.minNotional != null && price !== null && price > 0) {
    const value = qtyValue(qty, price);
    if (value < min.minNotional) return `worth ${qtyText(value)} at ${qtyText(price)}, under the least order value of ${qtyText(min.minNotional)}`;
  }
  return null;
}
