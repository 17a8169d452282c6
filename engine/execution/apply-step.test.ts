import { afterEach, describe, expect, it } from 'vitest';
import { openTestDb, seedStrategy, type TestDb } from '../../db/test-support';
import { asBrokerAccountId, clientOrderId } from '../core/ids';
import type { Run, Strategy } from '../core/types';
import type { Step } from '../core/run-policy/types';
import { followUp, planOf, snapshotOf } from './apply-step';
import type { MarketListener } from '../market/market-listener';
import { runPlanOf } from '../core/run-plan-spec';
import { specFromV1 } from '../core/strategy-spec';
import { NO_EXTRA_EXITS } from '../core/run-policy/test-support';

let t: TestDb;
const PLAN = runPlanOf(specFromV1({ broker_account_id: 1, symbol: 'AAPL', exchange: 'NYSE', qty: 3, buy_time: '09:30:00', sell_time: '15:55:00', stop_loss: 95, timezone: 'America/New_York', repeat: 'once', buy_grace_ms: 60_000 }));
afterEach(() => t.close());
const NOW = 1_700_000_000_000;

function runIn(state: Run['state']): { strategy: Strategy; run: Run } {
  t = openTestDb();
  const { strategy, user } = seedStrategy(t.repos, { spec: { qty: 5, stop_loss: 90 } });
  const run = t.repos.runs.create({ strategyId: strategy.id, userId: user.id, tradingDate: '2023-11-14', state, buyAt: NOW, sellAt: NOW + 1_000, positionQty: 5 }, NOW);
  return { strategy, run };
}

function journal(strategy: Strategy, run: Run, slot: 'entry' | 'exit', attempt: number) {
  return t.repos.orders.insert(
    {
      runId: run.id,
      strategyId: strategy.id,
      userId: run.userId,
      brokerAccountId: strategy.brokerAccountId,
      leg: slot === 'entry' ? 'BUY' : 'SELL',
      side: slot === 'entry' ? 'buy' : 'sell',
      slot,
      attempt,
      clientOrderId: clientOrderId('test01', strategy.id, run.tradingDate, slot, attempt),
      symbol: strategy.symbol,
      exchange: strategy.exchange,
      qty: 5,
      status: 'rejected',
      scheduledAt: NOW,
    },
    NOW,
  );
}

describe('the run policy\'s inputs', () => {
  it('a run armed before runs kept a plan (runs.plan null) reads its strategy\'s rules, long', () => {
    const { strategy, run } = runIn('ARMED');
    expect(run.plan).toBeNull();
    expect(planOf(run, strategy)).toEqual({ brokerAccountId: strategy.brokerAccountId, symbol: 'RELIANCE', exchange: 'NSE', side: 'long', qty: 5, stopLoss: 90, buyGraceMs: 60_000, ...NO_EXTRA_EXITS });
    expect(planOf(run, undefined)).toBeNull();
  });

  it('a run with a plan reads the plan, its exits with their modes and its re-entries, whatever its strategy row now says', () => {
    const { strategy, run } = runIn('IN_POSITION');
    const exits = { stop_loss_mode: 'points', target: 4, target_mode: 'percent', trail: 1.5, trail_mode: 'points', move_stop_to_cost_after: 2, move_stop_to_cost_mode: 'percent' } as const;
    const reentry = { reentries: 2, reentry_after: 'either', reentry_cutoff: '14:00' } as const;
    const plan = { ...PLAN, ...exits, ...reentry, broker_account_id: strategy.brokerAccountId, stop_loss: 80, buy_grace_seconds: 5 };
    const planned = t.repos.runs.update(run.id, { plan }, NOW);
    expect(t.repos.runs.getInternal(run.id)!.plan).toEqual(plan);
    expect(planOf(planned, strategy)).toEqual({
      ...{ brokerAccountId: strategy.brokerAccountId, symbol: 'AAPL', exchange: 'NYSE', side: 'long', qty: 3, stopLoss: 80, buyGraceMs: 5_000 },
      ...{ stopLossMode: 'points', target: 4, targetMode: 'percent', trail: 1.5, trailMode: 'points', moveStopToCostAfter: 2, moveStopToCostMode: 'percent' },
      ...{ reentries: 2, reentryAfter: 'either' },
    });
    expect(planOf(planned, undefined)).toMatchObject({ symbol: 'AAPL', stopLoss: 80 });
  });

  it('a plan that is not one is refused loudly, naming the run and the key', () => {
    const { run } = runIn('IN_POSITION');
    t.db.sqlite.prepare('UPDATE runs SET plan = ? WHERE id = ?').run(JSON.stringify({ ...PLAN, stop_loss: -1 }), run.id);
    expect(() => t.repos.runs.getInternal(run.id)).toThrow(new RegExp(`run ${run.id}: .*stop_loss: stop_loss must be greater than 0`));
    t.db.sqlite.prepare('UPDATE runs SET plan = ? WHERE id = ?').run('{"qty":', run.id);
    expect(() => t.repos.runs.getInternal(run.id)).toThrow(`run ${run.id}: its plan (runs.plan) is not JSON`);
  });

  it('the snapshot holds the run with its entry and its last exit attempt, at the time given', () => {
    const { strategy, run } = runIn('EXITING');
    const entry = journal(strategy, run, 'entry', 1);
    journal(strategy, run, 'exit', 1);
    const second = journal(strategy, run, 'exit', 2);
    const s = snapshotOf(t.repos, run, NOW + 7, true);
    expect(s).toMatchObject({ runId: run.id, state: 'EXITING', legNo: 0, positionQty: 5, buyAt: NOW, sellAt: NOW + 1_000, deferredExit: true, now: NOW + 7 });
    expect(s.entry).toEqual({ ...entry, legNo: 0 });
    expect(s.exit).toEqual({ ...second, legNo: 0 });
  });

  it('an ARMED run has no journal rows to read', () => {
    const { run } = runIn('ARMED');
    expect(snapshotOf(t.repos, run, NOW)).toMatchObject({ entry: null, exit: null, deferredExit: false });
  });
});

