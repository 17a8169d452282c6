/**
 * Signed-in sessions: one row per token. Every authenticated request reads one (its user with
 * it), so that read is a prepared statement on better-sqlite3 itself, as hot paths are here.
 */
import { and, asc, eq, gt, lte, ne } from 'drizzle-orm';
import { asUserId, type UserId } from '../../engine/core/ids';
import type { Orm } from '../client';
import { sessions } from '../schema';
import { lazyStatement } from './prepared';
import type { User } from './users';

export interface StoredSession {
  readonly id: string;
  readonly userId: UserId;
  readonly createdAt: number;
  readonly lastUsedAt: number;
  readonly expiresAt: number;
  readonly clientAddress: string;
  readonly userAgent: string;
}

export type NewSession = Omit<StoredSession, 'lastUsedAt'>;

export interface SessionsRepo {
  create(input: NewSession): StoredSession;
  /** The session and its user while the session exists and `now` is before its expiry. */
  getLive(id: string, now: number): { session: StoredSession; user: User } | undefined;
  /** Records a use; cheap, but callers throttle it (see AuthService). */
  touch(id: string, at: number): void;
  /** The user's unexpired sessions, oldest first. */
  listLive(userId: UserId, now: number): StoredSession[];
  /** Ends one of the user's sessions; false when the user has no such session. */
  delete(userId: UserId, id: string): boolean;
  /** Ends every session of the user but `keepId`; how many ended. */
  deleteOthers(userId: UserId, keepId: string): number;
  /** Forgets sessions expired at `now`; how many. */
  deleteExpired(now: number): number;
}

interface LiveRow {
  id: string;
  userId: number;
  createdAt: number;
  lastUsedAt: number;
  expiresAt: number;
  clientAddress: string;
  userAgent: string;
  email: string;
  userCreatedAt: number;
}

const toSession = (row: typeof sessions.$inferSelect): StoredSession => ({ ...row, userId: asUserId(row.userId) });

export function createSessionsRepo(orm: Orm): SessionsRepo {
  const live = lazyStatement(
    orm.$client,
    `SELECT s.id AS id, s.user_id AS userId, s.created_at AS createdAt, s.last_used_at AS lastUsedAt, s.expires_at AS expiresAt,
            s.client_address AS clientAddress, s.user_agent AS userAgent, u.email AS email, u.created_at AS userCreatedAt
       FROM sessions s JOIN users u ON u.id = s.user_id
      WHERE s.id = ? AND s.expires_at > ?`,
  );
  const touch = lazyStatement(orm.$client, 'UPDATE sessions SET last_used_at = ? WHERE id = ?');
  return {
    create(input) {
      return toSession(
        orm
          .insert(sessions)
          .values({ ...input, lastUsedAt: input.createdAt })
          .returning()
          .get(),
      );
    },
    getLive(id, now) {
      const row = live.get(id, now) as LiveRow | undefined;
      if (!row) return undefined;
      const { email, userCreatedAt, ...session } = row;
      const userId = asUserId(session.userId);
      return { session: { ...session, userId }, user: { id: userId, email, createdAt: userCreatedAt } };
    },
    touch(id, at) {
      touch.run(at, id);
    },
    listLive(userId, now) {
      return orm
        .select()
        .from(sessions)
        .where(and(eq(sessions.userId, userId), gt(sessions.expiresAt, now)))
        .orderBy(asc(sessions.createdAt), asc(sessions.id))
        .all()
        .map(toSession);
    },
    delete(userId, id) {
      return orm.delete(sessions).where(and(eq(sessions.userId, userId), eq(sessions.id, id))).run().changes > 0;
    },
    deleteOthers(userId, keepId) {
      return orm.delete(sessions).where(and(eq(sessions.userId, userId), ne(sessions.id, keepId))).run().changes;
    },
    deleteExpired(now) {
      return orm.delete(sessions).where(lte(sessions.expiresAt, now)).run().changes;
    },
  };
}
