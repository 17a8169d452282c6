/**
 * Orders at Alpaca: market orders with our client_order_id and time_in_force day (PROTOCOLS.md
 * §1.4), fills from the trade_updates stream (§1.11) with a REST poll while it is down, lookups
 * by client order id (§1.6) and cancels (§1.7).
 *
 * The rule for placement replies: only a 2xx is "accepted", and only a refusal that a lookup
 * confirms (Alpaca has no such order) is "rejected" (`lasting` when placement-refusal.ts says no
 * retry can pass it). A timeout, a dropped connection or a 5xx is "unknown", for the engine to
 * resolve by lookup; a 429 that outlasted its retries is "unknown" and `notPlaced` (Alpaca refuses
 * it before any processing, §1.9); a 4xx is looked up at once, because Alpaca sometimes answers 422
 * for an order it did accept (§1.4).
 *
 * An order Alpaca replaced (a PATCH, or a corporate action) lives on in its replacement: reports
 * follow the chain (order-chains.ts) and carry our client order id, the replacement's id, status
 * and fills. A replacement is recognised on the stream by its `replaces`; one of our orders' is also
 * read by GET /v2/orders/{id} when first named, and lookups by client order id follow `replaced_by`.
 */
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../../core/clock';
import { DomainError, notFound } from '../../core/errors';
import type { OrderSide } from '../../core/types';
import type { BrokerExecution, CredentialCheck, Instrument, OrderReport, PlaceOrderRequest, PlaceOrderResult } from '../broker';
import type { AlpacaTiming } from './alpaca-config';
import { chainReport, isReplaced, readLeg, type OrderLeg } from './alpaca-order-report';
import { readNetQty } from './alpaca-position';
import { describeRest, type AlpacaRest, type RestResult } from './alpaca-rest';
import { accountSchema, orderSchema, parseTimestamp, type AlpacaOrder } from './alpaca-wire';
import { MAX_REPLACEMENTS, OrderChains } from './order-chains';
import { OrderTracker } from './order-tracker';
import { heldByOpenOrder, refusalLasts } from './placement-refusal';
import type { TradeUpdatesStream } from './trade-updates-stream';

/** PROTOCOLS.md §1.4: client_order_id is at most 48 characters. */
export const ALPACA_CLIENT_ORDER_ID_MAX_LENGTH = 48;

export interface AlpacaExecutionDeps {
  readonly rest: AlpacaRest;
  readonly restUrl: string;
  readonly clock: Clock;
  readonly timing: AlpacaTiming;
  readonly logger: Logger;
}

/**
 * The resting stops' claim on the stream and on refusals (alpaca-resting-stops.ts): events of a
 * resting stop go there, never to the order listener (whose reports are entries and exits; the
 * engine would find no order of that client order id). An event of any other order the engine
 * did not place (the trader's own) still reaches the order listener, which ignores unknown ids.
 */
export interface RestingStopClaims {
  takeStreamEvent(order: AlpacaOrder): boolean;
  restsOn(symbol: string, side: OrderSide): boolean;
}

type Lookup = { readonly kind: 'found'; readonly report: OrderReport } | { readonly kind: 'absent' } | { readonly kind: 'failed'; readonly reason: string };
/** An order folded in: the order as read, the report of its chain, and a replacement still to read, if any. */
type Folded = { readonly leg: OrderLeg; readonly report: OrderReport; readonly follow: string | null };
type LookupMode = 'quiet' | 'emit' | 'poll';

export class AlpacaExecution implements BrokerExecution {
  readonly tracker: OrderTracker;
  private readonly chains = new OrderChains();
  /** Replacements being read after a stream event, so one named twice is fetched once. */
  private readonly following = new Set<string>();
  private stream: TradeUpdatesStream | undefined;
  private restingStops: RestingStopClaims | undefined;
  private pollTimer: TimerHandle | undefined;
  private polling = false;
  private stopped = false;
  private readonly listening = new Set<() => void>();

  constructor(private readonly deps: AlpacaExecutionDeps) {
    this.tracker = new OrderTracker(deps.logger);
  }

