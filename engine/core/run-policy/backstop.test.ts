/**
 * The backstop's rules: where it rests (never closer to the price than the stop, on the tick),
 * what a cancel's answer lets the engine's exit do (only a finished answer lets it go; a fired
 * stop's fills are the exit), and how often a trail may move it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RestingStopReport, RestingStopResult } from '../../brokers/broker';
import { answerOfCancel, answerOfReport, BACKSTOP_ASK_AGAIN_MS, backstopLevels, backstopOn, backstopTargetLevels, backstopPlanOf, GTT_LIMIT_SLACK_PERCENT, nextModifyAt, withModifyAt } from './backstop';

const report = (over: Partial<RestingStopReport>): RestingStopReport => ({
  clientOrderId: 'tbk3x9a17do000160001',
  brokerRef: 'o-1',
  status: 'resting',
  triggerPrice: 95,
  limitPrice: null,
  qty: 10,
  filledQty: 0,
  avgFillPrice: null,
  done: false,
  at: 0,
  reason: null,
  ...over,
});
const done = (over: Partial<RestingStopReport>): RestingStopResult => ({ kind: 'done', report: report(over) });

describe('backstopPlanOf', () => {
  it('reads a spec that leaves the keys out as the broker\'s default, at the stop, in points', () => {
    expect(backstopPlanOf({})).toEqual({ on: null, margin: 0, marginMode: 'points' });
    expect(backstopPlanOf({ backstop: false })).toMatchObject({ on: false });
    expect(backstopPlanOf({ backstop: true, backstop_margin: 2, backstop_margin_mode: 'percent' })).toEqual({ on: true, margin: 2, marginMode: 'percent' });
  });

  it('the broker\'s default decides only what the trader left out', () => {
    const plan = (on: boolean | null) => ({ on, margin: 0, marginMode: 'points' as const });
    expect([backstopOn(plan(null), true), backstopOn(plan(null), false), backstopOn(plan(true), false), backstopOn(plan(false), true)]).toEqual([true, false, true, false]);
  });
});

describe('backstopLevels', () => {
  const on = (margin: number, marginMode: 'points' | 'percent' = 'points') => ({ on: true, margin, marginMode });

  it('rests at the stop without a margin, a market order when it fires where the broker allows one', () => {
    expect(backstopLevels('long', { stop: 95, tick: 0.05 }, on(0), true)).toEqual({ triggerPrice: 95, limitPrice: null });
    expect(backstopLevels('short', { stop: 105, tick: 0.05 }, on(0), true)).toEqual({ triggerPrice: 105, limitPrice: null });
  });

  it('a margin moves it beyond the stop, away from the price, on the tick that way', () => {
    expect(backstopLevels('long', { stop: 95, tick: 0.05 }, on(0.52), true).triggerPrice).toBe(94.45);
    expect(backstopLevels('short', { stop: 105, tick: 0.05 }, on(0.52), true).triggerPrice).toBe(105.55);
    expect(backstopLevels('long', { stop: 200, tick: 0.01 }, on(1, 'percent'), true).triggerPrice).toBe(198);
    expect(backstopLevels('long', { stop: 0.1, tick: 0.05 }, on(5), true).triggerPrice).toBe(0.05);
  });

  it('a broker whose stop becomes a limit order gets a limit beyond the trigger by the slack', () => {
    expect(backstopLevels('long', { stop: 100, tick: 0.05 }, on(0), false)).toEqual({ triggerPrice: 100, limitPrice: 100 - GTT_LIMIT_SLACK_PERCENT });
    expect(backstopLevels('short', { stop: 100, tick: 0.05 }, on(0), false)).toEqual({ triggerPrice: 100, limitPrice: 100 + GTT_LIMIT_SLACK_PERCENT });
  });

  it('never rests closer to the price than the stop, and sits on the tick grid (random levels)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<'long' | 'short'>('long', 'short'),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.constantFrom(0.01, 0.05, 0.25),
        fc.double({ min: 0, max: 50, noNaN: true }),
        fc.constantFrom<'points' | 'percent'>('points', 'percent'),
        fc.boolean(),
        (side, steps, tick, margin, marginMode, market) => {
          const stop = Number((steps * tick).toFixed(8));
          const { triggerPrice, limitPrice } = backstopLevels(side, { stop, tick }, { on: true, margin, marginMode }, market);
          expect(side === 'long' ? triggerPrice <= stop : triggerPrice >= stop).toBe(true);
          expect(Math.abs(triggerPrice / tick - Math.round(triggerPrice / tick))).toBeLessThan(1e-6);
          expect(triggerPrice).toBeGreaterThan(0);
          if (limitPrice !== null) expect(side === 'long' ? limitPrice <= triggerPrice : limitPrice >= triggerPrice).toBe(true);
        },
      ),
    );
  });
});

describe('backstopTargetLevels (the take-profit of a two-leg GTT)', () => {
  const on = (margin: number, marginMode: 'points' | 'percent' = 'points') => ({ on: true, margin, marginMode });

  it('none without a target', () => {
    expect(backstopTargetLevels('long', { target: null, tick: 0.05 }, on(0), false)).toBeNull();
  });

  it('a long\'s rests at the target, its SELL limit the slack below; a short\'s mirrors it, its BUY limit the slack above', () => {
    expect(backstopTargetLevels('long', { target: 105, tick: 0.05 }, on(0), false)).toEqual({ triggerPrice: 105, limitPrice: 103.95 });
    expect(backstopTargetLevels('short', { target: 95, tick: 0.05 }, on(0), false)).toEqual({ triggerPrice: 95, limitPrice: 95.95 });
  });

  it('the margin moves it beyond the target, away from the entry (the engine\'s own target goes first), on the tick that way', () => {
    expect(backstopTargetLevels('long', { target: 105, tick: 0.05 }, on(0.52), false)?.triggerPrice).toBe(105.55);
    expect(backstopTargetLevels('short', { target: 95, tick: 0.05 }, on(0.52), false)?.triggerPrice).toBe(94.45);
    expect(backstopTargetLevels('long', { target: 200, tick: 0.01 }, on(1, 'percent'), true)).toEqual({ triggerPrice: 202, limitPrice: null });
  });
});

describe('what an answer lets the exit do', () => {
  it('cancelled, refused for good or never placed: the exit goes', () => {
    expect(answerOfCancel(done({ status: 'cancelled' }), 10, 0)).toEqual({ kind: 'exit' });
    expect(answerOfCancel(done({ status: 'rejected' }), 10, 0)).toEqual({ kind: 'exit' });
    expect(answerOfReport(null, 10, 3)).toEqual({ kind: 'exit' });
  });

  it('fired and finished: its fills are the exit, with what it left unsold', () => {
    expect(answerOfCancel(done({ status: 'fired', filledQty: 10, avgFillPrice: 94.9, done: true }), 10, 0)).toEqual({ kind: 'fired', filledQty: 10, avgFillPrice: 94.9, remainder: 0, firedLeg: 'stop' });
    expect(answerOfReport(report({ status: 'fired', filledQty: 4, avgFillPrice: 94.9, done: true }), 10, 0)).toEqual({ kind: 'fired', filledQty: 4, avgFillPrice: 94.9, remainder: 6, firedLeg: 'stop' });
  });

  it('fired on the take-profit side of a two-leg stop: the answer says so', () => {
    expect(answerOfReport(report({ status: 'fired', filledQty: 10, avgFillPrice: 105.2, done: true, firedLeg: 'target' }), 10, 0)).toEqual({ kind: 'fired', filledQty: 10, avgFillPrice: 105.2, remainder: 0, firedLeg: 'target' });
  });

  it('not known yet (no answer, refused, still resting, or fired and still filling): the exit waits and asks again, backing off to a bound', () => {
    // The seam's results, as the engine passes them.
    const timeout: RestingStopResult = { kind: 'unknown', reason: 'timeout' };
    const limited: RestingStopResult = { kind: 'unknown', reason: 'rate limit', retryAfterMs: 3_000 };
    const refused: RestingStopResult = { kind: 'rejected', reason: 'no such order' };
    const waits = [0, 1, 2, 3, 4, 5, 50].map((tries) => answerOfCancel(timeout, 10, tries));
    expect(waits).toEqual([...BACKSTOP_ASK_AGAIN_MS, 5_000, 5_000].map((afterMs) => ({ kind: 'ask_again', afterMs })));
    expect(answerOfCancel(limited, 10, 0)).toEqual({ kind: 'ask_again', afterMs: 3_000 });
    expect(answerOfCancel(refused, 10, 0)).toMatchObject({ kind: 'ask_again' });
    expect(answerOfCancel(done({ status: 'resting' }), 10, 0)).toMatchObject({ kind: 'ask_again' });
    expect(answerOfCancel(done({ status: 'fired', filledQty: 3, done: false }), 10, 0)).toMatchObject({ kind: 'ask_again' });
  });
});

describe('nextModifyAt', () => {
  it('at once under the budget; at the budget, when the oldest modify of the minute leaves it', () => {
    expect(nextModifyAt([], 5_000, 2)).toBe(5_000);
    expect(nextModifyAt([1_000], 5_000, 2)).toBe(5_000);
    expect(nextModifyAt([1_000, 4_000], 5_000, 2)).toBe(61_000);
    expect(nextModifyAt([4_000, 1_000, -70_000], 5_000, 2)).toBe(61_000);
    expect(nextModifyAt([1_000, 4_000], 61_001, 2)).toBe(61_001);
  });

  it('never lets more than the budget out in any minute (random move times)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 600_000 }), { maxLength: 80 }), fc.integer({ min: 1, max: 10 }), (wants, perMinute) => {
        const sent: number[] = [];
        for (const want of [...wants].sort((a, b) => a - b)) {
          const at = nextModifyAt(sent, Math.max(want, sent.at(-1) ?? 0), perMinute);
          sent.push(at);
        }
        for (const t of sent) expect(sent.filter((s) => s >= t && s < t + 60_000).length).toBeLessThanOrEqual(perMinute);
      }),
    );
  });
});

describe('withModifyAt', () => {
  it('keeps the sends of the last minute and adds this one, so the journaled list stays within the budget', () => {
    expect(withModifyAt([], 5_000)).toEqual([5_000]);
    expect(withModifyAt([0, 10_000], 65_000)).toEqual([10_000, 65_000]);
    expect(withModifyAt([0, 10_000], 60_000)).toEqual([10_000, 60_000]);
    expect(nextModifyAt(withModifyAt([1_000], 4_000), 5_000, 2)).toBe(61_000);
  });

  it('reads a journaled time after now (the clock stepped back an hour) as now: spent, but free again within the minute', () => {
    const hourAhead = 3_605_000;
    expect(nextModifyAt([hourAhead, hourAhead + 1_000], 5_000, 2)).toBe(65_000);
    expect(withModifyAt([hourAhead], 5_000)).toEqual([5_000, 5_000]);
  });
});
