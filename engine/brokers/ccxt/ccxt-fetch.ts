/**
 * The `fetchImplementation` every CCXT instance of ours is built with: CCXT signs and parses,
 * and each request it makes passes here, where Tradeclock keeps what CCXT does not:
 * - only the endpoints we use are reached (the REST `public` and `private` bases, and the one path
 *   the venue states the key's permissions at, `CcxtVenue.keyRestrictions`): a URL CCXT
 *   holds for another (plan §2 fact 4: Binance's `sapi`, `fapi`, … at the live hosts) is refused
 *   before a byte is sent, so an oversight can neither reach the internet from a test nor call
 *   an endpoint we never meant to;
 * - the account's request budget (CCXT's own limiter is off: its timers are real), exits first;
 * - what the answer said that CCXT drops: `Retry-After` (CCXT reads none), and whether the
 *   request left at all (a refused connection, a budget wait cut short), per call, in the call's
 *   context rather than CCXT's per-instance `last_response_headers`, which concurrent calls share.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Clock } from '../../core/clock';
import type { Precedence, RateBudget } from '../alpaca/rate-budget';
import { parseHttpDate } from '../http-date';

/** What one adapter call learned from the requests CCXT made for it. */
export interface CallContext {
  readonly precedence: Precedence;
  /** The wait the venue named (Retry-After), in ms. */
  retryAfterMs?: number;
  /** The last request never left this machine (refused connection, budget wait aborted, endpoint refused). */
  notSent?: boolean;
  /** Called once, just before a POST leaves (past the budget's wait): a placement's sending mark. */
  beforePost?: () => void;
  /**
   * Optional work: sent only if more than this many tokens stay free, never waiting for one
   * (RateBudget.tryTake); else it fails with BudgetReservedError, nothing sent.
   */
  readonly reserve?: number;
}

export const callContext = new AsyncLocalStorage<CallContext>();

/** A request to a host that is none of the account's endpoints; nothing was sent. */
export class OffEndpointError extends Error {
  constructor(where: string) {
    super(`refused to send a request to ${where}: it is none of this account's endpoints`);
    this.name = 'OffEndpointError';
  }
}

/** Optional work skipped: the budget's last tokens are kept for orders; nothing was sent. */
export class BudgetReservedError extends Error {
  constructor() {
    super('skipped: the request budget\'s last tokens are kept for orders');
    this.name = 'BudgetReservedError';
  }
}

export interface CcxtFetchDeps {
  readonly clock: Clock;
  readonly budget: RateBudget;
  /** URL prefixes the account may reach (its REST `public` and `private` bases); filled once the URLs are set. */
  readonly allowedPrefixes: readonly string[];
  /** Sees every request before it is sent (tests count them). */
  readonly onRequest?: (method: string, url: string) => void;
}

type FetchInit = { method?: string; headers?: Record<string, string>; body?: string; signal?: AbortSignal };

export function ccxtFetch(deps: CcxtFetchDeps): (url: string, init: FetchInit) => Promise<Response> {
  return async (url, init) => {
    const ctx = callContext.getStore();
    if (ctx) ctx.notSent = true;
    if (!deps.allowedPrefixes.some((p) => url.startsWith(`${p}/`) || url.startsWith(`${p}?`))) throw new OffEndpointError(url.split('?')[0]!);
    if (ctx?.reserve === undefined) await deps.budget.take(init.signal, ctx?.precedence ?? 'other');
    else if (!deps.budget.tryTake(ctx.reserve)) throw new BudgetReservedError();
    if (init.method === 'POST' && ctx?.beforePost) {
      const mark = ctx.beforePost;
      ctx.beforePost = undefined;
      mark();
    }
    deps.onRequest?.(init.method ?? 'GET', url);
    let res: Response;
    try {
      res = await fetch(url, { method: init.method ?? 'GET', ...(init.headers ? { headers: init.headers } : {}), ...(init.body !== undefined ? { body: init.body } : {}), ...(init.signal ? { signal: init.signal } : {}) });
    } catch (err) {
      // A refused connection never carried the request; anything else may have.
      if (ctx && !refused(err)) ctx.notSent = false;
      throw err;
    }
    if (ctx) {
      ctx.notSent = false;
      const wait = retryAfterMs(res.headers.get('retry-after'), deps.clock.now());
      if (wait !== null) ctx.retryAfterMs = wait;
    }
    return res;
  };
}

/** Binance's bans last "from 2 minutes to 3 days": the named wait is kept whole, up to that. */
const MAX_WAIT_MS = 3 * 86_400_000;

/** Retry-After (delta-seconds or an HTTP date) as ms from `nowMs`; null when absent or unreadable. */
export function retryAfterMs(value: string | null, nowMs: number): number | null {
  const text = value?.trim();
  if (!text) return null;
  const at = /^\d+$/.test(text) ? nowMs + Number(text) * 1_000 : parseHttpDate(text);
  return at === null ? null : Math.min(MAX_WAIT_MS, Math.max(0, at - nowMs));
}

function refused(err: unknown): boolean {
  const cause = err instanceof Error ? (err.cause as { code?: unknown } | undefined) : undefined;
  return cause?.code === 'ECONNREFUSED';
}
