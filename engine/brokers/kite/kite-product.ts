/**
 * The Kite product an order carries, by the account's product and the instrument's exchange. CNC
 * (delivery) exists for equities only; its carry-forward counterpart for futures and options is
 * NRML (PROTOCOLS.md §2.6 lists CNC, NRML, MIS; support.zerodha.com, "What are the different
 * product types?": "NRML … for overnight F&O positions"). MIS is intraday on every segment.
 */
import type { Exchange } from '../../core/types';
import type { KiteOptions } from './kite-options';

export type KiteProduct = 'MIS' | 'CNC' | 'NRML';

/**
 * @example kiteProductFor('CNC', 'NFO') // 'NRML'
 * @example kiteProductFor('MIS', 'NFO') // 'MIS'
 */
export function kiteProductFor(product: KiteOptions['product'], exchange: Exchange): KiteProduct {
  return product === 'CNC' && (exchange === 'NFO' || exchange === 'BFO') ? 'NRML' : product;
}
