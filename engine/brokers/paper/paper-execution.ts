/**
 * The paper broker's order book: market orders fill at the simulated price after a configurable
 * delay, client order ids are unique as at Alpaca, and tests can inject the failures the engine
 * must survive (a rejection, a timeout before or after the broker took the order).
 */
import type { Clock, TimerHandle } from '../../core/clock';
import { DomainError, notFound } from '../../core/errors';
import { EXCHANGES, instrumentKey, type Exchange, type OrderSide } from '../../core/types';
import type { BrokerExecution, CredentialCheck, Instrument, OrderReport, PlaceOrderRequest, PlaceOrderResult } from '../broker';
import { PAPER_INSTRUMENT_KEY_PATTERN, PAPER_SYMBOL_PATTERN, type PaperBrokerConfig } from './paper-config';
import { notifyAll } from './paper-listeners';
import { fillPrice } from './paper-price';
import { isIndexSpot } from '../../core/index-underlyings';
import { isMultipleOfStep, qtyLeft, qtySum, qtyText } from '../../core/qty';
import { paperQtyStep } from './paper-instruments';

/** Matches `capabilities.clientOrderIdMaxLength` (Alpaca's limit). */
export const PAPER_CLIENT_ORDER_ID_MAX_LENGTH = 48;

/**
 * A failure the next `placeOrder` suffers:
 * - `reject`: the broker refuses it for a reason that may pass; nothing is recorded.
 * - `reject-lasting`: refused for a reason that will not pass (no position to sell); nothing recorded.
 * - `rate-limit`: not taken, "try again in a second" (a 429); nothing is recorded.
 * - `unknown`: the request times out before reaching the broker; nothing is recorded.
 * - `stream-lost`: accepted and answered as usual, but none of its updates (the fill) is streamed,
 *   as when the broker's stream was not listening yet: only `lookupOrder` tells what became of it.
 * - `unknown-but-accepted`: the broker records and fills the order, but the answer is lost, so
 *   the caller sees `{ kind: 'unknown' }` and must find the order with `lookupOrder`.
 */
export type PaperFault = 'reject' | 'reject-lasting' | 'rate-limit' | 'unknown' | 'unknown-but-accepted' | 'stream-lost';

/** The wait a `rate-limit` fault names, as a broker's rate window would. */
export const PAPER_RATE_LIMIT_RETRY_MS = 1_000;

export interface PaperFaultOptions {
  /**
   * For `unknown-but-accepted`: also drop the order's stream updates, as if the update stream
   * failed together with the request, so `lookupOrder` is the only way to learn the outcome.
   * Default false: the stream still reports the order, as a broker's stream would.
   */
  readonly silent?: boolean;
}

/** An order the paper broker holds, as `placedOrders()` lists it. */
export interface PaperOrder {
  readonly request: PlaceOrderRequest;
  readonly brokerOrderId: string;
  readonly placedAt: number;
  /** What `placeOrder` answered for it: 'unknown' when an injected fault hid the acceptance. */
  readonly answer: 'accepted' | 'unknown';
  /** Its latest state, as `lookupOrder` returns it. */
  readonly report: OrderReport;
}

interface OrderState {
  readonly request: PlaceOrderRequest;
  readonly accepted: OrderReport;
  readonly answer: 'accepted' | 'unknown';
  readonly silent: boolean;
  report: OrderReport;
  /** `ack`: 'accepted' not yet streamed; `fill`: streamed, fill pending; `done`: final. */
  phase: 'ack' | 'fill' | 'done';
  /** The order's one pending timer (ack, fill or a queued cancel notice). */
  timer: TimerHandle | undefined;
  /** Told every state of the order, streamed or not: the resting stop whose firing placed it. */
  readonly watch: ((report: OrderReport) => void) | undefined;
}

