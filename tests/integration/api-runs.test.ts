/**
 * GET /runs over HTTP with a real SQLite: a day traded by the engine on the fake clock, plus
 * runs seeded in the journal with known fills (a two-attempt exit, a partial exit), filtered by
 * strategy and dates, paged, with per-day P&L totals; and the strategy's runtime.realized_pnl.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asRunId, asStrategyId, asUserId, asBrokerAccountId } from '../../engine/core/ids';
import type { Leg } from '../../engine/core/types';
import { startApiHarness, type ApiHarness } from '../support/api-harness';

let h: ApiHarness;
let token = '';
let userId = 0;
let account = 0;
let traded = 0;
let other = 0;

/** A run of `strategy` on `date` with an entry of `bought` at `entry` and exits [qty, price] in attempts. */
function seedRun(strategy: number, date: string, bought: number, entry: number, exits: Array<[number, number]>, held = 0) {
  const { repos } = h;
  const run = repos.runs.create({ strategyId: asStrategyId(strategy), userId: asUserId(userId), tradingDate: date, state: 'ARMED', buyAt: 1, sellAt: 2 }, 1);
  const order = (leg: Leg, attempt: number, qty: number, price: number) => {
    const o = repos.orders.insert(
      {
        runId: run.id,
        strategyId: asStrategyId(strategy),
        userId: asUserId(userId),
        brokerAccountId: asBrokerAccountId(account),
        leg,
        side: leg === 'BUY' ? 'buy' : 'sell',
        slot: leg === 'BUY' ? 'entry' : 'exit',
        attempt,
        clientOrderId: `seed-${run.id}-${leg}-${attempt}`,
        symbol: 'MSFT',
        exchange: 'NASDAQ',
        qty,
        status: 'pending',
        scheduledAt: 1,
      },
      1,
    );
    repos.orders.update(o.id, { status: 'filled', filledQty: qty, fillPrice: price }, 2);
  };
  order('BUY', 1, bought, entry);
  exits.forEach(([qty, price], i) => order('SELL', i + 1, qty, price));
  const sold = exits.reduce((n, [q]) => n + q, 0);
  // As apply-report averages them; one exit is its own fill price.
  const exitPrice = sold === 0 ? null : exits.length === 1 ? exits[0]![1] : exits.reduce((n, [q, p]) => n + q * p, 0) / sold;
  return repos.runs.update(run.id, { state: held > 0 ? 'ERROR' : 'SOLD', positionQty: held, entryPrice: entry, exitPrice }, 3);
}

beforeAll(async () => {
  h = await startApiHarness({ at: '2026-03-09T13:00:00Z' });
  ({ token, userId } = await h.register('pnl@example.com'));
  account = await h.connectPaper(token);
  traded = (await h.createStrategy(token, account)).body.id;
  other = (await h.createStrategy(token, account, { symbol: 'MSFT', buy_time: '09:30', sell_time: '09:40' })).body.id;
  expect((await h.call('POST', '/strategy/start', { token, body: { strategy_id: traded } })).status).toBe(200);
  await h.advanceTo('2026-03-09T13:15:00Z');
  // Earlier days of `other`, seeded with known fills.
  seedRun(other, '2026-03-05', 10, 100, [[4, 101], [6, 96]]); // two attempts: 4×1 + 6×(−4) = −20
  seedRun(other, '2026-03-06', 10, 50, [[4, 52.25]], 6); // partial: 4 × 2.25 = 9, 6 still held
  seedRun(other, '2026-03-09', 3, 0.1, [[3, 0.2]]); // 0.3, in decimal
});
afterAll(async () => h?.close());

const get = async (query = '') => h.call('GET', `/runs${query}`, { token });

