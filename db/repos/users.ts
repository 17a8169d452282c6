/** Users. The password hash leaves this repository only through getCredentialsByEmail. */
import { and, eq } from 'drizzle-orm';
import { asUserId, type UserId } from '../../engine/core/ids';
import type { Orm } from '../client';
import { users } from '../schema';
import { translated } from './errors';

/** A user as the rest of the app sees it: never the password hash. */
export interface User {
  readonly id: UserId;
  readonly email: string;
  readonly createdAt: number;
}

/** For login only. */
export interface UserCredentials {
  readonly id: UserId;
  readonly email: string;
  readonly passwordHash: string;
}

export interface NewUser {
  readonly email: string;
  readonly passwordHash: string;
  readonly createdAt: number;
}

export interface UsersRepo {
  /**
   * Creates a user; the email is stored normalized (see normalizeEmail).
   * @throws UniqueViolation (table 'users', columns ['email']) when the email is taken.
   */
  create(input: NewUser): User;
  getById(id: UserId): User | undefined;
  /** Looks the email up normalized, so "Bob@X.com " finds "bob@x.com". */
  getCredentialsByEmail(email: string): UserCredentials | undefined;
  /**
   * Replaces the hash; false for no such user, or (with `expected`) when the stored hash is no longer
   * that one. Sessions are left alone: the caller ends those it means to.
   */
  setPasswordHash(id: UserId, passwordHash: string, expected?: string): boolean;
}

/** Emails are compared trimmed and lower-cased: the unique index itself is case-sensitive. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

const publicColumns = { id: users.id, email: users.email, createdAt: users.createdAt };

function toUser(row: { id: number; email: string; createdAt: number }): User {
  return { id: asUserId(row.id), email: row.email, createdAt: row.createdAt };
}

export function createUsersRepo(orm: Orm): UsersRepo {
  return {
    create(input) {
      const row = translated(() =>
        orm
          .insert(users)
          .values({ email: normalizeEmail(input.email), passwordHash: input.passwordHash, createdAt: input.createdAt })
          .returning(publicColumns)
          .get(),
      );
      return toUser(row);
    },
    getById(id) {
      const row = orm.select(publicColumns).from(users).where(eq(users.id, id)).get();
      return row && toUser(row);
    },
    getCredentialsByEmail(email) {
      const row = orm
        .select({ id: users.id, email: users.email, passwordHash: users.passwordHash })
        .from(users)
        .where(eq(users.email, normalizeEmail(email)))
        .get();
      return row && { ...row, id: asUserId(row.id) };
    },
    setPasswordHash(id, passwordHash, expected) {
      const where = expected === undefined ? eq(users.id, id) : and(eq(users.id, id), eq(users.passwordHash, expected));
      return orm.update(users).set({ passwordHash }).where(where).run().changes > 0;
    },
  };
}