  /** GET /v2/account (§1.3): 401/403 mean the keys are wrong; no answer is an error, not a verdict. */
  async validateCredentials(): Promise<CredentialCheck> {
    const res = await this.deps.rest.request({ method: 'GET', path: '/v2/account' });
    if (res.kind === 'ok') {
      const account = accountSchema.safeParse(res.body);
      if (!account.success) throw new DomainError('broker_error', `${this.deps.restUrl} answered GET /v2/account with something that is not an Alpaca account: is rest_url right?`);
      if (account.data.account_blocked || account.data.trading_blocked) return { ok: false, reason: `the Alpaca account is blocked for trading (status ${account.data.status})` };
      return { ok: true };
    }
    if (res.kind === 'error' && res.status === 401) {
      return { ok: false, reason: `Alpaca refused the key id or secret (${res.description}). Paper and live accounts have different keys: check that "paper" matches them` };
    }
    if (res.kind === 'error' && res.status === 403) return { ok: false, reason: `Alpaca refused the request (${res.description}): check the key id and secret` };
    throw new DomainError('unavailable', `could not check the credentials with Alpaca at ${this.deps.restUrl}: ${describeRest(res)}; try again`);
  }

  async placeOrder(req: PlaceOrderRequest): Promise<PlaceOrderResult> {
    const invalid = invalidRequest(req);
    if (invalid) return { kind: 'rejected', reason: invalid };
    // Before the request's wait for the rate budget: Alpaca refuses a reused id, so nothing waits on the mark's time.
    req.sending?.();
    const res = await this.deps.rest.request({
      method: 'POST',
      path: '/v2/orders',
      // An order that closes a position (a long's sale, a short's buy-back) is an exit, and waits for no one.
      precedence: req.opens ? 'entry' : 'exit',
      // Quantities go as strings (§1.2); market + day is what a time-based strategy means.
      body: { symbol: req.instrument.symbol, qty: String(req.qty), side: req.side, type: 'market', time_in_force: 'day', client_order_id: req.clientOrderId },
    });
    if (res.kind === 'ok') {
      const order = orderSchema.safeParse(res.body);
      if (!order.success) return { kind: 'unknown', reason: 'Alpaca accepted the order with a reply that could not be read' };
      // Emitted too: the stream may have been faster, and a report it already gave is not repeated.
      this.followLater(this.fold(order.data, undefined, { emit: true, ours: true }));
      return { kind: 'accepted', brokerOrderId: order.data.id, at: parseTimestamp(order.data.submitted_at) ?? this.deps.clock.now() };
    }
    if (res.kind !== 'error') return { kind: 'unknown', reason: `no answer from Alpaca: ${describeRest(res)}` };
    // §1.9: a 429 is refused before any processing, so nothing was placed; say how long Alpaca asked to wait.
    if (res.status === 429) return { kind: 'unknown', reason: res.description, notPlaced: true, ...(res.retryAfterMs === undefined ? {} : { retryAfterMs: res.retryAfterMs }) };
    if (res.status >= 500) return { kind: 'unknown', reason: res.description };
    // An unauthenticated request (401, or the gateway's code-less 403, §1.3) never reached the order desk.
    if (res.status === 401 || (res.status === 403 && res.error?.code === undefined)) return { kind: 'rejected', reason: `Alpaca refused the API key: ${res.description}`, lasting: true };
    const stopHolds = this.restingStops?.restsOn(req.instrument.symbol, req.side) ?? false;
    const reason = heldByOpenOrder(res.error, stopHolds)
      ? `${res.description}: the shares are held by an open order${stopHolds ? ' (a resting stop of Tradeclock rests on them)' : ''}; this passes once it is cancelled`
      : res.description;
    return this.settleRefusal(req.clientOrderId, reason, refusalLasts(res.status, res.error, stopHolds));
  }

  async lookupOrder(clientOrderId: string): Promise<OrderReport | null> {
    const found = await this.lookup(clientOrderId, 'quiet');
    if (found.kind === 'failed') throw new DomainError('unavailable', `order lookup at Alpaca failed: ${found.reason}`);
    return found.kind === 'found' ? found.report : null;
  }

