/**
 * Slows password guessing: failures are counted per account and per client over a sliding
 * window. Past its free failures a key either waits for its oldest counted failure to leave the
 * window (a lock, as the register limit uses) or, with `backoff`, waits a delay after its latest
 * failure that doubles with each further failure up to a ceiling: slowed down, never locked out.
 * Login uses the backoff, so a stranger's wrong guesses cost the owner at most the ceiling, not
 * a quarter of an hour. Memory is bounded however many distinct keys an attacker invents.
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
  /** The client's address as the server saw it (request.ip); every loopback address is one client. */
  readonly address: string;
}

export interface LoginLimiterOptions {
  readonly now: () => number;
  /** Default: 5 free failures per account per 15 minutes, then 5 s, 10 s, … up to 60 s between tries. */
  readonly perAccount?: FailureLimitOptions;
  /** Default: 20 free failures per client per 15 minutes, then 5 s, 10 s, … up to 60 s between tries. */
  readonly perAddress?: FailureLimitOptions;
}

const FIFTEEN_MINUTES = 15 * 60_000;
const SLOW_DOWN: BackoffOptions = { firstDelayMs: 5_000, maxDelayMs: 60_000 };

/**
 * The login endpoint's limiter: an attempt goes ahead only if both its account and its client
 * are under their limits. The defaults slow guessing down and never lock anyone out: after a
 * stranger's wrong guesses at the owner's account, the right password works again within 60 s
 * of the last guess (a valid token is never limited at all).
 *
 * @example
 *   const limiter = new LoginLimiter({ now: clock.now });
 *   const decision = limiter.begin({ email, address: request.ip }); // counted as a failure already
 *   if (!decision.allowed) throw new RateLimitedError(decision.retryAfterMs);
 *   if (await verifyPassword(pw, user.passwordHash)) limiter.succeeded({ email, address: request.ip });
 */
export class LoginLimiter {
  private readonly byAccount: FailureLimiter;
  private readonly byAddress: FailureLimiter;

  constructor(options: LoginLimiterOptions) {
    this.byAccount = new FailureLimiter(options.perAccount ?? { maxFailures: 5, windowMs: FIFTEEN_MINUTES, backoff: SLOW_DOWN }, options.now);
    this.byAddress = new FailureLimiter(options.perAddress ?? { maxFailures: 20, windowMs: FIFTEEN_MINUTES, backoff: SLOW_DOWN }, options.now);
  }

  check(attempt: LoginAttempt): LimitDecision {
    const a = this.byAccount.check(accountKey(attempt.email));
    const b = this.byAddress.check(clientKey(attempt.address));
    if (a.allowed && b.allowed) return ALLOWED;
    return { allowed: false, retryAfterMs: Math.max(a.retryAfterMs, b.retryAfterMs) };
  }

  /**
   * `check`, and when allowed, counts the attempt as a failure at once, before its password is
   * checked: guesses sent together cannot all slip through one free slot while the first is
   * still being verified. `succeeded` takes the count back for a right password.
   */
  begin(attempt: LoginAttempt): LimitDecision {
    const decision = this.check(attempt);
    if (decision.allowed) this.recordFailure(attempt);
    return decision;
  }

  /** The attempt `begin` counted was right: the account is cleared, the client's count taken back. */
  succeeded(attempt: LoginAttempt): void {
    this.byAccount.recordSuccess(accountKey(attempt.email));
    this.byAddress.undoFailure(clientKey(attempt.address));
  }

  /** The attempt `begin` counted was never checked (the engine was too busy): it counts for nothing. */
  abandoned(attempt: LoginAttempt): void {
    this.byAccount.undoFailure(accountKey(attempt.email));
    this.byAddress.undoFailure(clientKey(attempt.address));
  }

  recordFailure(attempt: LoginAttempt): void {
    this.byAccount.recordFailure(accountKey(attempt.email));
    this.byAddress.recordFailure(clientKey(attempt.address));
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
