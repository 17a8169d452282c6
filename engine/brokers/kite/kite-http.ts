/**
 * Kite's REST transport: form-encoded bodies, the `{status, data}` envelope, the auth header,
 * a per-call timeout on the injected clock, and every failure turned into a classified KiteError.
 */
import type { Clock } from '../../core/clock';
import { classifyKiteFailure, KiteError, parseRetryAfter, SESSION_RETRY_MS } from './kite-errors';
import { parseKiteJson } from './kite-json';
import type { ServedAt } from '../http-date';
import type { FetchLike } from '../proxy';

export type { FetchLike } from '../proxy';

export interface KiteHttpConfig {
  readonly restUrl: string;
  readonly apiKey: string;
  /** Read on every call, so a new daily token takes effect at once. */
  readonly accessToken: () => string | null;
  readonly clock: Clock;
  readonly timeoutMs: number;
  readonly fetch?: FetchLike;
  /** The proxy every call goes through (scheme, host and port), named when a call cannot get through. */
  readonly via?: string;
  /** Told of every authenticated answer: true when Kite accepted the token, false when it refused it. */
  readonly onAuth?: (valid: boolean, error: KiteError | null) => void;
}

export interface KiteCall {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly path: string;
  /** Query string parameters (GET, DELETE); a list repeats the key (`i=NSE:INFY&i=BSE:SENSEX`). */
  readonly query?: Readonly<Record<string, string | readonly string[]>>;
  /** Body fields, sent as application/x-www-form-urlencoded (POST, PUT). */
  readonly form?: Readonly<Record<string, string>>;
  /**
   * Send the Authorization header: true (everything but the session exchange) refuses to send
   * without an access token; 'if-any' sends it when there is one and goes without it otherwise
   * (the instruments dump, which Kite serves without checking it, before the day's login).
   */
  readonly auth?: boolean | 'if-any';
  /**
   * False where Kite does not check the token (the instruments dump), so a success there says
   * nothing about the session.
   */
  readonly provesSession?: boolean;
  /** `csv` expects text/csv (the instruments dump) and returns the text. */
  readonly expect?: 'json' | 'csv';
  /** This call's own timeout, shorter than the client's (an exit's opening quote); default the client's. */
  readonly timeoutMs?: number;
}

/** One Kite REST client (per account, or per login exchange). */
export class KiteHttp {
  private readonly fetchImpl: FetchLike;

  constructor(private readonly config: KiteHttpConfig) {
    this.fetchImpl = config.fetch ?? ((url, init) => fetch(url, init));
  }

  /**
   * Performs one call and returns the envelope's `data` (or the CSV text). Throws KiteError.
   *
   * @example await http.call({ method: 'GET', path: '/user/profile' })
   */
  async call(req: KiteCall): Promise<unknown> {
    return (await this.callServed(req)).data;
  }

  /**
   * As `call`, with when the answer was served: its HTTP `Date` header (null without one) and when
   * the request went out and the answer came back, on the injected clock (the readiness check).
   */
  async callServed(req: KiteCall): Promise<{ readonly data: unknown; readonly served: ServedAt }> {
    const { clock } = this.config;
    const timeoutMs = req.timeoutMs ?? this.config.timeoutMs;
    const url = new URL(this.config.restUrl.replace(/\/+$/, '') + req.path);
    for (const [k, v] of Object.entries(req.query ?? {})) for (const one of typeof v === 'string' ? [v] : v) url.searchParams.append(k, one);
    const headers: Record<string, string> = { 'X-Kite-Version': '3' };
    const auth = req.auth ?? true;
    const token = auth ? this.config.accessToken() : null;
    if (token) headers.Authorization = `token ${this.config.apiKey}:${token}`;
    else if (auth === true) throw new KiteError('TokenException', 'unknown', true, 'no Kite access token: log in to Kite from Tradeclock first; nothing was sent', null, null, { notPlaced: true, retryAfterMs: SESSION_RETRY_MS });
    let body: string | undefined;
    if (req.form) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(req.form as Record<string, string>).toString();
    }

