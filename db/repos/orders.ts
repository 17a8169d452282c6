/**
 * The order journal (invariant 2): a row is inserted before the order is sent and updated as the
 * broker answers. Its unique indexes are invariant 1's last line of defence: one order per
 * (run, leg, slot, attempt) and one per (broker account, client order id), whatever races the
 * engine loses.
 */
import { and, asc, desc, eq, getTableColumns, gt, inArray } from 'drizzle-orm';
import { asBrokerAccountId, asOrderId, asRunId, asStrategyId, asUserId } from '../../engine/core/ids';
import type { BrokerAccountId, OrderId, RunId, StrategyId, UserId } from '../../engine/core/ids';
import { slotOf, type Exchange, type Leg, type Order, type OrderSide, type OrderSlot, type OrderStatus } from '../../engine/core/types';
import type { Orm } from '../client';
import { orders } from '../schema';
import { translated } from './errors';
import { ID, rawTable } from './prepared';
import { pick } from './json';

/** Statuses whose outcome is not settled; recovery looks each one up at the broker. */
export const UNRESOLVED_ORDER_STATUSES = ['pending', 'sent', 'accepted', 'partially_filled', 'unknown'] as const satisfies readonly OrderStatus[];

/** The fields the broker's answers change. */
export type OrderPatch = Partial<
  Pick<Order, 'status' | 'brokerOrderId' | 'sendingAt' | 'dispatchedAt' | 'ackedAt' | 'filledAt' | 'filledQty' | 'fillPrice' | 'rejectReason'>
>;

const PATCHABLE = [
  'status',
  'brokerOrderId',
  'sendingAt',
  'dispatchedAt',
  'ackedAt',
  'filledAt',
  'filledQty',
  'fillPrice',
  'rejectReason',
] as const satisfies readonly (keyof OrderPatch)[];

/** A journal entry: identity required, broker answers default to null / 0. */
export type NewOrder = Pick<
  Order,
  | 'runId'
  | 'strategyId'
  | 'userId'
  | 'brokerAccountId'
  | 'leg'
  | 'side'
  | 'slot'
  | 'clientOrderId'
  | 'symbol'
  | 'exchange'
  | 'qty'
  | 'status'
  | 'scheduledAt'
> &
  Partial<Pick<Order, 'attempt' | 'legNo'>> &
  OrderPatch;

export interface OrdersRepo {
  /**
   * Journals an order; `attempt` and `legNo` default to 1 and 0.
   * @throws TypeError when slot or side do not follow leg (BUY: entry/buy; exits: exit/sell).
   * @throws UniqueViolation for a second order in the run's leg, slot and attempt (columns
   *   ['run_id', 'leg_no', 'slot', 'attempt']) or a reused client order id on the account
   *   (columns ['broker_account_id', 'client_order_id']).
   */
  insert(input: NewOrder, now: number): Order;
  /** Engine-internal: no user filter. */
  getInternal(id: OrderId): Order | undefined;
  /** Engine-internal: the run's order in `slot` ('entry' | 'exit') of leg `legNo` (default 0): its latest attempt. */
  findBySlotInternal(runId: RunId, slot: OrderSlot, legNo?: number): Order | undefined;
  /** Engine-internal: reconciliation by the id the broker echoes back. */
  findByClientOrderIdInternal(brokerAccountId: BrokerAccountId, clientOrderId: string): Order | undefined;
  /**
   * Engine-internal: applies the broker's answer and returns the new row.
   * @throws Error when there is no such order (an engine bug, not user input).
   */
  update(id: OrderId, patch: OrderPatch, now: number): Order;
  /**
   * Engine-internal: the sending mark (Order.sendingAt), on the send path just before the request
   * leaves; nothing read back. A missing order is an engine bug, and nothing is written.
   */
  markSendingInternal(id: OrderId, at: number): void;
  /** The user's orders of one strategy, oldest first. */
  list(userId: UserId, strategyId: StrategyId): Order[];
  /** Engine-internal: every order still pending, sent, accepted, partially filled or unknown. */
  listUnresolvedInternal(): Order[];
  /** Engine-internal: the orders of these runs that filled anything, for the P&L over their legs (execution/realized-pnl.ts legFills). */
  fillsInternal(runIds: readonly RunId[]): OrderFill[];
  /**
   * Engine-internal: the account's `limit` most recently changed orders, newest first (the
   * readiness check reads the last refusal and the last order taken from them).
   */
  recentForAccountInternal(brokerAccountId: BrokerAccountId, limit: number): Order[];
}

