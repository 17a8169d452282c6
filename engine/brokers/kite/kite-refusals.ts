/**
 * Whether a refusal Kite explains in words will pass by trying again. It decides for an exit: a
 * lasting refusal stops further attempts and alerts the trader; any other refusal gets a new
 * attempt later. Stopping an exit that could have gone is the worse mistake, so only texts that
 * clearly say there is nothing to sell are lasting, and a text that names a price limit never is.
 *
 * The texts come from Zerodha's RMS (the raw `status_message_raw`, e.g. "RMS:Rule: Check holdings",
 * "RMS:Margin Exceeds,…", "RMS:Rule: Check circuit limit…") and from the reworded
 * `status_message` Kite shows since (e.g. "Insufficient funds. Required margin is …"); sources in
 * README.md. Unknown wording falls to "may pass".
 */

/** What a sell needs: "holdings", "open positions", "sellable quantity", "shares". */
const WHAT = String.raw`(?:(?:sellable|available|free|open|net)\s+)?(?:holdings?|positions?|quantity|shares)\b`;

/** "Nothing to sell": the holding, position or quantity the sell needs is not there. */
const NOTHING_TO_SELL: readonly RegExp[] = [
  // Zerodha RMS: a CNC sell without the shares in holdings (or not yet credited, T1/T2T).
  /\bcheck\s+holdings?\b/i,
  // Plain-language forms, as HoldingException ("insufficient holdings") and reworded messages put it.
  new RegExp(String.raw`\b(?:insufficient|not\s+enough|no|zero|nil)\s+${WHAT}`, 'i'),
  new RegExp(String.raw`\b(?:don'?t|do\s+not|doesn'?t|does\s+not)\s+have\s+(?:enough\s+|sufficient\s+|any\s+)?${WHAT}`, 'i'),
];

/**
 * Limits that move during the day: the daily circuit or price band, the exchange's limit price
 * protection (LPP) range. A refusal naming one of them may pass, whatever its error type.
 */
const PRICE_LIMIT = /\bcircuit\b|\bprice\s+band\b|\bdaily\s+(?:price\s+)?range\b|\bprice\s+range\b|\bprice\s+protection\b|\bLPP\b/i;

/**
 * True when one of Kite's texts clearly says there is nothing to sell and none names a price limit.
 *
 * @example saysNothingToSell('RMS:Rule: Check holdings') === true
 * @example saysNothingToSell('RMS:Margin Exceeds,Required:95417.84, Available:74251.80') === false
 */
export function saysNothingToSell(...texts: ReadonlyArray<string | null | undefined>): boolean {
  return !namesPriceLimit(...texts) && texts.some((t) => !!t && NOTHING_TO_SELL.some((p) => p.test(t)));
}

/**
 * True when a text names a price limit that moves during the day (circuit, price band, LPP).
 *
 * @example namesPriceLimit('Price exceeds circuit limits for the instrument. Place an order within the daily range.') === true
 */
export function namesPriceLimit(...texts: ReadonlyArray<string | null | undefined>): boolean {
  return texts.some((t) => !!t && PRICE_LIMIT.test(t));
}