/** Execution half of the paper broker; `createPaperBroker` wires it to the market's prices. */
export class PaperExecution implements BrokerExecution {
  private readonly orders = new Map<string, OrderState>();
  private readonly listeners = new Set<(report: OrderReport) => void>();
  private readonly faults: { readonly fault: PaperFault; readonly silent: boolean }[] = [];
  /** Net filled quantity per "EXCHANGE:SYMBOL": buys minus sells, the trader's hand sales included. */
  private readonly holdings = new Map<string, number>();
  /** Reasons the next `netQty` calls throw, one per call. */
  private readonly netQtyFaults: string[] = [];
  private sequence = 0;
  private stopped = false;
  /** Quantity of "EXCHANGE:SYMBOL" that resting stops hold for an exit on `side`; none until they say. */
  private reservedQty: (key: string, side: OrderSide) => number = () => 0;

  constructor(
    private readonly clock: Clock,
    private readonly config: PaperBrokerConfig,
    private readonly priceOf: (exchange: Exchange, symbol: string) => number,
  ) {}

  /** Paper accounts need no keys; any credentials pass. */
  async validateCredentials(): Promise<CredentialCheck> {
    return { ok: true };
  }

  async placeOrder(req: PlaceOrderRequest): Promise<PlaceOrderResult> {
    if (this.stopped) return { kind: 'rejected', reason: 'paper broker is stopped' };
    req.sending?.();
    const injected = this.faults.shift();
    if (injected?.fault === 'reject') return { kind: 'rejected', reason: 'injected rejection' };
    if (injected?.fault === 'reject-lasting') return { kind: 'rejected', reason: 'injected rejection: no position to sell', lasting: true };
    if (injected?.fault === 'rate-limit') return { kind: 'unknown', reason: 'injected rate limit: not placed', notPlaced: true, retryAfterMs: PAPER_RATE_LIMIT_RETRY_MS };
    if (injected?.fault === 'unknown') return { kind: 'unknown', reason: 'injected timeout before the order reached the broker' };
    if (injected?.fault === 'unknown-but-accepted') {
      // Whatever the broker decided (even a duplicate rejection) is lost with the answer.
      this.accept(req, 'unknown', injected.silent);
      return { kind: 'unknown', reason: 'injected timeout after the broker received the order' };
    }
    return this.accept(req, 'accepted', injected?.fault === 'stream-lost');
  }

  async lookupOrder(clientOrderId: string): Promise<OrderReport | null> {
    return this.orders.get(clientOrderId)?.report ?? null;
  }

  /**
   * Cancels an order that has not filled yet; the update stream then reports 'cancelled' (after
   * 'accepted', if that was still due). A filled or already cancelled order is left as it is;
   * an id the broker never took is a `not_found` DomainError.
   */
  async cancelOrder(clientOrderId: string): Promise<void> {
    const order = this.orders.get(clientOrderId);
    if (!order) throw notFound(`paper order with client order id "${clientOrderId}"`);
    if (this.stopped || order.phase === 'done') return;
    order.timer?.cancel();
    const cancelled: OrderReport = { ...order.report, status: 'cancelled', at: this.clock.now(), reason: 'cancelled on request' };
    const notices = order.phase === 'ack' ? [order.accepted, cancelled] : [cancelled];
    order.report = cancelled;
    order.phase = 'done';
    // Streamed from a timer like every other update, never from inside the caller's await.
    order.timer = this.clock.setTimer(0, () => notices.forEach((notice) => this.emit(order, notice)));
  }

