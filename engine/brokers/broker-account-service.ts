/**
 * Connecting, listing and removing broker accounts. Credentials are checked against the broker,
 * sealed by the vault with the account id as associated data, and exist in plaintext only in
 * memory; the API only ever sees their masks.
 */
import type { Clock } from '../core/clock';
import { asUserId, type BrokerAccountId, type UserId } from '../core/ids';
import { randomToken } from '../core/random-ids';
import { conflict, DomainError, notFound, validationError } from '../core/errors';
import { removalBlockers, removalRefusal } from './removal-blockers';
import { fromZodError } from '../core/zod-errors';
import type { BrokerAccount, Repos } from '../../db/repos';
import type { Vault } from '../secrets/vault';
import { maskSecret } from '../secrets/mask-secret';
import type { BrokerFactory } from './broker-sessions';
import type { BrokerSessions } from './broker-sessions';
import type { BrokerKind, BrokerKinds, HistoricalBars, HistoricalTrades } from './broker-kinds';
import type { Broker } from './broker';
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

/** How long a daily-login link stays usable. */
export const LOGIN_NONCE_TTL_MS = 10 * 60_000;

export class BrokerAccountService {
  /** Single-use nonces of logins in progress. */
  private readonly nonces = new Map<string, { userId: UserId; accountId: BrokerAccountId; expiresAt: number }>();

  constructor(private readonly deps: BrokerAccountServiceDeps) {}

