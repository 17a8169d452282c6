/**
 * POST /backtest with `fetch_ticks`: the trades of the trading days the tick store lacks are
 * fetched from the strategy's Alpaca account (GET /v2/stocks/trades?symbols=, the Alpaca fake
 * serving it as documented, here in pages of 3 trades), kept whole per day, and a run whose day
 * has its trades walks them (`prices: "ticks"`, `tick_days`), the others their bars.
 *
 * AAPL's bars rise 0.01 a minute from 100.00 at the 09:30 New York open; BUY 09:35 SELL 09:40 of
 * 10 shares, stop 95: on bars 100.05 → 100.10, +0.50 a day. Monday 2 March's trades (made by
 * hand) are: 09:30:05 100.00, 09:34:30 100.00, an odd lot 99.00 at 09:34:50, 101.00 at 09:36,
 * a 90.00 at 09:38 later canceled, 101.50 at 09:39:30 and a 102.00 at 09:39:59 reported out of
 * sequence. A stop reacts to the trades that set the last price only (core/last-sale.ts): the
 * BUY fills at 100.00 (not the odd lot), nothing stops out (not the canceled 90.00), the SELL at
 * 09:40 fills at 101.50 (not the late 102.00): +15.00. Counting any of the three would have
 * given +25.00, a stop-out at 90.00, or +20.00.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultBrokerKinds } from '../../engine/brokers/broker-kinds';
import { alpacaBrokerKind } from '../../engine/brokers/alpaca';
import { startFakeAlpaca, type FakeAlpaca } from '../fakes/alpaca/fake-alpaca';
import type { FakeBar } from '../fakes/alpaca/fake-bars';
import { startApiHarness, type ApiHarness } from '../support/api-harness';

const HOUR = 3_600_000;
const open = (d: string) => Date.parse(`${d}T14:30:00Z`);
const day = (d: string): FakeBar[] => Array.from({ length: 390 }, (_, i) => ({ minute: open(d) + i * 60_000, open: 100 + i / 100, high: 100 + i / 100, low: 100 + i / 100, close: 100 + i / 100, volume: 10 }));
const et = (time: string) => Date.parse(`2026-03-02T${time}-05:00`);

let h: ApiHarness;
let fake: FakeAlpaca;
let token = '';
let strategy = 0;
let paperStrategy = 0;
const range = (from: string, to: string) => [Date.parse(`${from}T00:00:00Z`), Date.parse(`${to}T00:00:00Z`)] as const;
const storedDays = () => h.repos.historicalTicks.days('NYSE', 'AAPL', ...range('2026-01-01', '2027-01-01')).map((d) => [d.day, d.ticks]);
const tradeQueries = () => fake.tradePages.map((q) => [q.get('start'), q.get('page_token')]);

beforeAll(async () => {
  h = await startApiHarness({ at: '2026-03-10T13:00:00Z', kinds: { ...defaultBrokerKinds(), alpaca: alpacaBrokerKind({ timing: { pingIntervalMs: 24 * HOUR, staleAfterMs: 48 * HOUR, deadAfterMs: 72 * HOUR } }) } });
  fake = await startFakeAlpaca({ now: () => h.clock.now(), tradesPageMax: 3, accounts: [{ keyId: 'PKFAKE0000000000000A', secretKey: 'fake-secret-0000000000000000000000000000A', feeds: ['iex'] }] });
  fake.setBars('AAPL', ['2026-03-02', '2026-03-03', '2026-03-04'].flatMap(day));
  fake.setTrades('AAPL', [
    { at: et('09:30:05'), price: 100 },
    { at: et('09:34:30'), price: 100 },
    { at: et('09:34:50'), price: 99, size: 5, conditions: ['@', 'I'] },
    { at: et('09:36:00'), price: 101 },
    { at: et('09:38:00'), price: 90, update: 'canceled' },
    { at: et('09:39:30'), price: 101.5 },
    { at: et('09:39:59'), price: 102, conditions: ['@', 'Z'] },
    // Wednesday 4 March: a trade that cannot be read (a price of 0).
    { at: Date.parse('2026-03-04T14:31:00Z'), price: 100 },
    { at: Date.parse('2026-03-04T14:32:00Z'), price: 0 },
  ]);
  ({ token } = await h.register('ticks@example.com'));
  const connected = await h.call('POST', '/broker/connect', { token, body: { broker: 'alpaca', label: 'Alpaca paper', credentials: fake.credentials(), options: fake.connectOptions() } });
  expect(connected.status).toBe(201);
  strategy = (await h.createStrategy(token, connected.body.id, { symbol: 'AAPL', exchange: 'NYSE', qty: 10, buy_time: '09:35:00', sell_time: '09:40:00', stop_loss: 95 })).body.id;
  paperStrategy = (await h.createStrategy(token, await h.connectPaper(token), { symbol: 'AAPL', exchange: 'NYSE', qty: 10, buy_time: '09:35:00', sell_time: '09:40:00', stop_loss: 95 })).body.id;
});
afterAll(async () => {
  await h?.close();
  await fake?.close();
});

describe('POST /backtest with fetch_ticks', () => {
  it("fetches each missing day's trades, every page, keeps the day whole, and replays Monday on its trades", async () => {
    const res = await h.call('POST', '/backtest', { token, body: { strategy_id: strategy, from: '2026-03-02', to: '2026-03-03', fees: 'none', fetch_missing: true, fetch_ticks: true } });
    expect(res.status, res.text).toBe(200);
    expect(res.body.tick_days).toEqual(['2026-03-02']);
    expect(res.body.runs.map((r: { date: string; prices?: string }) => [r.date, r.prices ?? 'bars'])).toEqual([
      ['2026-03-02', 'ticks'],
      ['2026-03-03', 'bars'],
    ]);
    expect(res.body.trades.map((t: { entry_price: number; exit_kind: string; exit_price: number; net: number }) => [t.entry_price, t.exit_kind, t.exit_price, t.net])).toEqual([
      [100, 'SELL', 101.5, 15],
      [100.05, 'SELL', 100.1, 0.5],
    ]);
    // Monday: 7 trades in pages of 3 (the session 14:30–21:00 UTC, end included); Tuesday: none, one page.
    expect(tradeQueries()).toEqual([
      ['2026-03-02T14:30:00.000Z', null],
      ['2026-03-02T14:30:00.000Z', expect.any(String)],
      ['2026-03-02T14:30:00.000Z', expect.any(String)],
      ['2026-03-03T14:30:00.000Z', null],
    ]);
    expect(fake.tradePages[0]!.get('end')).toBe('2026-03-02T20:59:59.999Z');
    expect(fake.tradePages[0]!.get('symbols')).toBe('AAPL');
    expect(fake.tradePages[0]!.get('feed')).toBe('iex');
    // Four of Monday's seven set the last price; Tuesday had none and is not stored.
    expect(storedDays()).toEqual([['2026-03-02', 4]]);
  });

  it('a second run asks only for the day without trades; the stored day is reused', async () => {
    const before = fake.tradePages.length;
    const res = await h.call('POST', '/backtest', { token, body: { strategy_id: strategy, from: '2026-03-02', to: '2026-03-03', fees: 'none', fetch_ticks: true } });
    expect(res.status, res.text).toBe(200);
    expect(res.body.report.net).toBe(15.5);
    expect(tradeQueries().slice(before)).toEqual([['2026-03-03T14:30:00.000Z', null]]);
    // Without fetch_ticks the stored day is still walked on its trades.
    const plain = await h.call('POST', '/backtest', { token, body: { strategy_id: strategy, from: '2026-03-02', to: '2026-03-02', fees: 'none' } });
    expect(plain.body.tick_days).toEqual(['2026-03-02']);
    expect(fake.tradePages.length).toBe(before + 1);
  });

  it('a trade that cannot be read is a 502 naming it, no key in it, nothing of that day written', async () => {
    const creds = fake.credentials();
    const res = await h.call('POST', '/backtest', { token, body: { strategy_id: strategy, from: '2026-03-04', to: '2026-03-04', fees: 'none', fetch_ticks: true } });
    expect(res.status).toBe(502);
    expect(res.body.error.message).toBe('could not fetch the trades from Alpaca paper: Alpaca trades of AAPL, page 1, trade 1 (2026-03-04T14:32:00.000000000Z): p must be above 0');
    expect(res.text).not.toContain(creds.secret_key);
    expect(res.text).not.toContain(creds.key_id);
    expect(storedDays()).toEqual([['2026-03-02', 4]]);
  });

  it('refused, naming fetch_ticks: an account without trades, a range over 31 days', async () => {
    const paper = await h.call('POST', '/backtest', { token, body: { strategy_id: paperStrategy, from: '2026-03-02', to: '2026-03-03', fetch_ticks: true } });
    expect(paper.status).toBe(400);
    expect(paper.body.error.fields).toEqual([{ field: 'fetch_ticks', message: expect.stringContaining('has no past trades to fetch') }]);
    const long = await h.call('POST', '/backtest', { token, body: { strategy_id: strategy, from: '2026-03-01', to: '2026-04-01', fetch_ticks: true } });
    expect(long.status).toBe(400);
    expect(long.body.error.fields).toEqual([{ field: 'fetch_ticks', message: 'fetch_ticks fetches at most 31 days of trades: narrow the range, or leave fetch_ticks out' }]);
  });
});