describe('GET /runs', () => {
  it('lists the runs newest first with their realized P&L, and totals per day', async () => {
    const res = await get();
    expect(res.status).toBe(200);
    expect(res.body.runs.map((r: { trading_date: string; strategy_id: number }) => [r.trading_date, r.strategy_id === traded ? 'traded' : 'other'])).toEqual([
      ['2026-03-09', 'other'],
      ['2026-03-09', 'traded'],
      ['2026-03-06', 'other'],
      ['2026-03-05', 'other'],
    ]);
    const byDate = (d: string, s: number) => res.body.runs.find((r: { trading_date: string; strategy_id: number }) => r.trading_date === d && r.strategy_id === s);
    // The engine's own day: paper's flat 100 in, 100 out.
    expect(byDate('2026-03-09', traded)).toMatchObject({ state: 'SOLD', symbol: 'AAPL', bought_qty: 10, sold_qty: 10, entry_price: 100, exit_price: 100, realized_pnl: 0 });
    expect(byDate('2026-03-05', other)).toMatchObject({ bought_qty: 10, sold_qty: 10, exit_price: 98, realized_pnl: -20 });
    expect(byDate('2026-03-06', other)).toMatchObject({ state: 'ERROR', sold_qty: 4, position_qty: 6, realized_pnl: 9 });
    expect(byDate('2026-03-09', other)).toMatchObject({ realized_pnl: 0.3 });
    expect(res.body.days).toEqual([
      { trading_date: '2026-03-09', realized_pnl: 0.3, runs: 2 },
      { trading_date: '2026-03-06', realized_pnl: 9, runs: 1 },
      { trading_date: '2026-03-05', realized_pnl: -20, runs: 1 },
    ]);
    expect(res.body.total_realized_pnl).toBe(-10.7);
    expect(res.body.next_before).toBeNull();
  });

  it('filters by strategy and dates, and the day totals follow the filter, not the page', async () => {
    const res = await get(`?strategy_id=${other}&from=2026-03-06&to=2026-03-09&limit=1`);
    expect(res.status).toBe(200);
    expect(res.body.runs.map((r: { trading_date: string }) => r.trading_date)).toEqual(['2026-03-09']);
    expect(res.body.days.map((d: { trading_date: string }) => d.trading_date)).toEqual(['2026-03-09', '2026-03-06']);
    expect(res.body.total_realized_pnl).toBe(9.3);
    const next = await get(`?strategy_id=${other}&from=2026-03-06&to=2026-03-09&limit=1&before=${encodeURIComponent(res.body.next_before)}`);
    expect(next.body.runs.map((r: { trading_date: string }) => r.trading_date)).toEqual(['2026-03-06']);
    const end = await get(`?strategy_id=${other}&from=2026-03-06&to=2026-03-09&limit=1&before=${encodeURIComponent(next.body.next_before)}`);
    expect(end.body).toMatchObject({ runs: [], next_before: null });
  });

  it('refuses bad queries naming the field', async () => {
    for (const [query, field] of [
      ['?from=2026-02-30', 'from'],
      ['?to=yesterday', 'to'],
      ['?from=2026-03-09&to=2026-03-01', 'to'],
      ['?limit=0', 'limit'],
      ['?before=abc', 'before'],
      ['?strategy_id=-1', 'strategy_id'],
      ['?colour=red', 'colour'],
    ]) {
      const res = await get(query);
      expect({ query, status: res.status, fields: res.body.error?.fields?.map((f: { field: string }) => f.field) }).toEqual({ query, status: 400, fields: [field] });
    }
  });

  it("answers 404 for a strategy that is not the user's, and is signed in only", async () => {
    expect((await get('?strategy_id=987654')).status).toBe(404);
    expect((await h.call('GET', '/runs')).status).toBe(401);
  });

  it("shows the latest run's realized P&L on the strategy", async () => {
    const s = await h.call('GET', `/strategy/${other}`, { token });
    expect(s.body.runtime).toMatchObject({ trading_date: '2026-03-09', sold_qty: 3, realized_pnl: 0.3 });
    const list = await h.call('GET', '/strategy', { token });
    expect(list.body.strategies.find((x: { id: number }) => x.id === traded).runtime).toMatchObject({ state: 'SOLD', sold_qty: 10, realized_pnl: 0 });
  });
});
