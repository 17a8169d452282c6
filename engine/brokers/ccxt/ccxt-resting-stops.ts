/**
 * The backstop at a CCXT venue (issue 20, issue 22 slice 5): Binance spot's `STOP_LOSS`, a sell
 * (or buy) that becomes a MARKET order once the last trade reaches `stopPrice` (rest-api "New
 * order": "This will execute a MARKET order when the conditions are met"), or `STOP_LOSS_LIMIT`
 * when the engine gives a limit. Placed through CCXT's unified `stopLossPrice` (`binance.js`
 * createOrderRequest: market + stopLossPrice → STOP_LOSS on spot), carrying the journal's id as
 * `newClientOrderId`; looked up and cancelled by `origClientOrderId`; its fill comes on the user
 * data stream as `executionReport`s of type STOP_LOSS (routed here by CcxtExecution).
 *
 * Exactly-once: Binance refuses an id in use by an open order (-2010 "Duplicate order sent."), but
 * takes it again once that order is filled, so a placement is never resent on an ambiguous answer:
 * it is looked up, and the keeper sends again only what the venue certainly did not take.
 *
 * A resting sell locks the base asset (the account's `locked` balance), so the engine's own exit
 * can only sell after the stop is cancelled (`reservesPosition`); `netQty` counts the free balance
 * then (what is still locked is the trader's own open orders').
 * The stop sells at most the free balance floored to the pair's step: after a buy whose fee was
 * taken in the coin (0.0015 bought, 0.0014985 held) it covers 0.00149, and its report says so.
 *
 * Modify is a cancel, then the next version placed for what the cancelled version locked (Binance's
 * cancelReplace, which CCXT offers as `editOrder`, in STOP_ON_FAILURE mode leaves the same gap when
 * the new order is refused); the keeper's modify budget bounds how often.
 */
import type { Exchange as CcxtExchange, Order } from 'ccxt';
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock';
import { qtyText } from '../../core/qty';
import type { BrokerRestingStops, Instrument, RestingStopReport, RestingStopRef, RestingStopRequest, RestingStopResult } from '../broker';
import { Listeners } from '../alpaca/listeners';
import { classifyPlacement, venueCode } from './ccxt-errors';
import type { CcxtExecution } from './ccxt-execution';
import { errorKinds, scrub, scrubError } from './ccxt-scrub';
import type { CcxtVenue } from './ccxt-venues';

/**
 * Whether a strategy that leaves `backstop` out gets one at Binance: on, as at Alpaca and Kite
 * (`backstop: false` rests none). Binance's account endpoint may count a cancelled stop's coins as
 * locked for seconds after the cancel (CCXT issue #8507; Freqtrade reports 10-20 s), so neither
 * the engine's exit after the cancel nor a trailing move's next version reads the balance for
 * them: the exit sells the quantity the cancel was confirmed for (held-qty.ts), and `modify`
 * rests the next version for the cancelled version's (docs/plans/issue-22-crypto.md, slice 5).
 */
export const CCXT_BACKSTOP_BY_DEFAULT = true;

/**
 * A trailing stop moves it at most this often: each move is two orders (a cancel and a new one)
 * out of Binance's 100 per 10 s, and leaves the position without a stop for one round trip.
 */
export const CCXT_STOP_MODIFIES_PER_MINUTE = 6;

/** The venue's order types this module places and reads back as a resting stop. */
const STOP_TYPES = new Set(['STOP_LOSS', 'STOP_LOSS_LIMIT']);

export interface CcxtRestingStopsDeps {
  readonly venue: CcxtVenue;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly execution: CcxtExecution;
  readonly secrets: readonly string[];
}

export class CcxtRestingStops implements BrokerRestingStops {
  readonly kind = 'stop_order' as const;
  readonly reservesPosition = true;
  readonly marketOnFire = true;
  readonly oco = false;
  readonly modifiesPerMinute = CCXT_STOP_MODIFIES_PER_MINUTE;
  readonly modifiesInPlace = false;
  readonly onByDefault = CCXT_BACKSTOP_BY_DEFAULT;
  private readonly listeners: Listeners<[RestingStopReport]>;

