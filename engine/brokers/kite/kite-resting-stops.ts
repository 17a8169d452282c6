/**
 * The backstop at Kite (issue 20): a single-leg GTT whose one order is a LIMIT at the engine's
 * limit, or, when the leg has a target, a two-leg (OCO) GTT whose second order takes the profit
 * (kite-gtt.ts has the wire). A take-profit the price has already reached, or is too close to for
 * Kite, is left out: the stop rests alone and the engine's own target acts. Kite keeps no client
 * id for a GTT, so the journal's id stays ours and a GTT whose id was never learnt is found again
 * by `matchGtt`'s rule. The GTT lives at
 * Zerodha, not at the exchange, and holds no shares: another exit is not refused while it rests
 * (`reservesPosition` false), which is why the engine must cancel it and wait before its own.
 *
 * Every place and modify is preceded by GET /quote/ltp: the condition carries the last price, and Kite
 * reads the trigger's direction from it. A stop the price has already crossed would become a
 * trigger on the other side (a sell GTT above the price fires when the price rises to it), so it
 * is refused here, as is a trigger Kite would refuse for being too close to the last price.
 *
 * Kite sends no event when a GTT fires: gtt-watch.ts reads the resting ones (at once when an order
 * update looks like a GTT's order, and at a bounded rate anyway), and `onUpdate` tells the engine.
 *
 * Outcomes follow kite-errors.ts: a dead session or a 429 is `unknown` + `notPlaced`; a refusal
 * of the request is `rejected` (for a modify or a cancel, only once a lookup shows the GTT still
 * active); no answer is `unknown`, for the engine to look the stop up before it tries again.
 */
import type { Clock } from '../../core/clock';
import { DomainError } from '../../core/errors';
import type { BrokerRestingStops, RestingStopReport, RestingStopRef, RestingStopRequest, RestingStopResult, RestingTarget } from '../broker';
import { KiteError } from './kite-errors';
import { GttWatch, type GttRead } from './gtt-watch';
import { gttForm, gttState, matchGtt, readGtt, readGttList, triggerIdSchema, triggerTooClose, type KiteGtt } from './kite-gtt';
import type { KiteHttp } from './kite-http';
import type { KiteLtp } from './kite-ltp';
import { KITE_TRADED_EXCHANGES } from './kite-instruments';
import { kiteProductFor } from './kite-product';
import { FINAL_STATUSES, kiteOrderSchema } from './kite-orders';
import type { KiteOptions } from './kite-options';

/** Whether a strategy that leaves `backstop` out gets one here (on: its GTT rests at Kite while this PC is down); the broker kind says the same. */
export const KITE_BACKSTOP_BY_DEFAULT = true;

/** Whether a leg with a target gets a take-profit in its GTT (two-leg, OCO); the broker kind says the same. */
export const KITE_BACKSTOP_OCO = true;

/**
 * A trailing stop moves its GTT at most this often: each move is a GET /quote/ltp (1 request/s for
 * the account's quote endpoints, PROTOCOLS.md §2.9) and a PUT.
 */
export const KITE_GTT_MODIFIES_PER_MINUTE = 6;

export interface KiteRestingStopsDeps {
  readonly http: KiteHttp;
  readonly clock: Clock;
  readonly options: Pick<KiteOptions, 'product'>;
  /** The account's LTP reader (kite-ltp.ts), which keeps Kite's 1 quote request a second for every caller. */
  readonly ltp: Pick<KiteLtp, 'quote'>;
}

type Outcome = { readonly kind: 'ok'; readonly data: unknown } | { readonly kind: 'failed'; readonly result: RestingStopResult; readonly error: KiteError | null };
/** A GTT's form, and the request as it goes out (its take-profit left out where Kite would refuse it). */
type Form = { readonly kind: 'ok'; readonly data: Record<string, string>; readonly req: RestingStopRequest } | { readonly kind: 'failed'; readonly result: RestingStopResult };

export class KiteRestingStops implements BrokerRestingStops {
  readonly kind = 'gtt' as const;
  readonly reservesPosition = false;
  readonly marketOnFire = false;
  readonly oco = KITE_BACKSTOP_OCO;
  readonly modifiesPerMinute = KITE_GTT_MODIFIES_PER_MINUTE;
  readonly modifiesInPlace = true;
  readonly onByDefault = KITE_BACKSTOP_BY_DEFAULT;
  /** Trigger id → the journal id that owns it, for the GTTs this process placed or found. */
  private readonly owners = new Map<string, string>();
  private readonly listeners = new Set<(report: RestingStopReport) => void>();
  private readonly watch: GttWatch;

