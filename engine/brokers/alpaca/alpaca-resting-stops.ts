/**
 * The backstop at Alpaca (issue 20): a `stop` order (a market sell or buy once the stop price
 * trades; `stop_limit` when the engine gives a limit), `time_in_force` `gtc`, carrying the
 * journal's id as its client_order_id (PROTOCOLS.md §1.4). Modified with PATCH /v2/orders/{id},
 * which answers with a NEW order (new id, the next version's client_order_id) while the old one
 * turns `replaced` (§1.6); cancelled with DELETE /v2/orders/{id} (§1.7); looked up by client
 * order id (§1.6), following `replaced_by` to the version that carries the stop on.
 *
 * Alpaca holds the position for a resting sell: while the stop rests, a market sell of the same
 * shares is refused ("insufficient qty available for order", placement-refusal.ts), so the engine
 * cancels the stop, waits for this module's confirmation, and only then sends its own exit.
 *
 * Every answer follows the seam's three classes: `done` only on what Alpaca confirmed, `unknown`
 * on a timeout, a dropped connection, a 5xx or a cancel Alpaca accepted but has not carried out
 * yet (the engine looks the stop up again), `rejected` only on a refusal a lookup confirms.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock';
import { DomainError } from '../../core/errors';
import type { OrderSide } from '../../core/types';
import type { BrokerRestingStops, RestingStopReport, RestingStopRef, RestingStopRequest, RestingStopResult } from '../broker';
import { ALPACA_CLIENT_ORDER_ID_MAX_LENGTH } from './alpaca-execution';
import { describeRest, type AlpacaRest, type RestResult } from './alpaca-rest';
import { orderSchema, type AlpacaOrder } from './alpaca-wire';
import { Listeners } from './listeners';
import { MAX_REPLACEMENTS } from './order-chains';
import { readStop } from './resting-stop-report';

/** Whether a strategy that leaves `backstop` out gets one here (on: its stop order rests at Alpaca while this PC is down); the broker kind says the same. */
export const ALPACA_BACKSTOP_BY_DEFAULT = true;

/** A trailing stop moves the order at most this often: each move is a PATCH out of the key's 200 requests a minute (§1.9). */
export const ALPACA_STOP_MODIFIES_PER_MINUTE = 12;

interface Claim {
  readonly symbol: string;
  readonly side: OrderSide;
  brokerId: string | null;
  /** Placing, resting, or fired with its order not finished: Alpaca may hold the shares for it. */
  open: boolean;
  /** Alpaca has not answered the placement yet. */
  placing: boolean;
}

type Found = { readonly kind: 'found'; readonly report: RestingStopReport } | { readonly kind: 'absent' } | { readonly kind: 'failed'; readonly reason: string };

export interface AlpacaRestingStopsDeps {
  readonly rest: AlpacaRest;
  readonly clock: Clock;
  readonly logger: Logger;
}

export class AlpacaRestingStops implements BrokerRestingStops {
  readonly kind = 'stop_order' as const;
  readonly reservesPosition = true;
  readonly marketOnFire = true;
  readonly oco = false;
  readonly modifiesPerMinute = ALPACA_STOP_MODIFIES_PER_MINUTE;
  readonly modifiesInPlace = false;
  readonly onByDefault = ALPACA_BACKSTOP_BY_DEFAULT;
  /** Client order ids of the stops placed, modified or looked up here: their stream events are ours. */
  private readonly claims = new Map<string, Claim>();
  private readonly byBrokerId = new Map<string, string>();
  /** Alpaca's own client order id on a replacement it made (a corporate action) → ours. */
  private readonly aliases = new Map<string, string>();
  private readonly listeners: Listeners<[RestingStopReport]>;

  constructor(private readonly deps: AlpacaRestingStopsDeps) {
    this.listeners = new Listeners(deps.logger, 'alpaca resting stop update');
  }

  async place(req: RestingStopRequest): Promise<RestingStopResult> {
    const invalid = invalidStop(req);
    if (invalid) return { kind: 'rejected', reason: invalid };
    this.claim(req);
    const res = await this.deps.rest.request({ method: 'POST', path: '/v2/orders', precedence: 'exit', body: { symbol: req.instrument.symbol, ...orderFields(req), side: req.side, type: req.limitPrice === null ? 'stop' : 'stop_limit', time_in_force: 'gtc' } });
    if (res.kind === 'ok') return this.answered(res.body, req.clientOrderId);
    const passing = passingFailure(res);
    if (passing) return passing;
    if (res.kind === 'error' && (res.status === 401 || (res.status === 403 && res.error?.code === undefined))) return this.refused(req.clientOrderId, `Alpaca refused the API key: ${res.description}`);
    // §1.4: a 4xx may come for an order Alpaca took; only a lookup that finds none makes it a refusal.
    return this.settle(req, describeRest(res), () => this.refused(req.clientOrderId, describeRest(res)));
  }

