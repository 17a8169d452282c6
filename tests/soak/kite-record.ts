/**
 * The Kite fake's record (GET /__fake/record: its orders and GTTs, with real epoch ms) in the
 * judge's broker-neutral shape (soak-judge.ts BrokerOrder), so one judge reads Alpaca and Kite alike.
 *
 * Orders Tradeclock placed carry its client order id as Kite's `tag`; an option's exit, a LIMIT
 * re-priced by PUT (kite-exit-chase.ts), keeps its order id and tag: one order, as last modified,
 * and one placement. A GTT carries none (Kite keeps no client id for one), and the LIMIT order it
 * places when it fires is untagged: each GTT becomes
 * one backstop record under the id `backstopId` would give it, keyed to the leg whose entry it
 * protects: the latest tagged entry before the GTT was created, for the same symbol, on the other
 * side, for the quantity the GTT holds. Its versions at Kite count GTTs, not journal versions (a
 * trailing move modifies the same GTT in place). A fired GTT's status and fills are its order's,
 * and that order is not listed again; a deleted one's last change is its cancel (`canceled_at`).
 * An untagged order no GTT placed, or a GTT no entry explains, gets an id no parser takes
 * (`untagged-…`, `gtt-…`): the judge names it a wrong order.
 */
import { backstopId, parseClientOrderId } from '../../engine/core/ids';
import type { FaultedPlacement } from '../fakes/kite/fake-order-faults';
import { REJECTED_BY_RMS, type BrokerOrder, type Received } from './soak-judge';

/** An order as GET /__fake/record lists it: Kite's fields and the fake's real ms. */
export interface KiteRecordOrder {
  readonly order_id: string;
  readonly status: string;
  readonly tradingsymbol: string;
  readonly order_type: string;
  readonly transaction_type: 'BUY' | 'SELL';
  readonly quantity: number;
  readonly filled_quantity: number;
  readonly average_price: number;
  readonly tag: string | null;
  readonly accepted_at_ms: number | null;
  readonly done_at_ms: number | null;
}

/** A GTT as GET /__fake/record lists it (GET /gtt/triggers' fields and the real ms of its creation). */
export interface KiteRecordGtt {
  readonly id: number;
  readonly status: string;
  readonly condition: { readonly tradingsymbol: string; readonly trigger_values: readonly number[] };
  readonly orders: ReadonlyArray<{ readonly transaction_type: 'BUY' | 'SELL'; readonly quantity: number; readonly result: { readonly order_result?: { readonly status: string; readonly order_id: string } } | null }>;
  readonly created_at_ms: number;
  /** Real epoch ms of its last change: for a deleted GTT, its deletion (the backstop's cancel). */
  readonly updated_at_ms?: number;
  /** Real epoch ms of each modification Kite accepted (PUT /gtt/triggers/{id}). */
  readonly modified_at_ms?: readonly number[];
}

export interface KiteRecord {
  readonly orders: readonly KiteRecordOrder[];
  readonly gtts: readonly KiteRecordGtt[];
  /** Placements an injected fault met (tests/fakes/kite/fake-order-faults.ts), in arrival order. */
  readonly faulted?: readonly FaultedPlacement[];
}

const ORDER_STATUS: Readonly<Record<string, string>> = { COMPLETE: 'filled', CANCELLED: 'canceled', REJECTED: 'rejected', OPEN: 'new' };
/** A GTT that has not fired: active rests; the others are over without an order. */
const GTT_STATUS: Readonly<Record<string, string>> = { active: 'new', deleted: 'canceled', cancelled: 'canceled', disabled: 'canceled', expired: 'expired', rejected: 'rejected' };

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function orderOf(o: KiteRecordOrder, clientOrderId: string): BrokerOrder {
  return {
    client_order_id: clientOrderId,
    type: o.order_type.toLowerCase(),
    symbol: o.tradingsymbol,
    side: o.transaction_type === 'BUY' ? 'buy' : 'sell',
    status: ORDER_STATUS[o.status] ?? o.status.toLowerCase(),
    qty: String(o.quantity),
    filled_qty: String(o.filled_quantity),
    filled_avg_price: o.filled_quantity > 0 ? String(o.average_price) : null,
    created_at: iso(o.accepted_at_ms) ?? '',
    filled_at: o.status === 'COMPLETE' ? iso(o.done_at_ms) : null,
  };
}

