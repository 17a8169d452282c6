/**
 * Placement outcomes at the seam, with Kite's answers scripted through an injected fetch: what
 * stops an order before Kite takes it (a 429, a dead session, our own limiter) is "not placed
 * yet", never a refusal; Kite's refusals say whether they last; anything that may have placed the
 * order stays unknown, for a lookup by tag.
 *
 * The answers are written to Kite's documented envelope (kite.trade/docs/connect/v3/exceptions).
 * The 429 body (`NetworkException`, "Too many requests") is what pykiteconnect users report
 * raised on a 429 (it raises the body's error_type); kiteconnectjs turns a 429 without an
 * envelope into a NetworkException carrying the status text, so both shapes are covered.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/fake-clock';
import type { Instrument, PlaceOrderRequest, PlaceOrderResult } from '../broker';
import { SESSION_RETRY_MS } from './kite-errors';
import { KiteExecution } from './kite-execution';
import { KiteHttp, type FetchLike } from './kite-http';
import { KiteSessionTracker } from './kite-session';
import { KITE_ORDER_WINDOWS, RateLimiter } from './rate-limiter';

const infy: Instrument = { symbol: 'INFY', exchange: 'NSE', brokerRef: '408065', tickSize: 0.05, shortable: null };
const sell: PlaceOrderRequest = { clientOrderId: 'tck3x9a116260309X', instrument: infy, side: 'sell', opens: false, qty: 10 };

type Answer = { status: number; body: unknown; headers?: Record<string, string> } | 'drop';
const kiteError = (status: number, error_type: string, message: string, headers?: Record<string, string>): Answer => ({ status, body: { status: 'error', message, error_type, data: null }, headers });
const kiteData = (data: unknown): Answer => ({ status: 200, body: { status: 'success', data } });
const TOO_MANY = kiteError(429, 'NetworkException', 'Too many requests');

/** A Kite whose next answers per "METHOD /path" are scripted; unscripted routes answer as an empty day. */
function scriptedKite(script: Record<string, Answer[]>) {
  const calls: string[] = [];
  const fetch: FetchLike = async (url, init) => {
    const key = `${init.method} ${new URL(url).pathname}`;
    calls.push(key);
    const answer = script[key]?.shift() ?? (key === 'GET /orders' ? kiteData([]) : kiteData({ order_id: '2603090000000000001' }));
    if (answer === 'drop') throw new TypeError('fetch failed', { cause: new Error('socket hang up') });
    const body = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
    return new Response(body, { status: answer.status, headers: { 'content-type': typeof answer.body === 'string' ? 'text/html' : 'application/json', ...answer.headers } });
  };
  return { fetch, calls, posts: () => calls.filter((c) => c.startsWith('POST')).length };
}

function execution(fetch: FetchLike, opts: { token?: string | null; maxRateWaitMs?: number } = {}) {
  const clock = new FakeClock(Date.parse('2026-03-09T04:00:00Z')); // 09:30 IST
  const token = opts.token === undefined ? 'token0001' : opts.token;
  const session = new KiteSessionTracker(clock, token !== null);
  const http = new KiteHttp({ restUrl: 'https://api.kite.test', apiKey: 'key', accessToken: () => token, clock, timeoutMs: 7_000, fetch, onAuth: (valid) => (valid ? session.markValid() : session.expire('Kite refused the access token')) });
  const exec = new KiteExecution({ http, clock, session, options: { product: 'MIS', market_protection: -1, max_rate_wait_ms: opts.maxRateWaitMs ?? 2_000 }, orderLimiter: new RateLimiter(clock, KITE_ORDER_WINDOWS, 5_000) });
  return { exec, clock, session };
}

const notPlaced = (reason: RegExp, retryAfterMs: number): PlaceOrderResult => ({ kind: 'unknown', notPlaced: true, retryAfterMs, reason: expect.stringMatching(reason) as unknown as string });