describe('a Step\'s follow-ups', () => {
  it('go in order: the submits as listed, then the levels armed as the Step lists them where the position was bought (for the run\'s leg), then the timers', () => {
    const { run } = runIn('IN_POSITION');
    const done: string[] = [];
    const step: Step = { submit: [{ leg: 'SELL', scheduledAt: 1 }, { leg: 'MANUAL_EXIT', scheduledAt: 2 }], triggers: { set: [{ kind: 'TRAIL_STOP', level: 90, dir: 'down' }, { kind: 'TARGET', level: 120, dir: 'up' }, { kind: 'RATCHET', level: 101, dir: 'up' }] }, timers: [{ set: 'jobs' }] };
    followUp({ setTriggers: (account, instrument, strategyId, legNo, items) => done.push(`arm ${account} ${instrument} ${strategyId} leg ${legNo} ${JSON.stringify(items)}`) }, run, step, {
      submit: (leg, at) => done.push(`submit ${leg} ${at}`),
      where: () => ({ brokerAccountId: asBrokerAccountId(9), symbol: 'AAPL', exchange: 'NASDAQ' }),
      timer: (x) => done.push(`timer ${JSON.stringify(x)}`),
    });
    expect(done).toEqual(['submit SELL 1', 'submit MANUAL_EXIT 2', `arm 9 NASDAQ:AAPL ${run.strategyId} leg ${run.legNo} [{"kind":"TRAIL_STOP","level":90,"dir":"down"},{"kind":"TARGET","level":120,"dir":"up"},{"kind":"RATCHET","level":101,"dir":"up"}]`, 'timer {"set":"jobs"}']);
  });

  it('arm a ratchet\'s levels as moved, and any other set afresh', () => {
    const { run } = runIn('IN_POSITION');
    const moved: unknown[] = [];
    const market = { setTriggers: (...args: Parameters<MarketListener['setTriggers']>) => void moved.push(args[5]) };
    const m = { submit: () => {}, where: () => ({ brokerAccountId: asBrokerAccountId(9), symbol: 'AAPL', exchange: 'NASDAQ' as const }), timer: () => {} };
    const set = [{ kind: 'TRAIL_STOP' as const, level: 90, dir: 'down' as const }];
    followUp(market, run, { triggers: { set, moved: true } }, m);
    followUp(market, run, { triggers: { set } }, m);
    expect(moved).toEqual([true, undefined]);
  });
});
