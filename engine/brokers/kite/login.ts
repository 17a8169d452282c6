/**
 * Kite's login flow (kite.trade/docs/connect/v3/user): send the trader's browser to the login page,
 * Kite redirects back with a one-time `request_token`, and that token plus a checksum
 * (SHA-256 of api_key + request_token + api_secret) is exchanged for the day's access token at
 * POST /session/token. The token dies at the next 06:00 IST.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../../core/clock';
import { DomainError } from '../../core/errors';
import { KiteError } from './kite-errors';
import { KiteHttp, type FetchLike } from './kite-http';
import { KITE_LOGIN_URL, KITE_REST_URL } from './kite-options';
import { kiteTokenExpiry, parseKiteTimestamp } from './token-expiry';

/** The result of a login: what to store (the token, in the vault) and what to show. */
export interface KiteLogin {
  readonly accessToken: string;
  readonly userId: string;
  readonly userName: string | null;
  /** Kite's login_time, epoch ms (our clock when Kite gives none). */
  readonly loginAt: number;
  /** When the token dies: the next 06:00 IST after `loginAt`. */
  readonly expiresAt: number;
}

/**
 * The URL of Kite's login page for this app. `redirectParams` come back verbatim on the redirect
 * (use one for a CSRF nonce and the account id).
 *
 * @example kiteLoginUrl('abc123', { redirectParams: { account: '7', nonce: 'q9x' } })
 *   // https://kite.zerodha.com/connect/login?v=3&api_key=abc123&redirect_params=account%3D7%26nonce%3Dq9x
 */
export function kiteLoginUrl(apiKey: string, opts: { loginUrl?: string; redirectParams?: Readonly<Record<string, string>> } = {}): string {
  const url = new URL(opts.loginUrl ?? KITE_LOGIN_URL);
  url.searchParams.set('v', '3');
  url.searchParams.set('api_key', apiKey);
  if (opts.redirectParams && Object.keys(opts.redirectParams).length > 0) {
    url.searchParams.set('redirect_params', new URLSearchParams(opts.redirectParams as Record<string, string>).toString());
  }
  return url.toString();
}

/**
 * Lower-case hex SHA-256 of `api_key + request_token + api_secret`, no separators.
 *
 * @example kiteChecksum('key', 'req', 'secret') === sha256hex('keyreqsecret')
 */
export function kiteChecksum(apiKey: string, requestToken: string, apiSecret: string): string {
  return createHash('sha256').update(apiKey + requestToken + apiSecret).digest('hex');
}

export type KiteRedirect =
  | { readonly ok: true; readonly requestToken: string; readonly params: Readonly<Record<string, string>> }
  | { readonly ok: false; readonly reason: string };

/**
 * Reads the request token from what the trader or the loopback route has: the whole redirect URL,
 * its query string, or the bare token pasted by hand. `params` holds every other query parameter
 * (including the `redirect_params` Kite passes back).
 *
 * @example parseKiteRedirect('http://127.0.0.1:7777/kite/callback?request_token=Ab12&action=login&status=success')
 */
export function parseKiteRedirect(input: string): KiteRedirect {
  const text = input.trim();
  if (/^[A-Za-z0-9]{6,128}$/.test(text)) return { ok: true, requestToken: text, params: {} };
  let query: URLSearchParams;
  try {
    query = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? new URL(text).searchParams : new URLSearchParams(text.replace(/^\?/, ''));
  } catch {
    return { ok: false, reason: 'not a Kite redirect URL or request token' };
  }
  const params = Object.fromEntries(query.entries());
  const status = params.status;
  if (status && status !== 'success') return { ok: false, reason: `Kite reported the login as "${status}"; log in again` };
  const token = params.request_token;
  if (!token) return { ok: false, reason: 'the redirect carries no request_token; log in to Kite again' };
  if (!/^[A-Za-z0-9]{1,128}$/.test(token)) return { ok: false, reason: 'the request_token is not letters and digits; paste it exactly as Kite gave it' };
  const { request_token: _t, ...rest } = params;
  return { ok: true, requestToken: token, params: rest };
}

const sessionData = z.looseObject({
  access_token: z.string().regex(/^[A-Za-z0-9]{1,128}$/),
  user_id: z.string(),
  user_name: z.string().nullish(),
  login_time: z.string().nullish(),
});

export interface ExchangeArgs {
  readonly apiKey: string;
  readonly apiSecret: string;
  readonly requestToken: string;
  readonly clock: Clock;
  readonly restUrl?: string;
  readonly timeoutMs?: number;
  readonly fetch?: FetchLike;
}

/**
 * Exchanges a request token for the day's access token (POST /session/token). Throws a
 * DomainError: `validation_failed` on `request_token` when Kite refuses it (used, expired, wrong
 * checksum), `unavailable` when Kite cannot be reached, `broker_error` otherwise.
 *
 * @example const login = await exchangeRequestToken({ apiKey, apiSecret, requestToken, clock });
 */
export async function exchangeRequestToken(args: ExchangeArgs): Promise<KiteLogin> {
  const http = new KiteHttp({ restUrl: args.restUrl ?? KITE_REST_URL, apiKey: args.apiKey, accessToken: () => null, clock: args.clock, timeoutMs: args.timeoutMs ?? 7_000, fetch: args.fetch });
  let data: unknown;
  try {
    data = await http.call({
      method: 'POST',
      path: '/session/token',
      auth: false,
      form: { api_key: args.apiKey, request_token: args.requestToken, checksum: kiteChecksum(args.apiKey, args.requestToken, args.apiSecret) },
    });
  } catch (err) {
    throw loginError(err);
  }
  const parsed = sessionData.safeParse(data);
  if (!parsed.success) throw new DomainError('broker_error', 'Kite answered the login without a usable access token; try logging in again');
  const loginAt = parseKiteTimestamp(parsed.data.login_time) ?? args.clock.now();
  return { accessToken: parsed.data.access_token, userId: parsed.data.user_id, userName: parsed.data.user_name ?? null, loginAt, expiresAt: kiteTokenExpiry(loginAt) };
}

/** Logs the token out at Kite (DELETE /session/token), e.g. when the trader removes the account. */
export async function invalidateAccessToken(args: { apiKey: string; accessToken: string; clock: Clock; restUrl?: string; fetch?: FetchLike }): Promise<void> {
  const http = new KiteHttp({ restUrl: args.restUrl ?? KITE_REST_URL, apiKey: args.apiKey, accessToken: () => args.accessToken, clock: args.clock, timeoutMs: 7_000, fetch: args.fetch });
  await http.call({ method: 'DELETE', path: '/session/token', query: { api_key: args.apiKey, access_token: args.accessToken } });
}

function loginError(err: unknown): DomainError {
  if (!(err instanceof KiteError)) return new DomainError('broker_error', `Kite login failed: ${err instanceof Error ? err.message : String(err)}`);
  if (err.errorType === 'TokenException' || err.errorType === 'InputException') {
    const said = err.kiteMessage ? ` Kite said: "${err.kiteMessage}".` : '';
    const message = `Kite refused the request token (${err.errorType}): a request token works once and only for a few minutes, and the checksum needs the right api_secret. Log in to Kite again.${said}`;
    return new DomainError('validation_failed', message, [{ field: 'request_token', message }]);
  }
  if (err.outcome === 'unknown') return new DomainError('unavailable', `Kite login could not complete: ${err.message}`);
  return new DomainError('broker_error', `Kite login failed: ${err.message}`);
}