/** The orders of `runIds` that filled anything, oldest first (OrdersRepo.fillsInternal; the runs history reads them too). */
export function fillsOf(orm: Orm, runIds: readonly RunId[]): OrderFill[] {
  if (runIds.length === 0) return [];
  return orm
    .select({ runId: orders.runId, legNo: orders.legNo, slot: orders.slot, filledQty: orders.filledQty, fillPrice: orders.fillPrice })
    .from(orders)
    .where(and(inArray(orders.runId, [...runIds]), gt(orders.filledQty, 0)))
    .orderBy(asc(orders.id))
    .all()
    .map((r) => ({ runId: asRunId(r.runId), legNo: r.legNo, slot: r.slot as OrderSlot, filledQty: r.filledQty, fillPrice: r.fillPrice }));
}

/** A filled order as the P&L reads it. */
export interface OrderFill {
  readonly runId: RunId;
  readonly legNo: number;
  readonly slot: OrderSlot;
  readonly filledQty: number;
  readonly fillPrice: number | null;
}

type Row = typeof orders.$inferSelect;

/** The columns an insert writes: all but the id. */
const INSERTED = Object.keys(getTableColumns(orders)).filter((k) => k !== 'id') as readonly (keyof Row)[];

function toOrder(row: Row): Order {
  return {
    id: asOrderId(row.id),
    runId: asRunId(row.runId),
    strategyId: asStrategyId(row.strategyId),
    userId: asUserId(row.userId),
    brokerAccountId: asBrokerAccountId(row.brokerAccountId),
    // Text columns written only from the typed inputs above.
    leg: row.leg as Leg,
    side: row.side as OrderSide,
    legNo: row.legNo,
    slot: row.slot as OrderSlot,
    attempt: row.attempt,
    clientOrderId: row.clientOrderId,
    brokerOrderId: row.brokerOrderId,
    symbol: row.symbol,
    exchange: row.exchange as Exchange,
    qty: row.qty,
    status: row.status as OrderStatus,
    scheduledAt: row.scheduledAt,
    sendingAt: row.sendingAt,
    dispatchedAt: row.dispatchedAt,
    ackedAt: row.ackedAt,
    filledAt: row.filledAt,
    filledQty: row.filledQty,
    fillPrice: row.fillPrice,
    rejectReason: row.rejectReason,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export function createOrdersRepo(orm: Orm): OrdersRepo {
  // The order path's queries, prepared once on better-sqlite3 itself (prepared.ts, rawTable).
  const t = rawTable(orm.$client, orders);
  const byId = t.prepare(`SELECT ${t.columns} FROM ${t.name} WHERE "id" = ?`);
  // The slot's latest attempt in the leg: an exit refused for a reason that may pass is tried again under a new one.
  const bySlot = t.prepare(
    `SELECT ${t.columns} FROM ${t.name} WHERE ${t.column('runId')} = ? AND ${t.column('legNo')} = ? AND ${t.column('slot')} = ? ORDER BY ${t.column('attempt')} DESC LIMIT 1`,
  );
  const byClientId = t.prepare(`SELECT ${t.columns} FROM ${t.name} WHERE ${t.column('brokerAccountId')} = ? AND ${t.column('clientOrderId')} = ?`);
  const insert = t.insert(INSERTED);
  const markSending = t.prepare(`UPDATE ${t.name} SET ${t.column('sendingAt')} = ?, ${t.column('updatedAt')} = ? WHERE "id" = ?`);
  return {
    insert(input, now) {
      // The (run, leg, slot, attempt) index only guards invariant 1 if slot follows leg (core/types slotOf).
      // The side is the run policy's: an entry buys or sells first, its exits trade the other way.
      const slot = slotOf(input.leg);
      if (input.slot !== slot) throw new TypeError(`order leg ${input.leg} must have slot ${slot}`);
      // An exit trades against its entry: a second sell of a long, or a second buy of a short, would double the position.
      if (slot === 'exit') {
        const entry = bySlot.get(input.runId, input.legNo ?? 0, 'entry') as { side: string } | undefined;
        if (entry && entry.side === input.side) throw new TypeError(`exit leg ${input.leg} must trade against its entry: the entry was a ${entry.side}, so the exit cannot be one`);
      }
      // Every column but the id, so the row is known without reading it back (no RETURNING).
      const values: Omit<Row, 'id'> = {
        runId: input.runId,
        strategyId: input.strategyId,
        userId: input.userId,
        brokerAccountId: input.brokerAccountId,
        leg: input.leg,
        side: input.side,
        legNo: input.legNo ?? 0,
        slot: input.slot,
        attempt: input.attempt ?? 1,
        clientOrderId: input.clientOrderId,
        brokerOrderId: input.brokerOrderId ?? null,
        symbol: input.symbol,
        exchange: input.exchange,
        qty: input.qty,
        status: input.status,
        scheduledAt: input.scheduledAt,
        sendingAt: input.sendingAt ?? null,
        dispatchedAt: input.dispatchedAt ?? null,
        ackedAt: input.ackedAt ?? null,
        filledAt: input.filledAt ?? null,
        filledQty: input.filledQty ?? 0,
        fillPrice: input.fillPrice ?? null,
        rejectReason: input.rejectReason ?? null,
        createdAt: now,
        updatedAt: now,
      };
      const { lastInsertRowid } = translated(() => insert.run(t.bind(values)));
      return toOrder({ id: Number(lastInsertRowid), ...values });
    },
    getInternal(id) {
      const row = t.row(byId.get(id));
      return row && toOrder(row);
    },
    findBySlotInternal(runId, slot, legNo = 0) {
      const row = t.row(bySlot.get(runId, legNo, slot));
      return row && toOrder(row);
    },
    findByClientOrderIdInternal(brokerAccountId, clientOrderId) {
      const row = t.row(byClientId.get(brokerAccountId, clientOrderId));
      return row && toOrder(row);
    },
    update(id, patch, now) {
      const set = { ...pick(patch, PATCHABLE), updatedAt: now };
      const row = t.row(translated(() => t.updateById(set).get({ ...t.bind(set), [ID]: id })));
      if (!row) throw new Error(`order ${id} not found`);
      return toOrder(row);
    },
    markSendingInternal(id, at) {
      translated(() => markSending.run(at, at, id));
    },
    list(userId, strategyId) {
      return orm
        .select()
        .from(orders)
        .where(and(eq(orders.userId, userId), eq(orders.strategyId, strategyId)))
        .orderBy(asc(orders.createdAt), asc(orders.id))
        .all()
        .map(toOrder);
    },
    listUnresolvedInternal() {
      return orm.select().from(orders).where(inArray(orders.status, [...UNRESOLVED_ORDER_STATUSES])).orderBy(asc(orders.id)).all().map(toOrder);
    },
    fillsInternal: (runIds) => fillsOf(orm, runIds),
    recentForAccountInternal(brokerAccountId, limit) {
      return orm.select().from(orders).where(eq(orders.brokerAccountId, brokerAccountId)).orderBy(desc(orders.updatedAt), desc(orders.id)).limit(limit).all().map(toOrder);
    },
  };
}
