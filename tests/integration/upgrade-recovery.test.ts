/**
 * An install upgraded across migration 0006 with runs under way, then started: the engine, on the
 * paper broker and a fake clock, recovers each run as the v1 engine would have, reading the
 * spec and the run's own plan that 0006 wrote. And a strategy whose spec is damaged after the
 * upgrade arms nothing new, while its open position is still sold at its SELL time from runs.plan.
 * Monday 2026-03-09, New York: SELL 15:55 (19:55Z).
 */
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../engine/core/fake-clock';
import { clientOrderId } from '../../engine/core/ids';
import { createPaperBroker } from '../../engine/brokers/paper/paper-broker';
import { openDatabase, type Db } from '../../db/client';
import { createRepos } from '../../db/repos';
import { migrateTo, migrationCount, seedV1Strategy, type Seeded } from '../../db/test-support';
import { engineOnBroker, type EngineOnBroker } from '../support/engine-harness';

const at = (iso: string) => Date.parse(iso);
let db: Db | undefined;
let e: EngineOnBroker | undefined;
afterEach(async () => {
  await e?.stopEngine();
  db?.close();
  e = db = undefined;
});

/** A v1 install (migrations 0000-0005) with one strategy per symbol and its run today in `state`, then upgraded. */
function v1Install(clock: FakeClock) {
  db = openDatabase(':memory:', { migrate: false });
  migrateTo(db, 6);
  const v1 = { exchange: 'NYSE', qty: 10, buyTime: '11:00:00', sellTime: '15:55:00', timezone: 'America/New_York', repeat: 'once', status: 'running' } as const;
  const first = seedV1Strategy(db, { now: clock.now(), strategy: { ...v1, symbol: 'AAPL', stopLoss: 50 } });
  const strategy = (symbol: string, stopLoss: number): Seeded => seedV1Strategy(db!, { userId: first.user.id, now: clock.now(), strategy: { ...v1, symbol, stopLoss } });
  const runSql = db.sqlite.prepare(
    `INSERT INTO runs (strategy_id, user_id, trading_date, state, buy_at, sell_at, position_qty, entry_price, last_action, last_action_at, stop_requested, created_at, updated_at)
     VALUES (?, ?, '2026-03-09', ?, ?, ?, ?, ?, ?, 1, 0, 1, 1)`,
  );
  const orderSql = db.sqlite.prepare(
    `INSERT INTO orders (run_id, strategy_id, user_id, broker_account_id, leg, side, slot, attempt, client_order_id, symbol, exchange, qty, status, scheduled_at, filled_qty, fill_price, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'NYSE', 10, ?, ?, ?, ?, 1, 1)`,
  );
  const run = (s: Seeded, state: string, held: number) =>
    Number(runSql.run(s.strategy.id, s.user.id, state, at('2026-03-09T15:00:00Z'), at('2026-03-09T19:55:00Z'), held, held > 0 ? 100 : null, state).lastInsertRowid);
  const cid = (s: Seeded, slot: 'entry' | 'exit', attempt: number) => clientOrderId('test01', s.strategy.id, '2026-03-09', slot, attempt);
  const journal = (s: Seeded, runId: number, leg: 'BUY' | 'SELL', attempt: number, status: string) =>
    orderSql.run(runId, s.strategy.id, s.user.id, s.account.id, leg, leg === 'BUY' ? 'buy' : 'sell', leg === 'BUY' ? 'entry' : 'exit', attempt, cid(s, leg === 'BUY' ? 'entry' : 'exit', attempt), s.strategy.symbol, status, at('2026-03-09T15:00:00Z'), status === 'filled' ? 10 : 0, status === 'filled' ? 100 : null);
  const bought = (s: Seeded, state: string) => {
    const id = run(s, state, 10);
    journal(s, id, 'BUY', 1, 'filled');
    return id;
  };
  const armed = first;
  run(armed, 'ARMED', 0);
  const holding = strategy('MSFT', 95);
  bought(holding, 'IN_POSITION');
  const exiting = strategy('TSLA', 50);
  const exitingRun = bought(exiting, 'EXITING');
  journal(exiting, exitingRun, 'SELL', 1, 'rejected');
  journal(exiting, exitingRun, 'SELL', 2, 'pending');
  const error = strategy('NVDA', 50);
  journal(error, bought(error, 'ERROR'), 'SELL', 1, 'rejected');
  const damaged = strategy('IBM', 50);
  bought(damaged, 'IN_POSITION');
  migrateTo(db, migrationCount()); // 0006 and every migration after it, as the upgrade runs them
  return { armed, holding, exiting, error, damaged, cid };
}

