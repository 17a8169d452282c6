/**
 * A Kite account's signed net position in an instrument, for the account's product (the seam's
 * `netQty`: long positive, short negative), from GET /portfolio/positions and GET /portfolio/holdings
 * (kite.trade/docs/connect/v3/portfolio; shapes from kiteconnect-mocks c7a8123 `positions.json`,
 * `holdings.json`; field meanings from kiteconnectjs 7951289 types/connect.d.ts `Position`,
 * `PortfolioHolding`).
 *
 * What counts, and why:
 * - MIS (and NRML): the `net` position of exactly this tradingsymbol, exchange and product, its
 *   `quantity` signed as Kite sends it: buys less sells, negative for a short (kiteconnect-mocks'
 *   positions.json has a row of -3; Zerodha: a short "reflects a negative quantity"). An MIS sell
 *   only closes an MIS long; without one it opens an intraday short, whatever else the account
 *   holds (CNC shares in the demat do not make an MIS sell a closing one), and an MIS buy only
 *   covers an MIS short. Intraday positions are per exchange. No row is 0 (flat).
 * - CNC: what the demat holds at the start of the day plus today's delivery trades, which is
 *   `quantity + t1_quantity` of the holding plus the `net` CNC position's quantity (CNC cannot
 *   short, so this is negative only if Kite's figures disagree; it is returned as it is):
 *   - A CNC buy shows only under positions on its trade day (a `net`/`day` row with product CNC)
 *     and reaches holdings the next day as `t1_quantity`, delivered a day later (kiteconnectjs:
 *     "Quantity on T+1 day after order execution"; Zerodha's Kite manual: CNC buys "shows up in the
 *     position tab on the day of purchase"). So today's buy is counted once, from positions.
 *   - `t1_quantity` is counted: a T1 holding can be sold (Kite allows it), and after a restart the
 *     day after a BUY, the shares Tradeclock bought are there. `quantity` and `t1_quantity` are
 *     added: kiteconnectjs documents `quantity` as "Net quantity (T+1 + realised)", but accounts
 *     show a T1-only holding as `quantity: 0, t1_quantity: N`, and Kite users' code adds the two
 *     **[conflict]**. Were `quantity` to include T1 already, this counts it twice; a CNC sell of
 *     more than the demat holds is refused by Kite's RMS ("Check holdings"), never a short, so
 *     the error costs a refused attempt, where the other reading would leave shares unsold.
 *   - Shares sold today from the holding show as a negative CNC position, and the holding's
 *     figures stay until the demat is debited at the end of the day (support.zerodha.com, "Why do
 *     stocks sold from the holdings show up as a negative position"); `used_quantity` is that same
 *     sale seen from the holding, so it is not subtracted a second time.
 *   - Delivery is not per exchange: a CNC buy on NSE may be sold on BSE. So CNC positions of the
 *     tradingsymbol on every exchange are summed, and the holding (one row per ISIN, its
 *     `exchange` only where its price is taken) is matched by tradingsymbol.
 *   - MTF shares (the holding's `mtf`) are another product and are left out.
 * - The account's own, not Tradeclock's: shares the trader holds apart from Tradeclock's count
 *   too; this answer bounds a sell, the journal says what Tradeclock bought.
 *
 * A reply that cannot be read throws an Error naming what was wrong, never 0. Rows of other
 * tradingsymbols are skipped unread (an odd row elsewhere must not block an exit), but a row
 * whose tradingsymbol cannot be read fails the whole list: it might be ours.
 */
import { z } from 'zod';
import type { Instrument } from '../broker';
import { KITE_EXCHANGES } from './kite-instruments';

/** A whole number, as Kite sends quantities: a JSON number, or a numeric string. */
const wholeNumber = z.union([z.number(), z.string().regex(/^-?\d+$/).transform(Number)]).pipe(z.number().int());
const nonNegative = wholeNumber.pipe(z.number().min(0));