  /** The broker kinds this daemon offers (GET /broker/kinds describes them). */
  kinds(): BrokerKinds { return this.deps.kinds; }

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
    // A daily-login broker cannot judge key and secret before the first login: store them, then log in.
    const awaitingLogin = kind.dailyLogin !== undefined && !creds.data[kind.dailyLogin.tokenField];
    if (!awaitingLogin) await this.validate(req.broker, kind.create({ clock, credentials: creds.data, options: opts.data }));
    const masked = maskAll(kind, creds.data);
    return repos.transaction(() => {
      const account = repos.brokerAccounts.create({
        userId,
        broker: req.broker,
        label: req.label ?? kind.title,
        status: awaitingLogin ? 'login_required' : 'connected',
        credentialsCiphertext: null,
        credentialsMasked: masked,
        options: opts.data,
        createdAt: clock.now(),
      });
      if (vault) repos.brokerAccounts.setCredentials(userId, account.id, { ciphertext: vault.encrypt(JSON.stringify(creds.data), String(account.id)), masked });
      return account;
    });
  }

  /** Asks the broker to judge the credentials; a broker that cannot be reached is a 502, not a 400. */
  private async validate(brokerName: string, probe: Broker): Promise<void> {
    let check;
    try {
      check = await probe.execution.validateCredentials();
    } catch (err) {
      // Unreachable host, TLS failure, timeout: the broker never judged the credentials.
      throw new DomainError('broker_error', `could not reach ${brokerName} to check the credentials: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      await probe.stop();
    }
    if (!check.ok) throw new DomainError('validation_failed', `the broker refused these credentials: ${check.reason}`, [{ field: 'credentials', message: check.reason }]);
  }

  /**
   * Starts a daily login: the URL the trader opens at the broker. It carries a single-use nonce
   * that the redirect must bring back, valid for LOGIN_NONCE_TTL_MS.
   */
  async loginUrl(userId: UserId, id: BrokerAccountId): Promise<{ url: string; expiresAt: number }> {
    const { account, kind, login } = this.dailyLoginOf(userId, id);
    const credentials = await this.credentialsOf(account.id, kind);
    const now = this.deps.clock.now();
    for (const [n, v] of this.nonces) if (v.expiresAt <= now) this.nonces.delete(n);
    const nonce = randomToken(16);
    const expiresAt = now + LOGIN_NONCE_TTL_MS;
    this.nonces.set(nonce, { userId, accountId: account.id, expiresAt });
    return { url: login.loginUrl(credentials, account.options, { tc_account: String(account.id), tc_nonce: nonce }), expiresAt };
  }

  /** The broker's redirect came back to the daemon: the nonce in it says whose login it is. */
  async completeLoginRedirect(url: string): Promise<{ account: BrokerAccount; expiresAt: number }> {
    const query = new URL(url, 'http://127.0.0.1').searchParams;
    const pending = this.nonces.get(query.get('tc_nonce') ?? '');
    if (!pending || pending.expiresAt <= this.deps.clock.now() || String(pending.accountId) !== query.get('tc_account')) {
      throw new DomainError('unauthorized', 'this login link is unknown, used or expired: start the login again from Tradeclock');
    }
    this.nonces.delete(query.get('tc_nonce')!);
    return this.completeLogin(pending.userId, pending.accountId, url);
  }

  /** Completes a daily login from the redirect URL or the request token the trader pasted. */
  async completeLogin(userId: UserId, id: BrokerAccountId, input: string): Promise<{ account: BrokerAccount; expiresAt: number }> {
    const { repos, clock } = this.deps;
    const { account, kind, login } = this.dailyLoginOf(userId, id);
    const parsed = login.parseRedirect(input);
    if (!parsed.ok) throw validationError([{ field: 'redirect', message: parsed.reason }]);
    const credentials = await this.credentialsOf(account.id, kind);
    const done = await login.complete({ clock, credentials, options: account.options, requestToken: parsed.requestToken });
    const renewed = { ...credentials, [login.tokenField]: done.accessToken };
    const vault = await this.deps.vault();
    const masked = maskAll(kind, renewed);
    repos.transaction(() => {
      repos.brokerAccounts.setCredentials(userId, account.id, { ciphertext: vault.encrypt(JSON.stringify(renewed), String(account.id)), masked });
      repos.brokerAccounts.setStatus(userId, account.id, 'connected');
    });
    // An open broker keeps its subscriptions and takes the new token; a closed one reads it at open.
    this.deps.sessions().peek(account.id)?.login?.setAccessToken(done.accessToken);
    return { account: this.get(userId, account.id), expiresAt: done.expiresAt };
  }

  private dailyLoginOf(userId: UserId, id: BrokerAccountId) {
    const account = this.get(userId, id);
    const kind = this.deps.kinds[account.broker];
    if (!kind?.dailyLogin) throw conflict(`${account.broker} accounts need no daily login`);
    return { account, kind, login: kind.dailyLogin };
  }

  private async credentialsOf(id: BrokerAccountId, kind: BrokerKind): Promise<Record<string, string>> {
    const sealed = this.deps.repos.brokerAccounts.getCiphertextInternal(id);
    if (!sealed) throw new DomainError('unavailable', 'this broker account has no stored credentials: connect it again');
    return kind.credentialsSchema.parse(JSON.parse((await this.deps.vault()).decrypt(sealed, String(id))));
  }

  /**
   * The account's source of past 1-minute bars (BrokerKind.historicalBars), its credentials from
   * the vault; null when its broker offers none (paper). The user's own accounts only (404).
   */
  async historicalBars(userId: UserId, id: BrokerAccountId): Promise<{ readonly account: BrokerAccount; readonly bars: HistoricalBars | null }> {
    const account = this.get(userId, id);
    const kind = this.deps.kinds[account.broker];
    if (!kind?.historicalBars) return { account, bars: null };
    const credentials = kind.needsSecret ? await this.credentialsOf(account.id, kind) : {};
    return { account, bars: kind.historicalBars({ clock: this.deps.clock, credentials, options: kind.optionsSchema.parse(account.options) }) };
  }

  /** The account's source of past trades (BrokerKind.historicalTrades), as historicalBars; null when its broker offers none (Kite, paper). */
  async historicalTrades(userId: UserId, id: BrokerAccountId): Promise<{ readonly account: BrokerAccount; readonly trades: HistoricalTrades | null }> {
    const account = this.get(userId, id);
    const kind = this.deps.kinds[account.broker];
    if (!kind?.historicalTrades) return { account, trades: null };
    const credentials = kind.needsSecret ? await this.credentialsOf(account.id, kind) : {};
    return { account, trades: kind.historicalTrades({ credentials, options: kind.optionsSchema.parse(account.options) }) };
  }

  list(userId: UserId): BrokerAccount[] {
    return this.deps.repos.brokerAccounts.list(userId);
  }

  get(userId: UserId, id: BrokerAccountId): BrokerAccount {
    const account = this.deps.repos.brokerAccounts.get(userId, id);
    if (!account) throw notFound('broker account');
    return account;
  }

  /** Removes an account no strategy uses; its connection is closed. @throws 409 naming the strategies that do. */
  async remove(userId: UserId, id: BrokerAccountId): Promise<void> {
    const { repos } = this.deps;
    this.get(userId, id);
    const blockers = removalBlockers(repos.strategies.list(userId), id);
    if (blockers.length > 0) throw conflict(removalRefusal(blockers));
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
      const credentials = kind.needsSecret ? await this.credentialsOf(accountId, kind) : {};
      return { broker: kind.create({ clock, credentials, options: kind.optionsSchema.parse(account.options) }), account: { id: account.id, userId: asUserId(account.userId) } };
    };
  }
}

/** Every credential's display form: a hint of an issued key, nothing of a secret the trader chose. */
function maskAll(kind: BrokerKind, credentials: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(credentials).map(([k, v]) => [k, kind.chosenSecrets?.includes(k) ? '••••' : maskSecret(v)]));
}

function prefixed(err: DomainError, prefix: string): DomainError {
  return validationError((err.fields ?? []).map((f) => ({ field: f.field === 'body' ? prefix : `${prefix}.${f.field}`, message: f.message })));
}
