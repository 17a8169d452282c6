/**
 * POST /backtest with `fetch_missing`: the trading days the store lacks are fetched from the
 * strategy's Alpaca account (its keys from the vault, its data_url and feed) before the replay,
 * from the Alpaca fake's GET /v2/stocks/{symbol}/bars as documented, here in pages of 100 bars
 * (Alpaca may answer fewer than `limit`: every next_page_token is followed). Days already stored
 * are not asked again; a paper account has no history (400 naming fetch_missing); a broker that
 * refuses is a 502 naming the account, with no key in it, and nothing written.
 *
 * A Kite account (on the Kite fake) the same way: the token from the NSE instruments dump, the
 * candles with the day's access token; without a login, a 502 saying to log in.
 *
 * AAPL's bars rise 0.01 a minute from 100.00 at each day's 09:30 New York open; BUY 09:35 SELL
 * 09:40 of 10 shares: 100.05 → 100.10, +0.50 a day without fees.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultBrokerKinds } from '../../engine/brokers/broker-kinds';
import { alpacaBrokerKind } from '../../engine/brokers/alpaca';
import { startFakeAlpaca, type FakeAlpaca } from '../fakes/alpaca/fake-alpaca';
import { startKiteFake, type KiteFake } from '../fakes/kite/kite-fake';
import type { FakeBar } from '../fakes/alpaca/fake-bars';
import { startApiHarness, type ApiHarness } from '../support/api-harness';

const HOUR = 3_600_000;
const DAYS = ['2026-03-02', '2026-03-03', '2026-03-04', '2026-03-05', '2026-03-06', '2026-03-09'];
/** New York's open in UTC: EST before Sunday 8 March, EDT from it. */
const open = (d: string) => Date.parse(`${d}T${d < '2026-03-08' ? '14' : '13'}:30:00Z`);
const day = (d: string): FakeBar[] => Array.from({ length: 390 }, (_, i) => ({ minute: open(d) + i * 60_000, open: 100 + i / 100, high: 100 + i / 100, low: 100 + i / 100, close: 100 + i / 100, volume: 10 }));

let h: ApiHarness;
let fake: FakeAlpaca;
let token = '';
let strategy = 0;
let paperStrategy = 0;
let alpacaAccount = 0;
const barRequests = () => fake.requests().filter((r) => r.path === '/v2/stocks/AAPL/bars');

beforeAll(async () => {
  h = await startApiHarness({ at: '2026-03-10T13:00:00Z', kinds: { ...defaultBrokerKinds(), alpaca: alpacaBrokerKind({ timing: { pingIntervalMs: 24 * HOUR, staleAfterMs: 48 * HOUR, deadAfterMs: 72 * HOUR } }) } });
  fake = await startFakeAlpaca({ now: () => h.clock.now(), barsPageMax: 100, accounts: [{ keyId: 'PKFAKE0000000000000A', secretKey: 'fake-secret-0000000000000000000000000000A', feeds: ['iex'] }] });
  fake.setBars('AAPL', DAYS.flatMap(day));
  ({ token } = await h.register('fetch@example.com'));
  const connected = await h.call('POST', '/broker/connect', { token, body: { broker: 'alpaca', label: 'Alpaca paper', credentials: fake.credentials(), options: fake.connectOptions() } });
  expect(connected.status).toBe(201);
  alpacaAccount = connected.body.id;
  const created = await h.createStrategy(token, connected.body.id, { symbol: 'AAPL', exchange: 'NYSE', qty: 10, buy_time: '09:35:00', sell_time: '09:40:00', stop_loss: 95 });
  expect(created.status, created.text).toBe(201);
  strategy = created.body.id;
  paperStrategy = (await h.createStrategy(token, await h.connectPaper(token), { symbol: 'AAPL', exchange: 'NYSE', qty: 10, buy_time: '09:35:00', sell_time: '09:40:00', stop_loss: 95 })).body.id;
});
afterAll(async () => {
  await h?.close();
  await fake?.close();
});

