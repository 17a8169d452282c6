/**
 * Orders at a CCXT venue over REST: a market order carrying our client order id in the venue's
 * own field (Binance `newClientOrderId`), a lookup and a cancel by that id (`origClientOrderId`).
 *
 * Binance refuses a reused id only while the first order is open (ccxt-venues.ts), so a lost
 * answer is never resent here: the placement answers `unknown` and the engine looks the order up
 * by its id before anything else (reconciler.ts, `rejectsDuplicateClientOrderId: false`).
 *
 * The venue names an order by (symbol, id), not by the id alone: the symbol comes from the
 * instrument the caller passes (the reconciler does, as `lookupNeedsInstrument` asks), else from
 * this process's own placements. A lookup without either throws (the engine asks again), never
 * answers null: null means "not at the venue", and that would let the order be sent a second time.
 */
import type { Exchange as CcxtExchange, Order } from 'ccxt';
import type { Clock } from '../../core/clock';
import { floorToStep, isMultipleOfStep, qtyText } from '../../core/qty';
import type { BrokerExecution, CredentialCheck, Instrument, OrderInstrument, OrderReport, PlaceOrderRequest, PlaceOrderResult } from '../broker';
import type { Precedence } from '../alpaca/rate-budget';
import { classifyPlacement, venueCode } from './ccxt-errors';
import { callContext, type CallContext } from './ccxt-fetch';
import { CCXT_EXCHANGE } from './ccxt-instruments';
import { errorKinds, scrub, scrubError } from './ccxt-scrub';
import type { CcxtVenue } from './ccxt-venues';

const CLIENT_ID = /^[a-zA-Z0-9_-]+$/;

export interface CcxtExecutionDeps {
  readonly venue: CcxtVenue;
  readonly clock: Clock;
  /** The account's instance, markets loaded. */
  readonly exchange: () => Promise<CcxtExchange>;
  /** The account's key and secret, kept out of every message. */
  readonly secrets: readonly string[];
}

export class CcxtExecution implements BrokerExecution {
  private readonly listeners = new Set<(r: OrderReport) => void>();
  private readonly listeningListeners = new Set<() => void>();
  private stops: { takeStreamOrder(order: Order): boolean } | undefined;
  /** Client order id → unified symbol, for the orders this process placed. */
  private readonly symbols = new Map<string, string>();

  constructor(private readonly deps: CcxtExecutionDeps) {}

  /** One signed request (the balances): a key the venue refuses is named, never shown. */
  async validateCredentials(): Promise<CredentialCheck> {
    try {
      await this.call('other', async (ex) => ex.fetchBalance());
      return { ok: true };
    } catch (err) {
      return { ok: false, reason: err instanceof Error ? err.message : String(err) };
    }
  }

  async placeOrder(req: PlaceOrderRequest): Promise<PlaceOrderResult> {
    const invalid = this.invalidOrder(req.clientOrderId, req.instrument, req.qty);
    if (invalid) return { kind: 'rejected', reason: invalid, lasting: true };
    const { venue, secrets, clock } = this.deps;
    // The journal's sending mark goes just before the order's POST leaves, past the budget's wait.
    const ctx: CallContext = { precedence: req.opens ? 'entry' : 'exit', ...(req.sending ? { beforePost: req.sending } : {}) };
    return callContext.run(ctx, async () => {
      let ex: CcxtExchange;
      try {
        ex = await this.deps.exchange();
      } catch (err) {
        // The markets could not be loaded: the order was not sent.
        return { kind: 'unknown', reason: scrubError(err, secrets).message, notPlaced: true, ...(ctx.retryAfterMs !== undefined ? { retryAfterMs: ctx.retryAfterMs } : {}) };
      }
      this.symbols.set(req.clientOrderId, req.instrument.symbol);
      let order: Order;
      try {
        order = await ex.createOrder(req.instrument.symbol, 'market', req.side, req.qty, undefined, { [venue.placeIdParam]: req.clientOrderId });
      } catch (err) {
        if (venueCode(venue, err) === 'clock') await this.resyncClock(ex);
        return classifyPlacement(venue, err, ctx, secrets);
      }
      let report: OrderReport;
      try {
        report = this.reportOf(order, req.clientOrderId);
      } catch (err) {
        // Placed, but the answer cannot be read: look it up.
        return { kind: 'unknown', reason: scrub(`${venue.title} answered the order with what cannot be read: ${err instanceof Error ? err.message : String(err)}`, secrets) };
      }
      // The answer already says how it filled (Binance answers a MARKET order FULL): a report,
      // after the engine has taken the placement itself.
      queueMicrotask(() => this.emit(report));
      return { kind: 'accepted', brokerOrderId: report.brokerOrderId, at: order.timestamp ?? clock.now() };
    });
  }

