/** A refusal that may be retried later; the API answers it with Retry-After. */
import { DomainError } from '../core/errors';

/**
 * Too many attempts (429, `rate_limited`), or more password work than the engine takes at once
 * (503, `unavailable`): either way the client may try again after `retryAfterMs`.
 *
 * @example throw new RateLimitedError(5_000); // 429, Retry-After: 5
 */
export class RateLimitedError extends DomainError {
  constructor(
    readonly retryAfterMs: number,
    message = `too many failed attempts: try again in ${Math.ceil(retryAfterMs / 1000)} s`,
    code: 'rate_limited' | 'unavailable' = 'rate_limited',
  ) {
    super(code, message);
    this.name = 'RateLimitedError';
  }
}
