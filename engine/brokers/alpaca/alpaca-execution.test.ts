/**
 * AlpacaExecution against the loopback fake Alpaca (tests/fakes/alpaca): how placement answers
 * are classed for the engine, `calculated` orders, orders Alpaca replaced, and decimals sent as
 * JSON numbers. Network I/O is real; the adapter's timers run on a FakeClock.
 */
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/fake-clock';
import type { Instrument, OrderReport, PlaceOrderRequest } from '../broker';
import { DEFAULT_ALPACA_TIMING } from './alpaca-config';
import { AlpacaExecution } from './alpaca-execution';
import type { AlpacaRest } from './alpaca-rest';
import { startAdapterFixture, type AdapterFixture } from '../../../tests/fakes/alpaca/adapter-fixture';
import { drive, eventually } from '../../../tests/fakes/alpaca/eventually';

let f: AdapterFixture;
afterEach(async () => f?.close());

const CID = 'tcabc1231260309E';
const instrument = async (symbol = 'AAPL'): Promise<Instrument> => (await f.broker.instruments.resolve(symbol, 'NYSE'))!;
const order = async (over: Partial<PlaceOrderRequest> = {}): Promise<PlaceOrderRequest> => ({ clientOrderId: CID, instrument: await instrument(), side: 'buy', qty: 10, ...over, opens: over.opens ?? (over.side ?? 'buy') === 'buy' });
const started = async (opts: Parameters<typeof startAdapterFixture>[0] = {}) => {
  f = await startAdapterFixture(opts);
  await f.broker.start();
  await eventually(() => f.fake.tradeListeners().length === 1, { what: 'trade_updates listening' });
};
const ours = () => f.updates.filter((u) => u.clientOrderId === CID);
const finalOf = (u: OrderReport) => u.status === 'filled' || u.status === 'cancelled' || u.status === 'rejected';

describe('rate-budget precedence', () => {
  it('follows whether the order opens or closes, not its side: a short sale waits like an entry, a cover does not', async () => {
    const seen: unknown[] = [];
    const rest = {
      request: async (req: { method: string; path: string; precedence?: unknown }) => {
        if (req.method === 'POST' && req.path === '/v2/orders') seen.push(req.precedence);
        return { kind: 'error', status: 422, error: null, description: 'refused' };
      },
    };
    const execution = new AlpacaExecution({ rest: rest as unknown as AlpacaRest, restUrl: 'http://127.0.0.1:1', clock: new FakeClock(0), timing: DEFAULT_ALPACA_TIMING, logger: pino({ level: 'silent' }) });
    const aapl: Instrument = { symbol: 'AAPL', exchange: 'NYSE', brokerRef: 'AAPL', tickSize: 0.01, shortable: true };
    const place = (side: 'buy' | 'sell', opens: boolean) => execution.placeOrder({ clientOrderId: CID, instrument: aapl, side, qty: 10, opens });
    await place('buy', false);
    await place('sell', true);
    await place('buy', true);
    await place('sell', false);
    expect(seen).toEqual(['exit', 'entry', 'entry', 'exit']);
  });
});

