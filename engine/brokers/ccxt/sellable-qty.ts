import { qtySum } from '../../core/qty';

/**
 * What of a spot balance an exit may sell. Binance's `locked` belongs to open orders: a LIMIT sell
 * the trader rests from the Binance app locks BTC that a new sell cannot use (it is refused -2010
 * "insufficient balance", for good), so only `free` is sellable, plus what Tradeclock's own resting
 * orders lock (a resting stop, cancelled before the exit sends: its amount is free again by then).
 * `ownLocked` is that amount, capped at what is locked; 0 while Tradeclock rests none at the venue.
 *
 * @example sellableQty(0.0014985, 0.001) // 0.0014985: the trader's own LIMIT sell keeps its 0.001
 * @example sellableQty(0, 0.0014985, 0.0014985) // 0.0014985: our resting stop's amount, freed by its cancel
 */
export function sellableQty(free: number, locked: number, ownLocked = 0): number {
  return qtySum([free, Math.min(locked, Math.max(0, ownLocked))]);
}
