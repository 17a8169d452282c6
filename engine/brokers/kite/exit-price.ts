/**
 * The price of an options exit at Kite: a LIMIT that crosses the market by a buffer, inside the
 * band the exchange takes, rounded to the contract's tick. Pure; the chase (kite-exit-chase.ts)
 * asks it again at each step with a fresh quote, as the band moves with the market.
 *
 * The band is the narrower of two:
 * - the day's circuit, `lower_circuit_limit`/`upper_circuit_limit` of GET /quote (PROTOCOLS.md
 *   §2.11): a price outside it is refused ("Orders placed beyond circuit limits", support.zerodha.com
 *   "Why is the rejected order not displayed in the order book?");
 * - NSE's limit price protection (LPP) for options: ±40% of the reference price above ₹50, ±₹20 at
 *   or below (Zerodha's reference quoted by the staff on kite.trade forum discussion 13838, "The
 *   order was cancelled by the exchange"; a trader's test on tradingqna.com/t/…/193460 found the
 *   circuit shown as 0.05–785.85 while 100 on a 217 premium was refused). The reference price is an
 *   average of the last 30 s of trades, which Kite does not serve: the last price stands in for it.
 */

/** What a quote says about one instrument, as the chase needs it. */
export interface BandQuote {
  readonly lastPrice: number;
  readonly lowerCircuit: number;
  readonly upperCircuit: number;
}

export interface PriceBand {
  readonly low: number;
  readonly high: number;
}

/** NSE's LPP for options: a percentage of the reference above this premium, an absolute range at or below. */
export const LPP_PREMIUM_SPLIT = 50;
export const LPP_FRACTION = 0.4;
export const LPP_ABSOLUTE = 20;

/**
 * The prices the exchange takes now: the circuit narrowed to the LPP around the last price.
 * @example priceBand({ lastPrice: 100, lowerCircuit: 0.05, upperCircuit: 500 }) // { low: 60, high: 140 }
 */
export function priceBand(q: BandQuote): PriceBand {
  const lpp = q.lastPrice > LPP_PREMIUM_SPLIT ? q.lastPrice * LPP_FRACTION : LPP_ABSOLUTE;
  return { low: Math.max(q.lowerCircuit, q.lastPrice - lpp), high: Math.min(q.upperCircuit, q.lastPrice + lpp) };
}

/**
 * The exit's limit at step `step` (0 for the first price): a sell at the last price less
 * `bufferPct` × (step + 1) percent, a buy that much above, never beyond the band, on the tick (a
 * sell's rounded down and a buy's up, the crossing side, then pulled back inside the band).
 *
 * @example exitLimitPrice('buy', { lastPrice: 100, lowerCircuit: 1, upperCircuit: 500 }, 0.05, 5, 0) // 105
 * @example exitLimitPrice('sell', { lastPrice: 100, lowerCircuit: 80, upperCircuit: 500 }, 0.05, 5, 9) // 80
 */
export function exitLimitPrice(side: 'buy' | 'sell', q: BandQuote, tickSize: number, bufferPct: number, step: number): number {
  const band = priceBand(q);
  const offset = q.lastPrice * (bufferPct / 100) * (step + 1);
  return side === 'sell' ? onTick(Math.max(band.low, q.lastPrice - offset), tickSize, 'up-if-below', band) : onTick(Math.min(band.high, q.lastPrice + offset), tickSize, 'down-if-above', band);
}

/**
 * The next price of a resting exit: the step's price, but never less aggressive than the price it
 * rests at (a market that came back does not pull an exit away from it) unless that price has left
 * the band (the band moved past it: the exchange would refuse a modify to it).
 * @example nextExitPrice('sell', 96, 97.5, { low: 90, high: 130 }) // 96
 */
export function nextExitPrice(side: 'buy' | 'sell', resting: number | null, stepPrice: number, band: PriceBand): number {
  if (resting === null || resting < band.low || resting > band.high) return stepPrice;
  return side === 'sell' ? Math.min(resting, stepPrice) : Math.max(resting, stepPrice);
}

/** Whether an exit at `price` has reached the band's far edge: further steps cannot cross more. */
export function atBandEdge(side: 'buy' | 'sell', price: number, band: PriceBand, tickSize: number): boolean {
  return side === 'sell' ? price - tickSize < band.low - 1e-9 : price + tickSize > band.high + 1e-9;
}

/** `price` on the tick grid: a sell's floor and a buy's ceiling, moved one tick back when that left the band. */
function onTick(price: number, tick: number, keep: 'up-if-below' | 'down-if-above', band: PriceBand): number {
  const units = price / tick;
  let n = keep === 'up-if-below' ? Math.floor(units + 1e-9) : Math.ceil(units - 1e-9);
  if (keep === 'up-if-below' && n * tick < band.low - 1e-9) n += 1;
  if (keep === 'down-if-above' && n * tick > band.high + 1e-9) n -= 1;
  return roundTo(n * tick, tick);
}

/** Removes float dust (0.1 + 0.2) at the tick's decimals. */
function roundTo(price: number, tick: number): number {
  const decimals = Math.max(0, Math.ceil(-Math.log10(tick)) + 1);
  return Number(price.toFixed(decimals));
}