describe('placement answers, classed for the engine', () => {
  it('a 429 that outlasts its retries: unknown, certainly not placed, with the wait Alpaca named', async () => {
    f = await startAdapterFixture();
    f.fake.injectFault({ route: 'POST /v2/orders', fault: { kind: 'rate-limit', resetInMs: 1_000 }, times: 10 });
    const result = await drive(f.broker.execution.placeOrder(await order()), { clock: f.clock, stepMs: 250 });
    expect(result).toMatchObject({ kind: 'unknown', notPlaced: true, reason: expect.stringMatching(/429/) });
    // X-RateLimit-Reset is in whole unix seconds: the wait is up to a second more than asked.
    expect(result.kind === 'unknown' && result.retryAfterMs).toBeGreaterThanOrEqual(250);
    expect(result.kind === 'unknown' && result.retryAfterMs).toBeLessThanOrEqual(2_000);
    expect(f.fake.orders()).toHaveLength(0);
  });

  it('a 5xx may have placed it: unknown, not notPlaced', async () => {
    f = await startAdapterFixture();
    f.fake.injectFault({ route: 'POST /v2/orders', fault: { kind: 'status', status: 503 } });
    const result = await f.broker.execution.placeOrder(await order());
    expect(result).toEqual({ kind: 'unknown', reason: 'HTTP 503 (code 50300000): internal server error' });
  });

  it('refusals that cannot pass are lasting; the rest are not', async () => {
    f = await startAdapterFixture({ fake: { accounts: [{ keyId: 'PKOK', secretKey: 'ok' }, { keyId: 'PKBLOCKED', secretKey: 'blocked', blocked: true }] } });
    const exec = f.broker.execution;
    const wrongKey = f.makeBroker({ credentials: { key_id: 'PKOK', secret_key: 'wrong' } });
    expect(await wrongKey.execution.placeOrder(await order())).toEqual({ kind: 'rejected', reason: 'Alpaca refused the API key: HTTP 401 (code 40110000): request is not authorized', lasting: true });
    const blocked = f.makeBroker({ credentials: { key_id: 'PKBLOCKED', secret_key: 'blocked' } });
    expect(await blocked.execution.placeOrder(await order())).toEqual({ kind: 'rejected', reason: 'HTTP 403 (code 40310000): account is not authorized to trade', lasting: true });
    const notTradable: Instrument = { ...(await instrument()), symbol: 'NOTRD' };
    expect(await exec.placeOrder(await order({ instrument: notTradable, clientOrderId: 'c-notrd' }))).toEqual({ kind: 'rejected', reason: 'HTTP 422 (code 40010001): asset NOTRD is not tradable', lasting: true });
    // Buying power may come back (a sale settles, cash arrives): not lasting.
    expect(await exec.placeOrder(await order({ qty: 5_000, clientOrderId: 'c-big' }))).toEqual({ kind: 'rejected', reason: 'HTTP 403 (code 40310000): insufficient buying power' });
  });
});

describe('calculated', () => {
  it('a lookup that finds the BUY `calculated` with every share filled reports it filled', async () => {
    f = await startAdapterFixture({ fake: { prices: { AAPL: 187.23 } } });
    expect(await f.broker.execution.placeOrder(await order())).toMatchObject({ kind: 'accepted' });
    await eventually(() => f.fake.orders()[0]?.status === 'filled', { what: 'the fill at the fake' });
    f.fake.restateOrder(CID, 'calculated');
    expect(await f.broker.execution.lookupOrder(CID)).toMatchObject({ clientOrderId: CID, status: 'filled', filledQty: 10, avgFillPrice: 187.23 });
  });

});

