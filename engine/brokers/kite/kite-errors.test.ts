/**
 * Every documented Kite error type maps to a clear sentence and to what it means for an order:
 * refused for good (lasting or passing), not placed (send again), or unknown (look it up).
 */
import { describe, expect, it } from 'vitest';
import { saysIpNotAllowed } from '../ip-refusal';
import { classifyKiteFailure, KITE_ERROR_TYPES, KITE_IP_REFUSAL, KITE_RATE_WINDOW_MS, MAX_RETRY_AFTER_MS, parseRetryAfter, SESSION_RETRY_MS } from './kite-errors';

describe('classifyKiteFailure', () => {
  it.each([
    // type, HTTP, outcome, session, notPlaced, lasting, retryAfterMs, text
    ['TokenException', 403, 'unknown', true, true, false, SESSION_RETRY_MS, /session expired or the access token is invalid: log in to Kite again/],
    ['TwoFAException', 403, 'unknown', true, true, false, SESSION_RETRY_MS, /two-factor authentication again: log in to Kite again/],
    ['PermissionException', 403, 'rejected', false, false, true, null, /does not permit/],
    ['UserException', 400, 'rejected', false, false, true, null, /because of the account/],
    ['InputException', 400, 'rejected', false, false, true, null, /parameters/],
    ['OrderException', 400, 'rejected', false, false, false, null, /refused the order/],
    ['MarginException', 400, 'rejected', false, false, false, null, /insufficient funds/],
    ['HoldingException', 400, 'rejected', false, false, true, null, /not enough holdings/],
    ['NetworkException', 503, 'unknown', false, false, false, null, /may or may not exist/],
    ['DataException', 502, 'unknown', false, false, false, null, /OMS down/],
    ['GeneralException', 500, 'unknown', false, false, false, null, /internal error/],
  ] as const)('%s (HTTP %i) → %s', (type, status, outcome, session, notPlaced, lasting, retryAfterMs, text) => {
    const e = classifyKiteFailure(status, type, 'what Kite said');
    expect(e).toMatchObject({ errorType: type, outcome, session, notPlaced, lasting, retryAfterMs, httpStatus: status, kiteMessage: 'what Kite said' });
    expect(e.message).toMatch(text);
    expect(e.message).toContain(`(${type}, HTTP ${status})`);
    expect(e.message).toContain('Kite said: "what Kite said"');
  });

  it('covers every documented type', () => {
    expect(KITE_ERROR_TYPES).toHaveLength(11);
  });

  it('a 429 is "not placed, send again after the window", whatever the body says', () => {
    // Kite's 429 body names NetworkException ("Too many requests"), which alone would mean "may exist".
    expect(classifyKiteFailure(429, 'NetworkException', 'Too many requests')).toMatchObject({ errorType: 'RateLimited', outcome: 'unknown', notPlaced: true, lasting: false, session: false, retryAfterMs: KITE_RATE_WINDOW_MS });
    expect(classifyKiteFailure(429, undefined, null)).toMatchObject({ outcome: 'unknown', notPlaced: true, retryAfterMs: 1_000, message: expect.stringMatching(/rate limit exceeded \(HTTP 429\), so nothing was placed/) });
    expect(classifyKiteFailure(429, 'OrderException', 'Too many requests', 3_000)).toMatchObject({ outcome: 'unknown', notPlaced: true, retryAfterMs: 3_000 });
  });

  it('an OrderException is lasting only when Kite says there is nothing to sell', () => {
    expect(classifyKiteFailure(400, 'OrderException', 'RMS:Rule: Check holdings')).toMatchObject({ outcome: 'rejected', lasting: true });
    expect(classifyKiteFailure(400, 'OrderException', 'You do not have any open positions to exit.')).toMatchObject({ lasting: true });
    expect(classifyKiteFailure(400, 'OrderException', 'Price exceeds circuit limits for the instrument. Place an order within the daily range.')).toMatchObject({ outcome: 'rejected', lasting: false });
    expect(classifyKiteFailure(400, 'OrderException', 'Order rejected by the exchange')).toMatchObject({ lasting: false });
  });

  it('a refusal that names a circuit or price band may pass, whatever its type', () => {
    expect(classifyKiteFailure(400, 'InputException', 'Price exceeds circuit limits for the instrument. Place an order within the daily range.')).toMatchObject({ outcome: 'rejected', lasting: false });
    expect(classifyKiteFailure(400, 'InputException', 'Invalid `tradingsymbol`.')).toMatchObject({ outcome: 'rejected', lasting: true });
  });

  it('a NetworkException that is not a 429 may have placed the order: unknown, to be looked up', () => {
    expect(classifyKiteFailure(503, 'NetworkException', 'Too many requests')).toMatchObject({ outcome: 'unknown', notPlaced: false, retryAfterMs: null });
  });

  // Kite publishes no wording for the static-IP refusal (pykiteconnect f5531bd, the exceptions page):
  // these texts are the forms its announcement and other brokers' refusals take, not captured replies.
  it.each([
    ['PermissionException', 403, 'Order request from unregistered IP. Add your static IP under IP Whitelist.'],
    ['InputException', 400, 'IP address not whitelisted for placing orders'],
    ['OrderException', 400, 'Requests from this IP are not allowed'],
    ['PermissionException', 403, 'Order request from unregistered IP'],
  ] as const)('a %s saying the IP is not registered is refused, not placed, and not lasting (an exit keeps trying)', (type, status, text) => {
    const e = classifyKiteFailure(status, type, text);
    expect(e).toMatchObject({ errorType: type, outcome: 'rejected', lasting: false, session: false, notPlaced: false });
    expect(e.message).toContain(KITE_IP_REFUSAL);
    expect(e.message).toContain(`Kite said: "${text}"`);
    // The journal keeps the message: the readiness check finds the refusal by it.
    expect(saysIpNotAllowed(e.message)).toBe(true);
  });

  it('other refusals are not read as the static-IP rule', () => {
    for (const text of ['RMS:Rule: Check holdings', 'Insufficient funds. Required margin is 95417.84', 'Incorrect `api_key` or `access_token`.', 'Invalid `tradingsymbol`.']) {
      expect(saysIpNotAllowed(text)).toBe(false);
      expect(classifyKiteFailure(400, 'InputException', text).message).not.toContain(KITE_IP_REFUSAL);
    }
  });

  it('no envelope or an unknown type is ambiguous, so unknown', () => {
    expect(classifyKiteFailure(502, undefined, null)).toMatchObject({ errorType: 'HttpError', outcome: 'unknown', notPlaced: false });
    expect(classifyKiteFailure(400, 'BrandNewException', 'x')).toMatchObject({ outcome: 'unknown', notPlaced: false, message: expect.stringMatching(/unrecognised error type "BrandNewException"/) });
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-03-09T04:00:00Z');

  it('reads delta-seconds and HTTP dates as a wait from now', () => {
    expect(parseRetryAfter('2', now)).toBe(2_000);
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter('Mon, 09 Mar 2026 04:00:03 GMT', now)).toBe(3_000);
    expect(parseRetryAfter('Mon, 09 Mar 2026 03:59:00 GMT', now)).toBe(0); // already past
  });

  it('caps the wait at a minute (Kite documents no longer window) and ignores what it cannot read', () => {
    expect(parseRetryAfter('3600', now)).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfter(null, now)).toBeNull();
    expect(parseRetryAfter('', now)).toBeNull();
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter('1.5', now)).toBeNull();
  });
});
