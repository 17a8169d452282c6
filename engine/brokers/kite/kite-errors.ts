/**
 * Kite's documented error types (kite.trade/docs/connect/v3/exceptions, plus the two the SDKs
 * add), each with what it means for the trader and for an order that met it: refused for good
 * (`rejected`, and whether the reason is `lasting`), certainly not taken but worth sending again
 * (`unknown` + `notPlaced`: a rate limit, a dead session), or possibly placed (`unknown`, resolved
 * by looking the tag up).
 */
import { namesPriceLimit, saysNothingToSell } from './kite-refusals';
import { saysIpNotAllowed } from '../ip-refusal';

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
  /** On `rejected`: the reason will not pass by trying again (see PlaceOrderResult). */
  readonly lasting: boolean;
  /** On `unknown`: Kite certainly did not take the request. */
  readonly notPlaced: boolean;
  readonly say: string;
}

/** What a refusal for the static-IP rule tells the trader (the readiness check finds it in the journal by it). */
export const KITE_IP_REFUSAL =
  "Kite refused the order: it did not come from the static IP address registered for this Kite Connect account. Run Tradeclock on the network of that IP, send the account's orders through a proxy on a server with that IP (options.proxy_url), or register this machine's public IP under Profile → IP Whitelist on developers.kite.trade (Kite allows one change a week)";

const LOGIN_AGAIN = 'log in to Kite again from Tradeclock (tokens expire every day at 06:00 IST)';

/**
 * How long to wait before sending again when the session is dead: nothing goes out while it is
 * (placement refuses locally, without a request), so a short wait costs nothing and the order
 * leaves within seconds of the trader's login.
 */
export const SESSION_RETRY_MS = 5_000;

/**
 * Kite's rate windows are per second (10 orders/s, 10 requests/s); a 429 without a Retry-After
 * header is answered by waiting out one window. The per-minute window (400 orders/min) can keep
 * answering 429 for longer; each new 429 then names another second.
 */
export const KITE_RATE_WINDOW_MS = 1_000;

/**
 * The longest wait a Retry-After header may impose. Kite documents no such header and no window
 * longer than a minute, so a longer value (from a proxy in between) is not allowed to hold an
 * exit back further.
 */
export const MAX_RETRY_AFTER_MS = 60_000;

const meaning = (outcome: KiteOutcome, say: string, more: Partial<Omit<ErrorMeaning, 'outcome' | 'say'>> = {}): ErrorMeaning => ({
  outcome,
  say,
  session: more.session ?? false,
  lasting: more.lasting ?? false,
  notPlaced: more.notPlaced ?? false,
});

/**
 * Why each type maps as it does:
 * - Token/TwoFA: the gateway refused the session before the OMS saw the order, so it was not
 *   placed; it can go once the trader logs in again (the engine bounds a BUY by its grace).
 * - Permission/User/Input/Holding: Kite's validation or the OMS refused the request itself, and
 *   trying the same request again meets the same refusal (no shares to sell, the account or
 *   segment not enabled, parameters Kite does not take): lasting.
 * - Margin: refused, but funds are a quantity that moves within the day (the trader adds money,
 *   other orders are cancelled, an MTM loss turns), and an exit that may still go must not be
 *   given up: passing. A refusal places nothing, so another attempt costs one request.
 * - Order: "placement failures" of every kind, most of them passing; lasting only when Kite's
 *   message says there is nothing to sell (see `classifyKiteFailure`).
 * - Network/Data/General: Kite or the exchange link failed mid-way, so an order may exist and
 *   only a lookup by tag can tell.
 */
export const KITE_ERROR_MEANINGS: Readonly<Record<KiteErrorType, ErrorMeaning>> = {
  TokenException: meaning('unknown', `Kite session expired or the access token is invalid: ${LOGIN_AGAIN}`, { session: true, notPlaced: true }),
  TwoFAException: meaning('unknown', `Kite wants two-factor authentication again: ${LOGIN_AGAIN}`, { session: true, notPlaced: true }),
  PermissionException: meaning('rejected', 'Kite does not permit this for the account or app (check the app\'s permissions and the segment is enabled)', { lasting: true }),
  UserException: meaning('rejected', 'Kite refused it because of the account (blocked, segment inactive or similar)', { lasting: true }),
  InputException: meaning('rejected', 'Kite refused the request\'s parameters', { lasting: true }),
  OrderException: meaning('rejected', 'Kite refused the order'),
  MarginException: meaning('rejected', 'Kite refused the order: insufficient funds (margin) in the account'),
  HoldingException: meaning('rejected', 'Kite refused the sell: not enough holdings of the instrument', { lasting: true }),
  NetworkException: meaning('unknown', 'Kite could not reach its order system or the exchange; the order may or may not exist'),
  DataException: meaning('unknown', 'Kite\'s order system returned an error (OMS down or bad data); the order may or may not exist'),
  GeneralException: meaning('unknown', 'Kite had an internal error; the order may or may not exist'),
};

