/**
 * The Kite adapter's REST side against the loopback fake: form-encoded orders carrying the tag,
 * the tag check before every placement, every documented error type mapped to rejected (lasting
 * or not), not placed or unknown, timeouts and drops as unknown, a 429 and the expired token as
 * "not placed yet", instruments once a day, lookups.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../engine/core/fake-clock';
import { createKiteBroker, type KiteBroker } from '../../engine/brokers/kite';
import type { Instrument, PlaceOrderRequest } from '../../engine/brokers/broker';
import { startKiteFake, type KiteFake, type KiteFakeOptions } from '../fakes/kite/kite-fake';
import { waitFor } from '../fakes/kite/wait-for';

let fake: KiteFake;
let clock: FakeClock;
const brokers: KiteBroker[] = [];

async function setup(fakeOptions: KiteFakeOptions = {}, options: Record<string, unknown> = {}): Promise<KiteBroker> {
  fake = await startKiteFake({ prices: { INFY: 100 }, ...fakeOptions });
  clock = new FakeClock(Date.parse('2026-03-09T04:00:00Z')); // 09:30 IST
  return broker(options);
}

function broker(options: Record<string, unknown> = {}, credentials: Record<string, unknown> = fake.credentials()): KiteBroker {
  const b = createKiteBroker({ clock, credentials, options: { ...fake.options(), ...options }, random: () => 0.5 });
  brokers.push(b);
  return b;
}

const order = (instrument: Instrument, over: Partial<PlaceOrderRequest> = {}): PlaceOrderRequest => ({ clientOrderId: 'tck3x9a116260309E', instrument, side: 'buy', qty: 10, ...over, opens: over.opens ?? (over.side ?? 'buy') === 'buy' });
const posts = () => fake.requests().filter((r) => r.method === 'POST' && r.path.startsWith('/orders'));

afterEach(async () => {
  for (const b of brokers.splice(0)) await b.stop();
  await fake?.close();
});

describe('placing a market order', () => {
  let kite: KiteBroker;
  let infy: Instrument;
  beforeEach(async () => {
    kite = await setup();
    infy = (await kite.instruments.resolve('INFY', 'NSE'))!;
  });

  it('sends it form-encoded with the tag, MIS, DAY and market protection, after checking the tag', async () => {
    const result = await kite.execution.placeOrder(order(infy));
    const [placed] = fake.orders();
    expect(result).toEqual({ kind: 'accepted', brokerOrderId: placed!.order_id, at: clock.now() });
    expect(placed!.order_id).toMatch(/^\d{19}$/);
    const [post] = posts();
    expect(post!.path).toBe('/orders/regular');
    expect(post!.contentType).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(post!.form)).toEqual({ tradingsymbol: 'INFY', exchange: 'NSE', transaction_type: 'BUY', order_type: 'MARKET', quantity: '10', product: 'MIS', validity: 'DAY', market_protection: '-1', tag: 'tck3x9a116260309E' });
    expect(post!.headers['x-kite-version']).toBe('3');
    expect(post!.headers.authorization).toBe(`token ${fake.apiKey}:${fake.accessToken}`);
    const trail = fake.requests().map((r) => `${r.method} ${r.path}`);
    expect(trail.slice(trail.indexOf('GET /orders'))).toEqual(['GET /orders', 'POST /orders/regular']);
  });

  it('uses CNC when the account says so, and SELL for a sell', async () => {
    const cnc = broker({ product: 'CNC' });
    await cnc.execution.placeOrder(order(infy, { side: 'sell', clientOrderId: 'tck3x9a116260309X' }));
    expect(posts()[0]!.form.get('product')).toBe('CNC');
    expect(posts()[0]!.form.get('transaction_type')).toBe('SELL');
  });

  it('keeps a 19-digit order id exact even when Kite writes it as a bare number', async () => {
    await fake.close();
    const k = await setup({ orderIdsAsNumbers: true });
    const i = (await k.instruments.resolve('INFY', 'NSE'))!;
    const r = await k.execution.placeOrder(order(i));
    expect(r).toMatchObject({ kind: 'accepted', brokerOrderId: fake.orders()[0]!.order_id });
    expect((await k.execution.lookupOrder('tck3x9a116260309E'))?.brokerOrderId).toBe(fake.orders()[0]!.order_id);
  });

  it('refuses, without sending, what Kite could never take', async () => {
    expect(await kite.execution.placeOrder(order(infy, { clientOrderId: 'has-dash' }))).toMatchObject({ kind: 'rejected', lasting: true, reason: expect.stringMatching(/cannot be a Kite tag/) });
    expect(await kite.execution.placeOrder(order(infy, { clientOrderId: 'x'.repeat(21) }))).toMatchObject({ kind: 'rejected', lasting: true });
    expect(await kite.execution.placeOrder(order(infy, { qty: 1.5 }))).toMatchObject({ kind: 'rejected', lasting: true, reason: expect.stringMatching(/whole number/) });
    expect(posts()).toHaveLength(0);
  });
});

describe('Kite errors on placement', () => {
  // A dead session is "not placed yet" (it goes after a login); a refusal says whether it lasts.
  const sessionDead = { notPlaced: true, retryAfterMs: 5_000 };
  it.each([
    ['TokenException', 403, 'unknown', sessionDead, /session expired or the access token is invalid: log in to Kite again.*not sent yet/],
    ['TwoFAException', 403, 'unknown', sessionDead, /two-factor/],
    ['PermissionException', 403, 'rejected', { lasting: true }, /does not permit/],
    ['UserException', 400, 'rejected', { lasting: true }, /because of the account/],
    ['InputException', 400, 'rejected', { lasting: true }, /parameters/],
    ['OrderException', 400, 'rejected', {}, /refused the order/],
    ['MarginException', 400, 'rejected', {}, /insufficient funds/],
    ['HoldingException', 400, 'rejected', { lasting: true }, /not enough holdings/],
    ['NetworkException', 503, 'unknown', {}, /may or may not exist/],
    ['DataException', 502, 'unknown', {}, /OMS down/],
    ['GeneralException', 500, 'unknown', {}, /internal error/],
  ] as const)('%s (HTTP %i) → %s, with a clear reason', async (errorType, status, kind, more, reason) => {
    const kite = await setup();
    const infy = (await kite.instruments.resolve('INFY', 'NSE'))!;
    fake.failNext('POST /orders', { kind: 'status', status, errorType, message: `${errorType} from the fake` });
    const r = await kite.execution.placeOrder(order(infy));
    expect(r).toEqual({ kind, reason: expect.stringMatching(reason), ...more });
    expect(r.kind === 'accepted' ? '' : r.reason).toContain(`Kite said: "${errorType} from the fake"`);
    expect(kite.session().state).toBe(errorType === 'TokenException' || errorType === 'TwoFAException' ? 'expired' : 'valid');
  });

  it('a 429 is not placed yet (Kite did not process it; send again after its window); HTML 5xx, garbage and drops are unknown', async () => {
    const kite = await setup();
    const infy = (await kite.instruments.resolve('INFY', 'NSE'))!;
    fake.failNext('POST /orders', { kind: 'rate_limit' });
    expect(await kite.execution.placeOrder(order(infy))).toEqual({ kind: 'unknown', notPlaced: true, retryAfterMs: 1_000, reason: expect.stringMatching(/rate limit exceeded \(HTTP 429\)/) });
    expect(fake.orders()).toHaveLength(0);
    fake.failNext('POST /orders', { kind: 'status', status: 502 });
    expect(await kite.execution.placeOrder(order(infy))).toEqual({ kind: 'unknown', reason: expect.stringMatching(/HTTP 502 with no Kite error envelope/) });
    fake.failNext('POST /orders', { kind: 'garbage' });
    expect(await kite.execution.placeOrder(order(infy))).toEqual({ kind: 'unknown', reason: expect.stringMatching(/not JSON/) });
    fake.failNext('POST /orders', { kind: 'accept_then_drop' });
    expect(await kite.execution.placeOrder(order(infy))).toEqual({ kind: 'unknown', reason: expect.stringMatching(/could not reach Kite/) });
    expect(fake.orders()).toHaveLength(1); // the dropped reply's order exists: exactly why it is unknown
  });

  it('a reply that never comes times out on the injected clock as unknown', async () => {
    const kite = await setup({}, { request_timeout_ms: 3_000 });
    const infy = (await kite.instruments.resolve('INFY', 'NSE'))!;
    fake.failNext('POST /orders', { kind: 'accept_then_stall' });
    const placing = kite.execution.placeOrder(order(infy));
    await waitFor('the fake to receive the order', () => fake.orders().length === 1);
    await clock.advance(2_999);
    await clock.advance(1);
    expect(await placing).toEqual({ kind: 'unknown', reason: expect.stringMatching(/did not answer POST \/orders\/regular within 3000 ms/) });
  });

  it('when the tag check itself fails, nothing is sent and the outcome is unknown (retry after a lookup)', async () => {
    const kite = await setup();
    const infy = (await kite.instruments.resolve('INFY', 'NSE'))!;
    fake.failNext('GET /orders', { kind: 'status', status: 503 });
    expect(await kite.execution.placeOrder(order(infy))).toEqual({ kind: 'unknown', reason: expect.stringMatching(/could not check Kite for an earlier order tagged tck3x9a116260309E, so nothing was sent yet/) });
    expect(posts()).toHaveLength(0);
  });
});

describe('Kite\'s own rate limit (429): not placed yet, sent again after the window', () => {
  it('a 429 on the tag check sends nothing; the next attempt places the order once', async () => {
    const kite = await setup();
    const infy = (await kite.instruments.resolve('INFY', 'NSE'))!;
    fake.failNext('GET /orders', { kind: 'rate_limit' });
    expect(await kite.execution.placeOrder(order(infy))).toEqual({ kind: 'unknown', notPlaced: true, retryAfterMs: 1_000, reason: expect.stringMatching(/HTTP 429.*Too many requests/) });
    expect(posts()).toHaveLength(0);
    expect(await kite.execution.placeOrder(order(infy))).toMatchObject({ kind: 'accepted' });
    expect(fake.orders()).toHaveLength(1);
  });

  it('takes the wait from a Retry-After header when one is sent', async () => {
    const kite = await setup();
    const infy = (await kite.instruments.resolve('INFY', 'NSE'))!;
    fake.failNext('POST /orders', { kind: 'rate_limit', retryAfter: '2' });
    expect(await kite.execution.placeOrder(order(infy))).toMatchObject({ kind: 'unknown', notPlaced: true, retryAfterMs: 2_000 });
  });

  it('another app on the same Kite account can spend the 10 orders/s our limiter cannot see', async () => {
    const ours = await setup();
    const otherApp = broker();
    const infy = (await ours.instruments.resolve('INFY', 'NSE'))!;
    for (let i = 0; i < 10; i++) expect((await otherApp.execution.placeOrder(order(infy, { clientOrderId: `other${i}` }))).kind).toBe('accepted');
    expect(await ours.execution.placeOrder(order(infy, { side: 'sell', clientOrderId: 'tck3x9a116260309X' }))).toMatchObject({ kind: 'unknown', notPlaced: true, retryAfterMs: 1_000 });
    expect(fake.orders().filter((o) => o.tag === 'tck3x9a116260309X')).toHaveLength(0);
  });
});

describe('an order the RMS rejects after accepting it', () => {
  it('a sell without holdings is a lasting rejection, in the report and on a resend', async () => {
    const kite = await setup();
    const infy = (await kite.instruments.resolve('INFY', 'NSE'))!;
    const sell = order(infy, { side: 'sell', clientOrderId: 'tck3x9a116260309X' });
    fake.rejectNextAfterAccept('Insufficient holdings to sell INFY.', 'RMS:Rule: Check holdings');
    expect((await kite.execution.placeOrder(sell)).kind).toBe('accepted');
    await waitFor('the RMS rejection', () => fake.orders()[0]?.status === 'REJECTED');
    expect(await kite.execution.lookupOrder(sell.clientOrderId)).toMatchObject({ status: 'rejected', lasting: true, reason: 'Kite: Insufficient holdings to sell INFY.' });
    expect(await kite.execution.placeOrder(sell)).toEqual({ kind: 'rejected', lasting: true, reason: 'Kite: Insufficient holdings to sell INFY.' });
    expect(fake.orders()).toHaveLength(1);
  });

  it('a circuit-limit rejection will pass: lasting false', async () => {
    const kite = await setup();
    const infy = (await kite.instruments.resolve('INFY', 'NSE'))!;
    fake.rejectNextAfterAccept('Price exceeds circuit limits for the instrument. Place an order within the daily range.', 'RMS:Rule: Check circuit limit including square off order exceeds');
    await kite.execution.placeOrder(order(infy, { side: 'sell', clientOrderId: 'tck3x9a116260309X' }));
    await waitFor('the RMS rejection', () => fake.orders()[0]?.status === 'REJECTED');
    const report = await kite.execution.lookupOrder('tck3x9a116260309X');
    expect(report).toMatchObject({ status: 'rejected', reason: expect.stringMatching(/circuit limits/), lasting: false });
  });
});

describe('the daily session', () => {
  it('an expired token is "not placed yet" with "log in again", and nothing is sent while it lasts', async () => {
    const kite = await setup();
    const infy = (await kite.instruments.resolve('INFY', 'NSE'))!;
    expect(kite.session().state).toBe('unverified');
    expect(await kite.execution.validateCredentials()).toEqual({ ok: true });
    expect(kite.session()).toMatchObject({ state: 'valid', expiresAt: Date.parse('2026-03-10T00:30:00Z') });
    fake.revokeTokens();
    const first = await kite.execution.placeOrder(order(infy));
    expect(first).toEqual({ kind: 'unknown', notPlaced: true, retryAfterMs: 5_000, reason: expect.stringMatching(/log in to Kite again.*not sent/) });
    expect(kite.session()).toMatchObject({ state: 'expired', message: expect.stringMatching(/Log in to Kite again/) });
    const before = fake.requests().length;
    expect(await kite.execution.placeOrder(order(infy))).toMatchObject({ kind: 'unknown', notPlaced: true, reason: expect.stringMatching(/Kite login needed/) });
    expect(fake.requests()).toHaveLength(before);
    expect(await kite.execution.validateCredentials()).toEqual({ ok: false, reason: expect.stringMatching(/TokenException/) });
  });

  it('passing 06:00 IST expires a token that was valid, without asking Kite', async () => {
    const kite = await setup();
    const infy = (await kite.instruments.resolve('INFY', 'NSE'))!;
    await kite.checkSession();
    await clock.advanceTo(Date.parse('2026-03-10T00:30:00Z'));
    expect(kite.session().state).toBe('expired');
    const before = fake.requests().length;
    expect(await kite.execution.placeOrder(order(infy))).toMatchObject({ kind: 'unknown', notPlaced: true, reason: expect.stringMatching(/06:00 IST/) });
    expect(fake.requests()).toHaveLength(before);
  });

  it('without an access token, nothing is sent and the trader is told to log in', async () => {
    const kite = await setup();
    const noToken = broker({}, { api_key: fake.apiKey, api_secret: fake.apiSecret });
    const infy = (await kite.instruments.resolve('INFY', 'NSE'))!;
    expect(noToken.session().state).toBe('no_token');
    expect(await noToken.execution.placeOrder(order(infy))).toMatchObject({ kind: 'unknown', notPlaced: true, reason: expect.stringMatching(/no access token yet/) });
    expect(await noToken.execution.validateCredentials()).toEqual({ ok: false, reason: expect.stringMatching(/no Kite access token/) });
    expect(posts()).toHaveLength(0);
  });
});

describe('our own rate limit', () => {
  it('holds back the 11th order in one second as not placed yet, with the wait, when it may not wait', async () => {
    const kite = await setup({}, { max_rate_wait_ms: 0 });
    const infy = (await kite.instruments.resolve('INFY', 'NSE'))!;
    for (let i = 0; i < 10; i++) expect((await kite.execution.placeOrder(order(infy, { clientOrderId: `tag${i}` }))).kind).toBe('accepted');
    expect(await kite.execution.placeOrder(order(infy, { clientOrderId: 'tag10' }))).toEqual({ kind: 'unknown', notPlaced: true, retryAfterMs: 1_000, reason: expect.stringMatching(/rate limit of 10 orders per second is reached; not sent/) });
    expect(posts()).toHaveLength(10);
  });
});

describe('instruments', () => {
  it('resolves tradingsymbol + exchange to the instrument token; unknown symbols are null, indices only those options are chosen from', async () => {
    const kite = await setup();
    expect(await kite.instruments.resolve('INFY', 'NSE')).toEqual({ symbol: 'INFY', exchange: 'NSE', brokerRef: '408065', tickSize: 0.05, shortable: null });
    expect(await kite.instruments.resolve('M&M', 'NSE')).toMatchObject({ brokerRef: '519937' });
    expect(await kite.instruments.resolve('RELIANCE', 'BSE')).toMatchObject({ brokerRef: '128083204' });
    expect(await kite.instruments.resolve('RELIANCE', 'NSE')).toBeNull();
    expect(await kite.instruments.resolve('NOSUCH', 'NSE')).toBeNull();
    // An index an option's strike is chosen from resolves for its quote (the strategy service refuses to trade it).
    expect(await kite.instruments.resolve('NIFTY 50', 'NSE')).toMatchObject({ brokerRef: '256265', tickSize: 0.01 });
    expect(await kite.instruments.resolve('AAPL', 'NASDAQ')).toBeNull();
  });

  it('downloads each exchange\'s dump once per IST day', async () => {
    const kite = await setup();
    const dumps = () => fake.requests().filter((r) => r.path === '/instruments/NSE').length;
    await Promise.all([kite.instruments.resolve('INFY', 'NSE'), kite.instruments.resolve('SBIN', 'NSE')]);
    await kite.instruments.resolve('TATAMOTORS', 'NSE');
    expect(dumps()).toBe(1);
    await clock.advanceTo(Date.parse('2026-03-09T18:30:00Z')); // IST midnight
    await kite.instruments.resolve('INFY', 'NSE');
    expect(dumps()).toBe(2);
  });

  it('keeps yesterday\'s dump when today\'s download fails, and fails clearly without one', async () => {
    const kite = await setup();
    fake.failNext('GET /instruments/NSE', { kind: 'status', status: 503 });
    await expect(kite.instruments.resolve('INFY', 'NSE')).rejects.toThrow(/HTTP 503/);
    expect(await kite.instruments.resolve('INFY', 'NSE')).toMatchObject({ brokerRef: '408065' });
    await clock.advanceTo(Date.parse('2026-03-10T03:00:00Z'));
    fake.failNext('GET /instruments/NSE', { kind: 'status', status: 503 });
    expect(await kite.instruments.resolve('INFY', 'NSE')).toMatchObject({ brokerRef: '408065' });
  });
});

describe('lookup and cancel by tag', () => {
  it('finds the day\'s order by tag, reports it, and cancels a live one', async () => {
    const kite = await setup({ fillAfterMs: null });
    const infy = (await kite.instruments.resolve('INFY', 'NSE'))!;
    expect(await kite.execution.lookupOrder('tck3x9a116260309E')).toBeNull();
    await kite.execution.placeOrder(order(infy));
    expect(await kite.execution.lookupOrder('tck3x9a116260309E')).toMatchObject({ clientOrderId: 'tck3x9a116260309E', status: 'accepted', filledQty: 0, avgFillPrice: null });
    await kite.execution.cancelOrder('tck3x9a116260309E');
    expect(fake.orders()[0]!.status).toBe('CANCELLED');
    expect(await kite.execution.lookupOrder('tck3x9a116260309E')).toMatchObject({ status: 'cancelled', reason: 'Kite: Cancelled by user' });
    await kite.execution.cancelOrder('tck3x9a116260309E'); // already final: a no-op, not an error
    await kite.execution.cancelOrder('nosuchtag');
  });

  it('reports a fill with its average price', async () => {
    const kite = await setup();
    const infy = (await kite.instruments.resolve('INFY', 'NSE'))!;
    await kite.execution.placeOrder(order(infy));
    await waitFor('the fill', () => fake.orders()[0]?.status === 'COMPLETE');
    expect(await kite.execution.lookupOrder('tck3x9a116260309E')).toMatchObject({ status: 'filled', filledQty: 10, avgFillPrice: 100 });
  });
});