async function boot(clock: FakeClock, user: Seeded) {
  const paper = createPaperBroker({ clock, seed: 1, volatilityBps: 0, tickIntervalMs: 60_000, startPrices: { 'NYSE:AAPL': 100, 'NYSE:MSFT': 100, 'NYSE:TSLA': 100, 'NYSE:NVDA': 100, 'NYSE:IBM': 100 } });
  e = await engineOnBroker({ clock, repos: createRepos(db!), broker: paper, brokerKind: 'paper', strategyDefaults: {}, reuse: { user: user.user, account: user.account } });
  return paper;
}

describe('an install upgraded across 0006 with runs under way', () => {
  it('recovers every run as before: the armed run buys, the stop fires at the old price, the exit journaled as attempt 2 resolves under its stored id, ERROR waits', async () => {
    const clock = new FakeClock(at('2026-03-09T14:00:00Z'));
    const { armed, holding, exiting, error, cid } = v1Install(clock);
    const paper = await boot(clock, armed);
    const report = await e!.engine.recover();
    expect(report).toMatchObject({ runsResumed: 5, failures: 0 });
    const until = async (iso: string) => (await clock.advanceTo(at(iso)), await e!.engine.idle());
    await until('2026-03-09T14:10:00Z');
    // Attempt 2, journaled before the crash, was looked up, not found, and placed under the id it was journaled with.
    expect(e!.orders(exiting.strategy.id).filter((o) => o.slot === 'exit').map((o) => [o.attempt, o.clientOrderId, o.status])).toEqual([
      [1, cid(exiting, 'exit', 1), 'rejected'],
      [2, cid(exiting, 'exit', 2), 'filled'],
    ]);
    expect(e!.run(exiting.strategy.id).state).toBe('SOLD');
    paper.setPrice('NYSE:MSFT', 94);
    await until('2026-03-09T14:11:00Z');
    expect(e!.run(holding.strategy.id)).toMatchObject({ state: 'EXITED_BY_SL', positionQty: 0 });
    await until('2026-03-09T15:00:01Z');
    expect(e!.run(armed.strategy.id)).toMatchObject({ state: 'IN_POSITION', positionQty: 10, plan: { stop_loss: 50, qty: 10, symbol: 'AAPL' } });
    await until('2026-03-09T20:00:00Z');
    expect(e!.run(armed.strategy.id).state).toBe('SOLD');
    // From ERROR only the trader's STOP sells.
    expect(e!.run(error.strategy.id)).toMatchObject({ state: 'ERROR', positionQty: 10 });
    expect(e!.orders(error.strategy.id).map((o) => o.leg)).toEqual(['BUY', 'SELL']);
  });

  it('a strategy whose spec is damaged after the upgrade is named at start; its open position is still sold at its SELL time from runs.plan', async () => {
    const clock = new FakeClock(at('2026-03-09T14:00:00Z'));
    const { armed, damaged } = v1Install(clock);
    const damage = db!.sqlite.prepare(`UPDATE strategies SET spec = json_set(spec, '$.stop_loss', -1) WHERE id = ?`);
    damage.run(damaged.strategy.id);
    damage.run(armed.strategy.id);
    await boot(clock, armed);
    expect(() => e!.repos.strategies.getInternal(damaged.strategy.id)).toThrow(/stop_loss must be greater than 0/);
    const report = await e!.engine.recover();
    // Each named once (the boot check), their runs resumed all the same by their plans.
    expect(report).toMatchObject({ runsResumed: 5, failures: 2 });
    // The armed run of a strategy that cannot be read places no BUY.
    await clock.advanceTo(at('2026-03-09T15:01:00Z'));
    await e!.engine.idle();
    expect(e!.orders(armed.strategy.id)).toEqual([]);
    await clock.advanceTo(at('2026-03-09T19:56:00Z'));
    await e!.engine.idle();
    expect(e!.run(damaged.strategy.id)).toMatchObject({ state: 'SOLD', positionQty: 0 });
    expect(e!.orders(damaged.strategy.id).map((o) => [o.leg, o.symbol, o.qty, o.status])).toEqual([
      ['BUY', 'IBM', 10, 'filled'],
      ['SELL', 'IBM', 10, 'filled'],
    ]);
    await clock.advanceTo(at('2026-03-09T20:00:00Z'));
    await e!.engine.idle();
    // Nothing new is armed for it, and nothing of it is left watched.
    expect(e!.repos.runs.listForStrategy(armed.user.id, damaged.strategy.id, 5)).toHaveLength(1);
    expect(await e!.runtime.strategiesOn('NYSE:IBM')).toEqual([]);
  });
});