describe('a rate limit is "not placed yet", never a refusal', () => {
  it('a 429 on the POST (Kite\'s body says NetworkException) can be sent again after one second', async () => {
    const kite = scriptedKite({ 'POST /orders/regular': [TOO_MANY] });
    const { exec } = execution(kite.fetch);
    expect(await exec.placeOrder(sell)).toEqual(notPlaced(/rate limit exceeded \(HTTP 429\), so nothing was placed.*Too many requests/, 1_000));
    // Sent again, it goes: the earlier attempt left nothing behind to find.
    expect(await exec.placeOrder(sell)).toMatchObject({ kind: 'accepted', brokerOrderId: '2603090000000000001' });
    expect(kite.calls).toEqual(['GET /orders', 'POST /orders/regular', 'GET /orders', 'POST /orders/regular']);
  });

  it('a 429 without Kite\'s envelope (a gateway page) is the same; a Retry-After header names the wait', async () => {
    const kite = scriptedKite({ 'POST /orders/regular': [{ status: 429, body: '<html>Too Many Requests</html>' }, kiteError(429, 'NetworkException', 'Too many requests', { 'Retry-After': '3' })] });
    const { exec } = execution(kite.fetch);
    expect(await exec.placeOrder(sell)).toEqual(notPlaced(/HTTP 429/, 1_000));
    expect(await exec.placeOrder(sell)).toEqual(notPlaced(/HTTP 429/, 3_000));
  });

  it('a 429 on the resend guard\'s GET /orders sends nothing and is not placed either', async () => {
    const kite = scriptedKite({ 'GET /orders': [TOO_MANY] });
    const { exec } = execution(kite.fetch);
    expect(await exec.placeOrder(sell)).toEqual(notPlaced(/HTTP 429/, 1_000));
    expect(kite.posts()).toBe(0);
  });

  it('our own limiter refusing a slot too far away says how long until one frees', async () => {
    const kite = scriptedKite({});
    const { exec } = execution(kite.fetch, { maxRateWaitMs: 0 });
    for (let i = 0; i < 10; i++) expect((await exec.placeOrder({ ...sell, clientOrderId: `tag${i}` })).kind).toBe('accepted');
    expect(await exec.placeOrder({ ...sell, clientOrderId: 'tag10' })).toEqual(notPlaced(/rate limit of 10 orders per second is reached; not sent/, 1_000));
    expect(kite.posts()).toBe(10);
  });
});

describe('a dead session is "not placed yet", with "log in again"', () => {
  it('without a token nothing is sent, and it can go after a login', async () => {
    const kite = scriptedKite({});
    const { exec } = execution(kite.fetch, { token: null });
    expect(await exec.placeOrder(sell)).toEqual(notPlaced(/no access token yet.*Log in to Kite.*not sent yet/, SESSION_RETRY_MS));
    expect(kite.calls).toEqual([]);
  });

  it('a TokenException on the POST expires the session; the next attempt is refused locally', async () => {
    const kite = scriptedKite({ 'POST /orders/regular': [kiteError(403, 'TokenException', 'Incorrect `api_key` or `access_token`.')] });
    const { exec, session } = execution(kite.fetch);
    expect(await exec.placeOrder(sell)).toEqual(notPlaced(/log in to Kite again.*not sent yet/, SESSION_RETRY_MS));
    expect(session.current().state).toBe('expired');
    expect(await exec.placeOrder(sell)).toEqual(notPlaced(/Kite login needed/, SESSION_RETRY_MS));
    expect(kite.calls).toEqual(['GET /orders', 'POST /orders/regular']);
  });

  it('a TokenException on the resend guard\'s list: nothing sent, not placed', async () => {
    const kite = scriptedKite({ 'GET /orders': [kiteError(403, 'TokenException', 'Incorrect `api_key` or `access_token`.')] });
    const { exec } = execution(kite.fetch);
    expect(await exec.placeOrder(sell)).toEqual(notPlaced(/log in to Kite again/, SESSION_RETRY_MS));
    expect(kite.posts()).toBe(0);
  });
});

describe('Kite\'s refusals say whether they last', () => {
  it.each([
    ['HoldingException', 'Insufficient holdings', true],
    ['PermissionException', 'Insufficient permission for that call.', true],
    ['UserException', 'Your account is blocked for trading in this segment.', true],
    ['InputException', 'Invalid `tradingsymbol`.', true],
    ['OrderException', 'RMS:Rule: Check holdings', true],
    ['OrderException', 'Price exceeds circuit limits for the instrument. Place an order within the daily range.', false],
    ['MarginException', 'Insufficient funds. Required margin is 1000.00 but available margin is 10.00.', false],
  ] as const)('%s "%s" → lasting %s', async (type, message, lasting) => {
    const kite = scriptedKite({ 'POST /orders/regular': [kiteError(400, type, message)] });
    const { exec } = execution(kite.fetch);
    const r = await exec.placeOrder(sell);
    expect(r).toEqual({ kind: 'rejected', reason: expect.stringContaining(message), ...(lasting ? { lasting: true } : {}) });
  });

  it('an earlier attempt the RMS rejected for lack of holdings is found by tag: rejected, lasting, nothing sent', async () => {
    const rejected = { order_id: '2603090000000000007', status: 'REJECTED', tag: sell.clientOrderId, transaction_type: 'SELL', filled_quantity: 0, status_message: 'RMS:Rule: Check holdings', order_timestamp: '2026-03-09 09:29:58' };
    const kite = scriptedKite({ 'GET /orders': [kiteData([rejected])] });
    const { exec } = execution(kite.fetch);
    expect(await exec.placeOrder(sell)).toEqual({ kind: 'rejected', reason: 'Kite: RMS:Rule: Check holdings', lasting: true });
    expect(kite.posts()).toBe(0);
  });

  it('a request Kite could never take is refused before sending, lasting', async () => {
    const kite = scriptedKite({});
    const { exec } = execution(kite.fetch);
    expect(await exec.placeOrder({ ...sell, qty: 2.5 })).toEqual({ kind: 'rejected', reason: expect.stringMatching(/whole number/), lasting: true });
    expect(kite.calls).toEqual([]);
  });
});