describe('an order Alpaca replaced', () => {
  it('on the stream: never cancelled; the replacement fills under our client order id', async () => {
    await started({ fake: { behavior: 'hold', prices: { AAPL: 187.23 } } });
    const placed = await f.broker.execution.placeOrder(await order());
    const replacement = f.fake.replaceOrder(CID);
    expect(replacement.clientOrderId).not.toBe(CID);
    f.fake.fillOrder(replacement.clientOrderId);
    const filled = await eventually(() => ours().find(finalOf), { what: 'our order final' });
    expect(filled).toMatchObject({ clientOrderId: CID, brokerOrderId: replacement.id, status: 'filled', filledQty: 10, avgFillPrice: 187.23 });
    expect(placed).toMatchObject({ kind: 'accepted' });
    expect(f.updates.filter((u) => u.status === 'cancelled')).toEqual([]);
    expect(await f.broker.execution.lookupOrder(CID)).toMatchObject({ brokerOrderId: replacement.id, status: 'filled', filledQty: 10 });
  });

  it('a cancel goes to the replacement, and its end is reported as ours', async () => {
    await started({ fake: { behavior: 'hold' } });
    await f.broker.execution.placeOrder(await order());
    const replacement = f.fake.replaceOrder(CID);
    await eventually(() => f.broker.execution.tracker.brokerOrderId(CID) === replacement.id, { what: 'the replacement known' });
    await f.broker.execution.cancelOrder(CID);
    expect(f.fake.requests().filter((r) => r.method === 'DELETE').map((r) => r.path)).toEqual([`/v2/orders/${replacement.id}`]);
    const cancelled = await eventually(() => ours().find(finalOf), { what: 'our order final' });
    expect(cancelled).toMatchObject({ status: 'cancelled', brokerOrderId: replacement.id, reason: `Alpaca order canceled (replacement order ${replacement.id})` });
  });

  it("fetches a replacement whose own events never came, by the id in our order's `replaced` event", async () => {
    await started({ fake: { behavior: 'hold' } });
    await f.broker.execution.placeOrder(await order());
    const replacement = f.fake.replaceOrder(CID, { silence: 'replacement' });
    await eventually(() => f.fake.requests().some((r) => r.method === 'GET' && r.path === `/v2/orders/${replacement.id}`), { what: 'GET of the replacement' });
    await eventually(() => f.broker.execution.tracker.brokerOrderId(CID) === replacement.id, { what: 'the replacement known' });
    expect(ours().some(finalOf)).toBe(false);
  });

  it("leaves the trader's own orders' replacements to the stream: no request spent on them", async () => {
    await started({ fake: { behavior: 'hold' } });
    const elsewhere = f.makeBroker();
    await elsewhere.execution.placeOrder(await order({ clientOrderId: 'traders-own' }));
    await eventually(() => f.updates.some((u) => u.clientOrderId === 'traders-own'), { what: "the trader's order on the stream" });
    f.fake.replaceOrder('traders-own', { silence: 'replacement' });
    // The stream keeps its order: once a later order's event is in, the `replaced` event was too.
    await elsewhere.execution.placeOrder(await order({ clientOrderId: 'marker' }));
    await eventually(() => f.updates.some((u) => u.clientOrderId === 'marker'), { what: 'a later event' });
    await new Promise((r) => setTimeout(r, 20));
    expect(f.fake.requests().filter((r) => r.method === 'GET' && r.path.startsWith('/v2/orders/'))).toEqual([]);
  });

  it('a lookup by our client order id follows replaced_by, through a chain of replacements', async () => {
    f = await startAdapterFixture({ fake: { behavior: 'hold', prices: { AAPL: 50 } } });
    const exec = f.broker.execution;
    await exec.placeOrder(await order());
    const first = f.fake.replaceOrder(CID, { silence: 'all' });
    expect(await exec.lookupOrder(CID)).toMatchObject({ clientOrderId: CID, brokerOrderId: first.id, status: 'accepted', filledQty: 0 });
    const second = f.fake.replaceOrder(CID, { silence: 'all' });
    f.fake.fillOrder(CID);
    expect(await exec.lookupOrder(CID)).toEqual({ clientOrderId: CID, brokerOrderId: second.id, status: 'filled', filledQty: 10, avgFillPrice: 50, at: f.clock.now(), reason: null });
    expect(f.fake.requests().filter((r) => r.path.startsWith('/v2/orders/')).map((r) => r.path)).toEqual([`/v2/orders/${first.id}`, `/v2/orders/${first.id}`, `/v2/orders/${second.id}`]);
  });

  it('a replacement that cannot be read makes the lookup fail (try again), never "cancelled"', async () => {
    f = await startAdapterFixture({ fake: { behavior: 'hold' } });
    await f.broker.execution.placeOrder(await order());
    const replacement = f.fake.replaceOrder(CID, { silence: 'all' });
    f.fake.injectFault({ route: `GET /v2/orders/${replacement.id}`, fault: { kind: 'status', status: 500 } });
    await expect(f.broker.execution.lookupOrder(CID)).rejects.toMatchObject({ code: 'unavailable', message: expect.stringContaining(`replaced by ${replacement.id}`) });
  });

  it('the fallback poll follows the replacement while the stream is down', async () => {
    await started({ fake: { behavior: 'hold' } });
    f.fake.blockTradeStreams(true);
    f.fake.dropTradeStreams();
    await eventually(() => f.fake.tradeListeners().length === 0);
    await f.broker.execution.placeOrder(await order());
    const replacement = f.fake.replaceOrder(CID);
    f.fake.fillOrder(CID);
    const filled = await eventually(() => ours().find(finalOf), { clock: f.clock, stepMs: 100, what: 'the fill, by polling' });
    expect(filled).toMatchObject({ status: 'filled', brokerOrderId: replacement.id, filledQty: 10 });
  });
});

describe('decimals sent as JSON numbers', () => {
  it('places, streams and looks up an order whose qty, filled_qty and filled_avg_price are numbers', async () => {
    await started({ fake: { numbers: true, prices: { AAPL: 187.23 } } });
    expect(await f.broker.execution.placeOrder(await order())).toMatchObject({ kind: 'accepted' });
    const filled = await eventually(() => ours().find(finalOf), { what: 'the fill' });
    expect(filled).toMatchObject({ status: 'filled', filledQty: 10, avgFillPrice: 187.23 });
    expect(f.updates.map((u) => [u.status, u.filledQty, u.avgFillPrice])).toEqual([['accepted', 0, null], ['filled', 10, 187.23]]);
    expect(f.fake.orders()[0]).toMatchObject({ qty: 10, filled_qty: 10, filled_avg_price: 187.23 });
    expect(await f.broker.execution.lookupOrder(CID)).toMatchObject({ status: 'filled', filledQty: 10, avgFillPrice: 187.23 });
  });
});
