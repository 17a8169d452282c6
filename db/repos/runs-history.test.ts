/** runs.history: the query behind GET /runs, on a real (in-memory) SQLite. */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Leg, Run, RunState } from '../../engine/core/types';
import { openTestDb, seedStrategy, type Seeded, type TestDb } from '../test-support';

let t: TestDb;
let a: Seeded;
let a2: Seeded;
let b: Seeded;

beforeEach(() => {
  t?.close();
  t = openTestDb();
  a = seedStrategy(t.repos, { email: 'alice@example.com' });
  a2 = seedStrategy(t.repos, { userId: a.user.id, spec: { symbol: 'TCS' } });
  b = seedStrategy(t.repos, { email: 'bob@example.com' });
});

function run(s: Seeded, tradingDate: string, state: RunState = 'SOLD', fills?: { bought: number; held: number; entry: number; exit: number | null }): Run {
  const r = t.repos.runs.create({ strategyId: s.strategy.id, userId: s.user.id, tradingDate, state: 'ARMED', buyAt: 1, sellAt: 2 }, 1);
  if (!fills) return t.repos.runs.update(r.id, { state }, 2);
  const order = (leg: Leg, qty: number, price: number) => {
    const o = t.repos.orders.insert(
      {
        runId: r.id,
        strategyId: s.strategy.id,
        userId: s.user.id,
        brokerAccountId: s.account.id,
        leg,
        side: leg === 'BUY' ? 'buy' : 'sell',
        slot: leg === 'BUY' ? 'entry' : 'exit',
        clientOrderId: `tc-${r.id}-${leg}`,
        symbol: `${s.strategy.symbol}-AS-TRADED`,
        exchange: 'NSE',
        qty,
        status: 'pending',
        scheduledAt: 1,
      },
      1,
    );
    t.repos.orders.update(o.id, { status: 'filled', filledQty: qty, fillPrice: price }, 2);
  };
  order('BUY', fills.bought, fills.entry);
  return t.repos.runs.update(r.id, { state, positionQty: fills.held, entryPrice: fills.entry, exitPrice: fills.exit }, 3);
}

describe('runs.history', () => {
  it("lists only the user's runs, newest trading date first, with the entry's instrument and quantity", () => {
    const r1 = run(a, '2026-03-09', 'SOLD', { bought: 10, held: 0, entry: 100, exit: 101 });
    const r2 = run(a2, '2026-03-10', 'MISSED_BUY');
    run(b, '2026-03-11', 'SOLD', { bought: 5, held: 0, entry: 1, exit: 2 });
    const rows = t.repos.runs.history(a.user.id, {});
    expect(rows.map((r) => r.run.id)).toEqual([r2.id, r1.id]);
    expect(rows[1]).toMatchObject({ symbol: 'RELIANCE-AS-TRADED', exchange: 'NSE', brokerAccountId: a.account.id, boughtQty: 10 });
    // Never bought: the strategy's instrument, no quantity.
    expect(rows[0]).toMatchObject({ symbol: 'TCS', boughtQty: null });
  });

  it('filters by strategy and inclusive date range, and only exited runs on request', () => {
    run(a, '2026-03-09', 'SOLD', { bought: 1, held: 0, entry: 1, exit: 2 });
    run(a, '2026-03-10', 'SOLD', { bought: 1, held: 0, entry: 1, exit: 2 });
    run(a, '2026-03-11', 'MISSED_BUY');
    run(a2, '2026-03-10', 'SOLD', { bought: 1, held: 0, entry: 1, exit: 2 });
    const dates = (q: Parameters<typeof t.repos.runs.history>[1]) => t.repos.runs.history(a.user.id, q).map((r) => `${r.run.strategyId === a.strategy.id ? 'a' : 'a2'} ${r.run.tradingDate}`);
    expect(dates({ strategyId: a.strategy.id })).toEqual(['a 2026-03-11', 'a 2026-03-10', 'a 2026-03-09']);
    expect(dates({ from: '2026-03-10', to: '2026-03-10' })).toEqual(['a2 2026-03-10', 'a 2026-03-10']);
    expect(dates({ from: '2026-03-10', exitedOnly: true })).toEqual(['a2 2026-03-10', 'a 2026-03-10']);
    // Another user's strategy id filters to nothing.
    expect(dates({ strategyId: b.strategy.id })).toEqual([]);
  });

  it('pages with a (trading date, id) cursor without gaps or repeats', () => {
    for (const d of ['2026-03-09', '2026-03-10', '2026-03-11']) {
      run(a, d);
      run(a2, d);
    }
    const seen: number[] = [];
    let before: { tradingDate: string; id: Run['id'] } | undefined;
    for (;;) {
      const page = t.repos.runs.history(a.user.id, { limit: 4, ...(before ? { before } : {}) });
      seen.push(...page.map((r) => r.run.id));
      if (page.length < 4) break;
      const last = page.at(-1)!.run;
      before = { tradingDate: last.tradingDate, id: last.id };
    }
    const all = t.repos.runs.history(a.user.id, {}).map((r) => r.run.id);
    expect(seen).toEqual(all);
    expect(new Set(seen).size).toBe(6);
  });

  it('a run that re-entered carries its filled orders of every leg and its entries summed; a one-leg run none', () => {
    const one = run(a, '2026-03-09', 'SOLD', { bought: 10, held: 0, entry: 100, exit: 101 });
    const r = t.repos.runs.create({ strategyId: a.strategy.id, userId: a.user.id, tradingDate: '2026-03-10', state: 'ARMED', buyAt: 1, sellAt: 2 }, 1);
    const filled = (legNo: number, leg: Leg, qty: number, price: number | null) => {
      const slot = leg === 'BUY' ? 'entry' : 'exit';
      const o = t.repos.orders.insert(
        { runId: r.id, strategyId: a.strategy.id, userId: a.user.id, brokerAccountId: a.account.id, leg, legNo, side: leg === 'BUY' ? 'buy' : 'sell', slot, clientOrderId: `tc-${r.id}-${legNo}-${leg}`, symbol: 'RELIANCE', exchange: 'NSE', qty: 10, status: 'pending', scheduledAt: 1 },
        1,
      );
      if (qty > 0) t.repos.orders.update(o.id, { status: 'filled', filledQty: qty, fillPrice: price }, 2);
    };
    filled(0, 'BUY', 10, 100);
    filled(0, 'STOPLOSS', 10, 98);
    filled(1, 'BUY', 10, 98);
    filled(1, 'TARGET', 0, null);
    t.repos.runs.update(r.id, { state: 'IN_POSITION', legNo: 1, positionQty: 10, entryPrice: 98, exitPrice: 98 }, 3);
    const [multi, single] = t.repos.runs.history(a.user.id, {});
    expect(single).toMatchObject({ run: { id: one.id }, boughtQty: 10, fills: [] });
    expect(multi).toMatchObject({ run: { id: r.id, legNo: 1 }, boughtQty: 20 });
    expect(multi!.fills.map((f) => [f.legNo, f.slot, f.filledQty, f.fillPrice])).toEqual([
      [0, 'entry', 10, 100],
      [0, 'exit', 10, 98],
      [1, 'entry', 10, 98],
    ]);
  });
});