  constructor(private readonly deps: CcxtRestingStopsDeps) {
    this.listeners = new Listeners(deps.logger, `${deps.venue.ccxtId} resting stop update`);
  }

  async place(req: RestingStopRequest): Promise<RestingStopResult> {
    const invalid = this.deps.execution.invalidOrder(req.clientOrderId, req.instrument, req.qty) ?? invalidLevels(req);
    if (invalid) return { kind: 'rejected', reason: invalid };
    const { venue } = this.deps;
    let qty = req.qty;
    if (req.side === 'sell') {
      // A stop can lock only what is free: after a fee taken in the coin bought, less than the fill.
      let free: number;
      try {
        free = await this.deps.execution.netQty(req.instrument);
      } catch (err) {
        return { kind: 'unknown', reason: `the balance to protect could not be asked: ${err instanceof Error ? err.message : String(err)}`, notPlaced: true };
      }
      qty = Math.min(req.qty, free);
      if (!(qty > 0)) {
        // Nothing free: this very stop may be what locks it (a placement sent again).
        const found = await this.find(req.clientOrderId, req.instrument).catch(() => undefined);
        if (found) return { kind: 'done', report: found };
        if (found === undefined) return { kind: 'unknown', reason: `${venue.title} holds no free ${req.instrument.symbol} base asset and the stop could not be looked up`, notPlaced: true };
        return { kind: 'rejected', reason: `${venue.title} holds no free ${req.instrument.symbol} base asset to rest a stop on (asked ${qtyText(req.qty)})` };
      }
    }
    return this.rest(req, qty);
  }

  /** Places the stop for `qty` (the free balance, or what the version it replaces locked). */
  private rest(req: RestingStopRequest, qty: number): Promise<RestingStopResult> {
    const { venue, secrets } = this.deps;
    const ctx = { precedence: 'exit' as const };
    return this.deps.execution.withContext(ctx, async (ex): Promise<RestingStopResult> => {
      let order: Order;
      try {
        const params = { [venue.placeIdParam]: req.clientOrderId, stopLossPrice: req.triggerPrice };
        order = await ex.createOrder(req.instrument.symbol, req.limitPrice === null ? 'market' : 'limit', req.side, qty, req.limitPrice ?? undefined, req.limitPrice === null ? params : { ...params, timeInForce: 'GTC' });
      } catch (err) {
        const outcome = classifyPlacement(venue, err, ctx, secrets);
        if (outcome.kind === 'rejected') return { kind: 'rejected', reason: outcome.reason };
        if (outcome.notPlaced === true) return outcome;
        // It may have been placed (a timeout, -1007, "Duplicate order sent."): look it up, never resend.
        const found = await this.find(req.clientOrderId, req.instrument).catch(() => undefined);
        if (found) return { kind: 'done', report: found };
        return { kind: 'unknown', reason: outcome.reason };
      }
      try {
        return { kind: 'done', report: this.reportOf(order, req.clientOrderId) };
      } catch (err) {
        return { kind: 'unknown', reason: scrub(`${venue.title} answered the stop with what cannot be read: ${err instanceof Error ? err.message : String(err)}`, secrets) };
      }
    });
  }

