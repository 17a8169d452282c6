/**
 * Refusals for an order that came from an address the broker does not take orders from (a broker
 * with `capabilities.ordersFromRegisteredIp`): the Kite adapter classifies them by these words, and
 * the readiness check finds the last one in the order journal by them.
 */
/**
 * Kite refuses every order request that does not come from the static IP the account registered
 * (from 1 April 2026, SEBI's retail algo rules: "All order requests from an unregistered IP will be
 * rejected", kite.trade forum discussion 15912; only order endpoints are checked). Neither the
 * SDKs (pykiteconnect f5531bd) nor kite.trade/docs/connect/v3/exceptions publish the refusal's
 * wording, so any text naming the IP address together with its registration (whitelist,
 * registered, allowed, permitted, static) is read as this refusal.
 */
const IP_NAMED = /\bIP(?:v[46])?(?:\s+address(?:es)?)?\b/i;
const IP_RULE = /white[\s-]?list|regist|allow|permit|\bstatic\b|authori[sz]/i;

/**
 * True when one of the texts says the request came from an IP address Kite does not take orders from.
 *
 * @example saysIpNotAllowed('Order request from unregistered IP') === true
 * @example saysIpNotAllowed('RMS:Rule: Check holdings') === false
 */
export function saysIpNotAllowed(...texts: ReadonlyArray<string | null | undefined>): boolean {
  return texts.some((t) => !!t && IP_NAMED.test(t) && IP_RULE.test(t));
}
