/**
 * The paper broker's resting stops, modelled on Alpaca's stop orders: the broker holds the
 * position for a resting stop (an exit of those shares is refused until it is cancelled), and it
 * fires when the simulated price crosses its trigger, whether or not the trader's feed is up,
 * becoming a market order that fills at the paper fill model like any other. A limit, where the
 * request names one, is kept on record only: the paper fill is the market's.
 */
import type { Clock, TimerHandle } from '../../core/clock';
import { instrumentKey, type Exchange, type OrderSide } from '../../core/types';
import type { BrokerRestingStops, OrderReport, RestingStopRef, RestingStopReport, RestingStopRequest, RestingStopResult } from '../broker';
import { notifyAll } from './paper-listeners';
import { PAPER_CLIENT_ORDER_ID_MAX_LENGTH, type PaperExecution } from './paper-execution';
import { isMultipleOfStep, qtyLeft, qtySum, qtyText } from '../../core/qty';
import { paperQtyStep } from './paper-instruments';

/** Modifications per minute the engine keeps to for one paper stop. */
export const PAPER_STOP_MODIFIES_PER_MINUTE = 6;

/**
 * A failure the next place, modify or cancel suffers:
 * - `reject`: refused; nothing changes.
 * - `unknown`: the request times out before reaching the broker; nothing changes.
 * - `unknown-but-done`: the broker does it, but the answer is lost: only `lookup` tells.
 */
export type PaperStopFault = 'reject' | 'unknown' | 'unknown-but-done';

interface StopState {
  readonly request: RestingStopRequest;
  readonly key: string;
  report: RestingStopReport;
}

/** Whether a strategy that leaves `backstop` out gets one here (off: the simulated stop would fire on the price the engine's own stop acts on, doubling the record); the broker kind says the same. */
export const PAPER_BACKSTOP_BY_DEFAULT = false;

