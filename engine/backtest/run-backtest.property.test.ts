/**
 * Properties of a backtest over random bars and random strategies (side, stop, target, trail,
 * move to cost, re-entries): every run ends flat, every leg has one entry and one exit after it,
 * no day has more legs than its re-entries allow, an exit by a level never fills better than the
 * level (the conservative path), and the trades sum to the report's net.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { walkBars } from './bar-walk.test-support';
import { settledSpec, strategySpec } from '../core/strategy-spec';
import { createTradingCalendar } from '../scheduler/trading-calendar';
import { instantOf } from '../scheduler/trigger-times';
import { report } from './report';
import { runBacktest } from './run-backtest';

const calendar = createTradingCalendar();
const DAYS = ['2026-03-02', '2026-03-04', '2026-03-05'];

/** A day's bars 09:15–09:44 IST: a walk of whole ticks (0.05) from 100. */
const dayBars = (date: string) =>
  fc.array(fc.tuple(fc.integer({ min: -8, max: 8 }), fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 6 }), fc.integer({ min: -8, max: 8 })), { minLength: 30, maxLength: 30 }).map((steps) => walkBars(steps, instantOf(date, '09:15:00', 'Asia/Kolkata')));

const strategy = fc.record({
  side: fc.constantFrom('buy', 'sell'),
  stop_loss: fc.constantFrom(0.3, 0.5, 1),
  target: fc.option(fc.constantFrom(0.3, 0.6, 1), { nil: undefined }),
  trail: fc.option(fc.constantFrom(0.2, 0.4), { nil: undefined }),
  move_stop_to_cost_after: fc.option(fc.constantFrom(0.2, 0.5), { nil: undefined }),
  reentries: fc.integer({ min: 0, max: 3 }),
  reentry_after: fc.constantFrom('stop_loss', 'target', 'either'),
});

describe('backtest properties', () => {
  it('runs end flat, legs pair up within the day, level exits never beat their level, trades sum to the report', () => {
    fc.assert(
      fc.property(fc.tuple(...DAYS.map(dayBars)), strategy, fc.integer({ min: 0, max: 20 }), (days, s, slippageBps) => {
        const bars = days.flat();
        const body = { broker_account_id: 1, symbol: 'RND', qty: 5, buy_time: '09:20', sell_time: '09:40', repeat: 'daily', stop_loss_mode: 'percent', target_mode: 'percent', trail_mode: 'percent', move_stop_to_cost_mode: 'percent', ...s, ...(s.reentries > 0 ? { reentry_cutoff: '09:35' } : {}) };
        if (s.reentries > 0 && s.reentry_after !== 'stop_loss' && s.target === undefined) return;
        const spec = settledSpec(strategySpec.parse(body), 'NSE', 'Asia/Kolkata');
        const r = runBacktest(spec, { from: DAYS[0]!, to: DAYS.at(-1)!, calendar, fill: { slippageBps, tickSize: 0.05 }, fees: { kind: 'none' }, bars: (from, to) => bars.filter((b) => b.minute >= from && b.minute < to) });
        expect(r.runs.map((x) => x.date)).toEqual(DAYS);
        for (const run of r.runs) {
          expect(['SOLD', 'EXITED_BY_SL', 'EXITED_BY_TARGET', 'SKIPPED']).toContain(run.state);
          expect(run.trades).toBeLessThanOrEqual(s.reentries + 1);
        }
        for (const t of r.trades) {
          expect(t.exitAt).toBeGreaterThanOrEqual(t.entryAt);
          expect(t.exitAt).toBeLessThanOrEqual(instantOf(t.date, '09:40:00', 'Asia/Kolkata'));
          if (t.exitKind === 'STOPLOSS' && s.trail === undefined && s.move_stop_to_cost_after === undefined) {
            // The stop as levels.ts resolves it (percent of the fill, on the tick away from it); a fill past it is a gap or slippage, never better.
            const long = t.side === 'long';
            const level = (long ? Math.floor : Math.ceil)(Math.round((t.entryPrice * (1 + (long ? -1 : 1) * (s.stop_loss / 100))) * 20 * 1e6) / 1e6) / 20;
            if (long) expect(t.exitPrice).toBeLessThanOrEqual(level + 1e-9);
            else expect(t.exitPrice).toBeGreaterThanOrEqual(level - 1e-9);
          }
        }
        expect(report(r.trades).net).toBeCloseTo(r.trades.reduce((a, t) => a + t.net, 0), 6);
      }),
      { seed: 23, numRuns: 60 },
    );
  });
});