    const abort = new AbortController();
    let timedOut = false;
    const timer = clock.setTimer(timeoutMs, () => {
      timedOut = true;
      abort.abort();
    });
    let status: number;
    let contentType: string;
    let text: string;
    let retryAfter: string | null;
    let date: string | null;
    const sentAt = clock.now();
    try {
      const res = await this.fetchImpl(url.toString(), { method: req.method, headers, body, signal: abort.signal });
      status = res.status;
      date = res.headers.get('date');
      contentType = (res.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      retryAfter = res.headers.get('retry-after');
      text = await res.text();
    } catch (err) {
      if (timedOut) throw new KiteError('Timeout', 'unknown', false, `Kite did not answer ${req.method} ${req.path} within ${timeoutMs} ms; the outcome is unknown`);
      const why = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
      const through = this.config.via ? ` through the proxy ${this.config.via}` : '';
      throw new KiteError('NetworkError', 'unknown', false, `could not reach Kite${through} for ${req.method} ${req.path} (${why}); the outcome is unknown`);
    } finally {
      timer.cancel();
    }

    const result = this.interpret(req, status, contentType, text, parseRetryAfter(retryAfter, clock.now()));
    if (auth && req.provesSession !== false) {
      if (result instanceof KiteError) {
        if (result.session) this.config.onAuth?.(false, result);
      } else this.config.onAuth?.(true, null);
    }
    if (result instanceof KiteError) throw result;
    return { data: result.data, served: { date, sentAt, receivedAt: clock.now() } };
  }

  /**
   * Downloads a CSV dump (GET, text/csv) and hands its body to `consume` as it arrives, so a dump
   * of several megabytes is parsed without being held whole. The token is sent when there is one
   * and proves nothing (Kite does not check it here). `timeoutMs` bounds the whole download,
   * body included; a refusal is classified as for `call`. Throws KiteError, or what `consume` throws
   * (the download is then aborted).
   *
   * @example await http.download('/instruments/NFO', 60_000, (body) => buildDerivativesMaster(csvRows(body), 'NFO', now))
   */
  async download<T>(path: string, timeoutMs: number, consume: (body: AsyncIterable<Uint8Array>) => Promise<T>): Promise<T> {
    const req: KiteCall = { method: 'GET', path, expect: 'csv', auth: 'if-any', provesSession: false };
    const headers: Record<string, string> = { 'X-Kite-Version': '3' };
    const token = this.config.accessToken();
    if (token) headers.Authorization = `token ${this.config.apiKey}:${token}`;
    const abort = new AbortController();
    let timedOut = false;
    const timer = this.config.clock.setTimer(timeoutMs, () => {
      timedOut = true;
      abort.abort();
    });
    const failed = (err: unknown) => {
      if (timedOut) return new KiteError('Timeout', 'unknown', false, `Kite's ${path} did not arrive within ${timeoutMs} ms`);
      if (err instanceof Error && err.name === 'AbortError') return new KiteError('NetworkError', 'unknown', false, `the download of Kite's ${path} was aborted`);
      const why = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
      return new KiteError('NetworkError', 'unknown', false, `could not download Kite's ${path}${this.config.via ? ` through the proxy ${this.config.via}` : ''} (${why})`);
    };
    try {
      let res: Response;
      try {
        res = await this.fetchImpl(this.config.restUrl.replace(/\/+$/, '') + path, { method: 'GET', headers, signal: abort.signal });
      } catch (err) {
        throw failed(err);
      }
      const contentType = (res.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      if (res.status < 200 || res.status >= 300 || contentType !== 'text/csv' || !res.body) {
        const text = await res.text().catch(() => '');
        const refused = this.interpret(req, res.status, contentType, text, parseRetryAfter(res.headers.get('retry-after'), this.config.clock.now()));
        throw refused instanceof KiteError ? refused : new KiteError('BadResponse', 'unknown', false, `Kite answered ${path} with ${contentType || 'no content type'}, not a CSV dump`, res.status);
      }
      const body = res.body;
      // Errors while the body streams (a timeout, a reset) reach `consume` through its reading.
      return await consume(
        (async function* () {
          try {
            for await (const chunk of body) yield chunk;
          } catch (err) {
            throw failed(err);
          }
        })(),
      );
    } catch (err) {
      abort.abort();
      throw err;
    } finally {
      timer.cancel();
    }
  }

  private interpret(req: KiteCall, status: number, contentType: string, text: string, retryAfterMs: number | null): KiteError | { data: unknown } {
    if (req.expect === 'csv' && status >= 200 && status < 300 && contentType === 'text/csv') return { data: text };
    let parsed: unknown;
    try {
      parsed = parseKiteJson(text);
    } catch {
      if (status >= 200 && status < 300) {
        return new KiteError('BadResponse', 'unknown', false, `Kite answered ${req.method} ${req.path} with HTTP ${status} but a body that is not JSON (${contentType || 'no content type'}); the outcome is unknown`, status);
      }
      return classifyKiteFailure(status, undefined, null, retryAfterMs);
    }
    const env = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
    const message = typeof env.message === 'string' ? env.message : null;
    if (env.status === 'error' || env.error_type !== undefined || status < 200 || status >= 300) {
      return classifyKiteFailure(status, env.error_type, message, retryAfterMs);
    }
    if (env.status !== 'success' || !('data' in env)) {
      return new KiteError('BadResponse', 'unknown', false, `Kite answered ${req.method} ${req.path} without the {status, data} envelope; the outcome is unknown`, status);
    }
    return { data: env.data };
  }
}
