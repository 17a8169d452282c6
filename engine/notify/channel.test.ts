import { describe, expect, it } from 'vitest';
import { retryAfterMs, scrub } from './channel';

describe('retryAfterMs', () => {
  const now = Date.parse('2026-03-09T13:00:00Z');

  it('reads delay-seconds and an HTTP date, and nothing else', () => {
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs(' 0 ', now)).toBe(0);
    expect(retryAfterMs('Mon, 09 Mar 2026 13:01:30 GMT', now)).toBe(90_000);
    // A date already past asks for no wait.
    expect(retryAfterMs('Mon, 09 Mar 2026 12:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs(undefined, now)).toBeNull();
    expect(retryAfterMs('', now)).toBeNull();
    expect(retryAfterMs('soon', now)).toBeNull();
    expect(retryAfterMs('-5', now)).toBeNull();
  });
});

describe('scrub', () => {
  it('cuts every secret of 4 characters or more out of a text', () => {
    expect(scrub('GET /bot123:AAE/sendMessage failed', ['123:AAE', 'abc'])).toBe('GET /bot[secret]/sendMessage failed');
  });
});
