/**
 * Kite's documented error types (kite.trade/docs/connect/v3/exceptions, plus the two the SDKs
 * add), each with what it means for the trader and whether an order that met it is definitely
 * not placed (`rejected`) or may have been (`unknown`, resolved by looking the tag up).
 */

export type KiteOutcome = 'rejected' | 'unknown';

export const KITE_ERROR_TYPES = [
  'TokenException',
  'UserException',
  'OrderException',
  'InputException',
  'MarginException',
  'HoldingException',
  'NetworkException',
  'DataException',
  'GeneralException',
  'PermissionException',
  'TwoFAException',
] as const;
export type KiteErrorType = (typeof KITE_ERROR_TYPES)[number];

interface ErrorMeaning {
  readonly outcome: KiteOutcome;
  /** True when the access token is dead: the trader must log in again. */
  readonly session: boolean;
  readonly say: string;
}

const LOGIN_AGAIN = 'log in to Kite again from Tradeclock (tokens expire every day at 06:00 IST)';

/**
 * Why each type maps as it does: the first six come from Kite's validation or the OMS refusing
 * the request before it became an order; Network/Data/General mean Kite or the exchange link
 * failed mid-way, so an order may exist and only a lookup by tag can tell.
 */
export const KITE_ERROR_MEANINGS: Readonly<Record<KiteErrorType, ErrorMeaning>> = {
  TokenException: { outcome: 'rejected', session: true, say: `Kite session expired or the access token is invalid: ${LOGIN_AGAIN}` },
  TwoFAException: { outcome: 'rejected', session: true, say: `Kite wants two-factor authentication again: ${LOGIN_AGAIN}` },
  PermissionException: { outcome: 'rejected', session: false, say: 'Kite does not permit this for the account or app (check the app\'s permissions and the segment is enabled)' },
  UserException: { outcome: 'rejected', session: false, say: 'Kite refused it because of the account (blocked, segment inactive or similar)' },
  InputException: { outcome: 'rejected', session: false, say: 'Kite refused the request\'s parameters' },
  OrderException: { outcome: 'rejected', session: false, say: 'Kite refused the order' },
  MarginException: { outcome: 'rejected', session: false, say: 'Kite refused the order: insufficient funds (margin) in the account' },
  HoldingException: { outcome: 'rejected', session: false, say: 'Kite refused the sell: not enough holdings of the instrument' },
  NetworkException: { outcome: 'unknown', session: false, say: 'Kite could not reach its order system or the exchange; the order may or may not exist' },
  DataException: { outcome: 'unknown', session: false, say: 'Kite\'s order system returned an error (OMS down or bad data); the order may or may not exist' },
  GeneralException: { outcome: 'unknown', session: false, say: 'Kite had an internal error; the order may or may not exist' },
};

export function isKiteErrorType(value: unknown): value is KiteErrorType {
  return typeof value === 'string' && (KITE_ERROR_TYPES as readonly string[]).includes(value);
}

/** What went wrong talking to Kite, already classified. */
export class KiteError extends Error {
  constructor(
    /** Kite's error_type, or how the call failed without one. */
    readonly errorType: KiteErrorType | 'RateLimited' | 'HttpError' | 'Timeout' | 'NetworkError' | 'BadResponse' | 'LocalRateLimit',
    readonly outcome: KiteOutcome,
    /** The access token is dead; the session must be marked expired. */
    readonly session: boolean,
    message: string,
    readonly httpStatus: number | null = null,
    /** Kite's own message, verbatim. */
    readonly kiteMessage: string | null = null,
  ) {
    super(message);
    this.name = 'KiteError';
  }
}

/**
 * Classifies a failed HTTP exchange. An `error_type` decides when present; a 429 is always
 * "rate limited, not processed" (Kite's gateway refuses before the OMS sees it); anything else
 * without Kite's envelope is ambiguous (a proxy, a truncated reply) and so `unknown`.
 *
 * @example classifyKiteFailure(403, 'TokenException', 'Incorrect `api_key` or `access_token`.').session === true
 */
export function classifyKiteFailure(httpStatus: number, errorType: unknown, kiteMessage: string | null): KiteError {
  const said = kiteMessage ? ` Kite said: "${kiteMessage}"` : '';
  if (httpStatus === 429) {
    return new KiteError('RateLimited', 'rejected', false, `Kite refused the request: rate limit exceeded (HTTP 429), so nothing was done. Another app on this API key may be using the budget.${said}`, httpStatus, kiteMessage);
  }
  if (isKiteErrorType(errorType)) {
    const meaning = KITE_ERROR_MEANINGS[errorType];
    return new KiteError(errorType, meaning.outcome, meaning.session, `${meaning.say} (${errorType}, HTTP ${httpStatus}).${said}`, httpStatus, kiteMessage);
  }
  const what = typeof errorType === 'string' && errorType ? `an unrecognised error type "${errorType}"` : 'no Kite error envelope';
  return new KiteError('HttpError', 'unknown', false, `Kite answered HTTP ${httpStatus} with ${what}; the outcome is unknown.${said}`, httpStatus, kiteMessage);
}
