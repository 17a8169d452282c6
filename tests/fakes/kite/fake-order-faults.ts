/**
 * Faults on the next order placements (POST /orders/{variety}), as Kite documents them, each one
 * recorded so a judge can tell what met which order. The crash soak arms them through the fake's
 * admin route (POST /__fake/order-faults) while it runs as its own process; tests in process call
 * `inject`. Sources: ../shared/brokers/PROTOCOLS.md §2.4 (error types, the error envelope), §2.9
 * (429 on exceeding a rate) and the fake's own RATE_LIMITED (Kite's 429 body as its users see it).
 *
 * - `rate-limit`: HTTP 429, `NetworkException` "Too many requests"; the OMS never saw the order.
 * - `order-exception`: HTTP 400, `OrderException`, the order refused before it was booked. The text
 *   is ours, worded so it names a price limit (the circuit), which no reading of it takes as
 *   lasting: a refusal a new attempt may pass.
 * - `rms-reject`: the order is booked (its `order_id` answered), then REJECTED by the RMS, with
 *   Kite's reworded `status_message` and the RMS's raw text (again a price limit: it may pass).
 *
 * A fault armed `closingOnly` waits for the placement of an exit: its tag is a Tradeclock client
 * order id in an exit slot (core/ids.ts, as the shared fault plan's `exitsOnly`), so the crash soak
 * arms its faults for a cycle's exits before the entries go, and no entry meets them. (By the fake's
 * own book instead, a short sale of one strategy meets them while another strategy is long the
 * same instrument, which a long soak found.)
 */
import { parseClientOrderId } from '../../../engine/core/ids';
import { RATE_LIMITED, type RestReply } from './fake-rest';
import type { FakeOrder } from './fake-orders';

export type OrderFaultKind = 'rate-limit' | 'order-exception' | 'rms-reject';
export const ORDER_FAULT_KINDS: readonly OrderFaultKind[] = ['rate-limit', 'order-exception', 'rms-reject'];

/** A placement a fault met, for GET /__fake/record. */
export interface FaultedPlacement {
  readonly kind: OrderFaultKind;
  readonly tag: string | null;
  readonly side: string | null;
  readonly tradingsymbol: string | null;
  /** How many orders the book held when it came: where it falls among them in arrival order. */
  readonly after_orders: number;
  /** Real epoch ms. */
  readonly at_ms: number;
}

/** What a placement meets: an answer instead of booking it, or a rejection once booked. */
export type OrderFaultEffect = { readonly reply: RestReply } | { readonly rejectAfterAccept: { readonly message: string; readonly raw: string } };

const ORDER_EXCEPTION: RestReply = {
  kind: 'error',
  status: 400,
  errorType: 'OrderException',
  message: 'Order price is outside the circuit limit for the instrument at the moment. Please try again.',
};
const RMS_REJECT = {
  message: 'Your order price is outside the current circuit limit. Place an order within the daily range.',
  raw: 'RMS:Rule: Check circuit limit including square off order exceeds',
};

export class KiteOrderFaults {
  private readonly queue: Array<{ kind: OrderFaultKind; remaining: number; closingOnly: boolean }> = [];
  private readonly met: FaultedPlacement[] = [];

  /** The next `times` placements (those that close a position, with `closingOnly`) meet `kind`, after any queued before. */
  inject(kind: OrderFaultKind, times = 1, closingOnly = false): void {
    if (!ORDER_FAULT_KINDS.includes(kind)) throw new Error(`an order fault is one of ${ORDER_FAULT_KINDS.join(', ')}, got "${kind}"`);
    if (!Number.isInteger(times) || times < 1) throw new Error(`times must be a whole number of placements from 1, got ${times}`);
    this.queue.push({ kind, remaining: times, closingOnly });
  }

  /** The fault this placement meets (recorded), or null: handled as usual. `orders`: the book as it stands. */
  take(form: URLSearchParams, orders: readonly FakeOrder[]): OrderFaultEffect | null {
    const closes = isExitTag(form.get('tag'));
    const next = this.queue.find((q) => closes || !q.closingOnly);
    if (!next) return null;
    if (--next.remaining === 0) this.queue.splice(this.queue.indexOf(next), 1);
    const ordersBooked = orders.length;
    this.met.push({ kind: next.kind, tag: form.get('tag'), side: form.get('transaction_type'), tradingsymbol: form.get('tradingsymbol'), after_orders: ordersBooked, at_ms: Date.now() });
    if (next.kind === 'rate-limit') return { reply: RATE_LIMITED };
    if (next.kind === 'order-exception') return { reply: ORDER_EXCEPTION };
    return { rejectAfterAccept: RMS_REJECT };
  }

  /** Every placement a fault met, in arrival order. */
  record(): readonly FaultedPlacement[] {
    return this.met;
  }

  /** POST /__fake/order-faults `{kind, times, closing_only}`; null for any other route. */
  adminRoute(method: string, path: string, rawBody: string): RestReply | null {
    if (method !== 'POST' || path !== '/__fake/order-faults') return null;
    try {
      const { kind, times, closing_only } = JSON.parse(rawBody) as { kind: OrderFaultKind; times?: number; closing_only?: boolean };
      this.inject(kind, times ?? 1, closing_only === true);
      return { kind: 'data', data: true };
    } catch (err) {
      return { kind: 'error', status: 400, errorType: 'InputException', message: err instanceof Error ? err.message : String(err) };
    }
  }
}

/** Whether a placement's tag is an exit's client order id (attempt 1 or later); another app's tag is not. */
function isExitTag(tag: string | null): boolean {
  if (!tag) return false;
  try {
    return parseClientOrderId(tag).slot === 'exit';
  } catch {
    return false;
  }
}
