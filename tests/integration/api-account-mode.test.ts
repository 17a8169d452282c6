/**
 * Which money and which market: every broker account on the wire says whether it is PAPER or LIVE
 * and which exchanges it trades, each with its time zone, so the screens can say it before a
 * strategy is saved or started. Real API, real broker kinds; Alpaca and Kite on their fakes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeAlpaca, type FakeAlpaca } from '../fakes/alpaca/fake-alpaca';
import { startKiteFake, type KiteFake } from '../fakes/kite/kite-fake';
import { startApiHarness, type ApiHarness } from '../support/api-harness';

let h: ApiHarness | undefined;
let alpaca: FakeAlpaca | undefined;
let kite: KiteFake | undefined;
afterEach(async () => {
  await h?.close();
  await alpaca?.close();
  await kite?.close();
  h = alpaca = kite = undefined;
});

const US = [
  { exchange: 'NYSE', timezone: 'America/New_York' },
  { exchange: 'NASDAQ', timezone: 'America/New_York' },
];

describe('broker accounts say PAPER or LIVE, and where they trade', () => {
  it('a paper account is paper and lists every exchange with its zone, on connect, list and get', async () => {
    h = await startApiHarness();
    const { token } = await h.register();
    const id = await h.connectPaper(token);
    const one = await h.call('GET', `/broker/${id}`, { token });
    expect(one.body.mode).toBe('paper');
    expect(one.body.markets).toEqual([
      { exchange: 'NSE', timezone: 'Asia/Kolkata' },
      { exchange: 'BSE', timezone: 'Asia/Kolkata' },
      { exchange: 'NFO', timezone: 'Asia/Kolkata' },
      { exchange: 'BFO', timezone: 'Asia/Kolkata' },
      ...US,
      { exchange: 'CRYPTO', timezone: 'UTC' },
    ]);
    const list = await h.call('GET', '/broker', { token });
    expect(list.body.accounts).toEqual([one.body]);
  });

  it('Alpaca is paper on its paper endpoint and live with paper: false; both trade NYSE and NASDAQ in New York time', async () => {
    h = await startApiHarness();
    alpaca = await startFakeAlpaca({ now: () => h!.clock.now() });
    const { token } = await h.register();
    const paper = await h.call('POST', '/broker/connect', { token, body: { broker: 'alpaca', label: 'Alpaca paper', credentials: alpaca.credentials(), options: alpaca.connectOptions() } });
    expect(paper.status).toBe(201);
    expect(paper.body).toMatchObject({ label: 'Alpaca paper', mode: 'paper', markets: US });

    const live = await h.call('POST', '/broker/connect', { token, body: { broker: 'alpaca', label: 'Alpaca live', credentials: alpaca.credentials(), options: { ...alpaca.connectOptions(), paper: false } } });
    expect(live.status).toBe(201);
    expect(live.body).toMatchObject({ label: 'Alpaca live', mode: 'live', markets: US });
  });

  it('Kite is always live, on NSE, BSE and their F&O segments (NFO, BFO) in India time, before its first login too', async () => {
    h = await startApiHarness();
    kite = await startKiteFake();
    const { token } = await h.register();
    const connected = await h.call('POST', '/broker/connect', { token, body: { broker: 'kite', credentials: { api_key: kite.apiKey, api_secret: kite.apiSecret }, options: kite.options() } });
    expect(connected.body).toMatchObject({
      status: 'login_required',
      mode: 'live',
      markets: [
        { exchange: 'NSE', timezone: 'Asia/Kolkata' },
        { exchange: 'BSE', timezone: 'Asia/Kolkata' },
        { exchange: 'NFO', timezone: 'Asia/Kolkata' },
        { exchange: 'BFO', timezone: 'Asia/Kolkata' },
      ],
    });
  });
});
