/**
 * Slows password guessing: failures are counted per account and per client address over a
 * sliding window, and a key that reached its limit is refused until its oldest counted failure
 * leaves the window. Memory is bounded however many distinct keys an attacker invents.
 */

export interface LimitDecision {
  readonly allowed: boolean;
  /** 0 when allowed; otherwise how long until one more attempt is allowed. */
  readonly retryAfterMs: number;
}

export interface FailureLimitOptions {
  readonly maxFailures: number;
  readonly windowMs: number;
  /** Most keys remembered; the least recently failed are forgotten first. Default 10 000. */
  readonly maxKeys?: number;
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

  constructor(
    private readonly options: FailureLimitOptions,
    private readonly now: () => number,
  ) {
    this.maxKeys = options.maxKeys ?? 10_000;
    if (!(options.maxFailures >= 1 && options.windowMs > 0 && this.maxKeys >= 1)) {
      throw new Error('maxFailures and maxKeys must be ≥ 1, windowMs > 0');
    }
  }

  /** Whether one more attempt for `key` may go ahead now. */
  check(key: string): LimitDecision {
    const times = this.live(key);
    if (times.length < this.options.maxFailures) return ALLOWED;
    // Only the newest maxFailures are kept, so the first one is the next to leave the window.
    const retryAfterMs = (times[0] ?? 0) + this.options.windowMs - this.now();
    return { allowed: false, retryAfterMs: Math.max(1, retryAfterMs) };
  }

  recordFailure(key: string): void {
    const times = this.live(key);
    times.push(this.now());
    if (times.length > this.options.maxFailures) times.splice(0, times.length - this.options.maxFailures);
    this.failures.delete(key);
    this.failures.set(key, times);
    this.evict();
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
  /** The client's address as the server saw it (request.ip). */
  readonly address: string;
}

export interface LoginLimiterOptions {
  readonly now: () => number;
  /** Default: 5 failures per account per 15 minutes. */
  readonly perAccount?: FailureLimitOptions;
  /** Default: 20 failures per address per 15 minutes. */
  readonly perAddress?: FailureLimitOptions;
}

const FIFTEEN_MINUTES = 15 * 60_000;

/**
 * The login endpoint's limiter: an attempt goes ahead only if both its account and its address
 * are under their limits.
 *
 * @example
 *   const limiter = new LoginLimiter({ now: clock.now });
 *   const decision = limiter.check({ email, address: request.ip });
 *   if (!decision.allowed) throw new DomainError('rate_limited', `Try again in ${Math.ceil(decision.retryAfterMs / 1000)} s`);
 *   if (await verifyPassword(pw, user.passwordHash)) limiter.recordSuccess({ email, address: request.ip });
 *   else limiter.recordFailure({ email, address: request.ip });
 */
export class LoginLimiter {
  private readonly byAccount: FailureLimiter;
  private readonly byAddress: FailureLimiter;

  constructor(options: LoginLimiterOptions) {
    this.byAccount = new FailureLimiter(options.perAccount ?? { maxFailures: 5, windowMs: FIFTEEN_MINUTES }, options.now);
    this.byAddress = new FailureLimiter(options.perAddress ?? { maxFailures: 20, windowMs: FIFTEEN_MINUTES }, options.now);
  }

  check(attempt: LoginAttempt): LimitDecision {
    const a = this.byAccount.check(accountKey(attempt.email));
    const b = this.byAddress.check(addressKey(attempt.address));
    if (a.allowed && b.allowed) return ALLOWED;
    return { allowed: false, retryAfterMs: Math.max(a.retryAfterMs, b.retryAfterMs) };
  }

  recordFailure(attempt: LoginAttempt): void {
    this.byAccount.recordFailure(accountKey(attempt.email));
    this.byAddress.recordFailure(addressKey(attempt.address));
  }

  /**
   * Clears the account's failures only. The address keeps its count: otherwise an attacker with
   * one valid account could reset their address budget between guesses at other accounts.
   */
  recordSuccess(attempt: LoginAttempt): void {
    this.byAccount.recordSuccess(accountKey(attempt.email));
  }

  /** Remembered keys per limiter; for tests and metrics. */
  get size(): { accounts: number; addresses: number } {
    return { accounts: this.byAccount.size, addresses: this.byAddress.size };
  }
}

/** `Alice@Example.com ` and `alice@example.com` are one account to a guesser. */
const accountKey = (email: string) => email.trim().toLowerCase();

/** An IPv4 client seen through a dual-stack socket (`::ffff:1.2.3.4`) is still 1.2.3.4. */
const addressKey = (address: string) => address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
