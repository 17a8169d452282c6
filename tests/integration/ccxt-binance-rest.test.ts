/**
 * The CCXT adapter (engine/brokers/ccxt) against the Binance fake over loopback (issue 22 slice
 * 3): instruments from exchangeInfo's filters, our client order id in `newClientOrderId`, a lost
 * answer found by `origClientOrderId` and never placed twice, the error classes of plan §4,
 * request timestamps from the injected Clock, no request off loopback, no secret in any message.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../engine/core/fake-clock';
import { createCcxtAccount, type CcxtAccount } from '../../engine/brokers/ccxt/ccxt-account';
import { urlsIn } from '../../engine/brokers/ccxt/ccxt-client';
import { BINANCE } from '../../engine/brokers/ccxt/ccxt-venues';
import type { Instrument, OrderReport, PlaceOrderResult } from '../../engine/brokers/broker';
import { startFakeBinance, type FakeBinance } from '../fakes/binance/fake-binance';
import { eventually } from '../fakes/alpaca/eventually';

// 03:00 UTC on a Sunday, far from the real time: a request stamped by Date.now() would be refused -1021.
const START = Date.UTC(2026, 11, 6, 3, 0);

let fake: FakeBinance | undefined;
let account: CcxtAccount | undefined;
/** Every request any test's adapter sent that was not to loopback: must stay empty. */
const offLoopback: string[] = [];
afterEach(async () => {
  await account?.stop();
  await fake?.close();
  account = fake = undefined;
  expect(offLoopback).toEqual([]);
});

interface Setup {
  clock: FakeClock;
  fake: FakeBinance;
  account: CcxtAccount;
  btc: Instrument;
  requests: string[];
  reports: OrderReport[];
  /** Every text the adapter gave back (reasons, error messages), for the secrets check. */
  texts: string[];
}

async function setup(opts: { fakeAheadMs?: number; timeoutMs?: number; balances?: Record<string, string> } = {}): Promise<Setup> {
  const clock = new FakeClock(START);
  fake = await startFakeBinance({ now: () => clock.now() + (opts.fakeAheadMs ?? 0), prices: { BTCUSDT: '60000' }, ...(opts.balances ? { balances: opts.balances } : {}) });
  const requests: string[] = [];
  const { apiKey, secret } = fake.credentials();
  // The live URL set (testnet is the default), each moved to the fake: the guard sees every one of them.
  account = createCcxtAccount({ venue: BINANCE, clock, credentials: { api_key: apiKey, secret }, options: { testnet: false, rest_url: fake.url, ...(opts.timeoutMs ? { timeout_ms: opts.timeoutMs } : {}) }, onRequest: (m, u) => {
    requests.push(`${m} ${u}`);
    if (new URL(u).hostname !== '127.0.0.1') offLoopback.push(u);
  } });
  const reports: OrderReport[] = [];
  account.execution.onOrderUpdate((r) => reports.push(r));
  const btc = await account.instruments.resolve('BTC/USDT', 'CRYPTO');
  if (!btc) throw new Error('BTC/USDT did not resolve');
  return { clock, fake, account, btc, requests, reports, texts: [] };
}

const buy = (s: Setup, clientOrderId: string, qty = 0.0015) => s.account.execution.placeOrder({ clientOrderId, instrument: s.btc, side: 'buy', qty, opens: true });
const reasonOf = (r: PlaceOrderResult) => (r.kind === 'accepted' ? '' : r.reason);

function expectNoSecret(s: Setup): void {
  const { apiKey, secret } = s.fake.credentials();
  for (const text of s.texts) {
    expect(text).not.toContain(apiKey);
    expect(text).not.toContain(secret);
    expect(text).not.toMatch(/signature=[0-9a-f]{64}/);
  }
}