export function isKiteErrorType(value: unknown): value is KiteErrorType {
  return typeof value === 'string' && (KITE_ERROR_TYPES as readonly string[]).includes(value);
}

/** What an error says about an order beyond its outcome; all false/null unless stated. */
export interface KiteErrorDetail {
  /** On `unknown`: Kite (or our own limiter) certainly did not take the request. */
  readonly notPlaced?: boolean;
  /** The wait before sending again that Kite named (or that its rate window implies). */
  readonly retryAfterMs?: number | null;
  /** On `rejected`: the reason will not pass by trying again. */
  readonly lasting?: boolean;
}

/** What went wrong talking to Kite, already classified. */
export class KiteError extends Error {
  readonly notPlaced: boolean;
  readonly retryAfterMs: number | null;
  readonly lasting: boolean;

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
    detail: KiteErrorDetail = {},
  ) {
    super(message);
    this.name = 'KiteError';
    this.notPlaced = outcome === 'unknown' && (detail.notPlaced ?? false);
    this.retryAfterMs = detail.retryAfterMs ?? null;
    this.lasting = outcome === 'rejected' && (detail.lasting ?? false);
  }
}

/**
 * Classifies a failed HTTP exchange.
 * - A 429 comes first, whatever the body says (Kite's own 429 body carries `NetworkException`,
 *   "Too many requests"): the gateway refused before the OMS saw the request, so it was not
 *   placed, and it may go once the window (`retryAfterMs`, from Retry-After or one second) passes.
 * - Otherwise an `error_type` decides (see KITE_ERROR_MEANINGS); a refusal whose message names
 *   a circuit or price band is never lasting, and an OrderException is lasting only when its
 *   message says there is nothing to sell.
 * - Anything without Kite's envelope (a proxy, a truncated reply) is ambiguous, so `unknown`.
 *
 * @example classifyKiteFailure(403, 'TokenException', 'Incorrect `api_key` or `access_token`.').session === true
 * @example classifyKiteFailure(429, 'NetworkException', 'Too many requests').notPlaced === true
 */
export function classifyKiteFailure(httpStatus: number, errorType: unknown, kiteMessage: string | null, retryAfterMs: number | null = null): KiteError {
  const said = kiteMessage ? ` Kite said: "${kiteMessage}"` : '';
  if (httpStatus === 429) {
    const wait = retryAfterMs ?? KITE_RATE_WINDOW_MS;
    return new KiteError('RateLimited', 'unknown', false, `Kite refused the request: rate limit exceeded (HTTP 429), so nothing was placed; it can be sent again after ${wait} ms. Another app on this Kite account may be using the budget (Kite counts orders per account, across apps).${said}`, httpStatus, kiteMessage, { notPlaced: true, retryAfterMs: wait });
  }
  if (isKiteErrorType(errorType) && saysIpNotAllowed(kiteMessage)) {
    // Refused at the gateway: nothing placed. Not lasting: it passes once the orders come from the
    // registered IP (the trader moves Tradeclock or registers this machine's), and an exit keeps trying.
    return new KiteError(errorType, 'rejected', false, `${KITE_IP_REFUSAL} (${errorType}, HTTP ${httpStatus}).${said}`, httpStatus, kiteMessage);
  }
  if (isKiteErrorType(errorType)) {
    const m = KITE_ERROR_MEANINGS[errorType];
    const lasting = m.outcome === 'rejected' && !namesPriceLimit(kiteMessage) && (m.lasting || (errorType === 'OrderException' && saysNothingToSell(kiteMessage)));
    const retry = m.session ? SESSION_RETRY_MS : null;
    return new KiteError(errorType, m.outcome, m.session, `${m.say} (${errorType}, HTTP ${httpStatus}).${said}`, httpStatus, kiteMessage, { notPlaced: m.notPlaced, retryAfterMs: retry, lasting });
  }
  const what = typeof errorType === 'string' && errorType ? `an unrecognised error type "${errorType}"` : 'no Kite error envelope';
  return new KiteError('HttpError', 'unknown', false, `Kite answered HTTP ${httpStatus} with ${what}; the outcome is unknown.${said}`, httpStatus, kiteMessage);
}

/**
 * Reads an HTTP Retry-After header (delta-seconds or an HTTP date) as a wait in ms from `nowMs`,
 * capped at MAX_RETRY_AFTER_MS; null when absent or unreadable.
 *
 * @example parseRetryAfter('2', 0) === 2_000
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | null {
  const text = value?.trim();
  if (!text) return null;
  let ms: number;
  if (/^\d+$/.test(text)) ms = Number(text) * 1_000;
  else {
    const at = Date.parse(text);
    if (!Number.isFinite(at) || !/[a-z]/i.test(text)) return null;
    ms = at - nowMs;
  }
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms));
}