const stored = () => h.repos.historicalBars.list('NYSE', 'AAPL', 0, Date.parse('2027-01-01T00:00:00Z')).length;

describe('POST /backtest with fetch_missing', () => {
  it('without it, nothing is fetched: every day is NO_DATA', async () => {
    const res = await h.call('POST', '/backtest', { token, body: { strategy_id: strategy, from: '2026-03-02', to: '2026-03-06', fees: 'none' } });
    expect(res.status).toBe(200);
    expect(res.body.runs.map((r: { state: string }) => r.state)).toEqual(['NO_DATA', 'NO_DATA', 'NO_DATA', 'NO_DATA', 'NO_DATA']);
    expect(barRequests()).toHaveLength(0);
  });

  it("fetches the week from the strategy's Alpaca account, every page of it, then replays it", async () => {
    const res = await h.call('POST', '/backtest', { token, body: { strategy_id: strategy, from: '2026-03-02', to: '2026-03-06', fees: 'none', fetch_missing: true } });
    expect(res.status, res.text).toBe(200);
    expect(res.body.report).toMatchObject({ trades: 5, wins: 5, net: 2.5 });
    expect(res.body.trades[0]).toMatchObject({ date: '2026-03-02', entry_price: 100.05, exit_price: 100.1, net: 0.5 });
    // Five consecutive trading days in one range: 1 950 bars in pages of 100, all with 200.
    expect(barRequests()).toHaveLength(20);
    expect(barRequests().every((r) => r.status === 200)).toBe(true);
    expect(stored()).toBe(1950);
  });

  it('asks only for the days the store lacks', async () => {
    const before = barRequests().length;
    const again = await h.call('POST', '/backtest', { token, body: { strategy_id: strategy, from: '2026-03-02', to: '2026-03-06', fees: 'none', fetch_missing: true } });
    expect(again.body.report.trades).toBe(5);
    expect(barRequests()).toHaveLength(before);
    const more = await h.call('POST', '/backtest', { token, body: { strategy_id: strategy, from: '2026-03-02', to: '2026-03-09', fees: 'none', fetch_missing: true } });
    expect(more.body.report).toMatchObject({ trades: 6, net: 3 });
    // Monday 9 March alone: 390 bars, four pages.
    expect(barRequests()).toHaveLength(before + 4);
    expect(stored()).toBe(2340);
  });

  it('a paper account has no history: a 400 naming fetch_missing; a spec must name its account', async () => {
    const paper = await h.call('POST', '/backtest', { token, body: { strategy_id: paperStrategy, from: '2026-03-02', to: '2026-03-06', fetch_missing: true } });
    expect(paper.status).toBe(400);
    expect(paper.body.error.fields).toEqual([{ field: 'fetch_missing', message: expect.stringContaining('has no price history to fetch') }]);
    const spec = { symbol: 'AAPL', exchange: 'NYSE', qty: 10, buy_time: '09:35', sell_time: '09:40', stop_loss: 95 };
    const unnamed = await h.call('POST', '/backtest/grid', { token, body: { spec, from: '2026-03-02', to: '2026-03-06', fetch_missing: true, buy: { from: '09:35', to: '09:35' }, sell: { from: '09:40', to: '09:40' } } });
    expect(unnamed.status).toBe(400);
    expect(unnamed.body.error.fields[0].field).toBe('spec.broker_account_id');
  });

  it("another user cannot fetch with this user's account (invariant 5): not found, nothing asked", async () => {
    const before = barRequests().length;
    const { token: other } = await h.register('other-fetch@example.com');
    const spec = { broker_account_id: alpacaAccount, symbol: 'AAPL', exchange: 'NYSE', qty: 10, buy_time: '09:35', sell_time: '09:40', stop_loss: 95 };
    const res = await h.call('POST', '/backtest', { token: other, body: { spec, from: '2026-03-10', to: '2026-03-10', fetch_missing: true } });
    expect(res.status).toBe(404);
    expect(barRequests()).toHaveLength(before);
  });

  it("a broker's refusal is a 502 naming the account, no key in it, nothing written", async () => {
    const creds = fake.credentials();
    const sip = await h.call('POST', '/broker/connect', { token, body: { broker: 'alpaca', label: 'Alpaca SIP', credentials: creds, options: { ...fake.connectOptions(), feed: 'sip' } } });
    expect(sip.status).toBe(201);
    const spec = { broker_account_id: sip.body.id, symbol: 'AAPL', exchange: 'NYSE', qty: 10, buy_time: '09:35', sell_time: '09:40', stop_loss: 95 };
    const before = stored();
    const res = await h.call('POST', '/backtest', { token, body: { spec, from: '2026-03-10', to: '2026-03-10', fetch_missing: true } });
    expect(res.status).toBe(502);
    expect(res.body.error.message).toMatch(/^could not fetch the missing bars from Alpaca SIP: Alpaca bars of AAPL: HTTP 403: subscription does not permit querying sip data/);
    expect(res.text).not.toContain(creds.secret_key);
    expect(res.text).not.toContain(creds.key_id);
    expect(stored()).toBe(before);
  });
});

