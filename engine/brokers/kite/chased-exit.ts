/**
 * What the options exit chase (kite-exit-chase.ts) follows and reads: which orders it chases, the
 * exit it follows, and the shapes of Kite's answers it prices by (an order's history rows, GET
 * /quote's last price and circuit).
 */
import { z } from 'zod';
import { parseClientOrderId } from '../../core/ids';
import type { OrderSide } from '../../core/types';
import { kiteOrderSchema } from './kite-orders';

/** One exit being chased. */
export interface ChasedExit {
  readonly orderId: string;
  readonly tag: string;
  readonly exchange: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly tickSize: number;
  /** The step of the price it rests at (0: the first price). */
  readonly step: number;
}

const num = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/).transform(Number)]);
export const historyRow = kiteOrderSchema.extend({ price: num.nullish(), order_type: z.string().nullish() });
export const quoteRow = z.looseObject({
  last_price: z.number().positive({ error: 'must be a price above 0 (no trade yet?)' }),
  lower_circuit_limit: z.number().nonnegative({ error: 'must be a price' }),
  upper_circuit_limit: z.number().positive({ error: 'must be a price above 0' }),
});

/**
 * Whether an order is an options exit this chase prices: an option contract (a Kite symbol ending
 * CE or PE) on NFO or BFO that closes a position: `opens === false` on a placement; on a lookup,
 * where only the tag is known, a Tradeclock client order id of the exit slot. Futures and equity
 * orders, and every entry, go as MARKET with protection as before.
 * @example isChasedExit({ clientOrderId: 'tpk3x9a17do0001610X', instrument: { exchange: 'NFO', symbol: 'NIFTY26D0826000CE' } }) // true
 */
export function isChasedExit(o: { readonly clientOrderId: string; readonly opens?: boolean; readonly instrument: { readonly exchange: string; readonly symbol: string } }): boolean {
  if ((o.instrument.exchange !== 'NFO' && o.instrument.exchange !== 'BFO') || !/(?:CE|PE)$/.test(o.instrument.symbol)) return false;
  if (o.opens !== undefined) return !o.opens;
  try {
    return parseClientOrderId(o.clientOrderId).slot === 'exit';
  } catch {
    return false; // not an id Tradeclock makes: not ours to chase
  }
}
