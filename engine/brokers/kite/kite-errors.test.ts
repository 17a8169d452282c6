/** Every documented Kite error type maps to a clear sentence and to rejected vs unknown. */
import { describe, expect, it } from 'vitest';
import { classifyKiteFailure, KITE_ERROR_TYPES } from './kite-errors';

describe('classifyKiteFailure', () => {
  it.each([
    ['TokenException', 403, 'rejected', true, /session expired or the access token is invalid: log in to Kite again/],
    ['TwoFAException', 403, 'rejected', true, /two-factor authentication again: log in to Kite again/],
    ['PermissionException', 403, 'rejected', false, /does not permit/],
    ['UserException', 400, 'rejected', false, /because of the account/],
    ['InputException', 400, 'rejected', false, /parameters/],
    ['OrderException', 400, 'rejected', false, /refused the order/],
    ['MarginException', 400, 'rejected', false, /insufficient funds/],
    ['HoldingException', 400, 'rejected', false, /not enough holdings/],
    ['NetworkException', 503, 'unknown', false, /may or may not exist/],
    ['DataException', 502, 'unknown', false, /OMS down/],
    ['GeneralException', 500, 'unknown', false, /internal error/],
  ] as const)('%s (HTTP %i) → %s', (type, status, outcome, session, text) => {
    const e = classifyKiteFailure(status, type, 'what Kite said');
    expect(e).toMatchObject({ errorType: type, outcome, session, httpStatus: status, kiteMessage: 'what Kite said' });
    expect(e.message).toMatch(text);
    expect(e.message).toContain(`(${type}, HTTP ${status})`);
    expect(e.message).toContain('Kite said: "what Kite said"');
  });

  it('covers every documented type', () => {
    expect(KITE_ERROR_TYPES).toHaveLength(11);
  });

  it('a 429 is a refusal (not processed), whatever the error type', () => {
    expect(classifyKiteFailure(429, 'NetworkException', 'Too many requests')).toMatchObject({ errorType: 'RateLimited', outcome: 'rejected', session: false });
    expect(classifyKiteFailure(429, undefined, null).message).toMatch(/rate limit exceeded \(HTTP 429\)/);
  });

  it('no envelope or an unknown type is ambiguous, so unknown', () => {
    expect(classifyKiteFailure(502, undefined, null)).toMatchObject({ errorType: 'HttpError', outcome: 'unknown' });
    expect(classifyKiteFailure(400, 'BrandNewException', 'x')).toMatchObject({ outcome: 'unknown', message: expect.stringMatching(/unrecognised error type "BrandNewException"/) });
  });
});
