/** The append-only audit log of engine events. */
import { and, desc, eq, gt, lt, type SQL } from 'drizzle-orm';
import { asRunId, asStrategyId, asUserId, type RunId, type StrategyId, type UserId } from '../../engine/core/ids';
import type { Orm } from '../client';
import { events } from '../schema';
import { parseJsonObject } from './json';
import { rawTable } from './prepared';

export const EVENTS_DEFAULT_LIMIT = 100;
export const EVENTS_MAX_LIMIT = 500;

export interface NewEvent {
  readonly userId: UserId;
  readonly strategyId?: StrategyId | null;
  readonly runId?: RunId | null;
  readonly type: string;
  /** Stored as JSON; usually the whole EngineEvent. */
  readonly payload: object;
  readonly at: number;
}

export interface StoredEvent {
  /** Increasing; the cursor for paging (beforeId) and catching up (afterId). */
  readonly id: number;
  readonly userId: UserId;
  readonly strategyId: StrategyId | null;
  readonly runId: RunId | null;
  readonly type: string;
  readonly payload: Readonly<Record<string, unknown>>;
  readonly at: number;
}

export interface EventQuery {
  readonly strategyId?: StrategyId;
  /** Only events older than this id (next page). */
  readonly beforeId?: number;
  /** Only events newer than this id (catching up after a reconnect). */
  readonly afterId?: number;
  /** Default 100, clamped to 1..500. */
  readonly limit?: number;
}

export interface EventsRepo {
  /** Appends one event; its id. @throws TypeError for an array payload (stored payloads are objects). */
  append(input: NewEvent): number;
  /**
   * The user's events, newest first.
   * @example repos.events.list(userId, { strategyId, beforeId: page.at(-1)?.id, limit: 50 })
   */
  list(userId: UserId, query?: EventQuery): StoredEvent[];
}

type Row = typeof events.$inferSelect;

function toEvent(row: Row): StoredEvent {
  return {
    id: row.id,
    userId: asUserId(row.userId),
    strategyId: row.strategyId === null ? null : asStrategyId(row.strategyId),
    runId: row.runId === null ? null : asRunId(row.runId),
    type: row.type,
    payload: parseJsonObject(row.payload, 'events.payload'),
    at: row.at,
  };
}

export function createEventsRepo(orm: Orm): EventsRepo {
  // Every engine event is appended here: prepared once, on better-sqlite3 itself (prepared.ts, rawTable).
  const t = rawTable(orm.$client, events);
  const insert = t.insert(['userId', 'strategyId', 'runId', 'type', 'payload', 'at']);
  return {
    append(input) {
      if (Array.isArray(input.payload)) throw new TypeError('event payload must be a JSON object, not an array');
      const { lastInsertRowid } = insert.run({
        userId: input.userId,
        strategyId: input.strategyId ?? null,
        runId: input.runId ?? null,
        type: input.type,
        payload: JSON.stringify(input.payload),
        at: input.at,
      });
      return Number(lastInsertRowid);
    },
    list(userId, query = {}) {
      const where: SQL[] = [eq(events.userId, userId)];
      if (query.strategyId !== undefined) where.push(eq(events.strategyId, query.strategyId));
      if (query.beforeId !== undefined) where.push(lt(events.id, query.beforeId));
      if (query.afterId !== undefined) where.push(gt(events.id, query.afterId));
      const limit = Math.min(EVENTS_MAX_LIMIT, Math.max(1, Math.floor(query.limit ?? EVENTS_DEFAULT_LIMIT)));
      return orm
        .select()
        .from(events)
        .where(and(...where))
        .orderBy(desc(events.id))
        .limit(limit)
        .all()
        .map(toEvent);
    },
  };
}
