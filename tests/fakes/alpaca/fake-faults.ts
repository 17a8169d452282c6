/**
 * Injectable REST faults: what a real network and a real broker do to a request now and then.
 * A rule matches a route ("POST /v2/orders", or a prefix such as "GET /v2/orders"), fires
 * `times` times, then is spent. Rules are checked in the order they were added.
 */

export type RestFault =
  /** Reply with this status without processing (5xx: the request died at the gateway). */
  | { readonly kind: 'status'; readonly status: number; readonly body?: unknown }
  /** 429 `{"code":42910000,"message":"rate limit exceeded"}` with X-RateLimit-* headers; not processed. */
  | { readonly kind: 'rate-limit'; readonly resetInMs?: number }
  /** Processed normally; the reply leaves after `delayMs` real ms. */
  | { readonly kind: 'slow'; readonly delayMs: number }
  /** The connection is cut before processing: nothing happened. */
  | { readonly kind: 'drop' }
  /** Processed (an order is placed), then the connection is cut instead of replying. */
  | { readonly kind: 'drop-after-accept' }
  /** Never answered and never processed (until the server closes). */
  | { readonly kind: 'stall' }
  /** Processed, never answered: the client times out although the order exists. */
  | { readonly kind: 'stall-after-accept' }
  /** Processed and accepted, but answered 422, as Alpaca sometimes does (PROTOCOLS.md §1.4). */
  | { readonly kind: '422-but-accepted' }
  /** 200 with a body that is not JSON; not processed. */
  | { readonly kind: 'garbage' };

export interface FaultRule {
  /** "METHOD /path" or a prefix of it; default: every /v2 request. */
  readonly route?: string;
  readonly fault: RestFault;
  /** How many requests it hits; default 1. */
  readonly times?: number;
}

export class FaultPlan {
  private readonly rules: { route: string; fault: RestFault; left: number }[] = [];

  add(rule: FaultRule): void {
    this.rules.push({ route: rule.route ?? '', fault: rule.fault, left: rule.times ?? 1 });
  }

  /** The fault for this request, if a rule matches; spends one use of it. */
  take(method: string, path: string): RestFault | undefined {
    const key = `${method} ${path}`;
    const i = this.rules.findIndex((r) => r.left > 0 && key.startsWith(r.route));
    if (i < 0) return undefined;
    const rule = this.rules[i]!;
    if (--rule.left === 0) this.rules.splice(i, 1);
    return rule.fault;
  }

  pending(): number {
    return this.rules.length;
  }

  clear(): void {
    this.rules.length = 0;
  }
}
