/**
 * Notification channels (issue 21). The secret's envelope is never part of a NotifyChannel: only
 * the delivery worker reads it, through getSecretInternal, to open it with the vault.
 */
import { and, asc, eq, sql } from 'drizzle-orm';
import { asUserId, type UserId } from '../../engine/core/ids';
import type { Orm } from '../client';
import { notifyChannels } from '../schema';
import { parseJsonObject } from './json';

export interface NotifyChannel {
  readonly id: number;
  readonly userId: UserId;
  /** webhook, telegram, email, web_push. */
  readonly kind: string;
  readonly label: string;
  readonly enabled: boolean;
  readonly topics: readonly string[];
  /** The kind's settings (URL, chat ids, host); never secret. */
  readonly config: Readonly<Record<string, unknown>>;
  /** Display-only masks of the secret, e.g. { bot_token: '12…Zk' }. */
  readonly secretMasked: Readonly<Record<string, string>>;
  /** Attempts failed in a row; 0 after a success. */
  readonly failureStreak: number;
  readonly lastError: string | null;
  readonly lastFailureAt: number | null;
  readonly lastSuccessAt: number | null;
  /** The paired device that subscribed it (web_push from a phone); null otherwise. */
  readonly deviceId: number | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export type NewNotifyChannel = Pick<NotifyChannel, 'userId' | 'kind' | 'label' | 'enabled' | 'topics' | 'config'> & Partial<Pick<NotifyChannel, 'deviceId'>>;

export type NotifyChannelPatch = Partial<Pick<NotifyChannel, 'label' | 'enabled' | 'topics' | 'config' | 'deviceId'>>;

/** What one attempt came to, for the channel's health. */
export type ChannelOutcome = { readonly ok: true; readonly at: number } | { readonly ok: false; readonly at: number; readonly error: string };

export interface NotifyChannelsRepo {
  create(input: NewNotifyChannel, now: number): NotifyChannel;
  /** The user's channels, oldest first. */
  list(userId: UserId): NotifyChannel[];
  get(userId: UserId, id: number): NotifyChannel | undefined;
  /** Engine-internal (the delivery worker): no user filter. */
  getInternal(id: number): NotifyChannel | undefined;
  /** Engine-internal: every enabled channel of every user, oldest first (the Telegram command pollers). */
  listEnabledInternal(): NotifyChannel[];
  /** Engine-internal: every channel of one kind, any user's, enabled or not, oldest first (a push endpoint is one device's). */
  listKindInternal(kind: string): NotifyChannel[];
  /** undefined when the channel is not the user's. */
  update(userId: UserId, id: number, patch: NotifyChannelPatch, now: number): NotifyChannel | undefined;
  /** Replaces the sealed secret and its mask; false when the channel is not the user's. */
  setSecret(userId: UserId, id: number, secret: { readonly ciphertext: Buffer; readonly masked: Readonly<Record<string, string>> }, now: number): boolean;
  /** Engine-internal, for the vault only: the secret's envelope, or null. */
  getSecretInternal(id: number): Buffer | null;
  /** false when the channel is not the user's. Its deliveries go with it. */
  delete(userId: UserId, id: number): boolean;
  /** Engine-internal: a success clears the streak and the error; a failure counts one more. */
  recordOutcomeInternal(id: number, outcome: ChannelOutcome): void;
}

const columns = {
  id: notifyChannels.id,
  userId: notifyChannels.userId,
  kind: notifyChannels.kind,
  label: notifyChannels.label,
  enabled: notifyChannels.enabled,
  topics: notifyChannels.topics,
  config: notifyChannels.config,
  secretMasked: notifyChannels.secretMasked,
  failureStreak: notifyChannels.failureStreak,
  lastError: notifyChannels.lastError,
  lastFailureAt: notifyChannels.lastFailureAt,
  lastSuccessAt: notifyChannels.lastSuccessAt,
  deviceId: notifyChannels.deviceId,
  createdAt: notifyChannels.createdAt,
  updatedAt: notifyChannels.updatedAt,
};

type Row = Omit<typeof notifyChannels.$inferSelect, 'secretCiphertext'>;

function toChannel(row: Row): NotifyChannel {
  const topics: unknown = JSON.parse(row.topics);
  if (!Array.isArray(topics)) throw new Error('notify_channels.topics is not a JSON array');
  return {
    ...row,
    userId: asUserId(row.userId),
    topics: topics.map(String),
    config: parseJsonObject(row.config, 'notify_channels.config'),
    // Written only from Record<string, string> by this repository.
    secretMasked: parseJsonObject(row.secretMasked, 'notify_channels.secret_masked') as Record<string, string>,
  };
}

export function createNotifyChannelsRepo(orm: Orm): NotifyChannelsRepo {
  const mine = (userId: UserId, id: number) => and(eq(notifyChannels.id, id), eq(notifyChannels.userId, userId));
  const one = (where: ReturnType<typeof mine>) => {
    const row = orm.select(columns).from(notifyChannels).where(where).get();
    return row && toChannel(row);
  };
  return {
    create(input, now) {
      const row = orm
        .insert(notifyChannels)
        .values({ ...input, topics: JSON.stringify(input.topics), config: JSON.stringify(input.config), createdAt: now, updatedAt: now })
        .returning(columns)
        .get();
      return toChannel(row);
    },
    list: (userId) => orm.select(columns).from(notifyChannels).where(eq(notifyChannels.userId, userId)).orderBy(asc(notifyChannels.id)).all().map(toChannel),
    get: (userId, id) => one(mine(userId, id)),
    getInternal: (id) => one(eq(notifyChannels.id, id)),
    listEnabledInternal: () => orm.select(columns).from(notifyChannels).where(eq(notifyChannels.enabled, true)).orderBy(asc(notifyChannels.id)).all().map(toChannel),
    listKindInternal: (kind) => orm.select(columns).from(notifyChannels).where(eq(notifyChannels.kind, kind)).orderBy(asc(notifyChannels.id)).all().map(toChannel),
    update(userId, id, patch, now) {
      const set = {
        ...(patch.label === undefined ? {} : { label: patch.label }),
        ...(patch.enabled === undefined ? {} : { enabled: patch.enabled }),
        ...(patch.topics === undefined ? {} : { topics: JSON.stringify(patch.topics) }),
        ...(patch.config === undefined ? {} : { config: JSON.stringify(patch.config) }),
        ...(patch.deviceId === undefined ? {} : { deviceId: patch.deviceId }),
        updatedAt: now,
      };
      const row = orm.update(notifyChannels).set(set).where(mine(userId, id)).returning(columns).get();
      return row && toChannel(row);
    },
    setSecret(userId, id, secret, now) {
      return orm.update(notifyChannels).set({ secretCiphertext: secret.ciphertext, secretMasked: JSON.stringify(secret.masked), updatedAt: now }).where(mine(userId, id)).run().changes > 0;
    },
    getSecretInternal(id) {
      return orm.select({ c: notifyChannels.secretCiphertext }).from(notifyChannels).where(eq(notifyChannels.id, id)).get()?.c ?? null;
    },
    delete: (userId, id) => orm.delete(notifyChannels).where(mine(userId, id)).run().changes > 0,
    recordOutcomeInternal(id, outcome) {
      const set = outcome.ok
        ? { failureStreak: 0, lastError: null, lastSuccessAt: outcome.at }
        : { failureStreak: sql`${notifyChannels.failureStreak} + 1`, lastError: outcome.error, lastFailureAt: outcome.at };
      orm.update(notifyChannels).set(set).where(eq(notifyChannels.id, id)).run();
    },
  };
}
