/**
 * Backtests over HTTP: bars of AAPL saved in the historical store (a rise of 0.10 a minute from
 * 100.00 at 09:00 New York each day), a strategy BUY 09:05 SELL 09:10 of 10 shares: each day buys
 * at 100.50 and sells at 101.00, +5.00 without fees. Another user's strategy is not found; a grid
 * over the cap is a 400 naming the limit; the trades export as CSV; a second backtest of the same
 * user while the first runs is a 409, another user's is not held up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoricalBar } from '../../db/repos/historical-bars';
import { importNiftyOptions } from '../../engine/backtest/nifty-options.test-support';
import { startApiHarness, type ApiHarness } from '../support/api-harness';

let h: ApiHarness;
let token = '';
let other = '';
let strategy = 0;
const DAYS = ['2026-03-02', '2026-03-03', '2026-03-04', '2026-03-05', '2026-03-06'];

beforeAll(async () => {
  h = await startApiHarness({ at: '2026-03-09T13:00:00Z' });
  ({ token } = await h.register('bt@example.com'));
  ({ token: other } = await h.register('other@example.com'));
  strategy = (await h.createStrategy(token, await h.connectPaper(token))).body.id;
  const bars: HistoricalBar[] = DAYS.flatMap((d) => Array.from({ length: 20 }, (_, i) => ({ minute: Date.parse(`${d}T14:00:00Z`) + i * 60_000, open: 100 + i / 10, high: 100 + i / 10, low: 100 + i / 10, close: 100 + i / 10, volume: 10 })));
  h.repos.transaction(() => h.repos.historicalBars.save('NYSE', 'AAPL', bars));
});
afterAll(async () => h?.close());

const range = { from: DAYS[0], to: DAYS.at(-1), fees: 'none' };

describe('POST /backtest', () => {
  it("replays the user's stored strategy: five days of +5.00", async () => {
    const res = await h.call('POST', '/backtest', { token, body: { strategy_id: strategy, ...range } });
    expect(res.status).toBe(200);
    expect(res.body.report).toMatchObject({ trades: 5, wins: 5, net: 25, max_drawdown: 0 });
    expect(res.body.trades[0]).toMatchObject({ date: '2026-03-02', entry_price: 100.5, exit_price: 101, net: 5 });
  });

  it("another user's strategy is not found; a bad range names its field", async () => {
    expect((await h.call('POST', '/backtest', { token: other, body: { strategy_id: strategy, ...range } })).status).toBe(404);
    const bad = await h.call('POST', '/backtest', { token, body: { strategy_id: strategy, from: '2026-03-06', to: '2026-03-02' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields).toEqual([{ field: 'to', message: 'to must be on or after from' }]);
    expect((await h.call('POST', '/backtest', { body: { strategy_id: strategy, ...range } })).status).toBe(401);
  });
});

describe('numbers typed as text', () => {
  it('are named with what they should be (the UI sends what was typed that is no number)', async () => {
    const bad = await h.call('POST', '/backtest', { token, body: { strategy_id: strategy, ...range, slippage_bps: 'five' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields).toEqual([{ field: 'slippage_bps', message: 'slippage_bps must be a number of basis points' }]);
    const grid = await h.call('POST', '/backtest/grid', { token, body: { strategy_id: strategy, ...range, buy: { from: '09:05', to: '09:06', every_minutes: 'x' }, sell: { from: '09:10', to: '09:12', every_minutes: 2 } } });
    expect(grid.status).toBe(400);
    expect(grid.body.error.fields).toEqual([{ field: 'buy.every_minutes', message: 'buy.every_minutes must be a whole number of minutes' }]);
  });
});

describe('one backtest at a time per user', () => {
  it('a second while the first runs is a 409 saying why; another user runs meanwhile; free again after', async () => {
    // Three years with no stored bar: some 780 trading days replayed as NO_DATA, four a slice: each
    // of the two takes hundreds of slices, so whichever arrives first still runs when the other does.
    const long = { strategy_id: strategy, from: '2023-01-02', to: '2025-12-31', fees: 'none' };
    const spec = { symbol: 'AAPL', exchange: 'NYSE', qty: 10, buy_time: '09:05', sell_time: '09:10', stop_loss: 95 };
    const [a, b, others] = await Promise.all([
      h.call('POST', '/backtest', { token, body: long }),
      h.call('POST', '/backtest', { token, body: long }),
      h.call('POST', '/backtest', { token: other, body: { spec, ...range } }),
    ]);
    const [ran, refused] = a.status === 200 ? [a, b] : [b, a];
    expect(ran.status).toBe(200);
    expect(ran.body.report.trades).toBe(0);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'conflict', message: expect.stringContaining('a backtest of yours is still running') });
    expect(others.status).toBe(200);
    expect(others.body.report.net).toBe(25);
    expect((await h.call('POST', '/backtest', { token, body: { strategy_id: strategy, ...range } })).status).toBe(200);
  });

  it('a refused request frees the slot at once', async () => {
    expect((await h.call('POST', '/backtest', { token, body: { strategy_id: strategy, from: 'soon', to: '2026-03-02' } })).status).toBe(400);
    expect((await h.call('POST', '/backtest', { token, body: { strategy_id: strategy, ...range } })).status).toBe(200);
  });
});

describe('POST /backtest/grid', () => {
  it('answers every entry × exit cell; a spec works as well as an id', async () => {
    const spec = { symbol: 'AAPL', exchange: 'NYSE', qty: 10, buy_time: '09:05', sell_time: '09:10', stop_loss: 95 };
    const res = await h.call('POST', '/backtest/grid', { token, body: { spec, ...range, buy: { from: '09:05', to: '09:06', every_minutes: 1 }, sell: { from: '09:10', to: '09:12', every_minutes: 2 } } });
    expect(res.status).toBe(200);
    expect(res.body.buy_times).toEqual(['09:05:00', '09:06:00']);
    expect(res.body.sell_times).toEqual(['09:10:00', '09:12:00']);
    // 09:06 → 09:12: 100.60 → 101.20, +6.00 a day.
    expect(res.body.cells[1][1]).toMatchObject({ trades: 5, win_rate: 1, net: 30 });
    expect(res.body.cells[0][0]).toMatchObject({ net: 25 });
  });

  it('an option strategy: each day its contract chosen from the stored contracts at the entry, named per trade and run', async () => {
    await importNiftyOptions(h.repos);
    const spec = { symbol: 'NIFTY', exchange: 'NFO', option_right: 'CE', qty: 1, buy_time: '09:20', sell_time: '09:25', stop_loss: 20, stop_loss_mode: 'percent', target: 30, target_mode: 'points' };
    const res = await h.call('POST', '/backtest', { token, body: { spec, from: '2026-12-07', to: '2026-12-09', lot_size: 65, fees: 'none' } });
    expect(res.status).toBe(200);
    // engine/backtest/option-backtest.test.ts works these out: +1950 on Monday, −1040 on Tuesday.
    expect(res.body.trades.map((t: { contract: string; qty: number; net: number }) => [t.contract, t.qty, t.net])).toEqual([
      ['NIFTY26D0826000CE', 65, 1950],
      ['NIFTY26D0826050CE', 65, -1040],
    ]);
    expect(res.body.runs[2]).toMatchObject({ date: '2026-12-09', state: 'SKIPPED', reason: expect.stringContaining('no NIFTY CE can be chosen') });
    const missing = await h.call('POST', '/backtest', { token, body: { spec, from: '2026-12-07', to: '2026-12-09' } });
    expect(missing.status).toBe(400);
    expect(missing.body.error.fields.map((f: { field: string }) => f.field)).toEqual(['lot_size']);
    // The same strategy stored, its trades as CSV: the lot size in the query, the contract in the last column.
    const stored = await h.createStrategy(token, await h.connectPaper(token), spec);
    expect(stored.status).toBe(201);
    const csv = await h.call('GET', `/strategy/${stored.body.id}/backtest.csv?from=2026-12-07&to=2026-12-09&fees=none&lot_size=65`, { token });
    expect(csv.status).toBe(200);
    const lines = csv.text.trim().split('\n');
    expect(lines[0]!.endsWith(',net,contract')).toBe(true);
    expect(lines.slice(1).map((l) => l.split(',').slice(-2))).toEqual([
      ['1950', 'NIFTY26D0826000CE'],
      ['-1040', 'NIFTY26D0826050CE'],
    ]);
    // Its grid: each cell the option backtest of its times; 09:20 → 09:25 is the backtest above.
    const grid = await h.call('POST', '/backtest/grid', { token, body: { strategy_id: stored.body.id, from: '2026-12-07', to: '2026-12-09', lot_size: 65, fees: 'none', buy: { from: '09:20', to: '09:21', every_minutes: 1 }, sell: { from: '09:25', to: '09:25', every_minutes: 1 } } });
    expect(grid.status).toBe(200);
    expect(grid.body.buy_times).toEqual(['09:20:00', '09:21:00']);
    expect(grid.body.cells[0][0]).toMatchObject({ buy_time: '09:20:00', sell_time: '09:25:00', trades: 2, win_rate: 0.5, net: 910 });
    const noLot = await h.call('POST', '/backtest/grid', { token, body: { strategy_id: stored.body.id, from: '2026-12-07', to: '2026-12-09', buy: { from: '09:20', to: '09:20' }, sell: { from: '09:25', to: '09:25' } } });
    expect(noLot.status).toBe(400);
    expect(noLot.body.error.fields.map((f: { field: string }) => f.field)).toEqual(['lot_size']);
  });

  it('refuses several positions, naming why', async () => {
    const option = { symbol: 'NIFTY', exchange: 'NFO', qty: 1, buy_time: '09:20', sell_time: '15:10', stop_loss: 30, stop_loss_mode: 'points' };
    const straddle = { ...option, positions: [{ side: 'sell', option_right: 'CE' }, { side: 'sell', option_right: 'PE' }] };
    const many = await h.call('POST', '/backtest', { token, body: { spec: straddle, ...range } });
    expect(many.status).toBe(400);
    expect(many.body.error.fields).toEqual([{ field: 'spec.positions', message: 'positions is set: a strategy of several positions is not backtested, since the engine does not run them yet' }]);
  });

  it('a window the wrong way round is named alone, not also as a grid over the cap', async () => {
    const res = await h.call('POST', '/backtest/grid', { token, body: { strategy_id: strategy, ...range, buy: { from: '09:05', to: '09:06' }, sell: { from: '09:12', to: '09:10' } } });
    expect(res.status).toBe(400);
    expect(res.body.error.fields).toEqual([{ field: 'sell.to', message: 'sell.to must not be before sell.from' }]);
  });

  it('a grid over the cap is a 400 naming the limit', async () => {
    const res = await h.call('POST', '/backtest/grid', { token, body: { strategy_id: strategy, ...range, buy: { from: '09:00', to: '12:00', every_minutes: 1 }, sell: { from: '13:00', to: '13:05', every_minutes: 5 } } });
    expect(res.status).toBe(400);
    expect(res.body.error.fields).toEqual([{ field: 'sell', message: 'a grid may have at most 200 cells (buy times × sell times)' }]);
  });
});

describe('GET /strategy/:id/backtest.csv', () => {
  it('exports the trades, one row a trade under a header', async () => {
    const res = await h.call('GET', `/strategy/${strategy}/backtest.csv?from=2026-03-02&to=2026-03-03&fees=none`, { token });
    expect(res.status).toBe(200);
    const lines = res.text.trim().split('\n');
    expect(lines[0]).toBe('date,weekday,leg,side,qty,entry_at,entry_price,exit_at,exit_price,exit_kind,gross,fees,net');
    expect(lines.slice(1)).toEqual(['2026-03-02,mon,0,long,10,2026-03-02T14:05:00.000Z,100.5,2026-03-02T14:10:00.000Z,101,SELL,5,0,5', '2026-03-03,tue,0,long,10,2026-03-03T14:05:00.000Z,100.5,2026-03-03T14:10:00.000Z,101,SELL,5,0,5']);
    expect((await h.call('GET', `/strategy/${strategy}/backtest.csv?from=2026-03-02&to=2026-03-03`, { token: other })).status).toBe(404);
  });
});