describe('POST /backtest with fetch_missing from a Kite account', () => {
  let kite: KiteFake;
  beforeAll(async () => {
    kite = await startKiteFake({ now: () => h.clock.now() });
    // INFY rises 0.05 a minute from 1500.00 at 09:15 IST; Mon 2 and Wed 4 March (Tue 3 is Holi).
    const ist = (d: string) => Date.parse(`${d}T09:15:00+05:30`);
    kite.setCandles('INFY', ['2026-03-02', '2026-03-04'].flatMap((d) => Array.from({ length: 375 }, (_, i) => ({ minute: ist(d) + i * 60_000, open: 1500 + i / 20, high: 1500 + i / 20, low: 1500 + i / 20, close: 1500 + i / 20, volume: 10 }))));
  });
  afterAll(async () => kite?.close());

  it("fetches the days from the account's candles and replays them; without the day's login, a 502 saying so", async () => {
    const connected = await h.call('POST', '/broker/connect', { token, body: { broker: 'kite', label: 'Zerodha', credentials: kite.credentials(), options: kite.options() } });
    expect(connected.status, connected.text).toBe(201);
    const spec = { broker_account_id: connected.body.id, symbol: 'INFY', exchange: 'NSE', qty: 2, buy_time: '09:20', sell_time: '09:25', stop_loss: 1000 };
    const res = await h.call('POST', '/backtest', { token, body: { spec, from: '2026-03-02', to: '2026-03-04', fees: 'none', fetch_missing: true } });
    expect(res.status, res.text).toBe(200);
    // 09:20 → 09:25: 1500.25 → 1500.50 on 2 shares, +0.50 a day.
    expect(res.body.report).toMatchObject({ trades: 2, net: 1 });
    expect(res.body.trades[0]).toMatchObject({ date: '2026-03-02', entry_price: 1500.25, exit_price: 1500.5 });
    expect(kite.requests().filter((r) => r.path.startsWith('/instruments/historical/408065/minute'))).toHaveLength(1);

    const { access_token: _none, ...noLogin } = kite.credentials();
    const waiting = await h.call('POST', '/broker/connect', { token, body: { broker: 'kite', label: 'Zerodha no login', credentials: noLogin, options: kite.options() } });
    expect(waiting.status).toBe(201);
    const later = await h.call('POST', '/backtest', { token, body: { spec: { ...spec, broker_account_id: waiting.body.id }, from: '2026-03-05', to: '2026-03-05', fetch_missing: true } });
    expect(later.status).toBe(502);
    expect(later.body.error.message).toContain('log in to Kite first');
    expect(later.text).not.toContain(kite.credentials().api_secret);
  });
});
