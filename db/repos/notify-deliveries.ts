/**
 * The durable delivery queue of notifications (issue 21), which is also each channel's delivery
 * log. Engine-internal methods serve the delivery worker; `listForChannel` is the user's log.
 */
import { and, asc, desc, eq, inArray, lt, lte, min, notInArray } from 'drizzle-orm';
import { asUserId, type UserId } from '../../engine/core/ids';
import type { Orm } from '../client';
import { notifyDeliveries } from '../schema';

export type DeliveryState = 'pending' | 'sending' | 'sent' | 'failed';

export interface NotifyDelivery {
  readonly id: number;
  readonly channelId: number;
  readonly userId: UserId;
  readonly topic: string;
  /** The notification, as it was queued. */
  readonly payload: unknown;
  readonly state: DeliveryState;
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly lastError: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface NewDelivery {
  readonly channelId: number;
  readonly userId: UserId;
  readonly topic: string;
  readonly payload: unknown;
}

export interface NotifyDeliveriesRepo {
  /** Queues each, due at once. */
  enqueue(deliveries: readonly NewDelivery[], now: number): NotifyDelivery[];
  /** Engine-internal: pending deliveries due at `now`, oldest first, but those of the channels in `except` (busy). */
  dueInternal(now: number, limit: number, except?: readonly number[]): NotifyDelivery[];
  /** Engine-internal: when the next pending delivery is due, but those of the channels in `except`; null when none is pending. */
  nextDueAtInternal(except?: readonly number[]): number | null;
  /** Engine-internal: one attempt begins. */
  markSending(id: number, now: number): void;
  /** Engine-internal: the attempt is over; `retryAt` null ends it (sent, or failed for good). */
  markDone(id: number, outcome: { readonly state: 'sent' | 'failed' | 'pending'; readonly error: string | null; readonly retryAt?: number }, now: number): void;
  /** Engine-internal, at start: attempts cut short by a crash are due again. Returns how many. */
  resetSendingInternal(now: number): number;
  /** The user's channel's deliveries, newest first. */
  listForChannel(userId: UserId, channelId: number, limit: number): NotifyDelivery[];
  /** Engine-internal: deletes finished deliveries last changed before `before`. Returns how many. */
  pruneInternal(before: number): number;
}

type Row = typeof notifyDeliveries.$inferSelect;

function toDelivery(row: Row): NotifyDelivery {
  // Text columns written only from the typed inputs above.
  return { ...row, userId: asUserId(row.userId), payload: JSON.parse(row.payload) as unknown, state: row.state as DeliveryState };
}

export function createNotifyDeliveriesRepo(orm: Orm): NotifyDeliveriesRepo {
  return {
    enqueue(deliveries, now) {
      if (deliveries.length === 0) return [];
      return orm
        .insert(notifyDeliveries)
        .values(deliveries.map((d) => ({ ...d, payload: JSON.stringify(d.payload), state: 'pending', attempts: 0, nextAttemptAt: now, createdAt: now, updatedAt: now })))
        .returning()
        .all()
        .map(toDelivery);
    },
    dueInternal(now, limit, except = []) {
      return orm
        .select()
        .from(notifyDeliveries)
        .where(and(eq(notifyDeliveries.state, 'pending'), lte(notifyDeliveries.nextAttemptAt, now), notInArray(notifyDeliveries.channelId, [...except])))
        .orderBy(asc(notifyDeliveries.id))
        .limit(limit)
        .all()
        .map(toDelivery);
    },
    nextDueAtInternal(except = []) {
      return (
        orm
          .select({ at: min(notifyDeliveries.nextAttemptAt) })
          .from(notifyDeliveries)
          .where(and(eq(notifyDeliveries.state, 'pending'), notInArray(notifyDeliveries.channelId, [...except])))
          .get()?.at ?? null
      );
    },
    markSending(id, now) {
      orm.update(notifyDeliveries).set({ state: 'sending', updatedAt: now }).where(eq(notifyDeliveries.id, id)).run();
    },
    markDone(id, outcome, now) {
      const row = orm.select({ attempts: notifyDeliveries.attempts }).from(notifyDeliveries).where(eq(notifyDeliveries.id, id)).get();
      if (!row) return;
      orm
        .update(notifyDeliveries)
        .set({ state: outcome.state, attempts: row.attempts + 1, lastError: outcome.error, ...(outcome.retryAt === undefined ? {} : { nextAttemptAt: outcome.retryAt }), updatedAt: now })
        .where(eq(notifyDeliveries.id, id))
        .run();
    },
    resetSendingInternal(now) {
      return orm.update(notifyDeliveries).set({ state: 'pending', nextAttemptAt: now, updatedAt: now }).where(eq(notifyDeliveries.state, 'sending')).run().changes;
    },
    listForChannel(userId, channelId, limit) {
      return orm
        .select()
        .from(notifyDeliveries)
        .where(and(eq(notifyDeliveries.userId, userId), eq(notifyDeliveries.channelId, channelId)))
        .orderBy(desc(notifyDeliveries.id))
        .limit(limit)
        .all()
        .map(toDelivery);
    },
    pruneInternal(before) {
      return orm
        .delete(notifyDeliveries)
        .where(and(inArray(notifyDeliveries.state, ['sent', 'failed']), lt(notifyDeliveries.updatedAt, before)))
        .run().changes;
    },
  };
}