describe('what may have placed the order stays unknown, for a lookup by tag', () => {
  it.each([
    ['NetworkException 503', kiteError(503, 'NetworkException', 'Service unavailable')],
    ['DataException 502', kiteError(502, 'DataException', 'OMS down')],
    ['GeneralException 500', kiteError(500, 'GeneralException', 'Something went wrong')],
    ['an HTML 504', { status: 504, body: '<html>Gateway Timeout</html>' } as Answer],
    ['a dropped connection', 'drop' as Answer],
  ])('%s', async (_, answer) => {
    const kite = scriptedKite({ 'POST /orders/regular': [answer] });
    const { exec } = execution(kite.fetch);
    const r = await exec.placeOrder(sell);
    expect(r.kind).toBe('unknown');
    expect(r).not.toHaveProperty('notPlaced');
    expect(r).not.toHaveProperty('retryAfterMs');
  });

  it('a reply that never comes times out on the injected clock as unknown', async () => {
    const fetch: FetchLike = (url, init) =>
      new URL(url).pathname === '/orders' ? Promise.resolve(new Response(JSON.stringify({ status: 'success', data: [] }), { headers: { 'content-type': 'application/json' } })) : new Promise((_, reject) => init.signal?.addEventListener('abort', () => reject(new Error('aborted'))));
    const { exec, clock } = execution(fetch);
    const placing = exec.placeOrder(sell);
    await new Promise((r) => setImmediate(r));
    await clock.advance(7_000);
    const r = await placing;
    expect(r).toEqual({ kind: 'unknown', reason: expect.stringMatching(/did not answer POST \/orders\/regular within 7000 ms/) });
  });
});

describe('the sending mark (PlaceOrderRequest.sending)', () => {
  it('is called once, after the tag check and before the POST, and not at all when nothing is sent', async () => {
    const kite = scriptedKite({});
    const { exec } = execution(kite.fetch);
    const seen: string[][] = [];
    expect((await exec.placeOrder({ ...sell, sending: () => seen.push([...kite.calls]) })).kind).toBe('accepted');
    // The mark comes when the tag check is done and the POST has not left: a later process waits only for what the POST may have placed.
    expect(seen).toEqual([['GET /orders']]);
    expect(kite.calls).toEqual(['GET /orders', 'POST /orders/regular']);

    // The tag check finds the order: nothing sent, nothing marked.
    const found = scriptedKite({ 'GET /orders': [kiteData([{ order_id: '2603090000000000007', status: 'OPEN', tag: sell.clientOrderId, tradingsymbol: 'INFY', exchange: 'NSE', transaction_type: 'SELL', quantity: 10, filled_quantity: 0, average_price: 0, order_timestamp: '2026-03-09 09:29:58' }])] });
    let marks = 0;
    expect((await execution(found.fetch).exec.placeOrder({ ...sell, sending: () => marks++ })).kind).toBe('accepted');
    expect(found.posts()).toBe(0);
    // The tag check fails, or no session: nothing sent, nothing marked.
    const down = scriptedKite({ 'GET /orders': [kiteError(503, 'NetworkException', 'Service unavailable')] });
    expect((await execution(down.fetch).exec.placeOrder({ ...sell, sending: () => marks++ })).kind).toBe('unknown');
    expect((await execution(scriptedKite({}).fetch, { token: null }).exec.placeOrder({ ...sell, sending: () => marks++ })).kind).toBe('unknown');
    expect(marks).toBe(0);
  });
});