  /** DELETE /v2/orders/{id} (§1.7): 204 accepted, 422 already final (nothing to do), 404 unknown. */
  async cancelOrder(clientOrderId: string): Promise<void> {
    let id = this.tracker.brokerOrderId(clientOrderId);
    if (!id) {
      const report = await this.lookupOrder(clientOrderId);
      if (!report) throw notFound(`Alpaca order with client order id "${clientOrderId}"`);
      id = report.brokerOrderId;
    }
    const res = await this.deps.rest.request({ method: 'DELETE', path: `/v2/orders/${encodeURIComponent(id)}` });
    if (res.kind === 'ok') return;
    if (res.kind === 'error' && res.status === 422) {
      this.deps.logger.info({ clientOrderId }, 'alpaca order not cancelable (already final); its final state comes as an update');
      return;
    }
    if (res.kind === 'error' && res.status === 404) throw notFound(`Alpaca order ${id}`);
    throw new DomainError('unavailable', `cancel at Alpaca failed: ${describeRest(res)}`);
  }

  onOrderUpdate(listener: (report: OrderReport) => void): () => void {
    return this.tracker.onUpdate(listener);
  }

  onListening(listener: () => void): () => void {
    this.listening.add(listener);
    return () => this.listening.delete(listener);
  }

  /**
   * GET /v2/positions/{symbol}: the signed net position, a short negative (alpaca-position.ts says
   * what counts and why). It decides how much an exit attempt closes, so it waits for budget as an
   * exit does. 404 "position does not exist" is 0; any other failure, or a reply that cannot be
   * read, throws (`unavailable` / `broker_error`) and the engine asks again, never taking it for 0.
   */
  async netQty(instrument: Instrument): Promise<number> {
    const { symbol } = instrument;
    const path = `/v2/positions/${encodeURIComponent(symbol)}`;
    const res = await this.deps.rest.request({ method: 'GET', path, precedence: 'exit' });
    if (res.kind === 'ok') {
      const read = readNetQty(res.body, symbol);
      if (!read.ok) throw new DomainError('broker_error', `Alpaca's answer to GET ${path} could not be read: ${read.reason}`);
      return read.qty;
    }
    // Only Alpaca's own "no such position" is 0; a 404 of anything else (a wrong rest_url, a proxy) is not an answer.
    if (res.kind === 'error' && res.status === 404 && /position/i.test(res.error?.message ?? '')) return 0;
    const code = res.kind === 'error' && (res.status === 401 || res.status === 403) ? 'unauthorized' : 'unavailable';
    throw new DomainError(code, `could not ask Alpaca how many ${symbol} the account holds (GET ${path}): ${describeRest(res)}`);
  }

  /**
   * A cheap authenticated GET /v2/clock, so the connection the order will use is open and warm
   * (the transport keeps it alive for a few seconds). Skipped when the budget is needed for orders.
   */
  async warm(): Promise<void> {
    const res = await this.deps.rest.request({ method: 'GET', path: '/v2/clock', optional: true });
    if (res.kind === 'transport' || (res.kind === 'error' && res.status !== 429)) throw new DomainError('unavailable', `Alpaca warm-up failed: ${describeRest(res)}`);
  }

  /** Wires the trade_updates stream in and starts it. */
  attachStream(stream: TradeUpdatesStream): void {
    this.stream = stream;
    stream.start();
  }

  /** Wires the resting stops in: their stream events are theirs, and their reservation explains refusals. */
  attachRestingStops(claims: RestingStopClaims): void {
    this.restingStops = claims;
  }

  /** Called by the stream for every event. */
  onStreamUpdate(event: string, order: AlpacaOrder, timestamp: string | undefined): void {
    if (this.stopped || this.restingStops?.takeStreamEvent(order)) return;
    this.followLater(this.fold(order, timestamp, { emit: true, ours: false }, event));
  }

