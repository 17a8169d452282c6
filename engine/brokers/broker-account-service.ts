/**
 * Connecting, listing and removing broker accounts. Credentials are checked against the broker,
 * sealed by the vault with the account id as associated data, and exist in plaintext only in
 * memory; the API only ever sees their masks.
 */
import type { Clock } from '../core/clock';
import { asUserId, type BrokerAccountId, type UserId } from '../core/ids';
import { conflict, DomainError, notFound, validationError } from '../core/errors';
import { fromZodError } from '../core/zod-errors';
import type { BrokerAccount, Repos } from '../../db/repos';
import type { Vault } from '../secrets/vault';
import { maskSecret } from '../secrets/mask-secret';
import type { BrokerFactory } from './broker-sessions';
import type { BrokerSessions } from './broker-sessions';
import type { BrokerKinds } from './broker-kinds';
import type { InstrumentCache } from './instrument-cache';

export interface ConnectRequest {
  readonly broker: string;
  readonly label?: string | undefined;
  readonly credentials?: Record<string, unknown> | undefined;
  readonly options?: Record<string, unknown> | undefined;
}

export interface BrokerAccountServiceDeps {
  readonly repos: Repos;
  readonly clock: Clock;
  readonly kinds: BrokerKinds;
  /** Opens the vault on demand; rejects with an actionable DomainError when no key is available. */
  readonly vault: () => Promise<Vault>;
  readonly sessions: () => BrokerSessions;
  readonly instruments: () => InstrumentCache;
}

export class BrokerAccountService {
  constructor(private readonly deps: BrokerAccountServiceDeps) {}

  /** Validates the credentials against the broker, then stores the account. */
  async connect(userId: UserId, req: ConnectRequest): Promise<BrokerAccount> {
    const { repos, clock, kinds } = this.deps;
    const kind = kinds[req.broker];
    if (!kind) throw validationError([{ field: 'broker', message: `broker must be one of ${Object.keys(kinds).join(', ')}` }]);
    const creds = kind.credentialsSchema.safeParse(req.credentials ?? {});
    if (!creds.success) throw prefixed(fromZodError(creds.error), 'credentials');
    const opts = kind.optionsSchema.safeParse(req.options ?? {});
    if (!opts.success) throw prefixed(fromZodError(opts.error), 'options');
    const vault = kind.needsSecret ? await this.deps.vault() : null;

    const probe = kind.create({ clock, credentials: creds.data, options: opts.data });
    let check;
    try {
      check = await probe.execution.validateCredentials();
    } catch (err) {
      // Unreachable host, TLS failure, timeout: the broker never judged the credentials.
      throw new DomainError('broker_error', `could not reach ${req.broker} to check the credentials: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      await probe.stop();
    }
    if (!check.ok) throw new DomainError('validation_failed', `the broker refused these credentials: ${check.reason}`, [{ field: 'credentials', message: check.reason }]);

    const masked = Object.fromEntries(Object.entries(creds.data).map(([k, v]) => [k, maskSecret(v)]));
    return repos.transaction(() => {
      const account = repos.brokerAccounts.create({
        userId,
        broker: req.broker,
        label: req.label ?? kind.title,
        status: 'connected',
        credentialsCiphertext: null,
        credentialsMasked: masked,
        options: opts.data,
        createdAt: clock.now(),
      });
      if (vault) repos.brokerAccounts.setCredentials(userId, account.id, { ciphertext: vault.encrypt(JSON.stringify(creds.data), String(account.id)), masked });
      return account;
    });
  }

  list(userId: UserId): BrokerAccount[] {
    return this.deps.repos.brokerAccounts.list(userId);
  }

  get(userId: UserId, id: BrokerAccountId): BrokerAccount {
    const account = this.deps.repos.brokerAccounts.get(userId, id);
    if (!account) throw notFound('broker account');
    return account;
  }

  /** Removes an account no running strategy uses; its connection is closed. */
  async remove(userId: UserId, id: BrokerAccountId): Promise<void> {
    const { repos } = this.deps;
    this.get(userId, id);
    if (repos.strategies.countRunningOnAccount(id) > 0) throw conflict('a running strategy uses this broker account: stop it first');
    if (repos.strategies.list(userId).some((s) => s.brokerAccountId === id)) {
      throw conflict('strategies still use this broker account: delete them first (their order history goes with them)');
    }
    repos.brokerAccounts.delete(userId, id);
    await this.deps.sessions().close(id);
    this.deps.instruments().forgetAccount(id);
  }

  /** The factory BrokerSessions uses: account row → decrypted credentials → Broker. */
  factory(): BrokerFactory {
    return async (accountId) => {
      const { repos, clock, kinds } = this.deps;
      const account = repos.brokerAccounts.getInternal(accountId);
      if (!account) throw notFound('broker account');
      const kind = kinds[account.broker];
      if (!kind) throw new DomainError('unavailable', `broker "${account.broker}" is not supported by this version`);
      let credentials: Record<string, string> = {};
      if (kind.needsSecret) {
        const sealed = repos.brokerAccounts.getCiphertextInternal(accountId);
        if (!sealed) throw new DomainError('unavailable', 'this broker account has no stored credentials: connect it again');
        credentials = kind.credentialsSchema.parse(JSON.parse((await this.deps.vault()).decrypt(sealed, String(accountId))));
      }
      return { broker: kind.create({ clock, credentials, options: kind.optionsSchema.parse(account.options) }), account: { id: account.id, userId: asUserId(account.userId) } };
    };
  }
}

function prefixed(err: DomainError, prefix: string): DomainError {
  return validationError((err.fields ?? []).map((f) => ({ field: f.field === 'body' ? prefix : `${prefix}.${f.field}`, message: f.message })));
}