  onOrderUpdate(listener: (report: OrderReport) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * The account's signed net position in `instrument`: this broker's own fills (buys minus sells,
   * every order the broker took, including one whose answer a fault hid) less what `sellByHand`
   * took; negative for a short (a sell from flat opens one). Null when this process's book has
   * never traded it: the book lives in memory, so after a restart it cannot tell what an earlier
   * process bought. Throws an `unavailable` DomainError once stopped, or when `failNextNetQty` says so.
   */
  async netQty(instrument: Instrument): Promise<number | null> {
    if (this.stopped) throw new DomainError('unavailable', 'paper broker is stopped: cannot ask it what the account holds');
    const injected = this.netQtyFaults.shift();
    if (injected !== undefined) throw new DomainError('unavailable', injected);
    const key = instrumentKey(instrument.exchange, instrument.symbol);
    return this.holdings.has(key) ? this.holdingOf(key) : null;
  }

  /**
   * Net quantity of "EXCHANGE:SYMBOL" the account holds: buys minus sells, negative when more was
   * sold than bought (a short); 0 when never traded.
   */
  holdingOf(key: string): number {
    return this.holdings.get(key) ?? 0;
  }

  /**
   * Test control: the trader sells `qty` of "EXCHANGE:SYMBOL" by hand in the broker's own app,
   * outside Tradeclock. The holding drops by `qty` (below 0 if they sold more than held); no order
   * is listed, and no update is streamed, because no order of Tradeclock's was involved.
   * @example broker.sellByHand('NSE:INFY', 10) // netQty(INFY) is now 10 less
   */
  sellByHand(key: string, qty: number): void {
    if (!PAPER_INSTRUMENT_KEY_PATTERN.test(key)) throw new Error(`sellByHand: "${key}" is not "EXCHANGE:SYMBOL"`);
    const colon = key.indexOf(':');
    const step = paperQtyStep(key.slice(0, colon) as Exchange, key.slice(colon + 1));
    if (!(qty > 0) || !isMultipleOfStep(qty, step)) throw new Error(`sellByHand: qty must be a ${step === 1 ? 'whole number' : `multiple of ${qtyText(step)}`} above 0, got ${qty}`);
    this.holdings.set(key, qtySum([this.holdingOf(key), -qty]));
  }

  /** Makes the next `netQty` throw (the broker cannot be asked); several calls fail that many asks. */
  failNextNetQty(reason = 'injected failure: the broker could not be asked for the position'): void {
    this.netQtyFaults.push(reason);
  }

  /** Every order the broker holds, oldest first, as immutable snapshots. */
  placedOrders(): readonly PaperOrder[] {
    return [...this.orders.values()].map((o) => ({
      request: o.request,
      brokerOrderId: o.accepted.brokerOrderId,
      placedAt: o.accepted.at,
      answer: o.answer,
      report: o.report,
    }));
  }

  /**
   * Lets the resting stops hold the position for themselves, as Alpaca does: an exit of more than
   * what is held and not reserved is then refused with Alpaca's "insufficient qty available".
   */
  reserveFor(reservedQty: (key: string, side: OrderSide) => number): void {
    this.reservedQty = reservedQty;
  }

  /**
   * Places the market order a resting stop became when it fired: no injected fault and no
   * reservation applies to it (it is the reserving order), and `watch` is told each of its states.
   */
  placeTriggered(req: PlaceOrderRequest, watch: (report: OrderReport) => void): PlaceOrderResult {
    if (this.stopped) return { kind: 'rejected', reason: 'paper broker is stopped' };
    return this.accept(req, 'accepted', false, watch);
  }

  /** Queues a failure for the next `placeOrder`; several calls fail that many placements, in order. */
  failNextPlace(fault: PaperFault, options: PaperFaultOptions = {}): void {
    this.faults.push({ fault, silent: options.silent ?? false });
  }

  /** Cancels every pending timer and drops every listener; nothing is emitted afterwards. */
  stop(): void {
    this.stopped = true;
    for (const order of this.orders.values()) order.timer?.cancel();
    this.listeners.clear();
    this.faults.length = 0;
    this.netQtyFaults.length = 0;
  }

  private accept(req: PlaceOrderRequest, answer: 'accepted' | 'unknown', silent: boolean, watch?: (report: OrderReport) => void): PlaceOrderResult {
    if (this.orders.has(req.clientOrderId)) return { kind: 'rejected', reason: 'duplicate client order id' };
    const invalid = invalidReason(req) ?? (watch ? null : this.reservedReason(req));
    if (invalid) return { kind: 'rejected', reason: invalid };

    const at = this.clock.now();
    const accepted: OrderReport = {
      clientOrderId: req.clientOrderId,
      brokerOrderId: `paper-${++this.sequence}`,
      status: 'accepted',
      filledQty: 0,
      avgFillPrice: null,
      at,
      reason: null,
    };
    // Copy the request: a caller mutating its object later must not rewrite the broker's record.
    const order: OrderState = { request: { ...req }, accepted, answer, silent, report: accepted, phase: 'ack', timer: undefined, watch };
    this.orders.set(req.clientOrderId, order);
    order.timer = this.clock.setTimer(this.config.ackLatencyMs, () => this.acknowledge(order));
    return { kind: 'accepted', brokerOrderId: accepted.brokerOrderId, at };
  }

  private acknowledge(order: OrderState): void {
    if (this.stopped || order.phase !== 'ack') return;
    order.phase = 'fill';
    order.timer = this.clock.setTimer(this.config.fillLatencyMs, () => this.fill(order));
    order.watch?.(order.accepted);
    this.emit(order, order.accepted);
  }

  /** Alpaca's refusal of an exit whose shares a resting stop holds; null when enough is free. */
  private reservedReason(req: PlaceOrderRequest): string | null {
    if (req.opens) return null;
    const key = instrumentKey(req.instrument.exchange, req.instrument.symbol);
    const reserved = this.reservedQty(key, req.side);
    if (reserved === 0) return null;
    const held = Math.max(0, req.side === 'sell' ? this.holdingOf(key) : -this.holdingOf(key));
    const available = qtyLeft(held, reserved);
    return req.qty > available ? `insufficient qty available for order (requested: ${req.qty}, available: ${available})` : null;
  }

  private fill(order: OrderState): void {
    if (this.stopped || order.phase !== 'fill') return;
    const { instrument, side, qty } = order.request;
    // Priced when the fill happens, not when the order was placed: latency costs what it costs.
    // The instrument's own step: an index option's 0.05 whatever the account's.
    const price = fillPrice(this.priceOf(instrument.exchange, instrument.symbol), side, this.config.slippageBps, instrument.tickSize);
    order.report = { ...order.report, status: 'filled', filledQty: qty, avgFillPrice: price, at: this.clock.now() };
    order.phase = 'done';
    const key = instrumentKey(instrument.exchange, instrument.symbol);
    this.holdings.set(key, qtySum([this.holdingOf(key), side === 'buy' ? qty : -qty]));
    order.timer = undefined;
    order.watch?.(order.report);
    this.emit(order, order.report);
  }

  private emit(order: OrderState, report: OrderReport): void {
    if (this.stopped || order.silent) return;
    notifyAll(this.listeners, (listener) => listener(report));
  }
}

/** Why the paper broker refuses a request, or null when it is well-formed. */
function invalidReason(req: PlaceOrderRequest): string | null {
  const id = req.clientOrderId;
  if (typeof id !== 'string' || id.length === 0) return 'client order id is required';
  if (id.length > PAPER_CLIENT_ORDER_ID_MAX_LENGTH) return `client order id longer than ${PAPER_CLIENT_ORDER_ID_MAX_LENGTH} characters`;
  const { exchange, symbol } = req.instrument;
  if (!EXCHANGES.includes(exchange) || !PAPER_SYMBOL_PATTERN.test(symbol)) return `unknown instrument ${exchange}:${symbol}`;
  if (isIndexSpot(exchange, symbol)) return `${exchange}:${symbol} is an index: it has a price, and cannot be ordered`;
  if (req.side !== 'buy' && req.side !== 'sell') return `side must be buy or sell, got "${String(req.side)}"`;
  // capabilities.fractionalQty is false: whole units, except a pair's own step (PAPER_PAIRS).
  const step = paperQtyStep(exchange, symbol);
  if (step === 1 && (!Number.isSafeInteger(req.qty) || req.qty <= 0)) return `qty must be a whole number above 0, got ${req.qty}`;
  if (!(req.qty > 0) || !isMultipleOfStep(req.qty, step)) return `qty ${qtyText(req.qty)} is not a multiple of ${symbol}'s step ${qtyText(step)}`;
  return null;
}