/** Resting stops of the paper broker; `createPaperBroker` wires them to its market and book. */
export class PaperRestingStops implements BrokerRestingStops {
  readonly kind = 'stop_order' as const;
  readonly reservesPosition = true;
  readonly marketOnFire = true;
  readonly oco = false;
  readonly modifiesPerMinute = PAPER_STOP_MODIFIES_PER_MINUTE;
  readonly modifiesInPlace = false;
  readonly onByDefault = PAPER_BACKSTOP_BY_DEFAULT;
  private readonly stops = new Map<string, StopState>();
  private readonly listeners = new Set<(report: RestingStopReport) => void>();
  private readonly timers = new Set<TimerHandle>();
  private readonly faults: PaperStopFault[] = [];
  private sequence = 0;
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly execution: PaperExecution,
    private readonly priceOf: (exchange: Exchange, symbol: string) => number,
  ) {
    execution.reserveFor((key, side) => this.reserved(key, side, null));
  }

  async place(req: RestingStopRequest): Promise<RestingStopResult> {
    return this.attempt(() => this.create(req, null));
  }

  async modify(ref: RestingStopRef, next: RestingStopRequest): Promise<RestingStopResult> {
    return this.attempt(() => {
      const stop = this.stops.get(ref.clientOrderId);
      if (!stop) return { kind: 'rejected', reason: `no resting stop "${ref.clientOrderId}"` };
      if (stop.report.status === 'fired') return { kind: 'done', report: stop.report };
      if (stop.report.status !== 'resting') return { kind: 'rejected', reason: `resting stop "${ref.clientOrderId}" is ${stop.report.status}` };
      const placed = this.create(next, stop);
      if (placed.kind === 'done') this.update(stop, { status: 'cancelled', reason: `replaced by ${next.clientOrderId}` });
      return placed;
    });
  }

  async cancel(ref: RestingStopRef): Promise<RestingStopResult> {
    return this.attempt(() => {
      const stop = this.stops.get(ref.clientOrderId);
      if (!stop) return { kind: 'rejected', reason: `no resting stop "${ref.clientOrderId}"` };
      if (stop.report.status === 'resting') this.update(stop, { status: 'cancelled', reason: 'cancelled on request' });
      return { kind: 'done', report: stop.report };
    });
  }

  async lookup(ref: RestingStopRef): Promise<RestingStopReport | null> {
    return this.stops.get(ref.clientOrderId)?.report ?? null;
  }

  onUpdate(listener: (report: RestingStopReport) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Fires every resting stop on "EXCHANGE:SYMBOL" whose trigger `price` reached. */
  priceMoved(key: string, price: number): void {
    if (this.stopped) return;
    for (const stop of this.stops.values()) {
      if (stop.key !== key || stop.report.status !== 'resting') continue;
      const crossed = stop.request.side === 'sell' ? price <= stop.request.triggerPrice : price >= stop.request.triggerPrice;
      if (crossed) this.fire(stop);
    }
  }

  /** Every stop the broker holds, in any state, oldest first. */
  held(): readonly RestingStopReport[] {
    return [...this.stops.values()].map((s) => s.report);
  }

  /** Queues a failure for the next place, modify or cancel; several calls fail that many, in order. */
  failNext(fault: PaperStopFault): void {
    this.faults.push(fault);
  }

  /** Cancels every pending notice and drops every listener; nothing is emitted afterwards. */
  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) timer.cancel();
    this.timers.clear();
    this.listeners.clear();
    this.faults.length = 0;
  }

  private attempt(act: () => RestingStopResult): RestingStopResult {
    if (this.stopped) return { kind: 'rejected', reason: 'paper broker is stopped' };
    const fault = this.faults.shift();
    if (fault === 'reject') return { kind: 'rejected', reason: 'injected rejection' };
    if (fault === 'unknown') return { kind: 'unknown', reason: 'injected timeout before the request reached the broker' };
    const result = act();
    return fault === 'unknown-but-done' ? { kind: 'unknown', reason: 'injected timeout after the broker acted on the request' } : result;
  }

  /** `replacing`: the stop a modify replaces, whose reservation the new version takes over. */
  private create(req: RestingStopRequest, replacing: StopState | null): RestingStopResult {
    const key = instrumentKey(req.instrument.exchange, req.instrument.symbol);
    const invalid = invalidReason(req, this.stops.has(req.clientOrderId));
    if (invalid) return { kind: 'rejected', reason: invalid };
    const held = Math.max(0, (req.side === 'sell' ? 1 : -1) * this.execution.holdingOf(key));
    const available = qtyLeft(held, this.reserved(key, req.side, replacing));
    if (req.qty > available) return { kind: 'rejected', reason: `insufficient qty available for order (requested: ${req.qty}, available: ${available})` };
    const price = this.priceOf(req.instrument.exchange, req.instrument.symbol);
    const crossed = req.side === 'sell' ? price <= req.triggerPrice : price >= req.triggerPrice;
    if (crossed) return { kind: 'rejected', reason: `stop price ${req.triggerPrice} is already crossed: the market is at ${price}` };
    const report: RestingStopReport = {
      clientOrderId: req.clientOrderId,
      brokerRef: `paper-stop-${++this.sequence}`,
      status: 'resting',
      triggerPrice: req.triggerPrice,
      limitPrice: req.limitPrice,
      qty: req.qty,
      filledQty: 0,
      avgFillPrice: null,
      done: false,
      at: this.clock.now(),
      reason: null,
    };
    const stop: StopState = { request: { ...req }, key, report };
    this.stops.set(req.clientOrderId, stop);
    this.notify(report);
    return { kind: 'done', report };
  }

  /** It becomes a market order for its quantity; the paper book fills it after its latencies. */
  private fire(stop: StopState): void {
    this.update(stop, { status: 'fired', reason: `triggered at ${stop.request.triggerPrice}` });
    const { clientOrderId, instrument, side, qty } = stop.request;
    const placed = this.execution.placeTriggered({ clientOrderId, instrument, side, qty, opens: false }, (order) => this.follow(stop, order));
    if (placed.kind !== 'accepted') this.update(stop, { done: true, reason: placed.reason });
  }

  private follow(stop: StopState, order: OrderReport): void {
    const finished = order.status === 'filled' || order.status === 'cancelled' || order.status === 'rejected';
    this.update(stop, { filledQty: order.filledQty, avgFillPrice: order.avgFillPrice, done: finished });
  }

  private update(stop: StopState, change: Partial<Pick<RestingStopReport, 'status' | 'filledQty' | 'avgFillPrice' | 'done' | 'reason'>>): void {
    stop.report = { ...stop.report, ...change, at: this.clock.now() };
    this.notify(stop.report);
  }

  /** Streamed from a timer, never from inside the caller's await. */
  private notify(report: RestingStopReport): void {
    if (this.stopped) return;
    const timer = this.clock.setTimer(0, () => {
      this.timers.delete(timer);
      if (!this.stopped) notifyAll(this.listeners, (listener) => listener(report));
    });
    this.timers.add(timer);
  }

  private reserved(key: string, side: OrderSide, except: StopState | null): number {
    const held: number[] = [];
    for (const stop of this.stops.values()) {
      if (stop !== except && stop.key === key && stop.request.side === side && stop.report.status === 'resting') held.push(stop.request.qty);
    }
    return qtySum(held);
  }
}

function invalidReason(req: RestingStopRequest, duplicate: boolean): string | null {
  if (duplicate) return 'duplicate client order id';
  const id = req.clientOrderId;
  if (typeof id !== 'string' || id.length === 0 || id.length > PAPER_CLIENT_ORDER_ID_MAX_LENGTH) return `client order id must be 1..${PAPER_CLIENT_ORDER_ID_MAX_LENGTH} characters`;
  if (req.side !== 'buy' && req.side !== 'sell') return `side must be buy or sell, got "${String(req.side)}"`;
  const step = paperQtyStep(req.instrument.exchange, req.instrument.symbol);
  if (step === 1 && (!Number.isSafeInteger(req.qty) || req.qty <= 0)) return `qty must be a whole number above 0, got ${req.qty}`;
  if (!(req.qty > 0) || !isMultipleOfStep(req.qty, step)) return `qty ${qtyText(req.qty)} is not a multiple of ${req.instrument.symbol}'s step ${qtyText(step)}`;
  if (!Number.isFinite(req.triggerPrice) || req.triggerPrice <= 0) return `stop price must be above 0, got ${req.triggerPrice}`;
  if (req.limitPrice !== null && (!Number.isFinite(req.limitPrice) || req.limitPrice <= 0)) return `limit price must be above 0, got ${req.limitPrice}`;
  return null;
}