  /** The stream listens again: one poll catches up on what happened while it was away. */
  onStreamUp(): void {
    this.pollTimer?.cancel();
    this.pollTimer = undefined;
    void this.pollOnce();
    // The poll knows this process's own orders; the engine's journal knows those of the process before it.
    for (const l of this.listening) {
      try {
        l();
      } catch {
        // One listener's failure is its own; the others still hear it.
      }
    }
  }

  /** The stream is gone: poll open orders until it is back. */
  onStreamDown(): void {
    if (this.stopped || this.pollTimer) return;
    const tick = () => {
      void this.pollOnce().finally(() => {
        if (!this.stopped && this.pollTimer && !this.stream?.isListening()) this.pollTimer = this.deps.clock.setTimer(this.deps.timing.orderPollIntervalMs, tick);
      });
    };
    this.pollTimer = this.deps.clock.setTimer(this.deps.timing.orderPollIntervalMs, tick);
  }

  stop(): void {
    this.stopped = true;
    this.listening.clear();
    this.stream?.stop();
    this.pollTimer?.cancel();
    this.pollTimer = undefined;
    this.tracker.clear();
  }

  private async pollOnce(): Promise<void> {
    if (this.polling || this.stopped) return;
    this.polling = true;
    try {
      for (const clientOrderId of this.tracker.openOrders()) {
        const found = await this.lookup(clientOrderId, 'poll');
        if (found.kind === 'failed') break;
      }
    } finally {
      this.polling = false;
    }
  }

  /** A 4xx to a placement: does Alpaca hold the order anyway? `lasting` is for when it does not. */
  private async settleRefusal(clientOrderId: string, description: string, lasting: boolean): Promise<PlaceOrderResult> {
    const found = await this.lookup(clientOrderId, 'emit');
    if (found.kind === 'found') {
      this.deps.logger.warn({ clientOrderId, reply: description }, 'alpaca refused the order yet holds it; treated as accepted');
      return { kind: 'accepted', brokerOrderId: found.report.brokerOrderId, at: found.report.at };
    }
    if (found.kind === 'failed') return { kind: 'unknown', reason: `${description}; the lookup that would settle it failed: ${found.reason}` };
    // "Taken" yet not found contradicts itself: leave it to the engine's reconciliation.
    if (/client_order_id must be unique/i.test(description)) return { kind: 'unknown', reason: `${description}, yet no order has that id` };
    return lasting ? { kind: 'rejected', reason: description, lasting: true } : { kind: 'rejected', reason: description };
  }

  /**
   * GET /v2/orders:by_client_order_id (§1.6), then, while the order found was replaced, GET
   * /v2/orders/{replaced_by} (§1.6) for each replacement, at most MAX_REPLACEMENTS. `quiet`: the
   * caller hands the answer to the engine itself (reconciliation); `emit`: the answer goes out as
   * an update too; `poll`: the same, as optional work that gives way to orders.
   */
  private async lookup(clientOrderId: string, mode: LookupMode): Promise<Lookup> {
    const res = await this.deps.rest.request({ method: 'GET', path: '/v2/orders:by_client_order_id', query: { client_order_id: clientOrderId }, optional: mode === 'poll' });
    if (res.kind === 'error' && res.status === 404) return { kind: 'absent' };
    const first = this.readReply(res, mode);
    if (first.kind === 'failed') return first;
    let { leg, report } = first.folded;
    // Each replacement is read afresh, even one known already: what is known of it may be old.
    for (let hops = 0; isReplaced(leg) && hops < MAX_REPLACEMENTS; hops++) {
      const id = this.chains.successor(leg.id);
      if (id === undefined) {
        this.deps.logger.warn({ clientOrderId, brokerOrderId: leg.id }, 'alpaca order replaced without naming its replacement; reported as still open');
        break;
      }
      const next = await this.fetchById(id, mode);
      // A replacement that cannot be read leaves the order's state unknown, not "as the replaced one was".
      if (next.kind === 'failed') return { kind: 'failed', reason: `the order was replaced by ${id}, which could not be read: ${next.reason}` };
      ({ leg, report } = next.folded);
    }
    return { kind: 'found', report };
  }