/** The record's orders and GTTs as the judge reads them. */
export function kiteOrders(record: KiteRecord): BrokerOrder[] {
  const byId = new Map(record.orders.map((o) => [o.order_id, o]));
  const gttOrderIds = new Set(record.gtts.flatMap((g) => (g.orders[0]?.result?.order_result?.order_id ? [g.orders[0].result.order_result.order_id] : [])));
  const out: BrokerOrder[] = [];
  const entries: Array<{ order: KiteRecordOrder; installId: string; strategyId: number; tradingDate: string; legNo: number; positionNo: number | undefined }> = [];
  for (const o of record.orders) {
    if (o.tag !== null) {
      out.push(orderOf(o, o.tag));
      try {
        const p = parseClientOrderId(o.tag);
        if (p.slot === 'entry') entries.push({ order: o, installId: p.installId, strategyId: p.strategyId, tradingDate: p.tradingDate, legNo: p.legNo, positionNo: p.positionNo });
      } catch {
        // The judge names an id it cannot parse.
      }
    } else if (!gttOrderIds.has(o.order_id)) out.push(orderOf(o, `untagged-${o.order_id}`));
  }
  const versions = new Map<string, number>();
  for (const g of [...record.gtts].sort((a, b) => a.created_at_ms - b.created_at_ms)) {
    const leg = g.orders[0];
    const side = leg?.transaction_type === 'BUY' ? 'buy' : 'sell';
    // The leg it protects: the latest entry before it, on the other side, for the quantity it holds.
    const entry = entries
      .filter((e) => e.order.tradingsymbol === g.condition.tradingsymbol && e.order.transaction_type !== leg?.transaction_type && e.order.filled_quantity === leg?.quantity && (e.order.accepted_at_ms ?? Infinity) <= g.created_at_ms)
      .sort((a, b) => (b.order.accepted_at_ms ?? 0) - (a.order.accepted_at_ms ?? 0))[0];
    let id = `gtt-${g.id}`;
    if (entry) {
      const key = `${entry.strategyId}/${entry.tradingDate}/${entry.positionNo ?? ''}/${entry.legNo}`;
      const version = (versions.get(key) ?? 0) + 1;
      versions.set(key, version);
      id = backstopId(entry.installId, entry.strategyId as Parameters<typeof backstopId>[1], entry.tradingDate, entry.legNo, version, entry.positionNo);
    }
    const placed = leg?.result?.order_result?.order_id ? byId.get(leg.result.order_result.order_id) : undefined;
    const fired = g.status === 'triggered';
    const status = fired ? (placed ? (ORDER_STATUS[placed.status] ?? placed.status.toLowerCase()) : 'rejected') : (GTT_STATUS[g.status] ?? g.status);
    out.push({
      client_order_id: id,
      type: 'gtt',
      symbol: g.condition.tradingsymbol,
      side,
      status,
      qty: String(leg?.quantity ?? 0),
      filled_qty: String(placed?.filled_quantity ?? 0),
      filled_avg_price: placed && placed.filled_quantity > 0 ? String(placed.average_price) : null,
      created_at: iso(g.created_at_ms)!,
      filled_at: placed?.status === 'COMPLETE' ? iso(placed.done_at_ms) : null,
      canceled_at: status === 'canceled' ? iso(g.updated_at_ms ?? null) : null,
    });
  }
  return out;
}

/**
 * Every order placement Kite received, in arrival order, as the judge counts placements: Kite does
 * not refuse a tag it has seen, so a resend under the same id is a second order, and each tagged
 * order is one acceptance. An untagged one no GTT placed has no client order id. A placement an
 * injected fault answered (a 429, an OrderException) never reached the book: `not processed (…)`;
 * one the RMS rejected after booking it is an acceptance, then that rejection (REJECTED_BY_RMS).
 */
export function kiteReceived(record: KiteRecord): Received[] {
  const gttOrderIds = new Set(record.gtts.flatMap((g) => (g.orders[0]?.result?.order_result?.order_id ? [g.orders[0].result.order_result.order_id] : [])));
  const faulted = record.faulted ?? [];
  const rmsRejected = new Set(faulted.filter((f) => f.kind === 'rms-reject').map((f) => f.after_orders));
  const refused = (f: FaultedPlacement): Received => ({ clientOrderId: f.tag, side: f.side?.toLowerCase() ?? null, symbol: f.tradingsymbol, outcome: f.kind === 'rate-limit' ? 'not processed (rate-limit)' : 'not processed (refused)' });
  const out: Received[] = [];
  let next = 0;
  record.orders.forEach((o, i) => {
    for (; next < faulted.length && faulted[next]!.after_orders <= i; next++) if (faulted[next]!.kind !== 'rms-reject') out.push(refused(faulted[next]!));
    if (gttOrderIds.has(o.order_id)) return;
    out.push({ clientOrderId: o.tag, side: o.transaction_type.toLowerCase(), symbol: o.tradingsymbol, outcome: rmsRejected.has(i) ? REJECTED_BY_RMS : 'accepted' });
  });
  for (; next < faulted.length; next++) if (faulted[next]!.kind !== 'rms-reject') out.push(refused(faulted[next]!));
  return out;
}

/** The GTT modifications Kite accepted, and the most any one GTT took within a minute (the engine keeps KITE_GTT_MODIFIES_PER_MINUTE). */
export function gttModifies(record: KiteRecord): { readonly total: number; readonly maxPerMinute: number } {
  let total = 0;
  let maxPerMinute = 0;
  for (const g of record.gtts) {
    const times = [...(g.modified_at_ms ?? [])].sort((a, b) => a - b);
    total += times.length;
    for (let i = 0; i < times.length; i++) maxPerMinute = Math.max(maxPerMinute, times.filter((t) => t >= times[i]! && t < times[i]! + 60_000).length);
  }
  return { total, maxPerMinute };
}
