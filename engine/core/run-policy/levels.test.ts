import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planTriggers, pricedOnly, ratchet, resolveLevels, triggersOf } from './levels';
import { PLAN } from './test-support';
import type { Levels, RunPlan } from './types';

const plan = (over: Partial<RunPlan> = {}): RunPlan => ({ ...PLAN, ...over });

describe('levels at the entry fill', () => {
  it('a price stays the price; points and percent are measured from the fill and rounded to the tick away from it', () => {
    expect(resolveLevels(plan({ stopLoss: 95, target: 110 }), 100.02, 0.05)).toMatchObject({ entry: 100.02, stop: 95, target: 110 });
    // 100 − 1.23 = 98.77 → 98.75; 100 + 1.23 = 101.23 → 101.25.
    expect(resolveLevels(plan({ stopLoss: 1.23, stopLossMode: 'points', target: 1.23, targetMode: 'points' }), 100, 0.05)).toMatchObject({ stop: 98.75, target: 101.25 });
    // 101.1 − 0.3 is 100.8 exactly, not 100.79999999999998.
    expect(resolveLevels(plan({ stopLoss: 0.3, stopLossMode: 'points' }), 101.1, 0.1).stop).toBe(100.8);
    // 2 % of 250.4: 245.392 → 245.35; 5 % above: 262.92 → 262.95.
    expect(resolveLevels(plan({ stopLoss: 2, stopLossMode: 'percent', target: 5, targetMode: 'percent' }), 250.4, 0.05)).toMatchObject({ stop: 245.35, target: 262.95 });
  });

  it('a distance under one tick still sits one tick off the fill; one larger than the price puts the stop at one tick', () => {
    expect(resolveLevels(plan({ stopLoss: 0.01, stopLossMode: 'points', target: 0.01, targetMode: 'points' }), 100, 0.05)).toMatchObject({ stop: 99.95, target: 100.05 });
    expect(resolveLevels(plan({ stopLoss: 8, stopLossMode: 'points' }), 5, 0.05).stop).toBe(0.05);
  });

  it('with no tick known the levels are not rounded', () => {
    expect(resolveLevels(plan({ stopLoss: 1.5, stopLossMode: 'percent' }), 100, null)).toMatchObject({ stop: 98.5, tick: null });
  });

  it('a trail tighter than the stop-loss is the stop from the start (TRAIL_STOP); a looser one waits for the price', () => {
    expect(resolveLevels(plan({ stopLoss: 90, trail: 2 }), 100, 0.05)).toMatchObject({ stop: 98, stopKind: 'TRAIL_STOP', trail: { offset: 2, mode: 'points', best: 100 } });
    expect(resolveLevels(plan({ stopLoss: 99, trail: 2 }), 100, 0.05)).toMatchObject({ stop: 99, stopKind: 'STOPLOSS' });
  });

  it('a short mirrors a long: its stop above the fill, its target below', () => {
    const short = resolveLevels(plan({ side: 'short', stopLoss: 2, stopLossMode: 'points', target: 3, targetMode: 'points', trail: 1, moveStopToCostAfter: 1 }), 100, 0.05);
    expect(short).toMatchObject({ stop: 101, stopKind: 'TRAIL_STOP', target: 97, costAt: 99 });
    expect(triggersOf(short, 'short')).toEqual([
      { kind: 'TRAIL_STOP', level: 101, dir: 'up' },
      { kind: 'TARGET', level: 97, dir: 'down' },
      { kind: 'RATCHET', level: 99.95, dir: 'down' },
    ]);
  });
});