  /**
   * The order with this client id, or null when the venue has none. `instrument` names its
   * symbol; without it, only an order placed by this process can be looked up (else it throws).
   */
  async lookupOrder(clientOrderId: string, instrument?: OrderInstrument): Promise<OrderReport | null> {
    const symbol = this.symbolOf(clientOrderId, instrument);
    try {
      return await this.call('other', async (ex) => this.reportOf(await ex.fetchOrder('', symbol, { [this.deps.venue.lookupIdParam]: clientOrderId }), clientOrderId));
    } catch (err) {
      if (this.notFound(err)) return null;
      throw err;
    }
  }

  /** Cancels it; an order no longer open is left as it is (its end is reported by a lookup). */
  async cancelOrder(clientOrderId: string, instrument?: OrderInstrument): Promise<void> {
    const symbol = this.symbolOf(clientOrderId, instrument);
    try {
      const order = await this.call('exit', async (ex) => ex.cancelOrder('', symbol, { [this.deps.venue.lookupIdParam]: clientOrderId }));
      this.emit(this.reportOf(order, clientOrderId));
    } catch (err) {
      if (!this.notFound(err)) throw err;
      const found = await this.lookupOrder(clientOrderId, instrument);
      if (found) this.emit(found);
    }
  }

  /**
   * What the account can sell of the pair's base asset: its free balance, floored to the pair's
   * step. A spot account has no position, only balances, and never a short. What is locked is
   * not sellable: it belongs to open orders, the trader's own (a LIMIT sell rested from the
   * Binance app locks BTC a new sell cannot use: refused -2010 "insufficient balance", for good),
   * or our resting stop, which the engine's exit cancels before it asks (execution-engine.ts
   * clearBackstop), so its amount is free again by then; a new stop, too, can lock only what is
   * free. After a buy whose fee was taken in the base asset this is less than the buy filled
   * (0.0015 BTC bought, 0.0014985 held, 0.00149 sellable).
   * Throws, naming what was wrong, when the balances cannot be asked or read; never 0 for unknown.
   * @example await execution.netQty(btcUsdt) // 0.00149 after a buy of 0.0015 with the 0.1 % fee in BTC
   */
  async netQty(instrument: Instrument): Promise<number> {
    return floored(await this.freeBalance(instrument), instrument);
  }

  private async freeBalance(instrument: Instrument): Promise<number> {
    return this.call('exit', async (ex) => {
      const base = ex.market(instrument.symbol).base;
      const balances = (await ex.fetchBalance()) as unknown as Record<string, { free?: unknown } | undefined>;
      // An asset the account never held is left out of the answer: none held.
      const free = balances[base]?.free ?? 0;
      if (typeof free !== 'number' || !Number.isFinite(free) || free < 0) throw new Error(`${this.deps.venue.title} answered the balance of ${base} with a free amount that is not a quantity: ${String(free).slice(0, 40)}`);
      return free;
    });
  }

