/**
 * The index underlyings Tradeclock trades options on: where each one's spot is quoted (the index
 * itself, on the cash exchange, as Kite's equity dump lists it in its INDICES segment) and which
 * derivatives exchange lists its contracts. Facts of the exchanges, not of a broker: the paper
 * broker's chain and Kite's master both read this table. Strike steps and lot sizes are never
 * here: they come from the instrument master (or, on paper, its simulation of it).
 *
 * Sources: Kite's NSE and BSE instrument dumps (tradingsymbol "NIFTY 50", "NIFTY BANK",
 * "NIFTY FIN SERVICE" with segment INDICES on NSE; "SENSEX" on BSE), and the NFO/BFO dumps'
 * `name` column (NIFTY, BANKNIFTY, FINNIFTY on NFO; SENSEX on BFO).
 */
import type { Exchange } from './types';

export const INDEX_UNDERLYINGS = ['NIFTY', 'BANKNIFTY', 'FINNIFTY', 'SENSEX'] as const;
export type IndexUnderlying = (typeof INDEX_UNDERLYINGS)[number];

export interface IndexListing {
  /** The index's own quote: what "spot" means for a strike chosen at the money. */
  readonly spot: { readonly exchange: Exchange; readonly symbol: string };
  /** Where its options and futures are listed. */
  readonly derivatives: 'NFO' | 'BFO';
}

export const INDEX_LISTINGS: Readonly<Record<IndexUnderlying, IndexListing>> = {
  NIFTY: { spot: { exchange: 'NSE', symbol: 'NIFTY 50' }, derivatives: 'NFO' },
  BANKNIFTY: { spot: { exchange: 'NSE', symbol: 'NIFTY BANK' }, derivatives: 'NFO' },
  FINNIFTY: { spot: { exchange: 'NSE', symbol: 'NIFTY FIN SERVICE' }, derivatives: 'NFO' },
  SENSEX: { spot: { exchange: 'BSE', symbol: 'SENSEX' }, derivatives: 'BFO' },
};

/**
 * The listing of `underlying`, or null for one Tradeclock does not trade options on.
 * @example indexListing('BANKNIFTY') // { spot: { exchange: 'NSE', symbol: 'NIFTY BANK' }, derivatives: 'NFO' }
 */
export function indexListing(underlying: string): IndexListing | null {
  return (INDEX_UNDERLYINGS as readonly string[]).includes(underlying) ? INDEX_LISTINGS[underlying as IndexUnderlying] : null;
}

/** Whether `exchange:symbol` is one of the index quotes above (a quote, never something to order). */
export function isIndexSpot(exchange: Exchange, symbol: string): boolean {
  return INDEX_UNDERLYINGS.some((u) => INDEX_LISTINGS[u].spot.exchange === exchange && INDEX_LISTINGS[u].spot.symbol === symbol);
}
