/**
 * The grid's fast path (bars loaded once as a series, dates planned once, quiet bars passed at
 * once) against the plain path (runBacktest of the cell's spec, bars read per run, each run
 * planned through croner): on random bars and random strategies, NSE and NYSE over the 2026 DST
 * change, every cell is the single run's report, trade for trade.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { walkBars } from './bar-walk.test-support';
import { settledSpec, strategySpec } from '../core/strategy-spec';
import type { Exchange } from '../core/types';
import { createTradingCalendar, defaultTimezone } from '../scheduler/trading-calendar';
import { instantOf } from '../scheduler/trigger-times';
import { barSeries } from './bar-series';
import { gridSteps } from './backtest-grid';
import { GridPlanner } from './day-plans';
import { report } from './report';
import { drain, runBacktest, seriesBacktestSteps } from './run-backtest';

const calendar = createTradingCalendar();
/** NSE around Holi (03-03 closed); NYSE across the change to EDT (03-08). */
const DAYS: Record<'NSE' | 'NYSE', string[]> = { NSE: ['2026-03-02', '2026-03-04', '2026-03-05'], NYSE: ['2026-03-06', '2026-03-09', '2026-03-10'] };
const OPEN = { NSE: '09:15:00', NYSE: '09:30:00' } as const;
const BUYS = { NSE: ['09:20:00', '09:23:00'], NYSE: ['09:35:00', '09:38:00'] } as const;
/** Before every cell's exit. */
const CUTOFF = { NSE: '09:28', NYSE: '09:43' } as const;
const SELLS = { NSE: ['09:30:00', '09:40:00'], NYSE: ['09:45:00', '09:55:00'] } as const;

/** 30 bars from the session's open: a walk of whole ticks (0.05) from 100, some minutes missing. */
const dayBars = (exchange: 'NSE' | 'NYSE', date: string) =>
  fc.array(fc.tuple(fc.integer({ min: -8, max: 8 }), fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 6 }), fc.integer({ min: -8, max: 8 }), fc.boolean()), { minLength: 30, maxLength: 30 }).map((steps) => walkBars(steps, instantOf(date, OPEN[exchange], defaultTimezone(exchange))));

const strategy = fc.record({
  side: fc.constantFrom('buy', 'sell'),
  stop_loss: fc.constantFrom(0.3, 0.5, 1),
  target: fc.option(fc.constantFrom(0.3, 0.6, 1), { nil: undefined }),
  trail: fc.option(fc.constantFrom(0.2, 0.4), { nil: undefined }),
  move_stop_to_cost_after: fc.option(fc.constantFrom(0.2, 0.5), { nil: undefined }),
  reentries: fc.integer({ min: 0, max: 2 }),
  weekdays: fc.option(fc.constantFrom(['mon', 'wed'], ['tue', 'thu', 'fri']), { nil: undefined }),
});

const world = fc.constantFrom<'NSE' | 'NYSE'>('NSE', 'NYSE').chain((exchange) => fc.tuple(fc.constant(exchange), fc.tuple(...DAYS[exchange].map((d) => dayBars(exchange, d))), strategy, fc.integer({ min: 0, max: 20 })));

describe('backtest grid', () => {
  it('each cell is the single backtest of its spec: the same trades, runs and report', () => {
    fc.assert(
      fc.property(world, ([exchange, days, s, slippageBps]) => {
        const bars = days.flat();
        const zone = defaultTimezone(exchange as Exchange);
        const body = { broker_account_id: 1, symbol: 'RND', qty: 5, buy_time: BUYS[exchange][0], sell_time: SELLS[exchange][1], repeat: 'daily', stop_loss_mode: 'percent', target_mode: 'percent', trail_mode: 'percent', move_stop_to_cost_mode: 'percent', reentry_after: 'stop_loss', ...s, ...(s.reentries > 0 ? { reentry_cutoff: CUTOFF[exchange] } : {}) };
        const spec = settledSpec(strategySpec.parse(body), exchange, zone);
        const fill = { slippageBps, tickSize: 0.05 };
        const fees = { kind: 'none' } as const;
        const [from, to] = [DAYS[exchange][0]!, DAYS[exchange].at(-1)!];
        const grid = drain(gridSteps(spec, BUYS[exchange], SELLS[exchange], { from, to, calendar, fill, fees, series: barSeries(bars) }));
        const planner = new GridPlanner(spec, from, to, calendar);
        BUYS[exchange].forEach((buy, row) =>
          SELLS[exchange].forEach((sell, column) => {
            const cellSpec = { ...spec, buy_time: buy, sell_time: sell };
            const plain = runBacktest(cellSpec, { from, to, calendar, fill, fees, bars: (a, b) => bars.filter((x) => x.minute >= a && x.minute < b) });
            expect(drain(seriesBacktestSteps(cellSpec, planner.runsOf(buy, sell), barSeries(bars), { fill, fees }))).toEqual(plain);
            const r = report(plain.trades);
            expect(grid.cells[row]![column]).toEqual({ buyTime: buy, sellTime: sell, trades: r.trades, winRate: r.winRate, net: r.net, fees: r.fees, maxDrawdown: r.maxDrawdown });
          }),
        );
      }),
      { seed: 23, numRuns: 40 },
    );
  });

  it('a pair whose exit is not after its entry is no cell', () => {
    const spec = settledSpec(strategySpec.parse({ broker_account_id: 1, symbol: 'X', qty: 1, buy_time: '09:20', sell_time: '09:40', stop_loss: 1, stop_loss_mode: 'percent', repeat: 'daily' }), 'NSE', 'Asia/Kolkata');
    const grid = drain(gridSteps(spec, ['09:30:00'], ['09:30:00', '09:40:00'], { from: '2026-03-02', to: '2026-03-02', calendar, fill: { slippageBps: 0, tickSize: 0.05 }, fees: { kind: 'none' }, series: barSeries([]) }));
    expect(grid.cells[0]![0]).toBeNull();
    expect(grid.cells[0]![1]).toMatchObject({ trades: 0, net: 0 });
  });
});
