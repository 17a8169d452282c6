/**
 * Injectable REST faults of the fake Binance: what a network and a busy exchange do to a request.
 * A rule matches "METHOD /path" or a prefix of it ("POST /api/v3/order"), fires `times` times,
 * then is spent; rules are checked in the order they were added.
 */
import { FaultPlan, type FaultRule } from '../fault-plan';

export type BinanceFault =
  /**
   * Reply `status` with Binance's error JSON. `processed`: the request was carried out first (an
   * order placed), as `-1007` "execution status unknown" or a 5xx can mean; default not processed.
   */
  | { readonly kind: 'error'; readonly status: number; readonly code: number; readonly msg: string; readonly processed?: boolean }
  /** 429 `-1003` with `Retry-After` (seconds); not processed. */
  | { readonly kind: 'rate-limit'; readonly retryAfterSec: number }
  /** 418 `-1003` "IP banned until …" with `Retry-After` (seconds); not processed. */
  | { readonly kind: 'ban'; readonly retryAfterSec: number }
  /** The connection is cut before processing: nothing happened. */
  | { readonly kind: 'drop' }
  /** Processed (an order placed, perhaps filled), then the connection is cut instead of replying. */
  | { readonly kind: 'drop-after-accept' }
  /** Never answered and never processed (until the client gives up or the server closes). */
  | { readonly kind: 'stall' }
  /** Processed, never answered: the client times out although the order exists. */
  | { readonly kind: 'stall-after-accept' }
  /** 200 with a body that is not JSON; not processed. */
  | { readonly kind: 'garbage' };

/** A rule of the fake's fault table (tests/fakes/fault-plan.ts); default route: every /api request. */
export type BinanceFaultRule = FaultRule<BinanceFault>;

export class BinanceFaultPlan extends FaultPlan<BinanceFault> {}

/** Whether the fault leaves the request unprocessed (nothing placed). */
export function unprocessed(f: BinanceFault): boolean {
  return f.kind === 'rate-limit' || f.kind === 'ban' || f.kind === 'drop' || f.kind === 'stall' || f.kind === 'garbage' || (f.kind === 'error' && f.processed !== true);
}
