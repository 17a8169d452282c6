/**
 * Slows password guessing: failures are counted per key over a sliding window. Past its free
 * failures a key either waits for its oldest counted failure to leave the window (a lock, as the
 * register limit uses) or, with `backoff`, waits a delay after its latest failure that doubles
 * with each further failure up to a ceiling: slowed down, never locked out. Login counts per
 * (account, client), per client and per account in total (LoginLimiter below), so a stranger's
 * guesses slow the stranger, not the owner. Memory is bounded however many distinct keys an
 * attacker invents.
 */
import { clientKey } from './client-address';

export interface LimitDecision {
  readonly allowed: boolean;
  /** 0 when allowed; otherwise how long until one more attempt is allowed. */
  readonly retryAfterMs: number;
}

export interface BackoffOptions {
  /** The wait after the failure that used up the free ones. */
  readonly firstDelayMs: number;
  /** The wait never grows beyond this. */
  readonly maxDelayMs: number;
}

export interface FailureLimitOptions {
  /** Failures allowed in the window before any wait. */
  readonly maxFailures: number;
  readonly windowMs: number;
  /** Most keys remembered; the least recently failed are forgotten first. Default 10 000. */
  readonly maxKeys?: number;
  /** Slow down instead of locking: see the module comment. Default: lock. */
  readonly backoff?: BackoffOptions;
}

const ALLOWED: LimitDecision = { allowed: true, retryAfterMs: 0 };

/**
 * Counts failures per key in a sliding window.
 *
 * @example
 *   const byAddress = new FailureLimiter({ maxFailures: 20, windowMs: 15 * 60_000 }, clock.now);
 *   if (!byAddress.check(ip).allowed) throw new DomainError('rate_limited', 'Too many attempts');
 *   byAddress.recordFailure(ip);
 */
export class FailureLimiter {
  /** Map order = order of last failure, so the front holds the stalest keys (LRU by failure). */
  private readonly failures = new Map<string, number[]>();
  private readonly maxKeys: number;
  /** Timestamps kept per key: past this many, the wait is at its ceiling anyway. */
  private readonly keep: number;

  constructor(
    private readonly options: FailureLimitOptions,
    private readonly now: () => number,
  ) {
    this.maxKeys = options.maxKeys ?? 10_000;
    if (!(options.maxFailures >= 1 && options.windowMs > 0 && this.maxKeys >= 1)) {
      throw new Error('maxFailures and maxKeys must be ≥ 1, windowMs > 0');
    }
    const b = options.backoff;
    if (b && !(b.firstDelayMs > 0 && b.maxDelayMs >= b.firstDelayMs)) throw new Error('backoff needs 0 < firstDelayMs ≤ maxDelayMs');
    this.keep = options.maxFailures + (b ? Math.ceil(Math.log2(b.maxDelayMs / b.firstDelayMs)) + 1 : 0);
  }

  /** Whether one more attempt for `key` may go ahead now. */
  check(key: string): LimitDecision {
    const times = this.live(key);
    const { maxFailures, windowMs, backoff } = this.options;
    if (times.length < maxFailures) return ALLOWED;
    let retryAfterMs: number;
    if (backoff) {
      const delay = Math.min(backoff.firstDelayMs * 2 ** (times.length - maxFailures), backoff.maxDelayMs);
      retryAfterMs = (times.at(-1) ?? 0) + delay - this.now();
      if (retryAfterMs <= 0) return ALLOWED;
    } else {
      // Only the newest maxFailures are kept, so the first one is the next to leave the window.
      retryAfterMs = (times[0] ?? 0) + windowMs - this.now();
    }
    return { allowed: false, retryAfterMs: Math.max(1, retryAfterMs) };
  }

  recordFailure(key: string): void {
    const times = this.live(key);
    times.push(this.now());
    if (times.length > this.keep) times.splice(0, times.length - this.keep);
    this.failures.delete(key);
    this.failures.set(key, times);
    this.evict();
  }

  /** Takes back the key's newest failure: an attempt counted before its outcome turned out right. */
  undoFailure(key: string): void {
    const times = this.failures.get(key);
    times?.pop();
    if (times?.length === 0) this.failures.delete(key);
  }

  /** Forgets the key's failures (a correct password for that account). */
  recordSuccess(key: string): void {
    this.failures.delete(key);
  }

