/**
 * Orders at Kite. Kite has no idempotency key, so the client order id rides in `tag` and every
 * placement first lists the day's orders and looks for that tag: a first attempt costs one extra
 * round trip, and a resend (after a timeout, a crash, a restart) finds the earlier order instead
 * of placing a second one. We cannot tell a first attempt from a resend after a crash, so the
 * check is unconditional. Placement also passes our own rate limiter and the session check.
 *
 * What stops a placement before Kite takes it (a dead session, a rate limit, ours or Kite's) is
 * "not placed yet", never a refusal: every exit must reach the broker, so the engine sends it
 * again after the wait. Only Kite's refusal of the order itself is `rejected`.
 */
import type { Clock } from '../../core/clock';
import type { BrokerExecution, CredentialCheck, Instrument, OrderReport, PlaceOrderRequest, PlaceOrderResult } from '../broker';
import { DomainError } from '../../core/errors';
import { KiteError, SESSION_RETRY_MS } from './kite-errors';
import type { KiteHttp } from './kite-http';
import { findByTag, kiteOrderSchema, parseOrderList, toOrderReport, type KiteOrder } from './kite-orders';
import type { KiteOptions } from './kite-options';
import { holdingsOf, netPositionsOf, netQtyOf } from './kite-portfolio';
import type { KiteSessionTracker } from './kite-session';
import { RateLimiter, sleepOn } from './rate-limiter';
import { KITE_TRADED_EXCHANGES } from './kite-instruments';
import { kiteProductFor } from './kite-product';
import { namesPriceLimit } from './kite-refusals';
import { saysIpNotAllowed } from '../ip-refusal';
import { isChasedExit } from './chased-exit';
import type { KiteExitChase } from './kite-exit-chase';

/** Kite's tag: at most 20 letters and digits (an old doc said 8; current docs and SDKs say 20). */
export const KITE_TAG_PATTERN = /^[0-9A-Za-z]{1,20}$/;
export const KITE_TAG_MAX_LENGTH = 20;

export interface KiteExecutionDeps {
  readonly http: KiteHttp;
  readonly clock: Clock;
  readonly session: KiteSessionTracker;
  readonly options: Pick<KiteOptions, 'product' | 'market_protection' | 'max_rate_wait_ms'>;
  readonly orderLimiter: RateLimiter;
  /** Prices and re-prices options exits (kite-exit-chase.ts); without it every order goes as MARKET. */
  readonly exitChase?: KiteExitChase;
}

/** The seam's execution part for Kite; `handleOrderMessage` is fed by the ticker's `order` frames. */
export class KiteExecution implements BrokerExecution {
  private readonly listeners = new Set<(r: OrderReport) => void>();
  private readonly listening = new Set<() => void>();
  private stopped = false;

  constructor(private readonly deps: KiteExecutionDeps) {
    // The chase's last read of an order it followed: the engine hears the end even if the stream missed it.
    deps.exitChase?.onFinal((order) => {
      const report = this.reportOf(order);
      if (report) this.emit(report);
    });
  }

  /** Checks the token with GET /user/profile (Kite's own advice; the instruments dump needs no auth). */
  async validateCredentials(): Promise<CredentialCheck> {
    try {
      await this.deps.http.call({ method: 'GET', path: '/user/profile' });
      return { ok: true };
    } catch (err) {
      return { ok: false, reason: err instanceof Error ? err.message : String(err) };
    }
  }

