/**
 * Plan §4's table: each CCXT error (real classes from the ccxt package) and Binance answer, and
 * the placement outcome it must give.
 */
import { describe, expect, it } from 'vitest';
import { classifyPlacement, venueAnswer } from './ccxt-errors';
import { loadCcxt } from './ccxt-client';
import { OffEndpointError } from './ccxt-fetch';
import { BINANCE } from './ccxt-venues';

const SECRETS = ['the-key', 'the-secret'];
const other = { precedence: 'other' } as const;

describe('classifyPlacement', () => {
  it('follows the table of plan §4', async () => {
    const ccxt = await loadCcxt();
    const binance = (body: string) => `binance ${body}`;
    const cases: [Error, object][] = [
      [new ccxt.InsufficientFunds(binance('Account has insufficient balance for requested action.')), { kind: 'rejected', lasting: true }],
      [new ccxt.InvalidOrder(binance('{"code":-1013,"msg":"Filter failure: LOT_SIZE"}')), { kind: 'rejected', lasting: true }],
      [new ccxt.BadRequest(binance('{"code":-1111,"msg":"Precision is over the maximum defined for this asset."}')), { kind: 'rejected', lasting: true }],
      [new ccxt.AuthenticationError(binance('{"code":-2015,"msg":"Invalid API-key, IP, or permissions for action."}')), { kind: 'rejected', lasting: true }],
      [new ccxt.PermissionDenied(binance('This symbol is not permitted for this account.')), { kind: 'rejected', lasting: true }],
      [new ccxt.MarketClosed(binance('Market is closed.')), { kind: 'rejected' }],
      // CCXT's table (binance.js:2790 in 4.5.84): -1013 with "Market is closed." (a halted symbol) may pass, read by its message before the code.
      [new ccxt.InvalidOrder(binance('{"code":-1013,"msg":"Market is closed."}')), { kind: 'rejected' }],
      [new ccxt.InvalidOrder(binance('{"code":-2010,"msg":"Market is closed."}')), { kind: 'rejected' }],
      [new ccxt.DDoSProtection(binance('429 Too Many Requests {"code":-1003,"msg":"Too much request weight used"}')), { kind: 'unknown', notPlaced: true }],
      [new ccxt.RateLimitExceeded(binance('{"code":-1015,"msg":"Too many new orders."}')), { kind: 'unknown', notPlaced: true }],
      [new ccxt.InvalidNonce(binance('{"code":-1021,"msg":"Timestamp for this request is outside of the recvWindow."}')), { kind: 'unknown', notPlaced: true }],
      [new ccxt.RequestTimeout(binance('{"code":-1007,"msg":"Timeout waiting for response from backend server. Send status unknown; execution status unknown."}')), { kind: 'unknown' }],
      [new ccxt.RequestTimeout('binance POST http://x/api/v3/order request timed out (10000 ms)'), { kind: 'unknown' }],
      [new ccxt.NetworkError('binance POST http://x/api/v3/order fetch failed: other side closed'), { kind: 'unknown' }],
      [new ccxt.ExchangeNotAvailable(binance('502 Bad Gateway <html>')), { kind: 'unknown' }],
      [new ccxt.BadResponse(binance('unreadable')), { kind: 'unknown' }],
      [new ccxt.InvalidOrder(binance('{"code":-2010,"msg":"Duplicate order sent."}')), { kind: 'unknown' }],
      [new ccxt.ExchangeError(binance('{"code":-9999,"msg":"Something new."}')), { kind: 'unknown' }],
      [new OffEndpointError('https://api.binance.com/sapi/v1/x'), { kind: 'rejected', lasting: true }],
    ];
    for (const [err, want] of cases) {
      const got = classifyPlacement(BINANCE, err, other, SECRETS);
      expect({ err: err.message, ...got }).toMatchObject({ err: err.message, ...want });
      if (!('notPlaced' in want)) expect(got).not.toHaveProperty('notPlaced');
      if (!('lasting' in want)) expect(got).not.toHaveProperty('lasting');
    }
  });

  it('a request that never left is not placed, with the wait named; the reason carries no secret', async () => {
    const ccxt = await loadCcxt();
    const err = new ccxt.NetworkError('binance POST http://x/api/v3/order?signature=abcd the-key fetch failed');
    expect(classifyPlacement(BINANCE, err, { precedence: 'exit', notSent: true, retryAfterMs: 5_000 }, SECRETS)).toEqual({
      kind: 'unknown',
      reason: 'Binance spot: binance POST http://x/api/v3/order?signature=[redacted] [redacted] fetch failed; not sent',
      notPlaced: true,
      retryAfterMs: 5_000,
    });
  });
});

describe('venueAnswer', () => {
  it("reads Binance's error JSON, or a message CCXT kept without it", () => {
    expect(venueAnswer(BINANCE, 'binance {"code":-2013,"msg":"Order does not exist."}')).toEqual({ code: '-2013', msg: 'Order does not exist.' });
    expect(venueAnswer(BINANCE, 'binance Account has insufficient balance for requested action.')).toEqual({ code: null, msg: 'Account has insufficient balance for requested action.' });
    expect(venueAnswer(BINANCE, 'binance something else')).toBeNull();
  });
});
