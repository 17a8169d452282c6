/**
 * The Binance fake's record (GET /__fake/record: every POST /api/v3/order with its outcome, and
 * every order as GET /api/v3/order shows it, with its fills) in the judge's broker-neutral shape
 * (soak-judge.ts BrokerOrder, Received), so one judge reads Alpaca, Kite and Binance alike.
 *
 * Orders carry Tradeclock's client order id as `clientOrderId` (sent as `newClientOrderId`).
 * Binance takes an id again once its order is no longer open, so a resend under the same id is a
 * second order: each placement the fake answered `placed #N` is one acceptance. A buy's fills
 * carry the commission taken in the coin bought (`fee_in_kind`, the judge's FeeInKind).
 * Symbols are read back as the daemon names them (`BTCUSDT` → `BTC/USDT`; every soak pair is
 * quoted in USDT).
 *
 * The backstop is a STOP_LOSS (or STOP_LOSS_LIMIT) sell under a `tb…` id (core/ids.ts backstopId),
 * read as the judge reads any backstop: one that fired is an exit of its leg. A cancelled order's
 * `updateTime` is when the cancel was carried out (`canceled_at`, judgeCancelToExit's window). A
 * trailing stop's move is a cancel and the next version (ccxt-resting-stops.ts `modify`), each a
 * new order: binanceBackstopMoves counts them per backstop against the engine's budget.
 */
import Decimal from 'decimal.js';
import { parseBackstopId } from '../../engine/core/ids';
import type { BrokerOrder, Received } from './soak-judge';

/** An order as GET /__fake/record lists it: GET /api/v3/order's fields and its fills. */
export interface BinanceRecordOrder {
  readonly symbol: string;
  readonly clientOrderId: string;
  readonly origQty: string;
  readonly executedQty: string;
  readonly cummulativeQuoteQty: string;
  readonly status: string;
  readonly type: string;
  readonly side: 'BUY' | 'SELL';
  readonly time: number;
  readonly updateTime: number;
  readonly fills: ReadonlyArray<{ readonly qty: string; readonly commission: string; readonly commissionAsset: string }>;
}

/** One POST /api/v3/order as the fake received it. */
export interface BinanceRecordReceived {
  readonly symbol: string | null;
  readonly side: string | null;
  readonly newClientOrderId: string | null;
  /** 'placed #N' | 'refused <code> <msg>' | 'not processed (<fault>)' */
  readonly outcome: string;
}

export interface BinanceRecord {
  readonly received: readonly BinanceRecordReceived[];
  readonly orders: readonly BinanceRecordOrder[];
}

/** `BTCUSDT` as the daemon names it. */
export const unifiedSymbol = (symbol: string) => (symbol.endsWith('USDT') ? `${symbol.slice(0, -4)}/USDT` : symbol);

const STATUS: Readonly<Record<string, string>> = { FILLED: 'filled', NEW: 'new', PARTIALLY_FILLED: 'partially_filled', CANCELED: 'canceled', EXPIRED: 'expired', REJECTED: 'rejected' };
const iso = (ms: number) => new Date(ms).toISOString();

/** The record's orders as the judge reads them. */
export function binanceOrders(record: BinanceRecord): BrokerOrder[] {
  return record.orders.map((o) => {
    const executed = new Decimal(o.executedQty);
    const base = o.symbol.slice(0, -4);
    const fee = o.fills.filter((f) => f.commissionAsset === base).reduce((n, f) => n.plus(f.commission), new Decimal(0));
    return {
      client_order_id: o.clientOrderId,
      type: o.type.toLowerCase(),
      symbol: unifiedSymbol(o.symbol),
      side: o.side === 'BUY' ? 'buy' : 'sell',
      status: STATUS[o.status] ?? o.status.toLowerCase(),
      qty: new Decimal(o.origQty).toFixed(),
      filled_qty: executed.toFixed(),
      filled_avg_price: executed.gt(0) ? new Decimal(o.cummulativeQuoteQty).div(executed).toFixed() : null,
      created_at: iso(o.time),
      filled_at: o.status === 'FILLED' ? iso(o.updateTime) : null,
      canceled_at: o.status === 'CANCELED' ? iso(o.updateTime) : null,
      ...(fee.gt(0) ? { fee_in_kind: fee.toFixed() } : {}),
    };
  });
}

/** Every placement, as the judge counts them: `placed #N` is an acceptance. */
export function binanceReceived(record: BinanceRecord): Received[] {
  return record.received.map((r) => ({
    clientOrderId: r.newClientOrderId,
    side: r.side?.toLowerCase() ?? null,
    symbol: r.symbol === null ? null : unifiedSymbol(r.symbol),
    outcome: r.outcome.startsWith('placed') ? 'accepted' : r.outcome,
  }));
}

const MINUTE_MS = 60_000;

/**
 * The backstops' moves at the fake: every version after a leg's first (a trail's move places the
 * next version once the one before is cancelled), and the most versions one leg's backstop placed
 * within any minute after its first, for the engine's budget (`modifiesPerMinute`). It over-counts:
 * a version a restarted daemon places again (its recovery found none resting) or one placed after
 * a refused one is no move, yet counted as one, so both figures are upper bounds.
 * @example binanceBackstopMoves(record) // { total: 3, maxPerMinute: 2 }
 */
export function binanceBackstopMoves(record: BinanceRecord): { readonly total: number; readonly maxPerMinute: number } {
  const legs = new Map<string, number[]>();
  for (const o of record.orders) {
    if (!o.clientOrderId.startsWith('tb') || !o.type.startsWith('STOP_LOSS')) continue;
    const b = parseBackstopId(o.clientOrderId);
    const key = `${b.strategyId}/${b.tradingDate}/${b.positionNo ?? ''}/${b.legNo}`;
    legs.set(key, [...(legs.get(key) ?? []), o.time]);
  }
  let total = 0;
  let maxPerMinute = 0;
  for (const times of legs.values()) {
    const moves = times.sort((a, b) => a - b).slice(1);
    total += moves.length;
    for (const [i, t] of moves.entries()) maxPerMinute = Math.max(maxPerMinute, moves.filter((u, j) => j >= i && u < t + MINUTE_MS).length);
  }
  return { total, maxPerMinute };
}