  /**
   * Opens (or keeps) the HTTPS connection shortly before a trigger, and refreshes the session on
   * the way: an expired token shows up here, seconds before the order, in the engine's log.
   */
  async warm(): Promise<void> {
    try {
      await this.deps.http.call({ method: 'GET', path: '/user/profile' });
    } catch (err) {
      throw new DomainError(err instanceof KiteError && err.session ? 'unauthorized' : 'unavailable', `Kite warm-up failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  async placeOrder(req: PlaceOrderRequest): Promise<PlaceOrderResult> {
    const invalid = this.invalidRequest(req);
    // The same request would be refused the same way every time: lasting.
    if (invalid) return { kind: 'rejected', reason: invalid, lasting: true };
    const session = this.deps.session.current();
    if (session.state === 'no_token' || session.state === 'expired') return notPlaced(`${session.message}${AFTER_LOGIN}`, SESSION_RETRY_MS);

    // Resend guard: an order already carrying this tag is the one we want, whatever happened before.
    let existing: KiteOrder | null;
    try {
      existing = findByTag(await this.listOrders(), req.clientOrderId);
    } catch (err) {
      // Nothing was sent by this call. A dead session or a rate limit says so for certain (Kite
      // refused before reading anything); other failures leave "unknown", and the engine looks
      // the tag up again before it resends.
      if (err instanceof KiteError && err.notPlaced) return notPlacedBy(err);
      return { kind: 'unknown', reason: `could not check Kite for an earlier order tagged ${req.clientOrderId}, so nothing was sent yet: ${err instanceof Error ? err.message : String(err)}` };
    }
    if (existing) {
      if (this.deps.exitChase && isChasedExit(req)) this.deps.exitChase.adopt(existing, req.clientOrderId);
      const report = this.reportOf(existing);
      if (report) this.emit(report);
      // The earlier attempt is the answer, including a rejection: sending again would be a new order.
      if (report?.status === 'rejected') return { kind: 'rejected', reason: report.reason ?? 'Kite rejected the order', ...(report.lasting ? { lasting: true } : {}) };
      return { kind: 'accepted', brokerOrderId: existing.order_id, at: report?.at ?? this.deps.clock.now() };
    }

    // An options exit crosses the market as a LIMIT inside the band, priced by a quote now.
    const chase = this.deps.exitChase && isChasedExit(req) ? this.deps.exitChase : null;
    const limit = chase ? await chase.openingPrice(req.instrument.exchange, req.instrument.symbol, req.side, req.instrument.tickSize, req.clientOrderId) : null;

    // Our own copy of Kite's budget: a slot too far away is "not yet", with the wait until it frees.
    const slot = this.deps.orderLimiter.reserve(this.deps.options.max_rate_wait_ms);
    if (!slot.ok) return notPlaced(slot.message, slot.retryInMs);
    await sleepOn(this.deps.clock, slot.waitMs);

    // From here Kite may take it: the engine's sending mark (BrokerCapabilities.placedOrderListedWithinMs runs from it).
    req.sending?.();
    try {
      const data = await this.post(req, limit);
      const orderId = (data as { order_id?: unknown } | null)?.order_id;
      if (typeof orderId !== 'string' || !/^\d+$/.test(orderId)) {
        return { kind: 'unknown', reason: `Kite accepted the request but returned no readable order_id (${JSON.stringify(data)?.slice(0, 80)}); Tradeclock will look it up by tag` };
      }
      chase?.follow({ orderId, tag: req.clientOrderId, exchange: req.instrument.exchange, symbol: req.instrument.symbol, side: req.side, tickSize: req.instrument.tickSize, step: 0 });
      return { kind: 'accepted', brokerOrderId: orderId, at: this.deps.clock.now() };
    } catch (err) {
      return outcomeOf(err, 'Kite did not confirm the order');
    }
  }

  /**
   * The order carrying this tag among the day's orders, or null. Throws when Kite cannot be asked.
   * A live options exit found so (after a restart nothing here follows it) is chased again from
   * where it rests: the tag says it is an exit (a Tradeclock id's exit slot).
   */
  async lookupOrder(clientOrderId: string): Promise<OrderReport | null> {
    const order = findByTag(await this.listOrders(), clientOrderId);
    if (!order) return null;
    const chase = this.deps.exitChase && isChasedExit({ clientOrderId, instrument: { exchange: order.exchange ?? '', symbol: order.tradingsymbol ?? '' } }) ? this.deps.exitChase : null;
    chase?.adopt(order, clientOrderId);
    const report = this.reportOf(order);
    // A chase's cancel whose report a crash cut off: its history tells (the chase gave up at its modifications' cap).
    if (chase && report?.status === 'cancelled' && report.lasting !== false) {
      const why = await chase.cancelledBeforeRestart(order.order_id);
      if (why !== null) return { ...report, reason: why, lasting: false };
    }
    return report;
  }

  /** Cancels the live order carrying this tag; a no-op when it is already final or absent. */
  async cancelOrder(clientOrderId: string): Promise<void> {
    const order = findByTag(await this.listOrders(), clientOrderId);
    if (!order) return;
    const report = toOrderReport(order, this.deps.clock.now());
    if (!report || report.status === 'filled' || report.status === 'rejected' || report.status === 'cancelled') return;
    await this.deps.http.call({ method: 'DELETE', path: `/orders/regular/${encodeURIComponent(order.order_id)}` });
  }

  onOrderUpdate(listener: (report: OrderReport) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onListening(listener: () => void): () => void {
    this.listening.add(listener);
    return () => this.listening.delete(listener);
  }

  /** The ticker is up (its first frame since it connected): order messages reach us from now on. */
  noteListening(): void {
    if (this.stopped) return;
    for (const l of this.listening) {
      try {
        l();
      } catch {
        // One listener's failure is its own; the others still hear it.
      }
    }
  }

  /**
   * The signed net position in the account's product (kite-portfolio.ts says what counts and
   * why): the net MIS position from GET /portfolio/positions, a short negative; for CNC also the
   * holding from GET /portfolio/holdings. Throws a DomainError when Kite cannot be asked
   * (`unauthorized` for a dead session, else `unavailable`) or its reply cannot be read
   * (`broker_error`, naming the row and field), never 0.
   */
  async netQty(instrument: Instrument): Promise<number> {
    const product = kiteProductFor(this.deps.options.product, instrument.exchange);
    const what = `how many ${instrument.exchange}:${instrument.symbol} (${product}) the Kite account holds`;
    const ask = async (path: string): Promise<unknown> => {
      try {
        return await this.deps.http.call({ method: 'GET', path });
      } catch (err) {
        throw new DomainError(err instanceof KiteError && err.session ? 'unauthorized' : 'unavailable', `could not ask ${what} (GET ${path}): ${err instanceof Error ? err.message : String(err)}`);
      }
    };
    const [positions, holdings] = await Promise.all([ask('/portfolio/positions'), product === 'CNC' ? ask('/portfolio/holdings') : Promise.resolve(null)]);
    try {
      const net = netPositionsOf(positions, instrument.symbol);
      return netQtyOf(product, instrument, net, holdings === null ? null : holdingsOf(holdings, instrument.symbol));
    } catch (err) {
      throw new DomainError('broker_error', `could not tell ${what}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /**
   * Feeds one ticker `order` message (or postback body) in. Orders without our tag are ignored:
   * the trader's own, and the LIMIT order a GTT backstop places when it fires (it carries no tag;
   * kite-resting-stops.ts reads it by the order id its GTT names), so a backstop's fill never
   * reaches the order listener as an entry's or exit's report.
   */
  handleOrderMessage(data: unknown): string | null {
    const parsed = kiteOrderSchema.safeParse(data);
    if (!parsed.success) return `ignored an order update Kite sent in a shape we cannot read (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message})`;
    const report = this.reportOf(parsed.data);
    // A final state ends its chase at once, not at the chase's next look.
    if (report && (report.status === 'filled' || report.status === 'rejected' || report.status === 'cancelled')) this.deps.exitChase?.end(parsed.data.order_id);
    if (report) this.emit(report);
    return null;
  }

  stop(): void {
    this.stopped = true;
    this.deps.exitChase?.stop();
    this.listeners.clear();
    this.listening.clear();
  }

  private async listOrders(): Promise<KiteOrder[]> {
    return parseOrderList(await this.deps.http.call({ method: 'GET', path: '/orders' }));
  }

  /**
   * POST /orders/regular. An options exit's LIMIT refused for its price (a 400 InputException or a
   * price range named: nothing placed, e.g. a range narrower than ours) is sent again at once as
   * MARKET with protection, under the same tag: the LIMIT would add a refusal the plain exit never
   * had. Any other refusal or failure is the placement's outcome (refusesTheLimitPrice).
   */
  private async post(req: PlaceOrderRequest, limit: number | null): Promise<unknown> {
    try {
      return await this.deps.http.call({ method: 'POST', path: '/orders/regular', form: this.orderForm(req, limit) });
    } catch (err) {
      if (limit === null || !refusesTheLimitPrice(err)) throw err;
      const slot = this.deps.orderLimiter.reserve(this.deps.options.max_rate_wait_ms);
      if (!slot.ok) throw err;
      await sleepOn(this.deps.clock, slot.waitMs);
      return await this.deps.http.call({ method: 'POST', path: '/orders/regular', form: this.orderForm(req, null) });
    }
  }

  /** The seam's report of a Kite order; a cancel the exit chase made (it gave up) passes, with why. */
  private reportOf(order: KiteOrder): OrderReport | null {
    const report = toOrderReport(order, this.deps.clock.now());
    const why = report?.status === 'cancelled' ? (this.deps.exitChase?.cancelReason(order.order_id) ?? null) : null;
    return report && why !== null ? { ...report, reason: why, lasting: false } : report;
  }

  /** A MARKET order with protection, or a LIMIT at `limit` (an options exit). */
  private orderForm(req: PlaceOrderRequest, limit: number | null): Record<string, string> {
    return {
      tradingsymbol: req.instrument.symbol,
      exchange: req.instrument.exchange,
      transaction_type: req.side === 'buy' ? 'BUY' : 'SELL',
      ...(limit === null ? { order_type: 'MARKET', market_protection: String(this.deps.options.market_protection) } : { order_type: 'LIMIT', price: String(limit) }),
      quantity: String(req.qty),
      product: kiteProductFor(this.deps.options.product, req.instrument.exchange),
      validity: 'DAY',
      tag: req.clientOrderId,
    };
  }

  private invalidRequest(req: PlaceOrderRequest): string | null {
    if (!KITE_TAG_PATTERN.test(req.clientOrderId)) return `client order id "${req.clientOrderId}" cannot be a Kite tag (1–20 letters and digits); not sent`;
    if (!Number.isSafeInteger(req.qty) || req.qty <= 0) return `quantity ${req.qty} must be a whole number of shares above 0 at Kite; not sent`;
    if (!(KITE_TRADED_EXCHANGES as readonly string[]).includes(req.instrument.exchange)) return `Kite trades ${KITE_TRADED_EXCHANGES.join(', ')} here, not ${req.instrument.exchange}; not sent`;
    return null;
  }

  private emit(report: OrderReport): void {
    if (this.stopped) return;
    for (const l of this.listeners) l(report);
  }
}

/**
 * Whether a placement's refusal is about the LIMIT's price (Kite's parameter check, InputException,
 * or an exchange's price range): a MARKET with protection may then go. A refusal of the account,
 * margin, holdings, permission or the IP allowlist would refuse the MARKET too, and a 5xx or an
 * answer without Kite's envelope may have placed it: none of those is sent again.
 */
function refusesTheLimitPrice(err: unknown): boolean {
  if (!(err instanceof KiteError) || err.httpStatus !== 400 || err.outcome !== 'rejected') return false;
  if (namesPriceLimit(err.kiteMessage)) return true;
  return err.errorType === 'InputException' && !saysIpNotAllowed(err.kiteMessage);
}

/** Certainly not taken by Kite; the engine sends it again (after `retryAfterMs`) without a lookup. */
function notPlaced(reason: string, retryAfterMs?: number): PlaceOrderResult {
  return { kind: 'unknown', reason, notPlaced: true, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
}

const AFTER_LOGIN = ' The order was not sent yet; it can go once Kite is logged in again.';

/** A KiteError that says Kite did not take the request (a dead session, a 429) as a placement outcome. */
function notPlacedBy(err: KiteError): PlaceOrderResult {
  return notPlaced(err.session ? `${err.message}${AFTER_LOGIN}` : err.message, err.retryAfterMs ?? undefined);
}

/** A thrown KiteError as a placement outcome; anything else (a bug) is unknown, never rejected. */
function outcomeOf(err: unknown, context: string): PlaceOrderResult {
  if (err instanceof KiteError) {
    if (err.outcome === 'rejected') return { kind: 'rejected', reason: err.message, ...(err.lasting ? { lasting: true } : {}) };
    if (err.notPlaced) return notPlacedBy(err);
    return { kind: 'unknown', reason: `${context}: ${err.message}` };
  }
  return { kind: 'unknown', reason: `${context}: ${err instanceof Error ? err.message : String(err)}` };
}
