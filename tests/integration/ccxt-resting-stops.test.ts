/**
 * The CCXT adapter's resting stops (engine/brokers/ccxt/ccxt-resting-stops.ts) against the
 * Binance fake over loopback, as Binance documents them (rest-api "New order": STOP_LOSS with
 * `quantity` and `stopPrice`, a MARKET order once the stop is met; a SELL's stop below the last
 * price, else -2010 "Order would trigger immediately."; `newClientOrderId` unique among open
 * orders, -2010 "Duplicate order sent."; cancel by `origClientOrderId`, -2011 for an order not
 * open; the user data stream's `executionReport`). The account holds 0.0014985 BTC, what a buy of
 * 0.0015 leaves after Binance's fee in BTC.
 */
import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { FakeClock } from '../../engine/core/fake-clock';
import { createCcxtAccount, type CcxtAccount } from '../../engine/brokers/ccxt/ccxt-account';
import { BINANCE } from '../../engine/brokers/ccxt/ccxt-venues';
import { seededUniform } from '../../engine/brokers/alpaca/backoff';
import type { Instrument, OrderReport, RestingStopReport, RestingStopRef, RestingStopRequest } from '../../engine/brokers/broker';
import { startFakeBinance, type FakeBinance } from '../fakes/binance/fake-binance';
import { eventually } from '../fakes/alpaca/eventually';

const START = Date.UTC(2026, 11, 6, 3, 0);

let fake: FakeBinance | undefined;
let account: CcxtAccount | undefined;
afterEach(async () => {
  await account?.stop();
  await fake?.close();
  account = fake = undefined;
});

interface Setup {
  fake: FakeBinance;
  account: CcxtAccount;
  btc: Instrument;
  stopReports: RestingStopReport[];
  orderReports: OrderReport[];
}

async function setup(opts: { stream?: boolean; btc?: string } = {}): Promise<Setup> {
  const clock = new FakeClock(START);
  fake = await startFakeBinance({ now: () => clock.now(), prices: { BTCUSDT: '60000' }, balances: { USDT: '100', BTC: opts.btc ?? '0.0014985' } });
  const { apiKey, secret } = fake.credentials();
  account = createCcxtAccount({ venue: BINANCE, clock, credentials: { api_key: apiKey, secret }, options: { rest_url: fake.url }, logger: pino({ level: 'silent' }), uniform: seededUniform(7), timing: { reconnectBaseMs: 200, reconnectMaxMs: 2_000, handshakeTimeoutMs: 5_000 } });
  const stopReports: RestingStopReport[] = [];
  const orderReports: OrderReport[] = [];
  account.restingStops.onUpdate((r) => stopReports.push(r));
  account.execution.onOrderUpdate((r) => orderReports.push(r));
  const btc = (await account.instruments.resolve('BTC/USDT', 'CRYPTO'))!;
  if (opts.stream) {
    await account.start();
    await eventually(() => fake!.userDataSubscriptions() === 1, { what: 'the user data stream' });
  }
  return { fake, account, btc, stopReports, orderReports };
}

const request = (s: Setup, over: Partial<RestingStopRequest> = {}): RestingStopRequest => ({ clientOrderId: 'tbk3x9a17do000160A01', instrument: s.btc, side: 'sell', qty: 0.0015, triggerPrice: 55_000, limitPrice: null, ...over });
const refOf = (req: RestingStopRequest, brokerRef: string | null = null): RestingStopRef => ({ clientOrderId: req.clientOrderId, brokerRef, instrument: req.instrument, side: req.side, qty: req.qty, triggerPrice: req.triggerPrice });
const outcomes = (s: Setup) => s.fake.received().map((r) => [r.newClientOrderId, r.type, r.quantity, r.outcome]);

