/**
 * The Kite adapter's REST quote (the cross-check of a silent ticker) against the loopback fake:
 * `GET /quote/ltp` with `i` repeated, one request for several instruments, a price the stalled
 * ticker never sent, Kite's 1 request a second kept on our side, and bad replies refused with a
 * clear error, never a NaN price.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../engine/core/fake-clock';
import { createKiteBroker, type KiteBroker } from '../../engine/brokers/kite';
import type { Instrument } from '../../engine/brokers/broker';
import { startKiteFake, type KiteFake } from '../fakes/kite/kite-fake';

let fake: KiteFake;
let clock: FakeClock;
let kite: KiteBroker;

async function setup(): Promise<{ infy: Instrument; sbin: Instrument; reliance: Instrument }> {
  fake = await startKiteFake({ prices: { INFY: 1074.35, RELIANCE: 2950.5 } });
  clock = new FakeClock(Date.parse('2026-03-09T04:00:00Z')); // 09:30 IST
  kite = createKiteBroker({ clock, credentials: fake.credentials(), options: fake.options(), random: () => 0.5 });
  return { infy: (await kite.instruments.resolve('INFY', 'NSE'))!, sbin: (await kite.instruments.resolve('SBIN', 'NSE'))!, reliance: (await kite.instruments.resolve('RELIANCE', 'BSE'))! };
}

const ltpCalls = () => fake.requests().filter((r) => r.method === 'GET' && r.path === '/quote/ltp');

afterEach(async () => {
  await kite?.stop();
  await fake?.close();
});

describe('the LTP quote', () => {
  it('asks for every instrument in one request, `i` repeated, and answers each priced one without a trade time', async () => {
    const { infy, sbin, reliance } = await setup();
    expect(await kite.data.quote([infy, sbin, reliance])).toEqual([
      { symbol: 'INFY', exchange: 'NSE', price: 1074.35, at: null },
      { symbol: 'RELIANCE', exchange: 'BSE', price: 2950.5, at: null },
    ]);
    const [call] = ltpCalls();
    expect(call!.query.getAll('i')).toEqual(['NSE:INFY', 'NSE:SBIN', 'BSE:RELIANCE']);
    expect([call!.headers['x-kite-version'], call!.headers.authorization]).toEqual(['3', `token ${fake.apiKey}:${fake.accessToken}`]);
  });

  it('shows a price the stalled ticker never sent', async () => {
    const { infy } = await setup();
    fake.ticker.stall(true);
    fake.setPrice('INFY', 1060.1);
    expect(await kite.data.quote([infy])).toEqual([{ symbol: 'INFY', exchange: 'NSE', price: 1060.1, at: null }]);
  });

  it('keeps to 1 request a second: a second quote within the second waits for its slot', async () => {
    const { infy } = await setup();
    await kite.data.quote([infy]);
    const second = kite.data.quote([infy]);
    await clock.advance(999);
    expect(ltpCalls()).toHaveLength(1);
    await clock.advance(1);
    await second;
    expect(ltpCalls()).toHaveLength(2);
  });

  it('refuses a reply it cannot read, naming what was wrong, and Kite errors or garbage, without crashing', async () => {
    const { infy } = await setup();
    const quote = async () => {
      const q = kite.data.quote([infy]);
      q.catch(() => undefined); // awaited below, after the clock moves
      await clock.advance(1_000); // each call's rate slot
      return q;
    };
    fake.failNext('GET /quote/ltp', { kind: 'data', data: { 'NSE:INFY': { instrument_token: 408065, last_price: '1074.35' } } });
    await expect(quote()).rejects.toThrow("Kite's LTP answer cannot be read: NSE:INFY.last_price must be a number");
    fake.failNext('GET /quote/ltp', { kind: 'data', data: { 'NSE:INFY': { instrument_token: 408065, last_price: -3 } } });
    await expect(quote()).rejects.toThrow('NSE:INFY.last_price must be a price, 0 or above');
    fake.failNext('GET /quote/ltp', { kind: 'data', data: ['NSE:INFY', 1074.35] });
    await expect(quote()).rejects.toThrow("Kite's LTP answer cannot be read: data must be an object of prices by EXCHANGE:SYMBOL");
    fake.failNext('GET /quote/ltp', { kind: 'status', status: 503, errorType: 'NetworkException', message: 'Service unavailable' });
    await expect(quote()).rejects.toThrow('Kite refused the LTP request (NetworkException, HTTP 503): "Service unavailable"');
    fake.failNext('GET /quote/ltp', { kind: 'garbage' });
    await expect(quote()).rejects.toThrow('Kite answered the LTP request with HTTP 200 but a body that is not JSON');
    // A last price of 0 (no trade yet) is no price, as on the ticker; then a good answer is read as ever.
    fake.failNext('GET /quote/ltp', { kind: 'data', data: { 'NSE:INFY': { instrument_token: 408065, last_price: 0 } } });
    expect(await quote()).toEqual([]);
    expect((await quote()).map((q) => q.price)).toEqual([1074.35]);
  });
});