  /** Keys currently remembered; for tests and metrics. */
  get size(): number {
    return this.failures.size;
  }

  private live(key: string): number[] {
    const times = this.failures.get(key);
    if (!times) return [];
    const cutoff = this.now() - this.options.windowMs;
    const firstLive = times.findIndex((t) => t > cutoff);
    if (firstLive === -1) {
      this.failures.delete(key);
      return [];
    }
    if (firstLive > 0) times.splice(0, firstLive);
    return times;
  }

  private evict(): void {
    if (this.failures.size <= this.maxKeys) return;
    // Over the cap: forget from the front (stalest first, so keys whose failures already left
    // the window go before any live one) down to 90%. Batches matter: deleting one key per
    // insert leaves V8's Map skipping thousands of deleted slots on every walk from the front.
    const target = Math.max(1, Math.floor(this.maxKeys * 0.9));
    const cutoff = this.now() - this.options.windowMs;
    for (const [key, times] of this.failures) {
      if (this.failures.size <= target && (times.at(-1) ?? 0) > cutoff) break;
      this.failures.delete(key);
    }
  }
}

export interface LoginAttempt {
  readonly email: string;
  /** The client's address as the server saw it (request.ip); see client-address.ts for what one client is. */
  readonly address: string;
}

/** The looser cap on one account's failures from every client together. */
export interface AccountTotalOptions {
  /** Failures at one account, from all clients together, allowed in the window. */
  readonly maxFailures: number;
  readonly windowMs: number;
  /** Past the cap, each client waits this long after its own latest failure at that account. */
  readonly clientDelayMs: number;
  /** Most accounts remembered. Default 10 000. */
  readonly maxKeys?: number;
}

export interface LoginLimiterOptions {
  readonly now: () => number;
  /**
   * One client at one account. Default: 5 free failures per 15 minutes, then 5 s, 10 s, … up to
   * 60 s between tries. Another client at the same account is not slowed by these.
   */
  readonly perAccountClient?: FailureLimitOptions;
  /** One client at any accounts. Default: 20 free failures per 15 minutes, then 5 s, 10 s, … up to 60 s. */
  readonly perAddress?: FailureLimitOptions;
  /** All clients at one account. Default: 100 failures per hour, then each client waits 60 s after its own failure there. */
  readonly perAccountTotal?: AccountTotalOptions;
}

const FIFTEEN_MINUTES = 15 * 60_000;
const SLOW_DOWN: BackoffOptions = { firstDelayMs: 5_000, maxDelayMs: 60_000 };
const ACCOUNT_TOTAL: AccountTotalOptions = { maxFailures: 100, windowMs: 60 * 60_000, clientDelayMs: 60_000 };

/**
 * The login endpoint's limiter: an attempt goes ahead only if its client is under its limit at
 * that account and under its limit over all accounts, and, once the account as a whole is past
 * its looser cap, only if that client has not failed there within the last minute.
 *
 * The back-off is per (account, client), never shared by everyone trying an account: shared, a
 * stranger who retries every few milliseconds takes each slot the moment it opens, and the owner
 * never gets one. The account's total cap is a slow-down that still leaves room: past it, every
 * client waits its own minute, so the owner's first try is never delayed and a typo costs the
 * owner at most a minute, whatever strangers elsewhere do. Counting by client has one blind spot
 * by design: every loopback address is one client (client-address.ts), so a local process guessing
 * at the owner's account shares the owner's key on that machine. The kill switch needs only a
 * valid token (tokens last 12 h), and the desktop tray's "Stop all" needs no login at all.
 *
 * @example
 *   const limiter = new LoginLimiter({ now: clock.now });
 *   const decision = limiter.begin({ email, address: request.ip }); // counted as a failure already
 *   if (!decision.allowed) throw new RateLimitedError(decision.retryAfterMs);
 *   if (await verifyPassword(pw, user.passwordHash)) limiter.succeeded({ email, address: request.ip });
 */
export class LoginLimiter {
  private readonly byAccountClient: FailureLimiter;
  private readonly byAddress: FailureLimiter;
  private readonly byAccount: FailureLimiter;
  /** One failure per (account, client) per clientDelayMs: the rule once the account is past its cap. */
  private readonly byAccountClientOverCap: FailureLimiter;