  async modify(ref: RestingStopRef, next: RestingStopRequest): Promise<RestingStopResult> {
    const invalid = invalidStop(next);
    if (invalid) return { kind: 'rejected', reason: invalid };
    this.claim(ref);
    const id = ref.brokerRef ?? this.claims.get(ref.clientOrderId)?.brokerId ?? null;
    if (id === null) {
      const found = await this.find(ref.clientOrderId);
      if (found.kind === 'failed') return { kind: 'unknown', reason: `the stop to modify could not be looked up: ${found.reason}` };
      if (found.kind === 'absent') return { kind: 'rejected', reason: `Alpaca has no order with client order id ${ref.clientOrderId} to modify` };
      return this.modify({ ...ref, brokerRef: found.report.brokerRef }, next);
    }
    this.claim(next);
    const res = await this.deps.rest.request({ method: 'PATCH', path: `/v2/orders/${encodeURIComponent(id)}`, precedence: 'exit', body: orderFields(next) });
    if (res.kind === 'ok') {
      const answer = this.answered(res.body, next.clientOrderId);
      // The old version turned `replaced`: it holds no shares any more.
      const before = this.claims.get(ref.clientOrderId);
      if (answer.kind === 'done' && before) before.open = false;
      return answer;
    }
    const passing = passingFailure(res);
    if (passing) return passing;
    // Refused (422: not replaceable, e.g. it fired or a cancel is pending): where do the two versions stand?
    return this.settle(next, describeRest(res), async () => {
      const old = await this.find(ref.clientOrderId);
      if (old.kind === 'failed') return { kind: 'unknown', reason: `${describeRest(res)}; the lookup that would settle it failed: ${old.reason}` };
      if (old.kind === 'found' && old.report.status !== 'resting') return { kind: 'done', report: old.report };
      return this.refused(next.clientOrderId, `Alpaca refused to modify the stop (${describeRest(res)}); version ${ref.clientOrderId} still rests`);
    });
  }

  async cancel(ref: RestingStopRef): Promise<RestingStopResult> {
    this.claim(ref);
    let id = ref.brokerRef ?? this.claims.get(ref.clientOrderId)?.brokerId ?? null;
    // Each pass deletes the version that carries the stop on: a PATCH may have replaced the one named.
    for (let pass = 0; pass <= MAX_REPLACEMENTS; pass++) {
      let deleted: RestResult | null = null;
      if (id !== null) {
        deleted = await this.deps.rest.request({ method: 'DELETE', path: `/v2/orders/${encodeURIComponent(id)}`, precedence: 'exit' });
        const passing = passingFailure(deleted);
        if (passing) return passing;
      }
      const found = await this.find(ref.clientOrderId);
      if (found.kind === 'failed') return { kind: 'unknown', reason: `${deleted ? describeRest(deleted) : 'no Alpaca id known'}; the lookup that would confirm the cancel failed: ${found.reason}` };
      if (found.kind === 'absent') {
        // Never placed (a crash before the answer): nothing rests that could fire.
        if (deleted === null || (deleted.kind === 'error' && deleted.status === 404)) return { kind: 'done', report: neverPlaced(ref, this.deps.clock.now()) };
        return { kind: 'unknown', reason: `Alpaca answered ${describeRest(deleted)} yet finds no order ${ref.clientOrderId}` };
      }
      const { report } = found;
      if (report.status !== 'resting') return { kind: 'done', report };
      if (report.brokerRef !== id) {
        id = report.brokerRef;
        continue;
      }
      // 204: accepted, not yet carried out (pending_cancel, or new until the venue confirms).
      return { kind: 'unknown', reason: `Alpaca accepted the cancel of stop order ${id} (${describeRest(deleted!)}) but it still reads ${report.status}; look it up again` };
    }
    return { kind: 'unknown', reason: `the stop was replaced more than ${MAX_REPLACEMENTS} times while it was being cancelled` };
  }

  async lookup(ref: RestingStopRef): Promise<RestingStopReport | null> {
    this.claim(ref);
    const found = await this.find(ref.clientOrderId);
    if (found.kind === 'failed') throw new DomainError('unavailable', `resting stop lookup at Alpaca failed (client order id ${ref.clientOrderId}): ${found.reason}`);
    return found.kind === 'found' ? found.report : null;
  }

