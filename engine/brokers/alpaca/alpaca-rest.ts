/**
 * The Trading API's HTTP client: auth headers (PROTOCOLS.md §1.2), the per-key request budget
 * (§1.9), 429 waited out with backoff, timeouts on the injected clock, and replies sorted into
 * "answered", "answered with an error" and "no answer" — the last never means "did not happen".
 *
 * The transport (http-transport.ts, node:http) keeps connections to a host alive between requests,
 * so a request a few seconds after another reuses its TCP/TLS connection; `warm()` in the
 * execution relies on that.
 */
import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock';
import { backoffDelay, type UniformSource } from './backoff';
import type { AlpacaCredentials, AlpacaTiming } from './alpaca-config';
import { apiErrorSchema, describeApiError, parseJson, type AlpacaApiError } from './alpaca-wire';
import { HttpTransport, type HttpReply } from './http-transport';
import type { ServedAt } from '../http-date';
import type { Precedence, RateBudget } from './rate-budget';

export interface RestRequest {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Path under the base URL, e.g. "/v2/orders:by_client_order_id". */
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  /** Optional work (polls, warm-ups): sent only if the budget has room beyond the orders' reserve. */
  readonly optional?: boolean;
  /** Who goes first while requests wait for the budget (RateBudget): default 'other'. */
  readonly precedence?: Precedence;
}

export type RestResult =
  /**
   * 2xx; `body` is the parsed JSON, or null for an empty body (204). `served`: the reply's HTTP
   * `Date` header (null without one) and when the request went out and its answer came back, on
   * the injected clock (the readiness check compares the clocks).
   */
  | { readonly kind: 'ok'; readonly status: number; readonly body: unknown; readonly served?: ServedAt }
  /**
   * Any other status, after 429s were waited out. `error` is the §1.8 body when it has that shape.
   * `retryAfterMs`: on a 429 that outlasted its retries, the wait Alpaca named (X-RateLimit-Reset or
   * Retry-After), when it named one.
   */
  | { readonly kind: 'error'; readonly status: number; readonly error: AlpacaApiError | null; readonly description: string; readonly retryAfterMs?: number }
  /** No usable answer: timeout, connection refused or reset, a 2xx whose body is not JSON. */
  | { readonly kind: 'transport'; readonly reason: string }
  /** An optional request not sent, to keep the budget for orders. */
  | { readonly kind: 'skipped' };

/**
 * A result in a few words, for a reason or a log line.
 * @example describeRest({ kind: 'transport', reason: 'timed out after 10000 ms' }) === 'timed out after 10000 ms'
 */
export function describeRest(res: RestResult): string {
  switch (res.kind) {
    case 'ok':
      return `HTTP ${res.status}`;
    case 'error':
      return res.description;
    case 'transport':
      return res.reason;
    case 'skipped':
      return 'skipped to keep the request budget for orders';
  }
}

export interface AlpacaRestDeps {
  readonly baseUrl: string;
  readonly credentials: AlpacaCredentials;
  readonly clock: Clock;
  readonly budget: RateBudget;
  readonly timing: AlpacaTiming;
  readonly uniform: UniformSource;
  readonly logger: Logger;
}

export class AlpacaRest {
  private readonly closing = new AbortController();
  /** The requests in flight, aborted by close(): cheaper than an abort listener per request. */
  private readonly inFlight = new Set<AbortController>();
  private readonly http: HttpTransport;

  constructor(private readonly deps: AlpacaRestDeps) {
    this.http = new HttpTransport(deps.baseUrl);
    // Every request in flight and every wait for budget listens to it; many at once is normal.
    setMaxListeners(0, this.closing.signal);
  }

  /** Sends one request, waiting for budget first; never throws (a stop gives 'transport'). */
  async request(req: RestRequest): Promise<RestResult> {
    const { budget, timing, logger } = this.deps;
    for (let attempt = 0; ; attempt++) {
      if (req.optional) {
        if (!budget.tryTake(timing.reservedForOrders)) return { kind: 'skipped' };
      } else {
        try {
          await budget.take(this.closing.signal, req.precedence);
        } catch {
          return { kind: 'transport', reason: 'the broker connection is closed' };
        }
      }
      const answer = await this.once(req);
      if (answer.result.kind !== 'error' || answer.result.status !== 429) return answer.result;
      // A 429 was refused before any processing (§1.9), so repeating it cannot double an order;
      // the client_order_id would refuse a duplicate anyway.
      const { waitMs, named } = this.rateLimitWait(answer.headers, attempt);
      budget.pauseFor(waitMs);
      if (req.optional || attempt >= timing.rateLimitRetries) return named ? { ...answer.result, retryAfterMs: waitMs } : answer.result;
      logger.warn({ path: req.path, attempt: attempt + 1, waitMs }, 'alpaca rate limit hit (429); waiting before retrying');
    }
  }