describe('resting stops at Binance spot through CCXT', () => {
  it('rests as a STOP_LOSS SELL for the free 0.00149 (not the 0.0015 asked), locking it; netQty counts it once a cancel unlocks it (the exit cancels first)', async () => {
    const s = await setup();
    const req = request(s);
    const placed = await s.account.restingStops.place(req);
    expect(placed).toEqual({ kind: 'done', report: expect.objectContaining({ clientOrderId: req.clientOrderId, brokerRef: '1', status: 'resting', triggerPrice: 55_000, limitPrice: null, qty: 0.00149, filledQty: 0, done: false }) });
    expect(s.fake.orders()).toEqual([expect.objectContaining({ type: 'STOP_LOSS', side: 'SELL', origQty: '0.00149000', stopPrice: '55000.00000000', status: 'NEW', isWorking: false, workingTime: -1 })]);
    expect(s.fake.balance('BTC')).toEqual({ free: '0.00000850', locked: '0.00149000' });
    // Locked is not sellable (netQty: free only): the engine's exit cancels its backstop before it asks.
    expect(await s.account.execution.netQty(s.btc)).toBe(0);

    const cancelled = await s.account.restingStops.cancel(refOf(req, '1'));
    expect(cancelled).toEqual({ kind: 'done', report: expect.objectContaining({ clientOrderId: req.clientOrderId, status: 'cancelled', filledQty: 0, done: true }) });
    expect(s.fake.balance('BTC')).toEqual({ free: '0.00149850', locked: '0.00000000' });
    expect(await s.account.execution.netQty(s.btc)).toBe(0.00149);
    // Cancelled again (-2011, not open): the lookup says where it stands, and that this request did not cancel it.
    expect(await s.account.restingStops.cancel(refOf(req, '1'))).toEqual({ kind: 'done', report: expect.objectContaining({ status: 'cancelled' }), foundCancelled: true });
    expect(s.fake.requests().filter((r) => r.method === 'DELETE').map((r) => r.status)).toEqual([200, 400]);
  });

  it('a placement sent again under an id still open is refused "Duplicate order sent." and answered with the stop found: one stop at the venue', async () => {
    // More BTC than the stop takes, so the second placement goes out and meets Binance's own refusal.
    const s = await setup({ btc: '0.003' });
    const req = request(s);
    await s.account.restingStops.place(req);
    const again = await s.account.restingStops.place(req);
    expect(again).toEqual({ kind: 'done', report: expect.objectContaining({ clientOrderId: req.clientOrderId, brokerRef: '1', status: 'resting', qty: 0.0015 }) });
    expect(outcomes(s)).toEqual([
      [req.clientOrderId, 'STOP_LOSS', '0.0015', 'placed #1'],
      [req.clientOrderId, 'STOP_LOSS', '0.0015', 'refused -2010 Duplicate order sent.'],
    ]);
    expect(s.fake.balance('BTC')).toEqual({ free: '0.00150000', locked: '0.00150000' });
  });

  it('sent again with nothing free (the first one locks it all): found by its id, nothing sent', async () => {
    const s = await setup();
    const req = request(s);
    await s.account.restingStops.place(req);
    expect(await s.account.restingStops.place(req)).toEqual({ kind: 'done', report: expect.objectContaining({ brokerRef: '1', status: 'resting' }) });
    expect(outcomes(s)).toEqual([[req.clientOrderId, 'STOP_LOSS', '0.00149', 'placed #1']]);
  });

  it('an answer lost after the venue took it: looked up by origClientOrderId, never sent again', async () => {
    const s = await setup();
    s.fake.injectFault({ route: 'POST /api/v3/order', fault: { kind: 'drop-after-accept' } });
    const req = request(s);
    expect(await s.account.restingStops.place(req)).toEqual({ kind: 'done', report: expect.objectContaining({ status: 'resting', brokerRef: '1' }) });
    expect(outcomes(s)).toHaveLength(1);
    expect(s.fake.requests().filter((r) => r.method === 'GET' && r.path === '/api/v3/order')).toHaveLength(1);
  });

  it('refuses what Binance refuses: a stop the last trade already reached, a take-profit beside it, a quantity off the step; nothing rests', async () => {
    const s = await setup();
    const atOnce = await s.account.restingStops.place(request(s, { triggerPrice: 60_000 }));
    expect(atOnce).toEqual({ kind: 'rejected', reason: expect.stringContaining('Order would trigger immediately.') });
    expect(await s.account.restingStops.place(request(s, { target: { triggerPrice: 65_000, limitPrice: null } }))).toMatchObject({ kind: 'rejected', reason: expect.stringContaining('take-profit') });
    expect(await s.account.restingStops.place(request(s, { qty: 0.000015 }))).toMatchObject({ kind: 'rejected', reason: expect.stringContaining('not a multiple of BTC/USDT') });
    expect(s.fake.orders()).toEqual([]);
    expect(s.fake.balance('BTC')).toEqual({ free: '0.00149850', locked: '0.00000000' });
  });

  it('never placed: a lookup finds none (null) and a cancel answers cancelled, nothing to fire', async () => {
    const s = await setup();
    const req = request(s);
    expect(await s.account.restingStops.lookup(refOf(req))).toBeNull();
    expect(await s.account.restingStops.cancel(refOf(req))).toEqual({ kind: 'done', report: expect.objectContaining({ status: 'cancelled', reason: expect.stringContaining('never placed') }) });
  });

  it('fires on a trade at its stop: the stream reports it to the backstop listeners only (fired, done, its fill), a cancel after it answers fired', async () => {
    const s = await setup({ stream: true });
    const req = request(s);
    await s.account.restingStops.place(req);
    await eventually(() => s.stopReports.some((r) => r.status === 'resting'), { what: 'the NEW report' });
    s.fake.setPrice('BTCUSDT', '54900');
    await eventually(() => s.stopReports.some((r) => r.status === 'fired'), { what: 'the fill' });
    expect(s.stopReports.at(-1)).toMatchObject({ clientOrderId: req.clientOrderId, status: 'fired', filledQty: 0.00149, avgFillPrice: 54_900, done: true, qty: 0.00149 });
    expect(s.orderReports).toEqual([]);
    expect(s.fake.balance('BTC').locked).toBe('0.00000000');
    expect(await s.account.restingStops.cancel(refOf(req, '1'))).toEqual({ kind: 'done', report: expect.objectContaining({ status: 'fired', filledQty: 0.00149, done: true }) });
  });

  it('a cancel streams CANCELED (the cancel\'s own id in c, the stop\'s in C): reported as this stop cancelled', async () => {
    const s = await setup({ stream: true });
    const req = request(s);
    await s.account.restingStops.place(req);
    await s.account.restingStops.cancel(refOf(req, '1'));
    await eventually(() => s.stopReports.some((r) => r.status === 'cancelled'), { what: 'the CANCELED report' });
    expect(s.stopReports.filter((r) => r.status === 'cancelled')).toEqual([expect.objectContaining({ clientOrderId: req.clientOrderId, brokerRef: '1', filledQty: 0 })]);
  });

  it('modify is a cancel then the next version: the new stop rests at the new trigger, the old one cancelled', async () => {
    const s = await setup();
    const v1 = request(s);
    await s.account.restingStops.place(v1);
    const v2 = request(s, { clientOrderId: 'tbk3x9a17do000160A02', triggerPrice: 57_000 });
    const moved = await s.account.restingStops.modify(refOf(v1, '1'), v2);
    expect(moved).toEqual({ kind: 'done', report: expect.objectContaining({ clientOrderId: v2.clientOrderId, status: 'resting', triggerPrice: 57_000, qty: 0.00149 }) });
    expect(s.fake.orders().map((o) => [o.clientOrderId, o.stopPrice, o.status])).toEqual([
      [v1.clientOrderId, '55000.00000000', 'CANCELED'],
      [v2.clientOrderId, '57000.00000000', 'NEW'],
    ]);
    // A move past the price: the old one is cancelled, the new refused; said so (cancelledVersion), nothing rests.
    const v3 = request(s, { clientOrderId: 'tbk3x9a17do000160A03', triggerPrice: 61_000 });
    expect(await s.account.restingStops.modify(refOf(v2, '2'), v3)).toMatchObject({
      kind: 'rejected',
      reason: expect.stringContaining('Order would trigger immediately.'),
      cancelledVersion: expect.objectContaining({ clientOrderId: v2.clientOrderId, status: 'cancelled' }),
    });
    expect(s.fake.orders().filter((o) => o.status === 'NEW')).toEqual([]);
  });

  it('with a limit: a STOP_LOSS_LIMIT that works as a LIMIT at its price once triggered', async () => {
    const s = await setup();
    const req = request(s, { limitPrice: 54_450 });
    expect(await s.account.restingStops.place(req)).toMatchObject({ kind: 'done', report: { status: 'resting', limitPrice: 54_450 } });
    expect(s.fake.orders()).toEqual([expect.objectContaining({ type: 'STOP_LOSS_LIMIT', price: '54450.00000000', stopPrice: '55000.00000000', timeInForce: 'GTC' })]);
    // Triggered at 54 000, below its limit: working (fired), nothing filled yet.
    s.fake.setPrice('BTCUSDT', '54000');
    expect(await s.account.restingStops.lookup(refOf(req))).toMatchObject({ status: 'fired', filledQty: 0, done: false });
    s.fake.setPrice('BTCUSDT', '54500');
    expect(await s.account.restingStops.lookup(refOf(req))).toMatchObject({ status: 'fired', filledQty: 0.00149, avgFillPrice: 54_500, done: true });
  });
});