  onUpdate(listener: (report: RestingStopReport) => void): () => void {
    return this.listeners.add(listener);
  }

  /**
   * A trade_updates event: true when it is one of our resting stops (then its report goes to this
   * module's listeners, never to the order listener, whose reports are entries and exits).
   */
  takeStreamEvent(order: AlpacaOrder): boolean {
    const cid = this.ownerOf(order);
    if (cid === undefined) return false;
    const read = readStop(order, this.deps.clock.now());
    if (read.kind === 'unreadable') this.deps.logger.warn({ clientOrderId: order.client_order_id, reason: read.reason }, 'alpaca resting stop update dropped: unreadable');
    // A `replaced` version says nothing of the stop: its successor's own events do.
    if (read.kind === 'report') this.listeners.emit(this.note({ ...read.report, clientOrderId: cid }));
    return true;
  }

  /**
   * Our id for an order: its own client order id when we placed it (or a PATCH gave it our next
   * version's), else the id of the stop it replaces when Alpaca replaced one of ours on its own
   * (its client order id is then Alpaca's, and stands for ours from now on).
   */
  private ownerOf(order: AlpacaOrder): string | undefined {
    const own = order.client_order_id;
    if (this.claims.has(own)) return own;
    const alias = this.aliases.get(own);
    if (alias !== undefined) return alias;
    const replaced = order.replaces ? this.byBrokerId.get(order.replaces) : undefined;
    if (replaced !== undefined) this.aliases.set(own, replaced);
    return replaced;
  }

  /**
   * Whether one of our stops may rest on `symbol` on the `side` of an exit: Alpaca then holds the
   * shares (the "insufficient qty available" refusal passes once it is cancelled).
   */
  restsOn(symbol: string, side: OrderSide): boolean {
    return [...this.claims.values()].some((c) => c.symbol === symbol && c.side === side && c.open);
  }

  stop(): void {
    this.listeners.clear();
  }

  /**
   * Marks a stop as ours, so its stream events come here: before it is placed (placing, until
   * Alpaca answers), and whenever the engine names one (after a restart, the journal's).
   */
  private claim(stop: RestingStopRequest | RestingStopRef): void {
    if (this.claims.has(stop.clientOrderId)) return;
    const brokerId = 'brokerRef' in stop ? stop.brokerRef : null;
    this.claims.set(stop.clientOrderId, { symbol: stop.instrument.symbol, side: stop.side, brokerId, open: true, placing: !('brokerRef' in stop) });
    if (brokerId !== null) this.byBrokerId.set(brokerId, stop.clientOrderId);
  }

  private note(report: RestingStopReport): RestingStopReport {
    const claim = this.claims.get(report.clientOrderId);
    if (claim) {
      claim.brokerId = report.brokerRef;
      claim.open = report.status === 'resting' || (report.status === 'fired' && !report.done);
      claim.placing = false;
    }
    this.byBrokerId.set(report.brokerRef, report.clientOrderId);
    return report;
  }

  /** A 2xx to a place or a modify: the order as it stands now. */
  private answered(body: unknown, clientOrderId: string): RestingStopResult {
    const order = orderSchema.safeParse(body);
    if (!order.success) return { kind: 'unknown', reason: `Alpaca answered with an order that could not be read (${order.error.issues[0]?.path.join('.') || 'body'}: ${order.error.issues[0]?.message})` };
    const read = readStop(order.data, this.deps.clock.now());
    if (read.kind === 'unreadable') return { kind: 'unknown', reason: `Alpaca answered with an order that could not be read (${read.reason})` };
    if (read.kind === 'replaced') return { kind: 'unknown', reason: `Alpaca answered for stop ${clientOrderId} with an order already replaced` };
    return { kind: 'done', report: this.note(read.report) };
  }

  /** A refusal: does Alpaca hold the version anyway (§1.4)? `otherwise` decides when it does not. */
  private async settle(req: RestingStopRequest, description: string, otherwise: () => Promise<RestingStopResult> | RestingStopResult): Promise<RestingStopResult> {
    const found = await this.find(req.clientOrderId);
    if (found.kind === 'found' && found.report.clientOrderId === req.clientOrderId) {
      this.deps.logger.warn({ clientOrderId: req.clientOrderId, reply: description }, 'alpaca refused the stop yet holds it; treated as done');
      return { kind: 'done', report: found.report };
    }
    if (found.kind === 'failed') return { kind: 'unknown', reason: `${description}; the lookup that would settle it failed: ${found.reason}` };
    return otherwise();
  }

