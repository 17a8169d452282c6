/**
 * What AlpacaInstruments says of selling first, against the loopback fake Alpaca: an asset can be
 * sold first when it is `shortable` and `easy_to_borrow` (alpaca-docs 2080c5e
 * data/webapi/entities/asset-v2.yaml, content/trading/margin-and-shorting.md), on the single lookup
 * and on the bulk list alike. The hand-written replies follow asset-v2.yaml's example fields.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ALPACA_CAPABILITIES } from './alpaca-broker';
import { BULK_LOOKUP_THRESHOLD, shortableOf } from './alpaca-instruments';
import { startAdapterFixture, type AdapterFixture } from '../../../tests/fakes/alpaca/adapter-fixture';
import { eventually } from '../../../tests/fakes/alpaca/eventually';
import type { FakeAssetSpec } from '../../../tests/fakes/alpaca/fake-config';

let f: AdapterFixture;
afterEach(async () => f?.close());

const ASSETS: readonly FakeAssetSpec[] = [
  { symbol: 'AAPL', exchange: 'NASDAQ' },
  { symbol: 'GME', exchange: 'NYSE', shortable: true, easyToBorrow: false },
  { symbol: 'NOSHRT', exchange: 'NASDAQ', shortable: false, easyToBorrow: false },
];

/** An asset reply in asset-v2.yaml's fields, for the routes a test replaces. */
const assetBody = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  id: '904837e3-3b76-47ec-b432-046db621571b',
  class: 'us_equity',
  exchange: 'NASDAQ',
  symbol: 'AAPL',
  status: 'active',
  tradable: true,
  marginable: true,
  shortable: true,
  easy_to_borrow: true,
  fractionable: true,
  ...over,
});

describe('Alpaca sell-first facts', () => {
  it('is decided asset by asset', () => {
    expect(ALPACA_CAPABILITIES.sellFirst).toBe('per_instrument');
  });

  it('shortable and easy to borrow: true; hard to borrow or not shortable: false', async () => {
    f = await startAdapterFixture({ fake: { assets: ASSETS } });
    expect(await f.broker.instruments.resolve('AAPL', 'NASDAQ')).toMatchObject({ symbol: 'AAPL', shortable: true });
    expect(await f.broker.instruments.resolve('GME', 'NYSE')).toMatchObject({ symbol: 'GME', shortable: false });
    expect(await f.broker.instruments.resolve('NOSHRT', 'NASDAQ')).toMatchObject({ symbol: 'NOSHRT', shortable: false });
  });

  it('the bulk list (a restart resolving many at once) reads the same flags', async () => {
    const many: FakeAssetSpec[] = Array.from({ length: BULK_LOOKUP_THRESHOLD }, (_, i) => ({ symbol: `S${String.fromCharCode(65 + i)}`, exchange: 'NYSE' }));
    f = await startAdapterFixture({ fake: { assets: [...ASSETS, ...many] } });
    const symbols = [...ASSETS.map((a) => a.symbol), ...many.map((a) => a.symbol)];
    const found = await Promise.all(symbols.map((s) => f.broker.instruments.resolve(s, 'NYSE')));
    expect(f.fake.requests().filter((r) => r.path.startsWith('/v2/assets')).map((r) => r.path)).toEqual(['/v2/assets']);
    expect(found.slice(0, 4).map((i) => i?.shortable)).toEqual([true, false, false, true]);
  });

  it('a reply without the flags is still a tradable asset, whose shortability is not known (null)', async () => {
    f = await startAdapterFixture();
    f.fake.injectFault({ route: 'GET /v2/assets/AAPL', fault: { kind: 'status', status: 200, body: assetBody({ shortable: undefined, easy_to_borrow: undefined }) } });
    expect(await f.broker.instruments.resolve('AAPL', 'NASDAQ')).toMatchObject({ symbol: 'AAPL', shortable: null });
  });

  it.each([
    ['shortable', { shortable: 'yes' }, /asset AAPL could not be read \(shortable: /],
    ['easy_to_borrow', { easy_to_borrow: null }, /asset AAPL could not be read \(easy_to_borrow: /],
  ])('a reply with %s not a boolean: a broker_error naming the field', async (_, over, message) => {
    f = await startAdapterFixture();
    f.fake.injectFault({ route: 'GET /v2/assets/AAPL', fault: { kind: 'status', status: 200, body: assetBody(over) } });
    await expect(f.broker.instruments.resolve('AAPL', 'NASDAQ')).rejects.toMatchObject({ code: 'broker_error', message: expect.stringMatching(message) });
  });

  it('a bulk list with a bad flag: a broker_error naming the row and the field', async () => {
    f = await startAdapterFixture();
    f.fake.injectFault({ route: 'GET /v2/assets', fault: { kind: 'status', status: 200, body: [assetBody(), assetBody({ symbol: 'MSFT', easy_to_borrow: 'true' })] } });
    const symbols = Array.from({ length: BULK_LOOKUP_THRESHOLD }, (_, i) => `S${String.fromCharCode(65 + i)}`);
    const results = await Promise.allSettled(symbols.map((s) => f.broker.instruments.resolve(s, 'NYSE')));
    expect(results[0]).toMatchObject({ status: 'rejected', reason: { code: 'broker_error', message: expect.stringMatching(/asset list could not be read \(1\.easy_to_borrow: /) } });
  });

  it('shortableOf: false when either flag says no, null when one is missing and neither says no', () => {
    expect(shortableOf({ shortable: true, easy_to_borrow: true })).toBe(true);
    expect(shortableOf({ shortable: true, easy_to_borrow: false })).toBe(false);
    expect(shortableOf({ shortable: false, easy_to_borrow: true })).toBe(false);
    expect(shortableOf({ shortable: false })).toBe(false);
    expect(shortableOf({ shortable: true })).toBeNull();
    expect(shortableOf({})).toBeNull();
  });

  it('the fake refuses a short sale of a hard-to-borrow asset with 403, as Alpaca documents, but sells a long of it', async () => {
    f = await startAdapterFixture({ fake: { assets: ASSETS } });
    const gme = (await f.broker.instruments.resolve('GME', 'NYSE'))!;
    const short = await f.broker.execution.placeOrder({ clientOrderId: 'tcshort1', instrument: gme, side: 'sell', opens: false, qty: 5 });
    expect(short).toMatchObject({ kind: 'rejected', reason: expect.stringMatching(/cannot be sold short/) });
    expect(await f.broker.execution.placeOrder({ clientOrderId: 'tcbuy1', instrument: gme, side: 'buy', opens: true, qty: 5 })).toMatchObject({ kind: 'accepted' });
    await eventually(() => f.fake.orders().some((o) => o.client_order_id === 'tcbuy1' && o.status === 'filled'), { what: 'the BUY filled' });
    expect(await f.broker.execution.placeOrder({ clientOrderId: 'tcsell1', instrument: gme, side: 'sell', opens: false, qty: 5 })).toMatchObject({ kind: 'accepted' });
  });
});
