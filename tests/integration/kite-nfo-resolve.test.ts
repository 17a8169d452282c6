/**
 * Issue 19's wiring at Kite, over loopback HTTP against the Kite fake: an NFO or BFO
 * tradingsymbol resolves through the derivatives master (token, tick and the contract's lot size),
 * the option chains are warmed and then read without another download, an index resolves for its
 * quote (the spot of an option strike) but is never offered to trade, and an option order goes
 * out on its derivatives exchange with the product F&O takes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../engine/core/fake-clock';
import { createKiteBroker, type KiteBroker } from '../../engine/brokers/kite';
import { DEFAULT_INSTRUMENTS } from '../fakes/kite/fake-instruments';
import { fakeOptionChain } from '../fakes/kite/fake-option-chain';
import { startKiteFake, type KiteFake } from '../fakes/kite/kite-fake';

let fake: KiteFake | undefined;
let kite: KiteBroker | undefined;
afterEach(async () => {
  await kite?.stop();
  await fake?.close();
  fake = undefined;
  kite = undefined;
});

const MONDAY_0900_IST = Date.parse('2026-12-07T03:30:00Z');
const chain = fakeOptionChain({ today: '2026-12-07', holidays: ['2027-01-26'] });

async function setup(options: Record<string, unknown> = {}) {
  fake = await startKiteFake({ instruments: [...DEFAULT_INSTRUMENTS, ...chain] });
  const clock = new FakeClock(MONDAY_0900_IST);
  kite = createKiteBroker({ clock, credentials: { api_key: fake.apiKey, api_secret: 'secretfortests01', access_token: fake.accessToken }, options: { rest_url: fake.restUrl, ticker_url: fake.tickerUrl, ...options } });
  const dumps = (exchange: string) => fake!.requests().filter((r) => r.path === `/instruments/${exchange}`).length;
  return { kite, dumps, fake };
}

describe('NFO and BFO symbols at Kite', () => {
  it('resolve through the derivatives master, with the contract lot size, one download per exchange', async () => {
    const { kite, dumps } = await setup();
    const row = chain.find((r) => r.tradingsymbol === 'NIFTY26D0826000CE')!;
    expect(await kite.instruments.resolve('nifty26d0826000ce', 'NFO')).toEqual({ symbol: 'NIFTY26D0826000CE', exchange: 'NFO', brokerRef: String(row.token), tickSize: 0.05, shortable: null, lotSize: 65 });
    expect(await kite.instruments.resolve('SENSEX26D1784800PE', 'BFO')).toMatchObject({ exchange: 'BFO', lotSize: 20 });
    expect(await kite.instruments.resolve('NIFTY26D0899999CE', 'NFO')).toBeNull();
    // An NFO symbol is not looked for in the cash dumps, and a cash symbol not in the master.
    expect(await kite.instruments.resolve('INFY', 'NFO')).toBeNull();
    expect(dumps('NFO')).toBe(1);
    expect(dumps('BFO')).toBe(1);
    expect(dumps('NSE')).toBe(0);
    expect(kite.derivatives.current('NFO')?.bySymbol('NIFTY26D0826000CE')?.lotSize).toBe(65);
  });

  it('warms a chain once; current() then answers without downloading', async () => {
    const { kite, dumps } = await setup();
    expect(kite.optionChains!.current('NFO')).toBeNull();
    await kite.optionChains!.warm('NFO');
    await kite.optionChains!.warm('NFO');
    expect(kite.optionChains!.current('NFO')?.calendar('NIFTY')?.optionExpiries[0]).toBe('2026-12-08');
    expect(dumps('NFO')).toBe(1);
    expect(kite.capabilities.exchanges).toEqual(['NSE', 'BSE', 'NFO', 'BFO']);
  });

  it('resolves an index for its quote, and never offers one to trade', async () => {
    const { kite } = await setup();
    expect(await kite.instruments.resolve('NIFTY 50', 'NSE')).toMatchObject({ symbol: 'NIFTY 50', exchange: 'NSE', brokerRef: '256265', tickSize: 0.01 });
    expect(await kite.instruments.resolve('SENSEX', 'BSE')).toMatchObject({ brokerRef: '265' });
    expect(await kite.instruments.search!('NIFTY', { limit: 5 })).toEqual([]);
  });

  it('sends an option order on its derivatives exchange, as NRML for a CNC account', async () => {
    const { kite, fake } = await setup({ product: 'CNC' });
    const ce = (await kite.instruments.resolve('NIFTY26D0826000CE', 'NFO'))!;
    const placed = await kite.execution.placeOrder({ clientOrderId: 'tck1nfo', instrument: ce, side: 'buy', qty: 65, opens: true });
    expect(placed.kind).toBe('accepted');
    const form = fake.requests().find((r) => r.method === 'POST' && r.path === '/orders/regular')!.form;
    expect(Object.fromEntries(['tradingsymbol', 'exchange', 'quantity', 'product'].map((k) => [k, form.get(k)]))).toEqual({ tradingsymbol: 'NIFTY26D0826000CE', exchange: 'NFO', quantity: '65', product: 'NRML' });
  });
});