  private refused(clientOrderId: string, reason: string): RestingStopResult {
    const claim = this.claims.get(clientOrderId);
    if (claim?.placing) this.claims.delete(clientOrderId);
    return { kind: 'rejected', reason };
  }

  /** GET /v2/orders:by_client_order_id (§1.6), then GET /v2/orders/{replaced_by} while replaced. */
  private async find(clientOrderId: string): Promise<Found> {
    let res = await this.deps.rest.request({ method: 'GET', path: '/v2/orders:by_client_order_id', query: { client_order_id: clientOrderId } });
    if (res.kind === 'error' && res.status === 404) {
      // Named by the engine and unknown to Alpaca: it holds no shares. One being placed may still arrive.
      const claim = this.claims.get(clientOrderId);
      if (claim && !claim.placing) claim.open = false;
      return { kind: 'absent' };
    }
    // The version that carries the stop on: ours (placed, or a PATCH's), never Alpaca's own id.
    let owner = clientOrderId;
    for (let hops = 0; hops <= MAX_REPLACEMENTS; hops++) {
      if (res.kind !== 'ok') return { kind: 'failed', reason: describeRest(res) };
      const order = orderSchema.safeParse(res.body);
      if (!order.success) return { kind: 'failed', reason: `the reply is not an Alpaca order (${order.error.issues[0]?.path.join('.') || 'body'}: ${order.error.issues[0]?.message})` };
      if (this.claims.has(order.data.client_order_id)) owner = order.data.client_order_id;
      else if (order.data.client_order_id !== clientOrderId) this.aliases.set(order.data.client_order_id, owner);
      const read = readStop(order.data, this.deps.clock.now());
      if (read.kind === 'unreadable') return { kind: 'failed', reason: `the order could not be read (${read.reason})` };
      if (read.kind === 'report') return { kind: 'found', report: this.note({ ...read.report, clientOrderId: owner }) };
      if (read.by === null) return { kind: 'failed', reason: `order ${order.data.id} was replaced without naming its replacement` };
      res = await this.deps.rest.request({ method: 'GET', path: `/v2/orders/${encodeURIComponent(read.by)}` });
    }
    return { kind: 'failed', reason: `replaced more than ${MAX_REPLACEMENTS} times` };
  }
}

/** The fields a place and a modify share: decimals as strings (§1.2), our id as client_order_id. */
function orderFields(req: RestingStopRequest): Record<string, string> {
  return { qty: String(req.qty), stop_price: price(req.triggerPrice), ...(req.limitPrice === null ? {} : { limit_price: price(req.limitPrice) }), client_order_id: req.clientOrderId };
}

/** A price as Alpaca reads it: plain decimal notation, no float noise ("98.5", not "98.50000000000001"). */
function price(n: number): string {
  return String(Number(n.toFixed(6)));
}

/** No answer, a 5xx, or a 429 (refused before any processing, §1.9: certainly not carried out). */
function passingFailure(res: RestResult): RestingStopResult | null {
  if (res.kind === 'ok') return null;
  if (res.kind === 'error' && res.status === 429) return { kind: 'unknown', reason: res.description, notPlaced: true, ...(res.retryAfterMs === undefined ? {} : { retryAfterMs: res.retryAfterMs }) };
  if (res.kind !== 'error' || res.status >= 500) return { kind: 'unknown', reason: `no answer from Alpaca: ${describeRest(res)}` };
  return null;
}

function invalidStop(req: RestingStopRequest): string | null {
  if (req.clientOrderId.length === 0 || req.clientOrderId.length > ALPACA_CLIENT_ORDER_ID_MAX_LENGTH) return `client order id must be 1 to ${ALPACA_CLIENT_ORDER_ID_MAX_LENGTH} characters`;
  if (!Number.isSafeInteger(req.qty) || req.qty <= 0) return `qty must be a whole number of shares above 0, got ${req.qty}`;
  if (!Number.isFinite(req.triggerPrice) || req.triggerPrice <= 0) return `triggerPrice must be a price above 0, got ${req.triggerPrice}`;
  if (req.limitPrice !== null && (!Number.isFinite(req.limitPrice) || req.limitPrice <= 0)) return `limitPrice must be a price above 0 or null, got ${req.limitPrice}`;
  return null;
}

function neverPlaced(ref: RestingStopRef, at: number): RestingStopReport {
  return { clientOrderId: ref.clientOrderId, brokerRef: ref.brokerRef ?? '', status: 'cancelled', triggerPrice: ref.triggerPrice, limitPrice: null, qty: ref.qty, filledQty: 0, avgFillPrice: null, done: true, at, reason: 'Alpaca has no such order: it was never placed' };
}