  /** Aborts every request in flight and every wait for budget. */
  close(): void {
    this.closing.abort(new Error('the broker connection is closed'));
    for (const c of this.inFlight) c.abort(this.closing.signal.reason);
    this.http.close();
  }

  private async once(req: RestRequest): Promise<{ result: RestResult; headers: HttpReply['headers'] | null }> {
    const { baseUrl, credentials, clock, timing } = this.deps;
    const url = new URL(`${baseUrl}${req.path}`);
    for (const [k, v] of Object.entries(req.query ?? {})) url.searchParams.set(k, v);
    const controller = new AbortController();
    // The Error is made when the timer fires: a stack trace per request costs the order path ~0.05 ms.
    let timeout: Error | undefined;
    const timer = clock.setTimer(timing.requestTimeoutMs, () => controller.abort((timeout = new Error(`no answer within ${timing.requestTimeoutMs} ms`))));
    if (this.closing.signal.aborted) controller.abort(this.closing.signal.reason);
    this.inFlight.add(controller);
    try {
      const headers: Record<string, string> = {
        // PROTOCOLS.md §1.2: two headers on every private call.
        'APCA-API-KEY-ID': credentials.key_id,
        'APCA-API-SECRET-KEY': credentials.secret_key,
        Accept: 'application/json',
      };
      if (req.body !== undefined) headers['Content-Type'] = 'application/json';
      const sentAt = clock.now();
      const res = await this.http.request(req.method, url, headers, req.body === undefined ? undefined : JSON.stringify(req.body), controller.signal);
      const raw = res.text;
      const json = raw.trim() === '' ? null : parseJson(raw);
      if (res.status >= 200 && res.status < 300) {
        if (json === undefined) return { result: { kind: 'transport', reason: `HTTP ${res.status} with a body that is not JSON` }, headers: res.headers };
        return { result: { kind: 'ok', status: res.status, body: json, served: { date: res.headers.get('date'), sentAt, receivedAt: clock.now() } }, headers: res.headers };
      }
      const parsed = apiErrorSchema.safeParse(json);
      const error = parsed.success ? parsed.data : null;
      return { result: { kind: 'error', status: res.status, error, description: describeApiError(res.status, error, raw) }, headers: res.headers };
    } catch (err) {
      return { result: { kind: 'transport', reason: transportReason(err, timeout) }, headers: null };
    } finally {
      timer.cancel();
      this.inFlight.delete(controller);
    }
  }

  /**
   * How long to hold off after a 429: until X-RateLimit-Reset (unix seconds, §1.9, optional on
   * the Trading API), else Retry-After, else exponential backoff from 1 s; never more than a window.
   * `named`: the wait came from Alpaca's headers, not from our backoff.
   */
  private rateLimitWait(headers: HttpReply['headers'] | null, attempt: number): { waitMs: number; named: boolean } {
    const { clock, timing, uniform } = this.deps;
    const cap = timing.rateWindowMs;
    const reset = Number(headers?.get('x-ratelimit-reset'));
    if (headers?.has('x-ratelimit-reset') && Number.isFinite(reset) && reset > 0) return { waitMs: clamp(reset * 1000 - clock.now(), 250, cap), named: true };
    const retryAfter = Number(headers?.get('retry-after'));
    if (headers?.has('retry-after') && Number.isFinite(retryAfter) && retryAfter >= 0) return { waitMs: clamp(retryAfter * 1000, 250, cap), named: true };
    return { waitMs: backoffDelay(attempt, 2_000, cap, uniform), named: false };
  }
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, n));
}

function transportReason(err: unknown, timeout: Error | undefined): string {
  if (timeout !== undefined && err === timeout) return timeout.message;
  if (!(err instanceof Error)) return String(err);
  // The socket's error: "socket hang up" (ECONNRESET), "connect ECONNREFUSED 127.0.0.1:443", …
  const code = (err as Error & { code?: string }).code;
  return code && !err.message.includes(code) ? `${err.message} (${code})` : err.message;
}