  onOrderUpdate(listener: (report: OrderReport) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Each time the order update stream (ccxt-order-stream.ts) is confirmed, at start and after every reconnect. */
  onListening(listener: () => void): () => void {
    this.listeningListeners.add(listener);
    return () => this.listeningListeners.delete(listener);
  }

  /** The order update stream is listening again: tell the engine, which looks up what it waits on. */
  streamListening(): void {
    for (const l of [...this.listeningListeners]) {
      try {
        l();
      } catch {
        // A listener's failure must not stop the others.
      }
    }
  }

  /**
   * One order as the update stream shows it (CCXT's unified order from Binance's
   * `executionReport`), reported as it is now. One without our client id, or that cannot be
   * read, is left out: a lookup finds it.
   */
  streamUpdate(order: Order): void {
    // A resting stop's report goes to the backstop's listeners, never to the entries' and exits'.
    if (this.stops?.takeStreamOrder(order)) return;
    const id = order.clientOrderId;
    if (typeof id !== 'string' || id === '') return;
    let report: OrderReport;
    try {
      report = this.reportOf(order, id);
    } catch {
      return;
    }
    this.emit(report);
  }

  /** Routes the stream's stop orders to the account's resting stops (ccxt-resting-stops.ts). */
  attachRestingStops(stops: { takeStreamOrder(order: Order): boolean }): void {
    this.stops = stops;
  }

  /**
   * Runs `fn` on the account's instance under a call context of the caller's (its precedence in the
   * budget; `notSent` and `retryAfterMs` read back by classifyPlacement). Errors are not scrubbed.
   */
  async withContext<T>(ctx: CallContext, fn: (ex: CcxtExchange) => Promise<T>): Promise<T> {
    return callContext.run(ctx, async () => fn(await this.deps.exchange()));
  }

  /**
   * A REST request that is not an order's (the quote), under the account's budget, its errors
   * scrubbed. `optional`: sent only while the venue's `reservedForOrders` tokens stay free, else it
   * fails with BudgetReservedError without waiting (ccxt-fetch.ts).
   */
  request<T>(fn: (ex: CcxtExchange) => Promise<T>, optional = false): Promise<T> {
    return this.call('other', fn, optional ? this.deps.venue.reservedForOrders : undefined);
  }

  /** Runs `fn` on the account's instance under a call context; any error leaves scrubbed. */
  private async call<T>(precedence: Precedence, fn: (ex: CcxtExchange) => Promise<T>, reserve?: number): Promise<T> {
    try {
      // The markets load (shared with every other call) is never optional work: only `fn` is.
      const ex = await callContext.run({ precedence }, () => this.deps.exchange());
      return await callContext.run({ precedence, ...(reserve === undefined ? {} : { reserve }) }, () => fn(ex));
    } catch (err) {
      throw scrubError(err, this.deps.secrets);
    }
  }

  private notFound(err: unknown): boolean {
    return venueCode(this.deps.venue, err) === 'not-found' || errorKinds(err).includes('OrderNotFound');
  }

  private symbolOf(clientOrderId: string, instrument: OrderInstrument | undefined): string {
    const symbol = instrument?.symbol ?? this.symbols.get(clientOrderId);
    if (!symbol) throw new Error(`${this.deps.venue.title} names an order by its pair as well as its id, and no pair is known for client order id ${clientOrderId}`);
    return symbol;
  }

  /** Binance's -1021: the Clock and the venue disagree; learn the difference (GET /api/v3/time) for the next nonce. */
  private async resyncClock(ex: CcxtExchange): Promise<void> {
    try {
      await ex.loadTimeDifference();
    } catch {
      // The next placement's -1021 tries again.
    }
  }

  /** Why an order (or a resting stop) with this id, instrument and quantity cannot go to the venue; null: it can. */
  invalidOrder(id: string, instrument: Instrument, qty: number): string | null {
    const { venue } = this.deps;
    if (instrument.exchange !== CCXT_EXCHANGE) return `${venue.title} trades ${CCXT_EXCHANGE} pairs, not ${instrument.exchange}`;
    if (id.length === 0 || id.length > venue.clientOrderIdMaxLength || !CLIENT_ID.test(id)) return `client order id "${id}" does not fit ${venue.title}'s (1-${venue.clientOrderIdMaxLength} letters, digits, - and _)`;
    if (!(qty > 0) || !Number.isFinite(qty)) return `quantity ${qty} is not a positive number`;
    const step = instrument.qtyStep ?? null;
    // CCXT would truncate an off-step quantity to the step without a word: refuse it instead.
    if (step !== null && !isMultipleOfStep(qty, step)) return `quantity ${qtyText(qty)} is not a multiple of ${instrument.symbol}'s step ${qtyText(step)}`;
    return null;
  }

  /** CCXT's unified order as our report; throws on what cannot be read (a NaN, a negative fill). */
  private reportOf(order: Order, clientOrderId: string): OrderReport {
    const filled = order.filled ?? 0;
    if (!Number.isFinite(filled) || filled < 0) throw new Error(`filled quantity ${String(order.filled)}`);
    const average = filled > 0 ? (order.average ?? (order.cost !== undefined ? order.cost / filled : null)) : null;
    if (average !== null && !(Number.isFinite(average) && average > 0)) throw new Error(`average price ${String(average)}`);
    if (order.id === undefined || order.id === null || String(order.id) === '') throw new Error('no order id');
    const status: OrderReport['status'] =
      order.status === 'closed' ? 'filled' : order.status === 'canceled' || order.status === 'expired' ? 'cancelled' : order.status === 'rejected' ? 'rejected' : filled > 0 ? 'partially_filled' : 'accepted';
    return {
      clientOrderId: order.clientOrderId ?? clientOrderId,
      brokerOrderId: String(order.id),
      status,
      filledQty: filled,
      avgFillPrice: average,
      at: order.lastUpdateTimestamp ?? order.lastTradeTimestamp ?? order.timestamp ?? this.deps.clock.now(),
      reason: status === 'rejected' ? `${this.deps.venue.title} rejected the order` : status === 'cancelled' ? `${order.status} at ${this.deps.venue.title}` : null,
    };
  }

  private emit(report: OrderReport): void {
    for (const l of this.listeners) {
      try {
        l(report);
      } catch {
        // A listener's failure must not stop the others.
      }
    }
  }
}

/** A balance floored to the instrument's step (none stated: as it is). */
function floored(qty: number, instrument: Pick<Instrument, 'qtyStep'>): number {
  const step = instrument.qtyStep ?? null;
  return step === null ? qty : floorToStep(qty, step);
}