describe('CCXT account on the Binance fake', () => {
  it('reads the pair from exchangeInfo: tick, step, least quantity and order value; only loopback is ever asked', async () => {
    const s = await setup();
    expect(s.btc).toEqual({ symbol: 'BTC/USDT', exchange: 'CRYPTO', brokerRef: 'BTCUSDT', tickSize: 0.01, shortable: false, qtyStep: 0.00001, minQty: 0.00001, minNotional: 5 });
    expect(await s.account.instruments.resolve('BTCUSDT', 'CRYPTO')).toEqual(s.btc);
    expect(await s.account.instruments.resolve('BTC/USDT', 'NASDAQ')).toBeNull();
    expect(await s.account.instruments.resolve('DOGE/USDT', 'CRYPTO')).toBeNull();
    // One markets request (spot only: no fapi/dapi/sapi, no currencies, no margin pairs).
    expect(s.requests).toEqual([`GET ${s.fake.url}/api/v3/exchangeInfo`]);
    // Every URL the instance holds (REST, sapi, fapi, streams, WS API …) is on loopback.
    const ex = await s.account.exchange();
    const urls = urlsIn(ex.urls['api']);
    expect(urls.length).toBeGreaterThan(10);
    for (const u of urls) expect(new URL(u).hostname).toBe('127.0.0.1');
    // An endpoint we never set up is refused before anything is sent, even on loopback.
    const before = s.fake.requests().length;
    await expect((ex as unknown as { sapiGetSystemStatus(): Promise<unknown> }).sapiGetSystemStatus()).rejects.toThrow(/none of this account's endpoints/);
    expect(s.fake.requests()).toHaveLength(before);
    // Only the one /sapi path the readiness check asks (what the key itself may do) goes through.
    await expect((ex as unknown as { sapiGetAccountApiRestrictions(): Promise<unknown> }).sapiGetAccountApiRestrictions()).resolves.toMatchObject({ enableSpotAndMarginTrading: true, ipRestrict: true });
    expect(s.account.capabilities).toMatchObject({ kind: 'binance', exchanges: ['CRYPTO'], rejectsDuplicateClientOrderId: false, clientOrderIdMaxLength: 36, fractionalQty: true, lookupNeedsInstrument: true, sellFirst: 'none' });
    expect(await s.account.execution.validateCredentials()).toEqual({ ok: true });
  });

  it('places a MARKET order with our id in newClientOrderId, stamped by the Clock, and reports its fills from the FULL answer', async () => {
    const s = await setup();
    const result = await buy(s, 'tck3x9a116261206E');
    expect(result).toEqual({ kind: 'accepted', brokerOrderId: '1', at: START });
    expect(s.fake.received()).toEqual([expect.objectContaining({ newClientOrderId: 'tck3x9a116261206E', symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.0015', outcome: 'placed #1' })]);
    await Promise.resolve();
    expect(s.reports).toEqual([{ clientOrderId: 'tck3x9a116261206E', brokerOrderId: '1', status: 'filled', filledQty: 0.0015, avgFillPrice: 60000, at: START, reason: null }]);
    const placed = s.requests.find((r) => r.startsWith('POST'));
    expect(placed).toBe(`POST ${s.fake.url}/api/v3/order`);
    expect(await s.account.execution.lookupOrder('tck3x9a116261206E', s.btc)).toMatchObject({ status: 'filled', filledQty: 0.0015 });
    expect(s.requests.at(-1)).toContain(`timestamp=${START}&`);
  });

  it('a lost answer of a filled MARKET order: unknown, found by origClientOrderId, one order at the fake', async () => {
    const s = await setup();
    s.fake.injectFault({ route: 'POST /api/v3/order', fault: { kind: 'drop-after-accept' } });
    const result = await buy(s, 'tck3x9a116261206E');
    expect(result.kind).toBe('unknown');
    expect(result).not.toHaveProperty('notPlaced');
    s.texts.push(reasonOf(result));
    // The engine's next step for a venue that does not dedup (rejectsDuplicateClientOrderId false): look it up.
    const found = await s.account.execution.lookupOrder('tck3x9a116261206E');
    expect(found).toMatchObject({ clientOrderId: 'tck3x9a116261206E', status: 'filled', filledQty: 0.0015, avgFillPrice: 60000 });
    expect(s.fake.orders()).toHaveLength(1);
    expect(s.fake.received()).toHaveLength(1);
    // What a blind resend would have done: Binance takes a closed order's id again (the fake as documented).
    expect(await s.account.execution.lookupOrder('never-placed', s.btc)).toBeNull();
    expectNoSecret(s);
  });

  it('-1007 "execution status unknown" and a timeout are unknown (looked up), never rejected', async () => {
    const s = await setup({ timeoutMs: 500 });
    s.fake.injectFault({ route: 'POST /api/v3/order', fault: { kind: 'error', status: 500, code: -1007, msg: 'Timeout waiting for response from backend server. Send status unknown; execution status unknown.', processed: true } });
    const r1 = await buy(s, 'tckA');
    expect(r1).toEqual({ kind: 'unknown', reason: 'Binance spot: Timeout waiting for response from backend server. Send status unknown; execution status unknown. (-1007)' });
    s.fake.injectFault({ route: 'POST /api/v3/order', fault: { kind: 'stall-after-accept' } });
    const r2 = await buy(s, 'tckB');
    expect(r2.kind).toBe('unknown');
    expect(r2).not.toHaveProperty('notPlaced');
    s.texts.push(reasonOf(r1), reasonOf(r2));
    expect((await s.account.execution.lookupOrder('tckA'))?.status).toBe('filled');
    expect((await s.account.execution.lookupOrder('tckB'))?.status).toBe('filled');
    expect(s.fake.orders()).toHaveLength(2);
    expectNoSecret(s);
  });

  it('429 and 418 are not placed, with the wait Retry-After named; -1021 is not placed and the next order goes out', async () => {
    const s = await setup({ fakeAheadMs: 20_000 });
    const r0 = await buy(s, 'tckClock');
    // Our Clock is 20 s behind the venue's, beyond the 10 s recvWindow: refused before matching.
    expect(r0).toMatchObject({ kind: 'unknown', notPlaced: true });
    expect(reasonOf(r0)).toContain('(-1021)');
    // The adapter learned the difference from GET /api/v3/time: the same order goes out now.
    expect(await buy(s, 'tckClock')).toMatchObject({ kind: 'accepted' });
    s.fake.injectFault({ route: 'POST /api/v3/order', fault: { kind: 'rate-limit', retryAfterSec: 7 } });
    const r1 = await buy(s, 'tck429');
    expect(r1).toMatchObject({ kind: 'unknown', notPlaced: true, retryAfterMs: 7_000 });
    s.fake.injectFault({ route: 'POST /api/v3/order', fault: { kind: 'ban', retryAfterSec: 120 } });
    const r2 = await buy(s, 'tck418');
    expect(r2).toMatchObject({ kind: 'unknown', notPlaced: true, retryAfterMs: 120_000 });
    expect(s.fake.orders().map((o) => o.clientOrderId)).toEqual(['tckClock']);
    s.texts.push(reasonOf(r0), reasonOf(r1), reasonOf(r2));
    expectNoSecret(s);
  });

  it('refuses for good what will be refused again: funds (-2010), a filter (-1013), an off-step quantity (before sending)', async () => {
    const s = await setup({ balances: { USDT: '50', BTC: '0' } });
    const funds = await buy(s, 'tckFunds');
    // CCXT matched Binance's message exactly and kept only it (binance.js exact messages), not the code.
    expect(funds).toEqual({ kind: 'rejected', reason: 'Binance spot: Account has insufficient balance for requested action.', lasting: true });
    const filter = await buy(s, 'tckSmall', 0.00005);
    expect(filter).toEqual({ kind: 'rejected', reason: 'Binance spot: Filter failure: NOTIONAL (-1013)', lasting: true });
    const sent = s.fake.received().length;
    const offStep = await buy(s, 'tckStep', 0.000151);
    expect(offStep).toEqual({ kind: 'rejected', reason: "quantity 0.000151 is not a multiple of BTC/USDT's step 0.00001", lasting: true });
    expect(s.fake.received()).toHaveLength(sent);
    expect(await buy(s, 'bad id!')).toMatchObject({ kind: 'rejected', lasting: true });
    expect(s.fake.orders()).toHaveLength(0);
  });

  it('"Duplicate order sent." (an open order holds the id) means placed: look it up', async () => {
    const s = await setup();
    s.fake.injectFault({ route: 'POST /api/v3/order', fault: { kind: 'error', status: 400, code: -2010, msg: 'Duplicate order sent.' } });
    expect(await buy(s, 'tckDup')).toEqual({ kind: 'unknown', reason: 'Binance spot: Duplicate order sent. (-2010)' });
  });

  it('a venue gone away: the order is unknown, never rejected; a lookup throws, its message without key, secret or signature', async () => {
    const s = await setup();
    expect((await buy(s, 'tckUp')).kind).toBe('accepted');
    await s.fake.close();
    // A refused connection is "not placed" (ccxt-fetch.test.ts); a kept-alive socket that the
    // server closed is a reset, which may have carried the order: either way, not rejected.
    const down = await buy(s, 'tckDown');
    expect(down.kind).toBe('unknown');
    s.texts.push(reasonOf(down));
    const err = await s.account.execution.lookupOrder('tckUp').then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toMatch(/fetch failed/);
    // CCXT's message carried the signed URL: the signature is gone, the rest is kept for the log.
    expect(err?.message).toContain('signature=[redacted]');
    s.texts.push(err!.message, String(err!.stack));
    const check = await s.account.execution.validateCredentials();
    expect(check.ok).toBe(false);
    s.texts.push(check.ok ? '' : check.reason);
    expectNoSecret(s);
    fake = undefined;
  });

  it('cancels by origClientOrderId; an order no longer open is left as it is and reported', async () => {
    const s = await setup();
    await buy(s, 'tckDone');
    await Promise.resolve();
    s.reports.length = 0;
    await s.account.execution.cancelOrder('tckDone', s.btc);
    expect(s.fake.requests().filter((r) => r.method === 'DELETE').map((r) => r.status)).toEqual([400]);
    expect(s.reports).toEqual([expect.objectContaining({ clientOrderId: 'tckDone', status: 'filled' })]);
    await expect(s.account.execution.cancelOrder('tckUnknownPair')).rejects.toThrow(/no pair is known for client order id tckUnknownPair/);
  });

  it('netQty: the base asset free, not what a resting order of the trader locks, floored to the step; none held is 0', async () => {
    const s = await setup({ balances: { USDT: '10000', BTC: '0.0014985' } });
    const ex = await s.account.exchange();
    // The trader's own LIMIT sell, far above the market, locks 0.0005 BTC.
    await ex.createOrder('BTC/USDT', 'limit', 'sell', 0.0005, 70_000);
    expect(s.fake.balance('BTC')).toEqual({ free: '0.00099850', locked: '0.00050000' });
    // A sale of the locked 0.0005 too would be refused -2010 for good.
    expect(await s.account.execution.netQty(s.btc)).toBe(0.00099);
    expect(s.requests.at(-1)).toMatch(/^GET .*\/api\/v3\/account\?/);
    await s.account.stop();
    await s.fake.close();
    const bare = await setup({ balances: { USDT: '10000' } });
    expect(await bare.account.execution.netQty(bare.btc)).toBe(0);
  });

  it("the form's quote is optional work: kept 5 s per pair, and skipped (null, nothing sent) once only the orders' reserve is left, the order then sent at once", async () => {
    const s = await setup();
    const tickers = () => s.requests.filter((r) => r.includes('/api/v3/ticker/price')).length;
    expect(await s.account.data.optionalQuote!(s.btc)).toMatchObject({ symbol: 'BTC/USDT', price: 60_000 });
    expect(await s.account.data.optionalQuote!(s.btc)).toMatchObject({ price: 60_000 });
    expect(tickers()).toBe(1);
    await s.clock.advance(5_000);
    expect(await s.account.data.optionalQuote!(s.btc)).toMatchObject({ price: 60_000 });
    expect(tickers()).toBe(2);
    // The stale-price watch's quote (not optional) spends the budget down: 12 × 21 requests a
    // minute, over the 240; 20 at a time, so it never waits (an optional quote sent left ≥ 20).
    let spent = 0;
    for (; spent < 100; spent++) {
      await s.clock.advance(5_000);
      const before = s.requests.length;
      if ((await s.account.data.optionalQuote!(s.btc)) === null) {
        expect(s.requests.length).toBe(before);
        break;
      }
      while (s.requests.length - before < 1 + BINANCE.reservedForOrders) await s.account.data.quote!([s.btc]);
    }
    expect(spent).toBeLessThan(100);
    // The reserve is there for the order: sent without the clock moving.
    const placed = await buy(s, 'tckAfterQuotes');
    expect(placed.kind).toBe('accepted');
  });

  it('rejects a bad key at the credentials check, naming the refusal and not the key', async () => {
    const clock = new FakeClock(START);
    fake = await startFakeBinance({ now: () => clock.now(), prices: { BTCUSDT: '60000' } });
    account = createCcxtAccount({ venue: BINANCE, clock, credentials: { api_key: 'not-a-key-of-the-fake', secret: 'not-its-secret' }, options: { rest_url: fake.url } });
    const check = await account.execution.validateCredentials();
    expect(check).toEqual({ ok: false, reason: expect.stringContaining('Invalid API-key, IP, or permissions for action.') });
    expect(check.ok ? '' : check.reason).not.toContain('not-a-key-of-the-fake');
  });

  it("CCXT's own watchOrders reads the fake's WebSocket API user stream (the oracle for slice 4's streams)", async () => {
    const s = await setup();
    const ex = await s.account.exchange();
    const next = ex.watchOrders('BTC/USDT');
    // The subscription is signed and confirmed before the order goes out.
    await eventually(() => s.fake.userDataSubscriptions() === 1);
    await buy(s, 'tckStream');
    const orders = await next;
    // NEW then TRADE for one order id: CCXT's cache keeps its latest state.
    expect(orders.at(-1)).toMatchObject({ clientOrderId: 'tckStream', id: '1', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.0015, filled: 0.0015, status: 'closed' });
  });
});