  /** Cancel, then the next version: the old one that fired is the answer (its fills are the exit). */
  async modify(ref: RestingStopRef, next: RestingStopRequest): Promise<RestingStopResult> {
    const cancelled = await this.cancel(ref);
    if (cancelled.kind !== 'done') return cancelled.kind === 'rejected' ? cancelled : { kind: 'unknown', reason: `the stop to move could not be cancelled yet: ${cancelled.reason}` };
    if (cancelled.report.status !== 'cancelled') return cancelled;
    // The next version locks what the cancel unlocked, not what the balance says: the account
    // endpoint may count the cancelled version's coins as locked for seconds yet (CCXT #8507), and
    // a fresh read would rest it for less, or refuse it for "no free" coins.
    const qty = Math.min(next.qty, cancelled.report.qty);
    const invalid = this.deps.execution.invalidOrder(next.clientOrderId, next.instrument, qty) ?? invalidLevels(next);
    const placed: RestingStopResult = invalid ? { kind: 'rejected', reason: invalid } : await this.rest(next, qty);
    // Refused (the new trigger already reached: "Order would trigger immediately."): nothing rests
    // now; the keeper journals the old version cancelled, as it is.
    return placed.kind === 'rejected' ? { kind: 'rejected', reason: `the stop was cancelled to move it and its next version was refused: ${placed.reason}`, cancelledVersion: cancelled.report } : placed;
  }

  async cancel(ref: RestingStopRef): Promise<RestingStopResult> {
    const { venue } = this.deps;
    try {
      const order = await this.deps.execution.withContext({ precedence: 'exit' }, (ex) => ex.cancelOrder('', ref.instrument.symbol, { [venue.lookupIdParam]: ref.clientOrderId }));
      // The answer names the cancel's own id as clientOrderId, the stop's as origClientOrderId.
      return { kind: 'done', report: this.reportOf(order, ref.clientOrderId) };
    } catch (err) {
      if (!this.notFound(err)) return { kind: 'unknown', reason: scrubError(err, this.deps.secrets).message };
    }
    // -2011: not open (it fired, or was cancelled) or never placed: where it stands decides.
    let found: RestingStopReport | null;
    try {
      found = await this.find(ref.clientOrderId, ref.instrument);
    } catch (err) {
      return { kind: 'unknown', reason: `the lookup that would confirm the cancel failed: ${err instanceof Error ? err.message : String(err)}` };
    }
    if (found === null) return { kind: 'done', report: neverPlaced(ref, this.deps.clock.now(), venue.title) };
    if (found.status === 'resting') return { kind: 'unknown', reason: `${venue.title} refused the cancel of stop ${ref.clientOrderId} yet it still rests; look it up again` };
    return found.status === 'cancelled' ? { kind: 'done', report: found, foundCancelled: true } : { kind: 'done', report: found };
  }

  async lookup(ref: RestingStopRef): Promise<RestingStopReport | null> {
    return this.find(ref.clientOrderId, ref.instrument);
  }

  onUpdate(listener: (report: RestingStopReport) => void): () => void {
    return this.listeners.add(listener);
  }

  /**
   * An order from the user data stream: true when it is a stop (STOP_LOSS, STOP_LOSS_LIMIT), whose
   * report then goes to this module's listeners and never to the order listener (entries and
   * exits). The engine places no other stop orders, so the type says it is ours, after a restart too.
   */
  takeStreamOrder(order: Order): boolean {
    if (!isStopOrder(order)) return false;
    const id = order.clientOrderId;
    if (typeof id !== 'string' || id === '') return true;
    try {
      this.listeners.emit(this.reportOf(order, id));
    } catch (err) {
      this.deps.logger.warn({ clientOrderId: id, reason: err instanceof Error ? err.message : String(err) }, 'resting stop update dropped: unreadable');
    }
    return true;
  }

  stop(): void {
    this.listeners.clear();
  }

  /** GET /api/v3/order by origClientOrderId; null when the venue has none (-2013). */
  private async find(clientOrderId: string, instrument: Pick<Instrument, 'symbol'>): Promise<RestingStopReport | null> {
    try {
      const order = await this.deps.execution.withContext({ precedence: 'other' }, (ex: CcxtExchange) => ex.fetchOrder('', instrument.symbol, { [this.deps.venue.lookupIdParam]: clientOrderId }));
      return this.reportOf(order, clientOrderId);
    } catch (err) {
      if (this.notFound(err)) return null;
      throw scrubError(err, this.deps.secrets);
    }
  }

