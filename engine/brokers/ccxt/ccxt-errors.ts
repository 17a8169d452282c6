/**
 * What a failed CCXT call means for an order (plan §4), as the three classes of PlaceOrderResult.
 * The venue's own `{code,msg}` decides first (the venue table), then CCXT's error class; whatever
 * neither names is `unknown`, so the engine looks the order up before it sends it again: a
 * timeout, a reset, a 5xx or Binance's -1007 "execution status unknown" may all have placed it.
 */
import type { PlaceOrderResult } from '../broker';
import type { CallContext } from './ccxt-fetch';
import { errorKinds, scrub } from './ccxt-scrub';
import type { CcxtVenue, VenueCode } from './ccxt-venues';

/**
 * The venue's answer inside a CCXT message: its error JSON ("binance {"code":-2010,"msg":"…"}"),
 * or, where CCXT matched the message exactly and dropped the body ("binance Account has
 * insufficient balance for requested action."), a message of the venue table without its code.
 */
export function venueAnswer(venue: CcxtVenue, message: string): { code: string | null; msg: string } | null {
  const m = /\{"code":(-?\d+),"msg":"((?:[^"\\]|\\.)*)"\}/.exec(message);
  if (!m) {
    const bare = message.startsWith(`${venue.ccxtId} `) ? message.slice(venue.ccxtId.length + 1) : null;
    return bare !== null && bare in venue.messages ? { code: null, msg: bare } : null;
  }
  try {
    return { code: m[1]!, msg: JSON.parse(`"${m[2]!}"`) as string };
  } catch {
    return { code: m[1]!, msg: m[2]! };
  }
}

/** The venue table's word for this error: its message first, then its code. */
export function venueCode(venue: CcxtVenue, err: unknown): VenueCode | null {
  const answer = venueAnswer(venue, err instanceof Error ? err.message : String(err));
  if (!answer) return null;
  return venue.messages[answer.msg] ?? (answer.code !== null ? venue.codes[answer.code] : undefined) ?? null;
}

const has = (kinds: readonly string[], ...names: string[]) => names.some((n) => kinds.includes(n));

/**
 * The placement's outcome after CCXT threw `err`.
 * @example classifyPlacement(BINANCE, insufficientFunds, ctx, secrets) // { kind: 'rejected', reason: 'Binance spot: Account has insufficient balance for requested action.', lasting: true }
 */
export function classifyPlacement(venue: CcxtVenue, err: unknown, ctx: CallContext, secrets: readonly string[]): Exclude<PlaceOrderResult, { kind: 'accepted' }> {
  const kinds = errorKinds(err);
  const answer = venueAnswer(venue, err instanceof Error ? err.message : String(err));
  const said = answer ? (answer.code !== null ? `${answer.msg} (${answer.code})` : answer.msg) : err instanceof Error ? err.message : String(err);
  const reason = scrub(`${venue.title}: ${said}`, secrets);
  const retry = ctx.retryAfterMs !== undefined ? { retryAfterMs: ctx.retryAfterMs } : {};
  if (has(kinds, 'OffEndpointError')) return { kind: 'rejected', reason, lasting: true };
  if (ctx.notSent === true) return { kind: 'unknown', reason: `${reason}; not sent`, notPlaced: true, ...retry };
  switch (venueCode(venue, err)) {
    case 'rate':
    case 'clock':
      return { kind: 'unknown', reason, notPlaced: true, ...retry };
    case 'unknown':
    case 'in-use':
    case 'not-found':
      return { kind: 'unknown', reason };
    case 'funds':
    case 'auth':
    case 'invalid':
      return { kind: 'rejected', reason, lasting: true };
    case 'passing':
      return { kind: 'rejected', reason };
    case null:
      break;
  }
  if (has(kinds, 'DDoSProtection', 'RateLimitExceeded', 'InvalidNonce')) return { kind: 'unknown', reason, notPlaced: true, ...retry };
  if (has(kinds, 'DuplicateOrderId')) return { kind: 'unknown', reason };
  if (has(kinds, 'InsufficientFunds', 'AuthenticationError')) return { kind: 'rejected', reason, lasting: true };
  // Refusals that may pass: a market closed for now, a price the book would take at once.
  if (has(kinds, 'MarketClosed', 'OrderImmediatelyFillable', 'OperationRejected')) return { kind: 'rejected', reason };
  if (has(kinds, 'InvalidOrder', 'BadRequest', 'ArgumentsRequired', 'NotSupported')) return { kind: 'rejected', reason, lasting: true };
  return { kind: 'unknown', reason };
}
