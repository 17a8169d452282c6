/** Users. The password hash leaves this repository only through getCredentialsByEmail. */
import { eq, sql } from 'drizzle-orm';
import { asUserId, type UserId } from '../../engine/core/ids';
import type { Orm } from '../client';
import { users } from '../schema';
import { translated } from './errors';

/** A user as the rest of the app sees it: never the password hash. */
export interface User {
  readonly id: UserId;
  readonly email: string;
  readonly tokenVersion: number;
  readonly createdAt: number;
}

/** For login only. */
export interface UserCredentials {
  readonly id: UserId;
  readonly email: string;
  readonly passwordHash: string;
  readonly tokenVersion: number;
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
  /** Increments token_version (logout everywhere, password change); the new version, or undefined for no such user. */
  bumpTokenVersion(id: UserId): number | undefined;
  /** Replaces the hash; false for no such user. Does not bump the token version: call bumpTokenVersion too. */
  setPasswordHash(id: UserId, passwordHash: string): boolean;
}

/** Emails are compared trimmed and lower-cased: the unique index itself is case-sensitive. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

const publicColumns = { id: users.id, email: users.email, tokenVersion: users.tokenVersion, createdAt: users.createdAt };

function toUser(row: { id: number; email: string; tokenVersion: number; createdAt: number }): User {
  return { id: asUserId(row.id), email: row.email, tokenVersion: row.tokenVersion, createdAt: row.createdAt };
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
        .select({ id: users.id, email: users.email, passwordHash: users.passwordHash, tokenVersion: users.tokenVersion })
        .from(users)
        .where(eq(users.email, normalizeEmail(email)))
        .get();
      return row && { ...row, id: asUserId(row.id) };
    },
    bumpTokenVersion(id) {
      const row = orm
        .update(users)
        .set({ tokenVersion: sql`${users.tokenVersion} + 1` })
        .where(eq(users.id, id))
        .returning({ tokenVersion: users.tokenVersion })
        .get();
      return row?.tokenVersion;
    },
    setPasswordHash(id, passwordHash) {
      return orm.update(users).set({ passwordHash }).where(eq(users.id, id)).run().changes > 0;
    },
  };
}
