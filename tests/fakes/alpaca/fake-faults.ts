/**
 * Injectable REST faults: what a real network and a real broker do to a request now and then.
 * A rule matches a route ("POST /v2/orders", or a prefix such as "GET /v2/orders"), fires
 * `times` times, then is spent. Rules are checked in the order they were added.
 */
import { FaultPlan as GenericFaultPlan, type FaultRule as GenericFaultRule } from '../fault-plan';

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

/** A rule of the fake's fault table (tests/fakes/fault-plan.ts); default route: every /v2 request. */
export type FaultRule = GenericFaultRule<RestFault>;

export class FaultPlan extends GenericFaultPlan<RestFault> {}
