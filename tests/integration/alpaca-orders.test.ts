/**
 * The Alpaca adapter's REST half against the fake: credentials both ways, symbols, placement
 * outcomes (accepted, rejected, unknown), 429s waited out, a 422 for an accepted order settled by
 * lookup, cancels. Network I/O is real (loopback); the adapter's timers run on a FakeClock.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Instrument, PlaceOrderRequest } from '../../engine/brokers/broker';
import { DomainError } from '../../engine/core/errors';
import { drive, eventually } from '../fakes/alpaca/eventually';
import { startAdapterFixture, type AdapterFixture } from '../fakes/alpaca/adapter-fixture';

let f: AdapterFixture;
afterEach(async () => f?.close());

const aapl = async (): Promise<Instrument> => (await f.broker.instruments.resolve('AAPL', 'NYSE'))!;
const order = async (over: Partial<PlaceOrderRequest> = {}): Promise<PlaceOrderRequest> => ({ clientOrderId: 'tcabc1231260309E', instrument: await aapl(), side: 'buy', qty: 10, ...over, opens: over.opens ?? (over.side ?? 'buy') === 'buy' });

describe('credentials', () => {
  it('accepts the right keys and refuses a wrong secret with a clear reason', async () => {
    f = await startAdapterFixture();
    expect(await f.broker.execution.validateCredentials()).toEqual({ ok: true });
    const wrong = f.makeBroker({ credentials: { key_id: f.fake.credentials().key_id, secret_key: 'not-the-secret' } });
    const check = await wrong.execution.validateCredentials();
    expect(check.ok).toBe(false);
    expect(!check.ok && check.reason).toMatch(/refused the key id or secret \(HTTP 401 \(code 40110000\): request is not authorized\)/);
    const unknownKey = f.makeBroker({ credentials: { key_id: 'PKNOSUCHKEY', secret_key: 'x' } });
    expect((await unknownKey.execution.validateCredentials()).ok).toBe(false);
  });

  it("reads the gateway's code-less 403 as refused credentials", async () => {
    f = await startAdapterFixture();
    f.fake.injectFault({ route: 'GET /v2/account', fault: { kind: 'status', status: 403, body: { message: 'forbidden.' } } });
    const check = await f.broker.execution.validateCredentials();
    expect(!check.ok && check.reason).toMatch(/HTTP 403: forbidden\./);
  });

  it('says "try again" rather than "wrong keys" when Alpaca cannot be reached', async () => {
    f = await startAdapterFixture();
    const down = f.makeBroker({ options: { ...f.fake.connectOptions(), rest_url: 'http://127.0.0.1:1' } });
    await expect(down.execution.validateCredentials()).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('refuses options and credentials that are not Alpaca\'s, naming the field', async () => {
    f = await startAdapterFixture();
    expect(() => f.makeBroker({ options: { paper: true, rest_ur: 'x' } })).toThrow(/options\.rest_ur: is not an Alpaca option/);
    expect(() => f.makeBroker({ options: { rest_url: 'http://api.example.com' } })).toThrow(/options\.rest_url: must use https/);
    expect(() => f.makeBroker({ credentials: { key_id: '', secret_key: 's' } })).toThrow(DomainError);
  });
});

describe('instruments', () => {
  it('resolves tradable US equities and nothing else, asking Alpaca once per symbol per day', async () => {
    f = await startAdapterFixture();
    const inst = f.broker.instruments;
    const asset = f.fake.accounts.length > 0 ? await inst.resolve('AAPL', 'NYSE') : null;
    expect(asset).toMatchObject({ symbol: 'AAPL', exchange: 'NYSE', tickSize: 0.01 });
    expect(asset!.brokerRef).toMatch(/^[0-9a-f-]{36}$/);
    expect(await inst.resolve('AAPL', 'NASDAQ')).toMatchObject({ exchange: 'NASDAQ' });
    expect(await inst.resolve('BRK.B', 'NYSE')).toMatchObject({ symbol: 'BRK.B' });
    expect(await inst.resolve('NOPE', 'NYSE')).toBeNull();
    expect(await inst.resolve('NOTRD', 'NYSE')).toBeNull();
    expect(await inst.resolve('GONE', 'NASDAQ')).toBeNull();
    expect(await inst.resolve('AAPL', 'NSE')).toBeNull();
    expect(await inst.resolve('A B', 'NYSE')).toBeNull();
    const aaplLookups = () => f.fake.requests().filter((r) => r.path === '/v2/assets/AAPL').length;
    expect(aaplLookups()).toBe(1);
    await f.clock.advance(24 * 3_600_000);
    await inst.resolve('AAPL', 'NYSE');
    expect(aaplLookups()).toBe(2);
  });

  it('does not cache a failed lookup', async () => {
    f = await startAdapterFixture();
    f.fake.injectFault({ route: 'GET /v2/assets/MSFT', fault: { kind: 'status', status: 503 } });
    await expect(f.broker.instruments.resolve('MSFT', 'NASDAQ')).rejects.toMatchObject({ code: 'unavailable' });
    expect(await f.broker.instruments.resolve('MSFT', 'NASDAQ')).toMatchObject({ symbol: 'MSFT' });
  });
});

describe('placing orders', () => {
  it('sends a market day order with our client order id; the stream reports new then fill', async () => {
    f = await startAdapterFixture({ fake: { prices: { AAPL: 187.25 } } });
    await f.broker.start();
    await eventually(() => f.fake.tradeListeners().length === 1, { what: 'trade_updates listening' });
    const result = await f.broker.execution.placeOrder(await order());
    expect(result).toMatchObject({ kind: 'accepted' });
    const filled = await eventually(() => f.updates.find((u) => u.status === 'filled'), { what: 'the fill' });
    expect(filled).toMatchObject({ clientOrderId: 'tcabc1231260309E', filledQty: 10, avgFillPrice: 187.25, at: f.clock.now() });
    expect(f.updates.map((u) => u.status)).toEqual(['accepted', 'filled']);
    expect(f.fake.received()).toEqual([expect.objectContaining({ clientOrderId: 'tcabc1231260309E', symbol: 'AAPL', side: 'buy', qty: '10', status: 200 })]);
    expect(f.fake.orders()[0]).toMatchObject({ type: 'market', time_in_force: 'day', status: 'filled' });
  });

  it('refuses what Alpaca would refuse without sending it', async () => {
    f = await startAdapterFixture();
    expect(await f.broker.execution.placeOrder(await order({ qty: 1.5 }))).toMatchObject({ kind: 'rejected' });
    expect(await f.broker.execution.placeOrder(await order({ clientOrderId: 'x'.repeat(49) }))).toMatchObject({ kind: 'rejected' });
    expect(f.fake.received()).toHaveLength(0);
  });

  it('reports a refusal that a lookup confirms as rejected, with Alpaca\'s message', async () => {
    f = await startAdapterFixture();
    const result = await f.broker.execution.placeOrder(await order({ qty: 5_000 }));
    expect(result).toEqual({ kind: 'rejected', reason: 'HTTP 403 (code 40310000): insufficient buying power' });
    expect(f.fake.requests().map((r) => `${r.method} ${r.path} ${r.status}`)).toContain('GET /v2/orders:by_client_order_id 404');
  });

  it('settles a 422 for an order Alpaca did accept by looking it up: accepted, and one order only', async () => {
    f = await startAdapterFixture();
    f.fake.injectFault({ route: 'POST /v2/orders', fault: { kind: '422-but-accepted' } });
    const result = await f.broker.execution.placeOrder(await order());
    expect(result).toMatchObject({ kind: 'accepted' });
    expect(f.fake.orders()).toHaveLength(1);
    // The engine's resend after an unknown carries the same id: Alpaca refuses it, the lookup finds the order.
    expect(await f.broker.execution.placeOrder(await order())).toMatchObject({ kind: 'accepted', brokerOrderId: result.kind === 'accepted' ? result.brokerOrderId : '' });
    expect(f.fake.orders()).toHaveLength(1);
    expect(f.fake.received().map((r) => r.outcome)).toEqual(['accepted', 'client_order_id must be unique']);
  });

  it('waits out a 429 until X-RateLimit-Reset and then places the order once', async () => {
    f = await startAdapterFixture();
    f.fake.injectFault({ route: 'POST /v2/orders', fault: { kind: 'rate-limit', resetInMs: 3_000 } });
    const started = f.clock.now();
    const result = await drive(f.broker.execution.placeOrder(await order()), { clock: f.clock, stepMs: 250 });
    expect(result).toMatchObject({ kind: 'accepted' });
    expect(f.clock.now() - started).toBeGreaterThanOrEqual(2_000);
    expect(f.fake.received().map((r) => r.outcome)).toEqual(['not processed (rate-limit)', 'accepted']);
    expect(f.fake.orders()).toHaveLength(1);
  });

  it('gives up after repeated 429s with unknown, never rejected', async () => {
    f = await startAdapterFixture();
    f.fake.injectFault({ route: 'POST /v2/orders', fault: { kind: 'rate-limit', resetInMs: 1_000 }, times: 10 });
    const result = await drive(f.broker.execution.placeOrder(await order()), { clock: f.clock, stepMs: 250 });
    expect(result).toMatchObject({ kind: 'unknown', reason: expect.stringMatching(/429/) });
    expect(f.fake.received()).toHaveLength(4);
  });

  it('calls a 5xx, a cut connection and a timeout unknown; the lookup tells what happened', async () => {
    f = await startAdapterFixture();
    const exec = f.broker.execution;
    f.fake.injectFault({ route: 'POST /v2/orders', fault: { kind: 'status', status: 503 } });
    expect(await exec.placeOrder(await order({ clientOrderId: 'c1' }))).toMatchObject({ kind: 'unknown', reason: expect.stringMatching(/503/) });
    expect(await exec.lookupOrder('c1')).toBeNull();

    f.fake.injectFault({ route: 'POST /v2/orders', fault: { kind: 'drop-after-accept' } });
    expect(await exec.placeOrder(await order({ clientOrderId: 'c2' }))).toMatchObject({ kind: 'unknown' });
    await eventually(() => f.fake.orders().some((o) => o.client_order_id === 'c2' && o.status === 'filled'), { what: 'c2 filled at the fake' });
    expect(await exec.lookupOrder('c2')).toMatchObject({ clientOrderId: 'c2', status: 'filled', filledQty: 10 });

    f.fake.injectFault({ route: 'POST /v2/orders', fault: { kind: 'stall-after-accept' } });
    const stalled = await drive(exec.placeOrder(await order({ clientOrderId: 'c3' })), { clock: f.clock, stepMs: 1_000 });
    expect(stalled).toMatchObject({ kind: 'unknown', reason: 'no answer from Alpaca: no answer within 30000 ms' });
    expect(await exec.lookupOrder('c3')).toMatchObject({ clientOrderId: 'c3' });

    f.fake.injectFault({ route: 'GET /v2/orders:by_client_order_id', fault: { kind: 'status', status: 500 } });
    await expect(exec.lookupOrder('c3')).rejects.toMatchObject({ code: 'unavailable' });
  });
});

describe('order lifecycle', () => {
  it('reports partial fills with the cumulative quantity and average price', async () => {
    f = await startAdapterFixture({ fake: { behavior: 'partial' } });
    await f.broker.start();
    await eventually(() => f.fake.tradeListeners().length === 1);
    await f.broker.execution.placeOrder(await order());
    await eventually(() => f.updates.some((u) => u.status === 'filled'), { what: 'the fill' });
    expect(f.updates.map((u) => [u.status, u.filledQty])).toEqual([['accepted', 0], ['partially_filled', 5], ['filled', 10]]);
  });

  it('reports a rejection that comes after acceptance', async () => {
    f = await startAdapterFixture({ fake: { behavior: 'reject' } });
    await f.broker.start();
    await eventually(() => f.fake.tradeListeners().length === 1);
    expect(await f.broker.execution.placeOrder(await order())).toMatchObject({ kind: 'accepted' });
    expect(await eventually(() => f.updates.find((u) => u.status === 'rejected'))).toMatchObject({ reason: 'Alpaca order rejected', filledQty: 0 });
  });

  it('cancels an open order; cancelling a finished one is harmless; an unknown id is not found', async () => {
    f = await startAdapterFixture({ fake: { behavior: 'hold' } });
    await f.broker.start();
    await eventually(() => f.fake.tradeListeners().length === 1);
    await f.broker.execution.placeOrder(await order());
    await f.broker.execution.cancelOrder('tcabc1231260309E');
    expect(await eventually(() => f.updates.find((u) => u.status === 'cancelled'))).toMatchObject({ reason: 'Alpaca order canceled' });
    await f.broker.execution.cancelOrder('tcabc1231260309E');
    await expect(f.broker.execution.cancelOrder('never-placed')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('polls open orders while the trade_updates stream is down, and survives a garbage frame', async () => {
    f = await startAdapterFixture({ fake: { behavior: 'hold' } });
    await f.broker.start();
    await eventually(() => f.fake.tradeListeners().length === 1);
    f.fake.sendTradeGarbage();
    f.fake.sendTradeHeartbeat();
    f.fake.blockTradeStreams(true);
    f.fake.dropTradeStreams();
    await eventually(() => f.fake.tradeListeners().length === 0);
    await f.broker.execution.placeOrder(await order());
    f.fake.fillOrder('tcabc1231260309E');
    const filled = await eventually(() => f.updates.find((u) => u.status === 'filled'), { clock: f.clock, stepMs: 100, what: 'the fill, by polling' });
    expect(filled).toMatchObject({ filledQty: 10, avgFillPrice: 100 });
    f.fake.blockTradeStreams(false);
    await eventually(() => f.fake.tradeListeners().length === 1, { clock: f.clock, stepMs: 100, what: 'the stream back' });
    expect(f.updates.filter((u) => u.status === 'filled')).toHaveLength(1);
  });
});

describe('warm-up', () => {
  it('is one cheap authenticated GET', async () => {
    f = await startAdapterFixture();
    await f.broker.execution.warm!();
    expect(f.fake.requests().map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual(['GET /v2/clock 200']);
  });
});