  constructor(private readonly deps: KiteRestingStopsDeps) {
    this.watch = new GttWatch({ clock: deps.clock, read: (ref) => this.watchRead(ref), emit: (report) => this.emit(report) });
  }

  /** Every GTT that stopped resting while watched: fired (its order's fills so far), or gone. */
  onUpdate(listener: (report: RestingStopReport) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** An order update from the ticker: it may be a watched GTT's order (gtt-watch.ts). */
  noticeOrder(data: unknown): void {
    this.watch.noticeOrder(data);
  }

  stop(): void {
    this.watch.stop();
    this.listeners.clear();
  }

  async place(req: RestingStopRequest): Promise<RestingStopResult> {
    const form = await this.form(req);
    if (form.kind === 'failed') return form.result;
    const sent = await this.send({ method: 'POST', path: '/gtt/triggers', form: form.data }, 'Kite did not confirm the GTT');
    if (sent.kind === 'failed') return sent.result;
    const answer = triggerIdSchema.safeParse(sent.data);
    if (!answer.success) return { kind: 'unknown', reason: `Kite accepted the GTT but its answer has no readable trigger_id (${JSON.stringify(sent.data)?.slice(0, 80)}); look it up` };
    this.owners.set(answer.data.trigger_id, req.clientOrderId);
    this.follow(form.req, answer.data.trigger_id);
    return { kind: 'done', report: this.restingReport(form.req, answer.data.trigger_id) };
  }

  async modify(ref: RestingStopRef, next: RestingStopRequest): Promise<RestingStopResult> {
    const id = await this.idOf(ref);
    if (id.kind === 'failed') return id.result;
    if (id.id === null) return { kind: 'rejected', reason: `Kite has no GTT for stop ${ref.clientOrderId} to modify` };
    const form = await this.form(next);
    if (form.kind === 'failed') return form.result;
    // PUT keeps the trigger id: the GTT carries the next version on.
    // A PUT may change the GTT's type: a take-profit left out now (the price near it) makes it single.
    const sent = await this.send({ method: 'PUT', path: `/gtt/triggers/${id.id}`, form: form.data }, 'Kite did not confirm the GTT modification');
    if (sent.kind === 'ok') {
      this.owners.set(id.id, next.clientOrderId);
      this.follow(form.req, id.id);
      return { kind: 'done', report: this.restingReport(form.req, id.id) };
    }
    if (sent.result.kind !== 'rejected') return sent.result;
    // Refused: the GTT may have fired or gone meanwhile, which is the answer then.
    const now = await this.read(ref, id.id);
    if (now.kind === 'failed') return now.result;
    if (now.report && now.report.status !== 'resting') return this.settled(id.id, now.report);
    return sent.result;
  }

  async cancel(ref: RestingStopRef): Promise<RestingStopResult> {
    const id = await this.idOf(ref);
    if (id.kind === 'failed') return id.result;
    if (id.id === null) return { kind: 'done', report: this.gone(ref, 'Kite has no such GTT: it was never placed') };
    const answer = await this.cancelGtt(ref, id.id);
    if (answer.kind === 'done') this.watch.unwatch(id.id);
    return answer;
  }

  private async cancelGtt(ref: RestingStopRef, id: string): Promise<RestingStopResult> {
    const deleted = await this.send({ method: 'DELETE', path: `/gtt/triggers/${id}` }, 'Kite did not confirm the GTT deletion');
    // A refusal (not active any more) or a 404 is settled by reading the GTT; no answer is not.
    if (deleted.kind === 'failed' && deleted.result.kind === 'unknown' && deleted.error?.httpStatus !== 404) return deleted.result;
    const now = await this.read(ref, id);
    if (now.kind === 'failed') return now.result;
    if (now.report === null) return { kind: 'done', report: this.gone(ref, 'Kite has no such GTT any more') };
    if (now.report.status === 'resting') return { kind: 'unknown', reason: `Kite answered the deletion of GTT ${id} (${deleted.kind === 'ok' || deleted.result.kind === 'done' ? 'success' : deleted.result.reason}) yet it still reads active; look it up again` };
    if (now.report.status !== 'fired' || now.report.done || now.orderId === null) return { kind: 'done', report: now.report };
    // It fired and its LIMIT order is still open: cancel that too, so the engine's exit cannot double it.
    const stopped = await this.send({ method: 'DELETE', path: `/orders/regular/${encodeURIComponent(now.orderId)}` }, 'Kite did not confirm the cancel of the GTT\'s order');
    if (stopped.kind === 'failed' && stopped.result.kind === 'unknown') return stopped.result;
    const after = await this.read(ref, id);
    if (after.kind === 'failed') return after.result;
    if (after.report?.done) return { kind: 'done', report: after.report };
    return { kind: 'unknown', reason: `the GTT fired and its order ${now.orderId} is not finished yet; look it up again` };
  }

  async lookup(ref: RestingStopRef): Promise<RestingStopReport | null> {
    const id = await this.idOf(ref);
    if (id.kind === 'failed') throw new DomainError('unavailable', `resting stop lookup at Kite failed (stop ${ref.clientOrderId}): ${id.result.kind === 'done' ? '' : id.result.reason}`);
    if (id.id === null) return null;
    const now = await this.read(ref, id.id);
    if (now.kind === 'failed') throw new DomainError('unavailable', `resting stop lookup at Kite failed (GTT ${id.id}): ${now.result.kind === 'done' ? '' : now.result.reason}`);
    // Recovery looks every open backstop up: the ones still resting are watched from then on.
    if (now.report?.status === 'resting') this.watch.watch({ ref: { ...ref, brokerRef: id.id, triggerPrice: now.report.triggerPrice, qty: now.report.qty }, limitPrice: now.report.limitPrice, targetLimitPrice: now.report.target?.limitPrice ?? null, product: this.deps.options.product });
    else this.watch.unwatch(id.id);
    return now.report;
  }

  private follow(req: RestingStopRequest, triggerId: string): void {
    this.watch.watch({ ref: { clientOrderId: req.clientOrderId, brokerRef: triggerId, instrument: req.instrument, side: req.side, qty: req.qty, triggerPrice: req.triggerPrice, targetPrice: req.target?.triggerPrice ?? null }, limitPrice: req.limitPrice, targetLimitPrice: req.target?.limitPrice ?? null, product: this.deps.options.product });
  }

  /** A modify refused because the GTT no longer rests: that is the answer, and it is watched no more. */
  private settled(triggerId: string, report: RestingStopReport): RestingStopResult {
    this.watch.unwatch(triggerId);
    return { kind: 'done', report };
  }

  /** The watch's read: a GTT Kite no longer has is gone; a failure keeps Kite's wait, if it named one. */
  private async watchRead(ref: RestingStopRef & { readonly brokerRef: string }): Promise<GttRead> {
    const now = await this.read(ref, ref.brokerRef);
    if (now.kind === 'failed') return { kind: 'failed', ...(now.result.kind === 'unknown' && now.result.retryAfterMs !== undefined ? { retryAfterMs: now.result.retryAfterMs } : {}) };
    return { kind: 'ok', report: now.report ?? this.gone(ref, 'Kite has no such GTT any more') };
  }

  /** Each listener on its own: one that throws does not keep the report from the others. */
  private emit(report: RestingStopReport): void {
    for (const listener of this.listeners) {
      try {
        listener(report);
      } catch {
        // A listener's failure is its own; the next report still goes to every listener.
      }
    }
  }

  /**
   * The GTT's form, after the quote its condition needs and the checks Kite would make anyway; a
   * take-profit Kite would refuse (reached, or too close to the last price) is left out of it.
   */
  private async form(req: RestingStopRequest): Promise<Form> {
    const invalid = invalidStop(req);
    if (invalid) return { kind: 'failed', result: { kind: 'rejected', reason: invalid } };
    const key = `${req.instrument.exchange}:${req.instrument.symbol}`;
    let last: number | undefined;
    try {
      last = (await this.deps.ltp.quote([req.instrument]))[0]?.price;
    } catch (err) {
      // Not asked (a dead session, our own limiter) keeps its words and wait; any other failure says what failed.
      if (err instanceof KiteError && err.notPlaced) return { kind: 'failed', result: { kind: 'unknown', reason: err.message, notPlaced: true, ...(err.retryAfterMs === null ? {} : { retryAfterMs: err.retryAfterMs }) } };
      return { kind: 'failed', result: { kind: 'unknown', reason: `could not read the last price the GTT needs, so nothing was sent: ${err instanceof Error ? err.message : String(err)}`, notPlaced: true } };
    }
    if (last === undefined) return { kind: 'failed', result: { kind: 'unknown', reason: `Kite's quote for ${key} has no last price, so nothing was sent`, notPlaced: true } };
    const crossed = req.side === 'sell' ? last <= req.triggerPrice : last >= req.triggerPrice;
    if (crossed) return { kind: 'failed', result: { kind: 'rejected', reason: `the price (${last}) has already crossed the stop (${req.triggerPrice}): a GTT there would fire on the other side, so the engine's own stop must act` } };
    if (triggerTooClose(last, req.triggerPrice)) return { kind: 'failed', result: { kind: 'rejected', reason: `Kite refuses a GTT trigger this close to the last price (${req.triggerPrice} against ${last}: at least 0.25% above ₹50, ₹0.09 below)` } };
    const target = restingTarget(req, last);
    const sent: RestingStopRequest = { ...req, target };
    return { kind: 'ok', req: sent, data: gttForm({ ...sent, limitPrice: req.limitPrice!, target: target && { ...target, limitPrice: target.limitPrice! } }, kiteProductFor(this.deps.options.product, req.instrument.exchange), last) };
  }

  /** The trigger id of the stop: the ref's, one this process knows, or the GTT `matchGtt` finds. */
  private async idOf(ref: RestingStopRef): Promise<{ kind: 'ok'; id: string | null } | { kind: 'failed'; result: RestingStopResult }> {
    if (ref.brokerRef !== null) return { kind: 'ok', id: ref.brokerRef };
    for (const [id, owner] of this.owners) if (owner === ref.clientOrderId) return { kind: 'ok', id };
    const listed = await this.send({ method: 'GET', path: '/gtt/triggers' }, 'could not list the GTTs');
    if (listed.kind === 'failed') return { kind: 'failed', result: listed.result.kind === 'rejected' ? { kind: 'unknown', reason: listed.result.reason } : listed.result };
    let gtts: KiteGtt[];
    try {
      gtts = readGttList(listed.data);
    } catch (err) {
      return { kind: 'failed', result: { kind: 'unknown', reason: (err as Error).message } };
    }
    const exclude = new Set([...(ref.excludeBrokerRefs ?? []), ...[...this.owners].filter(([, owner]) => owner !== ref.clientOrderId).map(([id]) => id)]);
    const found = matchGtt(gtts, ref, exclude);
    if (found) this.owners.set(found.id, ref.clientOrderId);
    return { kind: 'ok', id: found?.id ?? null };
  }

  /** GET /gtt/triggers/{id}, and the order it placed when it fired; null report: Kite has no such GTT. */
  private async read(ref: RestingStopRef, id: string): Promise<{ kind: 'ok'; report: RestingStopReport | null; orderId: string | null } | { kind: 'failed'; result: RestingStopResult }> {
    const got = await this.send({ method: 'GET', path: `/gtt/triggers/${id}` }, `could not read GTT ${id}`);
    if (got.kind === 'failed') return got.error?.httpStatus === 404 ? { kind: 'ok', report: null, orderId: null } : { kind: 'failed', result: asUnknown(got.result) };
    let state;
    try {
      state = gttState(readGtt(got.data), ref.clientOrderId, this.deps.clock.now());
    } catch (err) {
      return { kind: 'failed', result: { kind: 'unknown', reason: (err as Error).message } };
    }
    if (state.kind === 'report') return { kind: 'ok', report: state.report, orderId: null };
    const history = await this.send({ method: 'GET', path: `/orders/${encodeURIComponent(state.orderId)}` }, `could not read order ${state.orderId} the GTT placed`);
    if (history.kind === 'failed') return { kind: 'failed', result: asUnknown(history.result) };
    const last = Array.isArray(history.data) ? kiteOrderSchema.safeParse(history.data.at(-1)) : null;
    if (!last?.success) return { kind: 'failed', result: { kind: 'unknown', reason: `Kite's history of order ${state.orderId} could not be read${last ? ` (${last.error.issues[0]?.path.join('.')}: ${last.error.issues[0]?.message})` : ''}` } };
    const order = last.data;
    const filledQty = Math.max(0, Math.trunc(order.filled_quantity ?? 0));
    const done = FINAL_STATUSES.has(order.status.toUpperCase());
    const why = order.status_message || order.status_message_raw;
    return {
      kind: 'ok',
      orderId: state.orderId,
      report: { ...state.base, filledQty, avgFillPrice: filledQty > 0 && (order.average_price ?? 0) > 0 ? order.average_price! : null, done, reason: done && filledQty < state.base.qty ? `the GTT's order ${order.status}${why ? `: ${why}` : ''}` : null },
    };
  }

  /** One call, its failure already a stop result; `context` prefixes an unknown outcome. */
  private async send(call: Parameters<KiteHttp['call']>[0], context: string): Promise<Outcome> {
    try {
      return { kind: 'ok', data: await this.deps.http.call(call) };
    } catch (err) {
      if (!(err instanceof KiteError)) return { kind: 'failed', result: { kind: 'unknown', reason: `${context}: ${err instanceof Error ? err.message : String(err)}` }, error: null };
      if (err.outcome === 'rejected') return { kind: 'failed', result: { kind: 'rejected', reason: err.message }, error: err };
      if (err.notPlaced) return { kind: 'failed', result: { kind: 'unknown', reason: err.message, notPlaced: true, ...(err.retryAfterMs === null ? {} : { retryAfterMs: err.retryAfterMs }) }, error: err };
      return { kind: 'failed', result: { kind: 'unknown', reason: `${context}: ${err.message}` }, error: err };
    }
  }

  private restingReport(req: RestingStopRequest, id: string): RestingStopReport {
    return { clientOrderId: req.clientOrderId, brokerRef: id, status: 'resting', triggerPrice: req.triggerPrice, limitPrice: req.limitPrice, qty: req.qty, filledQty: 0, avgFillPrice: null, done: false, at: this.deps.clock.now(), reason: null, target: req.target ?? null };
  }

  private gone(ref: RestingStopRef, reason: string): RestingStopReport {
    return { clientOrderId: ref.clientOrderId, brokerRef: ref.brokerRef ?? '', status: 'cancelled', triggerPrice: ref.triggerPrice, limitPrice: null, qty: ref.qty, filledQty: 0, avgFillPrice: null, done: true, at: this.deps.clock.now(), reason };
  }
}

/** A read refused is not a verdict on the stop: it stays unknown. */
function asUnknown(result: RestingStopResult): RestingStopResult {
  return result.kind === 'rejected' ? { kind: 'unknown', reason: result.reason } : result;
}

/**
 * The take-profit to place with the stop, or null: none asked, or one Kite would refuse at this
 * last price (already reached: it would fire at once; or closer than Kite allows).
 */
function restingTarget(req: RestingStopRequest, last: number): RestingTarget | null {
  const target = req.target ?? null;
  if (target === null) return null;
  const reached = req.side === 'sell' ? last >= target.triggerPrice : last <= target.triggerPrice;
  return reached || triggerTooClose(last, target.triggerPrice) ? null : target;
}

function invalidStop(req: RestingStopRequest): string | null {
  if (!Number.isSafeInteger(req.qty) || req.qty <= 0) return `quantity ${req.qty} must be a whole number of shares above 0 at Kite; not sent`;
  if (!Number.isFinite(req.triggerPrice) || req.triggerPrice <= 0) return `triggerPrice must be a price above 0, got ${req.triggerPrice}; not sent`;
  if (req.limitPrice === null) return 'a Kite GTT places a LIMIT order when it fires: limitPrice is required; not sent';
  if (!Number.isFinite(req.limitPrice) || req.limitPrice <= 0) return `limitPrice must be a price above 0, got ${req.limitPrice}; not sent`;
  if (req.target) {
    const { triggerPrice: t, limitPrice: l } = req.target;
    if (!Number.isFinite(t) || t <= 0) return `target.triggerPrice must be a price above 0, got ${t}; not sent`;
    if (l === null || !Number.isFinite(l) || l <= 0) return `target.limitPrice must be a price above 0 (a GTT's order is a LIMIT), got ${l}; not sent`;
    if (req.side === 'sell' ? t <= req.triggerPrice : t >= req.triggerPrice) return `the target (${t}) must be on the other side of the price from the stop (${req.triggerPrice}); not sent`;
  }
  if (!(KITE_TRADED_EXCHANGES as readonly string[]).includes(req.instrument.exchange)) return `Kite trades ${KITE_TRADED_EXCHANGES.join(', ')} here, not ${req.instrument.exchange}; not sent`;
  return null;
}
