/**
 * Paired devices. A device signs in with its token on every request, so the lookup by the token's
 * hash (with its user) is a prepared statement, as the session's is.
 */
import { and, asc, eq } from 'drizzle-orm';
import { asUserId, type UserId } from '../../engine/core/ids';
import type { Orm } from '../client';
import { devices } from '../schema';
import { lazyStatement } from './prepared';
import type { User } from './users';

export interface StoredDevice {
  readonly id: number;
  readonly userId: UserId;
  readonly name: string;
  readonly pairedAt: number;
  readonly lastSeenAt: number;
  readonly clientAddress: string;
}

export interface NewDevice {
  readonly userId: UserId;
  readonly name: string;
  /** SHA-256 of the token, hex: the token itself is never stored. */
  readonly tokenHash: string;
  readonly pairedAt: number;
  readonly clientAddress: string;
}

export interface DevicesRepo {
  create(input: NewDevice): StoredDevice;
  /** The device whose token has this hash, with its user. */
  getByTokenHash(tokenHash: string): { device: StoredDevice; user: User } | undefined;
  /** Records a use; callers throttle it. */
  touch(id: number, at: number): void;
  /** The user's devices, first paired first. */
  list(userId: UserId): StoredDevice[];
  /** Renames one of the user's devices; undefined when the user has no such device. */
  rename(userId: UserId, id: number, name: string): StoredDevice | undefined;
  /** Revokes one of the user's devices; false when the user has no such device. */
  delete(userId: UserId, id: number): boolean;
}

interface HashRow {
  id: number;
  userId: number;
  name: string;
  pairedAt: number;
  lastSeenAt: number;
  clientAddress: string;
  email: string;
  userCreatedAt: number;
}

const toDevice = ({ tokenHash: _hash, ...row }: typeof devices.$inferSelect): StoredDevice => ({ ...row, userId: asUserId(row.userId) });

export function createDevicesRepo(orm: Orm): DevicesRepo {
  const byHash = lazyStatement(
    orm.$client,
    `SELECT d.id AS id, d.user_id AS userId, d.name AS name, d.paired_at AS pairedAt, d.last_seen_at AS lastSeenAt,
            d.client_address AS clientAddress, u.email AS email, u.created_at AS userCreatedAt
       FROM devices d JOIN users u ON u.id = d.user_id
      WHERE d.token_hash = ?`,
  );
  const touch = lazyStatement(orm.$client, 'UPDATE devices SET last_seen_at = ? WHERE id = ?');
  return {
    create(input) {
      return toDevice(
        orm
          .insert(devices)
          .values({ ...input, lastSeenAt: input.pairedAt })
          .returning()
          .get(),
      );
    },
    getByTokenHash(tokenHash) {
      const row = byHash.get(tokenHash) as HashRow | undefined;
      if (!row) return undefined;
      const { email, userCreatedAt, ...device } = row;
      const userId = asUserId(device.userId);
      return { device: { ...device, userId }, user: { id: userId, email, createdAt: userCreatedAt } };
    },
    touch(id, at) {
      touch.run(at, id);
    },
    list(userId) {
      return orm.select().from(devices).where(eq(devices.userId, userId)).orderBy(asc(devices.pairedAt), asc(devices.id)).all().map(toDevice);
    },
    rename(userId, id, name) {
      const row = orm
        .update(devices)
        .set({ name })
        .where(and(eq(devices.userId, userId), eq(devices.id, id)))
        .returning()
        .get();
      return row ? toDevice(row) : undefined;
    },
    delete(userId, id) {
      return orm.delete(devices).where(and(eq(devices.userId, userId), eq(devices.id, id))).run().changes > 0;
    },
  };
}
