/**
 * Which US equity trades a stop, a target or a trailing stop reacts to: those that set the
 * consolidated last sale price, as the tape's own rules say. One rule for the live stream
 * (brokers/alpaca/market-data-messages.ts) and the backtest's ticks (backtest/alpaca-trades.ts),
 * so a backtest replays the prices the engine would have acted on.
 *
 * Alpaca marks each trade with `c`, the sale conditions of the CTA (tapes A and B) and UTP (tape
 * C) plans ("See v2/stocks/meta/conditions/trade"), and with `u` when the trade was later
 * `canceled` or `incorrect` (replaced by a `corrected` one). Sources: Alpaca's market-data OpenAPI
 * (stock_trade: t, x, p, s, i, c, z, u); the CTA CTS output specification and the UTP Trade Data
 * Feed's sale condition matrix, whose "update last" column is tabulated by ThetaData
 * (docs.thetadata.us, Trade Conditions: e.g. Odd Lot, Average Price, Form T, Out of Sequence).
 *
 * A trade sets the last price unless one of its conditions is in NOT_LAST:
 * - never updates the last sale: B/W average price, C cash, H price variation, I odd lot,
 *   M/Q a market centre's official close/open (a report, not a trade), N next day, R seller,
 *   T/U extended hours (U also out of sequence), V contingent, 7 qualified contingent;
 * - updates it only when no earlier trade did (the tape's "conditional" rows): G bunched sold,
 *   P prior reference price, Z sold out of sequence, 4 derivatively priced, 9 corrected close.
 *   These are prices of an earlier moment reported late; a stop must not jump back to them, so
 *   they are left out altogether (a day's first print is never one of them in practice).
 * A trade Alpaca marks `canceled` or `incorrect` never happened at that price: left out.
 */

/** Sale conditions of a trade that does not set the last price (see the header for why each). */
export const NOT_LAST: ReadonlySet<string> = new Set(['B', 'C', 'G', 'H', 'I', 'M', 'N', 'P', 'Q', 'R', 'T', 'U', 'V', 'W', 'Z', '4', '7', '9']);

/** Alpaca's `u` values of a trade that no longer stands. */
const WITHDRAWN: ReadonlySet<string> = new Set(['canceled', 'incorrect']);

/**
 * Whether a trade with these conditions (Alpaca's `c`; none: a regular sale) and update (`u`)
 * moves the price a stop or a target is judged by.
 * @example setsLastPrice(['@', 'I']) === false // an odd lot
 * @example setsLastPrice([' ', 'F']) === true // an intermarket sweep
 */
export function setsLastPrice(conditions: readonly string[] | null | undefined, update?: string | null): boolean {
  if (update && WITHDRAWN.has(update)) return false;
  return !(conditions ?? []).some((c) => NOT_LAST.has(c));
}