describe('the levels as the price moves', () => {
  const trailing = resolveLevels(plan({ stopLoss: 90, trail: 2, moveStopToCostAfter: 5 }), 100, 0.05);

  it('the trail follows a new best price and tightens the stop, saying from where to where', () => {
    const { levels, moved } = ratchet(trailing, 'long', 103.4);
    expect(levels).toMatchObject({ stop: 101.4, stopKind: 'TRAIL_STOP', trail: { best: 103.4 } });
    expect(moved).toEqual({ why: 'trail', from: 98, to: 101.4 });
  });

  it('a price not past the best moves nothing, and the levels come back as the same object', () => {
    const up = ratchet(trailing, 'long', 101).levels;
    expect(ratchet(up, 'long', 100.5)).toEqual({ levels: up, moved: null });
    expect(ratchet(up, 'long', 100.5).levels).toBe(up);
  });

  it('at the gain the stop moves to the entry price, once; a stop already past the entry stays', () => {
    const cost = resolveLevels(plan({ stopLoss: 95, moveStopToCostAfter: 2 }), 100, 0.05);
    const moved = ratchet(cost, 'long', 102);
    expect(moved).toEqual({ levels: { ...cost, stop: 100, costAt: null }, moved: { why: 'cost', from: 95, to: 100 } });
    expect(triggersOf(moved.levels, 'long')).toEqual([{ kind: 'STOPLOSS', level: 100, dir: 'down' }]);
    const trailedPast = ratchet(resolveLevels(plan({ stopLoss: 95, trail: 1, moveStopToCostAfter: 2 }), 100, 0.05), 'long', 103);
    expect(trailedPast.levels).toMatchObject({ stop: 102, stopKind: 'TRAIL_STOP', costAt: null });
    // Past the cost and trailed on in one tick: the move is the one to cost (said once), to where the trail took it.
    expect(trailedPast.moved).toEqual({ why: 'cost', from: 99, to: 102 });
  });

  it('arms the next ratchet where the trail would move the stop by one tick, or at the gain if that comes first', () => {
    expect(triggersOf(trailing, 'long')).toEqual([
      { kind: 'TRAIL_STOP', level: 98, dir: 'down' },
      { kind: 'RATCHET', level: 100.05, dir: 'up' },
    ]);
    const wide = resolveLevels(plan({ stopLoss: 99, trail: 4, moveStopToCostAfter: 1 }), 100, 0.05);
    expect(triggersOf(wide, 'long').at(-1)).toEqual({ kind: 'RATCHET', level: 101, dir: 'up' });
  });
});

describe('a position without kept levels', () => {
  it('arms the plan\'s levels given as prices, as they are', () => {
    expect(pricedOnly(plan({ target: 110 }))).toBe(true);
    expect(pricedOnly(plan({ trail: 1 }))).toBe(false);
    expect(planTriggers(plan({ target: 110 }))).toEqual([
      { kind: 'STOPLOSS', level: 95, dir: 'down' },
      { kind: 'TARGET', level: 110, dir: 'up' },
    ]);
  });
});

const planArb: fc.Arbitrary<RunPlan> = fc.record({
  stopLoss: fc.double({ min: 0.5, max: 9, noNaN: true }),
  stopLossMode: fc.constantFrom('price', 'points', 'percent'),
  trail: fc.option(fc.double({ min: 0.1, max: 9, noNaN: true })),
  trailMode: fc.constantFrom('points', 'percent'),
  moveStopToCostAfter: fc.option(fc.double({ min: 0.1, max: 9, noNaN: true })),
  moveStopToCostMode: fc.constantFrom('points', 'percent'),
}).map((x) => plan({ ...x, stopLoss: x.stopLossMode === 'price' ? 100 - x.stopLoss * (x.trail === null ? 1 : 0.2) : x.stopLoss }));

describe('over random plans and price paths (property)', () => {
  it('the stop never loosens, follows the trail at its distance, and the next ratchet is always past the price that armed it', () => {
    fc.assert(
      fc.property(planArb, fc.constantFrom(0.05, 0.01, null), fc.array(fc.double({ min: 80, max: 130, noNaN: true }), { maxLength: 60 }), (p, tick, prices) => {
        let levels: Levels = resolveLevels(p, 100, tick);
        for (const price of prices) {
          const next = ratchet(levels, 'long', price).levels;
          expect(next.stop).toBeGreaterThanOrEqual(levels.stop);
          if (next.trail) {
            const trailStop = next.trail.mode === 'points' ? next.trail.best - next.trail.offset : next.trail.best * (1 - next.trail.offset / 100);
            expect(next.stop).toBeGreaterThanOrEqual(trailStop - (tick ?? 1e-8) - 1e-9);
          }
          for (const t of triggersOf(next, 'long').filter((x) => x.kind === 'RATCHET')) expect(t.level).toBeGreaterThan(Math.max(price, next.trail?.best ?? 0));
          levels = next;
        }
      }),
      { seed: 20261206, numRuns: 500 },
    );
  });
});