  private notFound(err: unknown): boolean {
    return venueCode(this.deps.venue, err) === 'not-found' || errorKinds(err).includes('OrderNotFound');
  }

  /**
   * CCXT's unified order as a resting stop's report. NEW and not working: resting; working (it
   * triggered) or partly filled: fired, not done; FILLED, or cancelled/expired after fills: fired
   * and done; cancelled or expired without a fill: cancelled. Throws on what cannot be read.
   */
  private reportOf(order: Order, clientOrderId: string): RestingStopReport {
    const info = (order.info ?? {}) as Record<string, unknown>;
    const filled = order.filled ?? 0;
    if (!Number.isFinite(filled) || filled < 0) throw new Error(`filled quantity ${String(order.filled)}`);
    const qty = order.amount;
    if (qty === undefined || !Number.isFinite(qty) || qty <= 0) throw new Error(`quantity ${String(order.amount)}`);
    const trigger = order.triggerPrice ?? Number(info.stopPrice ?? info.P);
    if (!Number.isFinite(trigger) || trigger <= 0) throw new Error(`stop price ${String(trigger)}`);
    if (order.id === undefined || order.id === null || String(order.id) === '') throw new Error('no order id');
    const average = filled > 0 ? (order.average ?? (order.cost !== undefined ? order.cost / filled : null)) : null;
    const type = String(info.type ?? info.o ?? '');
    const limitPrice = type === 'STOP_LOSS_LIMIT' && order.price !== undefined ? order.price : null;
    const working = info.isWorking === true || info.w === true;
    const s = order.status;
    const ended = s === 'canceled' || s === 'expired' || s === 'rejected';
    const status: RestingStopReport['status'] =
      s === 'closed' || (ended && filled > 0) || filled > 0 || (s === 'open' && working) ? 'fired' : s === 'rejected' ? 'rejected' : ended ? 'cancelled' : 'resting';
    const title = this.deps.venue.title;
    return {
      // A cancel's answer names the cancel's own id as clientOrderId: the stop is the one asked for.
      clientOrderId,
      brokerRef: String(order.id),
      status,
      triggerPrice: trigger,
      limitPrice,
      qty,
      filledQty: filled,
      avgFillPrice: average,
      done: status === 'fired' ? s === 'closed' || ended : status !== 'resting',
      at: order.lastUpdateTimestamp ?? order.lastTradeTimestamp ?? order.timestamp ?? this.deps.clock.now(),
      reason: status === 'cancelled' ? `${s} at ${title}` : status === 'rejected' ? `${title} rejected the stop` : null,
    };
  }
}

/** A stop order by its venue type: REST answers carry `type`, executionReports `o`. */
function isStopOrder(order: Order): boolean {
  const info = (order.info ?? {}) as Record<string, unknown>;
  return STOP_TYPES.has(String(info.type ?? info.o ?? ''));
}

function invalidLevels(req: RestingStopRequest): string | null {
  if (!Number.isFinite(req.triggerPrice) || req.triggerPrice <= 0) return `triggerPrice must be a price above 0, got ${req.triggerPrice}`;
  if (req.limitPrice !== null && (!Number.isFinite(req.limitPrice) || req.limitPrice <= 0)) return `limitPrice must be a price above 0 or null, got ${req.limitPrice}`;
  if (req.target) return 'a take-profit cannot rest with the stop here (no one-cancels-other backstop)';
  return null;
}

function neverPlaced(ref: RestingStopRef, at: number, title: string): RestingStopReport {
  return { clientOrderId: ref.clientOrderId, brokerRef: ref.brokerRef ?? '', status: 'cancelled', triggerPrice: ref.triggerPrice, limitPrice: null, qty: ref.qty, filledQty: 0, avgFillPrice: null, done: true, at, reason: `${title} has no such order: it was never placed` };
}