/** The fields of a `net` (or `day`) position row we read. */
export const kitePositionSchema = z.looseObject({
  tradingsymbol: z.string(),
  exchange: z.string(),
  product: z.string(),
  quantity: wholeNumber,
});
export type KitePosition = z.output<typeof kitePositionSchema>;

/** The fields of a holding row we read. */
export const kiteHoldingSchema = z.looseObject({
  tradingsymbol: z.string(),
  exchange: z.string(),
  quantity: nonNegative,
  t1_quantity: nonNegative,
});
export type KiteHolding = z.output<typeof kiteHoldingSchema>;

/**
 * The `net` rows of GET /portfolio/positions' data that are of `tradingsymbol`.
 * @example netPositionsOf({ net: [{ tradingsymbol: 'INFY', exchange: 'NSE', product: 'MIS', quantity: 10, … }], day: [] }, 'INFY')
 */
export function netPositionsOf(data: unknown, tradingsymbol: string): KitePosition[] {
  const net = typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as { net?: unknown }).net : undefined;
  if (!Array.isArray(net)) throw new Error('Kite GET /portfolio/positions did not return {net: [...], day: [...]}');
  return rowsOf(net, tradingsymbol, kitePositionSchema, 'GET /portfolio/positions net');
}

/** The rows of GET /portfolio/holdings' data that are of `tradingsymbol`. */
export function holdingsOf(data: unknown, tradingsymbol: string): KiteHolding[] {
  if (!Array.isArray(data)) throw new Error('Kite GET /portfolio/holdings did not return a list');
  return rowsOf(data, tradingsymbol, kiteHoldingSchema, 'GET /portfolio/holdings');
}

/**
 * The signed net position in `instrument` for `product` (see the file comment); `holdings` is
 * needed for CNC only.
 * @example netQtyOf('MIS', infy, [{ tradingsymbol: 'INFY', exchange: 'NSE', product: 'MIS', quantity: -4 }], null) === -4
 */
export function netQtyOf(product: string, instrument: Instrument, net: readonly KitePosition[], holdings: readonly KiteHolding[] | null): number {
  const { symbol, exchange } = instrument;
  if (product !== 'CNC') {
    const rows = net.filter((p) => p.tradingsymbol === symbol && p.exchange === exchange && p.product === product);
    if (rows.length > 1) throw new Error(`Kite listed ${rows.length} net ${product} positions of ${exchange}:${symbol}; which one is held cannot be told`);
    return rows[0]?.quantity ?? 0;
  }
  if (holdings === null) throw new Error('the CNC quantity needs the holdings too');
  const today = net.filter((p) => p.tradingsymbol === symbol && p.product === 'CNC' && (KITE_EXCHANGES as readonly string[]).includes(p.exchange)).reduce((sum, p) => sum + p.quantity, 0);
  const mine = holdings.filter((h) => h.tradingsymbol === symbol);
  const sameExchange = mine.filter((h) => h.exchange === exchange);
  const held = sameExchange.length > 0 ? sameExchange : mine;
  if (held.length > 1) throw new Error(`Kite listed ${held.length} holdings of ${symbol}; which one is held cannot be told`);
  const demat = held[0] ? held[0].quantity + held[0].t1_quantity : 0;
  return demat + today;
}

function rowsOf<S extends z.ZodType>(rows: readonly unknown[], tradingsymbol: string, schema: S, what: string): z.output<S>[] {
  const out: z.output<S>[] = [];
  rows.forEach((row, i) => {
    const symbol = typeof row === 'object' && row !== null ? (row as { tradingsymbol?: unknown }).tradingsymbol : undefined;
    if (typeof symbol !== 'string') throw new Error(`Kite ${what} row ${i} has no readable tradingsymbol, so it may be the one asked for`);
    if (symbol !== tradingsymbol) return;
    const r = schema.safeParse(row);
    if (!r.success) {
      const issue = r.error.issues[0];
      throw new Error(`Kite ${what} row ${i} (${tradingsymbol}) cannot be read: ${issue?.path.join('.') || 'row'}: ${issue?.message ?? 'unreadable'}`);
    }
    out.push(r.data);
  });
  return out;
}
