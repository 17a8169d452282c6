/**
 * Broker accounts. The credentials ciphertext is never part of a BrokerAccount: only the vault
 * reads it, through getCiphertextInternal.
 */
import { and, asc, count, eq } from 'drizzle-orm';
import { asBrokerAccountId, asUserId, type BrokerAccountId, type UserId } from '../../engine/core/ids';
import type { Orm } from '../client';
import { brokerAccounts, strategies } from '../schema';
import { ForeignKeyViolation, translated } from './errors';
import { parseJsonObject } from './json';

export interface BrokerAccount {
  readonly id: BrokerAccountId;
  readonly userId: UserId;
  /** Broker kind, as BrokerCapabilities.kind: 'paper', 'alpaca', 'kite'. */
  readonly broker: string;
  readonly label: string;
  readonly status: string;
  /** Display-only masks of the credentials, e.g. { apiKey: 'PK…7Q' }. */
  readonly credentialsMasked: Readonly<Record<string, string>>;
  /** Endpoint overrides and broker settings; never secret. */
  readonly options: Readonly<Record<string, unknown>>;
  readonly createdAt: number;
}

export interface NewBrokerAccount {
  readonly userId: UserId;
  readonly broker: string;
  readonly label: string;
  readonly status: string;
  /** The vault's AES-256-GCM envelope; null for brokers without credentials (paper). */
  readonly credentialsCiphertext: Buffer | null;
  readonly credentialsMasked?: Readonly<Record<string, string>>;
  readonly options?: Readonly<Record<string, unknown>>;
  readonly createdAt: number;
}

export interface BrokerAccountsRepo {
  create(input: NewBrokerAccount): BrokerAccount;
  /** The user's accounts, oldest first. */
  list(userId: UserId): BrokerAccount[];
  get(userId: UserId, id: BrokerAccountId): BrokerAccount | undefined;
  /** Engine-internal (recovery, execution): no user filter. */
  getInternal(id: BrokerAccountId): BrokerAccount | undefined;
  /** Engine-internal, for the vault only: the credentials envelope, or null (no such account, or none stored). */
  getCiphertextInternal(id: BrokerAccountId): Buffer | null;
  /** False when the account is not the user's. */
  setStatus(userId: UserId, id: BrokerAccountId, status: string): boolean;
  /** Engine-internal (feed down, session expired): no user filter. */
  setStatusInternal(id: BrokerAccountId, status: string): boolean;
  /** Replaces the credentials (re-login, Kite's daily token); false when the account is not the user's. */
  setCredentials(
    userId: UserId,
    id: BrokerAccountId,
    credentials: { readonly ciphertext: Buffer | null; readonly masked: Readonly<Record<string, string>> },
  ): boolean;
  /**
   * Deletes the user's account; false when it is not theirs.
   * @throws ForeignKeyViolation while strategies still use it (they and their order history are kept).
   */
  delete(userId: UserId, id: BrokerAccountId): boolean;
}

const columns = {
  id: brokerAccounts.id,
  userId: brokerAccounts.userId,
  broker: brokerAccounts.broker,
  label: brokerAccounts.label,
  status: brokerAccounts.status,
  credentialsMasked: brokerAccounts.credentialsMasked,
  options: brokerAccounts.options,
  createdAt: brokerAccounts.createdAt,
};

type Row = Omit<typeof brokerAccounts.$inferSelect, 'credentialsCiphertext'>;

function toBrokerAccount(row: Row): BrokerAccount {
  return {
    id: asBrokerAccountId(row.id),
    userId: asUserId(row.userId),
    broker: row.broker,
    label: row.label,
    status: row.status,
    // Written only from Record<string, string> by this repository.
    credentialsMasked: parseJsonObject(row.credentialsMasked, 'broker_accounts.credentials_masked') as Record<string, string>,
    options: parseJsonObject(row.options, 'broker_accounts.options'),
    createdAt: row.createdAt,
  };
}

export function createBrokerAccountsRepo(orm: Orm): BrokerAccountsRepo {
  const mine = (userId: UserId, id: BrokerAccountId) => and(eq(brokerAccounts.id, id), eq(brokerAccounts.userId, userId));
  const getWhere = (where: ReturnType<typeof mine>) => {
    const row = orm.select(columns).from(brokerAccounts).where(where).get();
    return row && toBrokerAccount(row);
  };
  return {
    create(input) {
      const row = translated(() =>
        orm
          .insert(brokerAccounts)
          .values({
            userId: input.userId,
            broker: input.broker,
            label: input.label,
            status: input.status,
            credentialsCiphertext: input.credentialsCiphertext,
            credentialsMasked: JSON.stringify(input.credentialsMasked ?? {}),
            options: JSON.stringify(input.options ?? {}),
            createdAt: input.createdAt,
          })
          .returning(columns)
          .get(),
      );
      return toBrokerAccount(row);
    },
    list(userId) {
      return orm
        .select(columns)
        .from(brokerAccounts)
        .where(eq(brokerAccounts.userId, userId))
        .orderBy(asc(brokerAccounts.id))
        .all()
        .map(toBrokerAccount);
    },
    get: (userId, id) => getWhere(mine(userId, id)),
    getInternal: (id) => getWhere(eq(brokerAccounts.id, id)),
    getCiphertextInternal(id) {
      const row = orm
        .select({ c: brokerAccounts.credentialsCiphertext })
        .from(brokerAccounts)
        .where(eq(brokerAccounts.id, id))
        .get();
      return row?.c ?? null;
    },
    setStatus(userId, id, status) {
      return orm.update(brokerAccounts).set({ status }).where(mine(userId, id)).run().changes > 0;
    },
    setStatusInternal(id, status) {
      return orm.update(brokerAccounts).set({ status }).where(eq(brokerAccounts.id, id)).run().changes > 0;
    },
    setCredentials(userId, id, credentials) {
      return (
        orm
          .update(brokerAccounts)
          .set({ credentialsCiphertext: credentials.ciphertext, credentialsMasked: JSON.stringify(credentials.masked) })
          .where(mine(userId, id))
          .run().changes > 0
      );
    },
    delete(userId, id) {
      if (!getWhere(mine(userId, id))) return false;
      const used = orm.select({ n: count() }).from(strategies).where(eq(strategies.brokerAccountId, id)).get()?.n ?? 0;
      if (used > 0) {
        throw new ForeignKeyViolation(`broker account ${id} is used by ${used} strateg${used === 1 ? 'y' : 'ies'}; delete them first`, 'brokerAccountId');
      }
      return translated(() => orm.delete(brokerAccounts).where(mine(userId, id)).run().changes > 0);
    },
  };
}
