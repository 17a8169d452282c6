/**
 * What an exit can close of a signed net position (the seam's `netQty`): a sell-to-close closes a
 * long, a buy-to-cover a short. The other side's position closes nothing: a sell against a short
 * (or a buy against a long) would add to it, so it counts as nothing held.
 */
import type { OrderSide } from '../core/types';

/**
 * @example closableQty(10, 'sell') === 10; closableQty(-5, 'sell') === 0; closableQty(-5, 'buy') === 5
 */
export function closableQty(net: number, exitSide: OrderSide): number {
  const closable = exitSide === 'sell' ? net : -net;
  // Never -0: a flat position is 0 on either side.
  return closable > 0 ? closable : 0;
}