  constructor(options: LoginLimiterOptions) {
    const total = options.perAccountTotal ?? ACCOUNT_TOTAL;
    this.byAccountClient = new FailureLimiter(options.perAccountClient ?? { maxFailures: 5, windowMs: FIFTEEN_MINUTES, backoff: SLOW_DOWN }, options.now);
    this.byAddress = new FailureLimiter(options.perAddress ?? { maxFailures: 20, windowMs: FIFTEEN_MINUTES, backoff: SLOW_DOWN }, options.now);
    this.byAccount = new FailureLimiter({ maxFailures: total.maxFailures, windowMs: total.windowMs, ...(total.maxKeys ? { maxKeys: total.maxKeys } : {}) }, options.now);
    this.byAccountClientOverCap = new FailureLimiter({ maxFailures: 1, windowMs: total.clientDelayMs }, options.now);
  }

  check(attempt: LoginAttempt): LimitDecision {
    return this.decide(keysOf(attempt));
  }

  private decide(keys: AttemptKeys): LimitDecision {
    const decisions = [this.byAccountClient.check(keys.pair), this.byAddress.check(keys.client)];
    if (!this.byAccount.check(keys.account).allowed) decisions.push(this.byAccountClientOverCap.check(keys.pair));
    if (decisions.every((d) => d.allowed)) return ALLOWED;
    return { allowed: false, retryAfterMs: Math.max(...decisions.map((d) => d.retryAfterMs)) };
  }

  /**
   * `check`, and when allowed, counts the attempt as a failure at once, before its password is
   * checked: guesses sent together cannot all slip through one free slot while the first is
   * still being verified. `succeeded` takes the count back for a right password.
   */
  begin(attempt: LoginAttempt): LimitDecision {
    const keys = keysOf(attempt);
    const decision = this.decide(keys);
    if (decision.allowed) this.fail(keys);
    return decision;
  }

  /**
   * The attempt `begin` counted was right: this client's count at the account is cleared, and
   * the attempt taken back from the client's and the account's totals. The account's total is
   * not cleared: the owner signing in must not hand strangers a fresh hour of guesses.
   */
  succeeded(attempt: LoginAttempt): void {
    const keys = keysOf(attempt);
    this.recordSuccess(attempt);
    this.byAccount.undoFailure(keys.account);
    this.byAddress.undoFailure(keys.client);
  }

  /** The attempt `begin` counted was never checked (the engine was too busy): it counts for nothing. */
  abandoned(attempt: LoginAttempt): void {
    const keys = keysOf(attempt);
    this.byAccountClient.undoFailure(keys.pair);
    this.byAccountClientOverCap.undoFailure(keys.pair);
    this.byAccount.undoFailure(keys.account);
    this.byAddress.undoFailure(keys.client);
  }

  recordFailure(attempt: LoginAttempt): void {
    this.fail(keysOf(attempt));
  }

  private fail(keys: AttemptKeys): void {
    this.byAccountClient.recordFailure(keys.pair);
    this.byAccountClientOverCap.recordFailure(keys.pair);
    this.byAccount.recordFailure(keys.account);
    this.byAddress.recordFailure(keys.client);
  }

  /**
   * Clears this client's failures at the account only. The address keeps its count: otherwise an
   * attacker with one valid account could reset their address budget between guesses at other accounts.
   */
  recordSuccess(attempt: LoginAttempt): void {
    const { pair } = keysOf(attempt);
    this.byAccountClient.recordSuccess(pair);
    this.byAccountClientOverCap.recordSuccess(pair);
  }

  /** Remembered keys per limiter; for tests and metrics. */
  get size(): { accounts: number; accountClients: number; addresses: number } {
    return { accounts: this.byAccount.size, accountClients: this.byAccountClient.size, addresses: this.byAddress.size };
  }
}

interface AttemptKeys {
  readonly account: string;
  readonly client: string;
  readonly pair: string;
}

function keysOf(attempt: LoginAttempt): AttemptKeys {
  // `Alice@Example.com ` and `alice@example.com` are one account to a guesser.
  const account = attempt.email.trim().toLowerCase();
  const client = clientKey(attempt.address);
  return { account, client, pair: JSON.stringify([client, account]) };
}
