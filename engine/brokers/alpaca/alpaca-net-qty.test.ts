/**
 * AlpacaExecution.netQty against the loopback fake Alpaca: GET /v2/positions/{symbol} after fills,
 * short sales and the trader's hand sales in Alpaca's app, signed (a short negative); Alpaca's
 * "position does not exist" is 0, and every other failure throws (the engine asks again) instead
 * of passing for 0.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Instrument } from '../broker';
import { startAdapterFixture, type AdapterFixture } from '../../../tests/fakes/alpaca/adapter-fixture';
import { eventually } from '../../../tests/fakes/alpaca/eventually';

let f: AdapterFixture;
afterEach(async () => f?.close());

const aapl = async (): Promise<Instrument> => (await f.broker.instruments.resolve('AAPL', 'NASDAQ'))!;
const held = async () => f.broker.execution.netQty(await aapl());

async function bought(qty = 10): Promise<void> {
  f = await startAdapterFixture({ fake: { prices: { AAPL: 187.23 } } });
  expect(await f.broker.execution.placeOrder({ clientOrderId: 'tcbuy1', instrument: await aapl(), side: 'buy', opens: true, qty })).toMatchObject({ kind: 'accepted' });
  await eventually(() => f.fake.orders()[0]?.status === 'filled', { what: 'the BUY filled at the fake' });
}

describe('Alpaca netQty', () => {
  it('no position: Alpaca answers 404 "position does not exist", which is 0', async () => {
    f = await startAdapterFixture();
    expect(await held()).toBe(0);
    expect(f.fake.requests().at(-1)).toMatchObject({ method: 'GET', path: '/v2/positions/AAPL', status: 404 });
  });

  it('after a filled BUY: the shares bought; after a hand sale in Alpaca\'s app: what is left', async () => {
    await bought(10);
    expect(await held()).toBe(10);
    f.fake.sellByHand('AAPL', 4);
    expect(await held()).toBe(6);
    f.fake.sellByHand('AAPL', 6);
    expect(await held()).toBe(0);
  });

  it('a hand sale of more than was held leaves a short: negative', async () => {
    await bought(10);
    f.fake.sellByHand('AAPL', 15);
    expect(f.fake.positions()).toMatchObject([{ symbol: 'AAPL', qty: '-5', side: 'short' }]);
    expect(await held()).toBe(-5);
  });

  it('a sell of ours from flat opens a short (-7); a buy of 7 covers it, and the flat position is 404, 0', async () => {
    f = await startAdapterFixture({ fake: { prices: { AAPL: 187.23 } } });
    expect(await f.broker.execution.placeOrder({ clientOrderId: 'tcshort1', instrument: await aapl(), side: 'sell', opens: false, qty: 7 })).toMatchObject({ kind: 'accepted' });
    await eventually(() => f.fake.orders()[0]?.status === 'filled', { what: 'the short sale filled at the fake' });
    expect(await held()).toBe(-7);
    expect(await f.broker.execution.placeOrder({ clientOrderId: 'tccover1', instrument: await aapl(), side: 'buy', opens: true, qty: 7 })).toMatchObject({ kind: 'accepted' });
    await eventually(() => f.fake.orders()[1]?.status === 'filled', { what: 'the cover filled at the fake' });
    expect(Object.is(await held(), 0)).toBe(true);
    expect(f.fake.requests().at(-1)).toMatchObject({ method: 'GET', path: '/v2/positions/AAPL', status: 404 });
  });

  it('a short reply with an unsigned qty (side "short", qty "7") is still a short of 7', async () => {
    await bought(10);
    f.fake.injectFault({ route: 'GET /v2/positions/AAPL', fault: { kind: 'status', status: 200, body: { symbol: 'AAPL', qty: '7', side: 'short' } } });
    expect(await held()).toBe(-7);
  });

  it('a sell of ours that filled counts, a hand sale is streamed as an order not ours', async () => {
    await bought(10);
    await f.broker.start();
    await eventually(() => f.fake.tradeListeners().length === 1, { what: 'trade_updates listening' });
    const { clientOrderId } = f.fake.sellByHand('AAPL', 3);
    await eventually(() => f.updates.some((u) => u.clientOrderId === clientOrderId && u.status === 'filled'), { what: 'the hand sale on the stream' });
    expect(await f.broker.execution.placeOrder({ clientOrderId: 'tcsell1', instrument: await aapl(), side: 'sell', opens: false, qty: 7 })).toMatchObject({ kind: 'accepted' });
    await eventually(() => f.updates.some((u) => u.clientOrderId === 'tcsell1' && u.status === 'filled'), { what: 'our SELL filled' });
    expect(await held()).toBe(0);
    // The hand sale came from Alpaca's app, not through the API.
    expect(f.fake.received().map((r) => r.clientOrderId)).toEqual(['tcbuy1', 'tcsell1']);
  });

  it.each([
    ['a 500', { kind: 'status', status: 500 } as const, { code: 'unavailable', message: /HTTP 500/ }],
    ['a 404 that is not about a position (a wrong rest_url, a proxy)', { kind: 'status', status: 404, body: { code: 40410000, message: 'endpoint not found' } } as const, { code: 'unavailable', message: /HTTP 404 \(code 40410000\): endpoint not found/ }],
    ['a 404 page without Alpaca\'s body', { kind: 'status', status: 404, body: '<html>Not Found</html>' } as const, { code: 'unavailable', message: /HTTP 404/ }],
    ['a 200 that is not JSON', { kind: 'garbage' } as const, { code: 'unavailable', message: /not JSON/ }],
    ['a dropped connection', { kind: 'drop' } as const, { code: 'unavailable', message: /could not ask Alpaca how many AAPL/ }],
    ['a 200 with an unreadable qty', { kind: 'status', status: 200, body: { symbol: 'AAPL', qty: 'lots', side: 'long' } } as const, { code: 'broker_error', message: /could not be read: qty of the long position is not a quantity/ }],
    ['a 200 with another symbol\'s position', { kind: 'status', status: 200, body: { symbol: 'MSFT', qty: '10', side: 'long' } } as const, { code: 'broker_error', message: /symbol: the reply is the position of "MSFT", not of AAPL/ }],
    ['a 200 without a side', { kind: 'status', status: 200, body: { symbol: 'AAPL', qty: '10' } } as const, { code: 'broker_error', message: /not an Alpaca position \(side: / }],
    ['a 200 with a side neither long nor short', { kind: 'status', status: 200, body: { symbol: 'AAPL', qty: '10', side: 'flat' } } as const, { code: 'broker_error', message: /side is "flat"/ }],
  ])('%s throws (the engine asks again), never 0', async (_, fault, expected) => {
    await bought(10);
    f.fake.injectFault({ route: 'GET /v2/positions/AAPL', fault });
    const error = await held().then(
      () => null,
      (err: unknown) => err as { code: string; message: string },
    );
    expect(error?.code).toBe(expected.code);
    expect(error?.message).toMatch(expected.message);
    // Asked again, it answers.
    expect(await held()).toBe(10);
  });

  it('refused keys throw "unauthorized"', async () => {
    f = await startAdapterFixture();
    const wrongKey = f.makeBroker({ credentials: { key_id: f.fake.credentials().key_id, secret_key: 'wrong' } });
    await expect(wrongKey.execution.netQty(await aapl())).rejects.toMatchObject({ code: 'unauthorized', message: expect.stringMatching(/HTTP 401/) });
  });
});