  /** GET /v2/orders/{id} (§1.6), folded in; a 404 is a failure here, since Alpaca named the id. */
  private async fetchById(id: string, mode: LookupMode): Promise<{ kind: 'folded'; folded: Folded } | { kind: 'failed'; reason: string }> {
    const res = await this.deps.rest.request({ method: 'GET', path: `/v2/orders/${encodeURIComponent(id)}`, optional: mode === 'poll' });
    return this.readReply(res, mode);
  }

  private readReply(res: RestResult, mode: LookupMode): { kind: 'folded'; folded: Folded } | { kind: 'failed'; reason: string } {
    if (res.kind !== 'ok') return { kind: 'failed', reason: describeRest(res) };
    const order = orderSchema.safeParse(res.body);
    if (!order.success) return { kind: 'failed', reason: 'the reply is not an Alpaca order' };
    const folded = this.fold(order.data, undefined, { emit: mode !== 'quiet', ours: true });
    return folded ? { kind: 'folded', folded } : { kind: 'failed', reason: 'the order in the reply could not be read' };
  }

  /**
   * A stream event or a placement reply named a replacement of one of our orders not read yet: read
   * it (and any that replaced it in turn). Its own stream events would link it too; this covers
   * their loss. The trader's own orders are left to the stream: their replacements (every PATCH)
   * would spend the key's request budget. A failure is left to the fallback poll and the engine's
   * lookups, which follow the chain themselves.
   */
  private followLater(folded: Folded | null): void {
    const id = folded?.follow;
    if (!id || this.stopped || this.following.has(id) || !this.tracker.isOurs(folded.report.clientOrderId)) return;
    this.following.add(id);
    void (async () => {
      let next: string | null = id;
      for (let hops = 0; next !== null && hops < MAX_REPLACEMENTS && !this.stopped; hops++) {
        const found = await this.fetchById(next, 'emit');
        if (found.kind === 'failed') {
          this.deps.logger.warn({ brokerOrderId: next, reason: found.reason }, 'alpaca replacement order could not be read; the next poll or lookup follows it again');
          return;
        }
        next = found.folded.follow;
      }
    })().finally(() => this.following.delete(id));
  }

  private fold(order: AlpacaOrder, timestamp: string | undefined, opts: { emit: boolean; ours: boolean }, event?: string): Folded | null {
    const read = readLeg(order, this.deps.clock.now(), timestamp);
    if (!read.ok) {
      this.deps.logger.warn({ clientOrderId: order.client_order_id, event, reason: read.reason }, 'alpaca order update dropped: unreadable');
      return null;
    }
    if (!read.leg.knownStatus) this.deps.logger.warn({ clientOrderId: order.client_order_id, status: order.status }, 'alpaca order status unknown to Tradeclock; treated as still open');
    const { chain, follow, isNew } = this.chains.add(read.leg);
    const report = chainReport(chain);
    if (isNew && chain.length > 1 && report.brokerOrderId === read.leg.id) this.deps.logger.info({ clientOrderId: report.clientOrderId, brokerOrderId: read.leg.id, replaces: read.leg.replaces }, 'alpaca replaced the order; following the replacement');
    this.tracker.observe(report, opts);
    return { leg: read.leg, report, follow };
  }
}

/** Requests Alpaca would refuse, refused here without a round trip. */
function invalidRequest(req: PlaceOrderRequest): string | null {
  const id = req.clientOrderId;
  if (id.length === 0 || id.length > ALPACA_CLIENT_ORDER_ID_MAX_LENGTH) return `client order id must be 1 to ${ALPACA_CLIENT_ORDER_ID_MAX_LENGTH} characters`;
  // capabilities.fractionalQty is false: whole shares only.
  if (!Number.isSafeInteger(req.qty) || req.qty <= 0) return `qty must be a whole number of shares above 0, got ${req.qty}`;
  if (req.side !== 'buy' && req.side !== 'sell') return `side must be buy or sell, got "${String(req.side)}"`;
  return null;
}

