import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TriggerIndex, type Armed, type TriggerDir } from './trigger-index';

/** One stop-like level per run on `dir`; `price` mirrors prices for the up side (up at 100 - p ⇔ down at p). */
const one = (dir: TriggerDir, level: number) => [{ kind: 'STOPLOSS' as const, level, dir }];

function taken(idx: TriggerIndex, feed: string, price: number): Armed[] {
  const out: Armed[] = [];
  const n = idx.take(feed, price, out);
  expect(out.length).toBe(n);
  return out;
}
const ids = (hits: readonly Armed[]) => hits.map((a) => a.strategyId);

/** The down cases of the stop-loss index, run as they were and mirrored (level ↦ 200 - level) on the up side. */
describe.each([
  { dir: 'down' as const, at: (p: number) => p },
  { dir: 'up' as const, at: (p: number) => 200 - p },
])('TriggerIndex, $dir side', ({ dir, at }) => {
  it('returns exactly the entries the price crosses, nearest first, once', () => {
    const idx = new TriggerIndex();
    idx.set('a|NSE:X', 1, 0, one(dir, at(95)));
    idx.set('a|NSE:X', 2, 0, one(dir, at(99)));
    idx.set('a|NSE:X', 3, 0, one(dir, at(90)));
    idx.set('a|NSE:Y', 4, 0, one(dir, at(200)));
    expect(taken(idx, 'a|NSE:X', at(100))).toEqual([]);
    expect(ids(taken(idx, 'a|NSE:X', at(95)))).toEqual([2, 1]);
    expect(taken(idx, 'a|NSE:X', at(95))).toEqual([]);
    expect(idx.isArmed(3)).toBe(true);
    expect(idx.isArmed(1)).toBe(false);
    expect(idx.size()).toBe(2);
  });

  it('treats a price equal to the level as a crossing, and a price a hair short of it as none', () => {
    const idx = new TriggerIndex();
    idx.set('f', 1, 0, one(dir, 100.05));
    expect(taken(idx, 'f', dir === 'down' ? 100.06 : 100.04)).toEqual([]);
    expect(ids(taken(idx, 'f', 100.05))).toEqual([1]);
  });

  it('fires ties in arming order', () => {
    const idx = new TriggerIndex();
    for (const id of [5, 3, 9]) idx.set('f', id, 0, one(dir, at(95)));
    expect(ids(taken(idx, 'f', at(90)))).toEqual([5, 3, 9]);
  });

  it('keeps feeds apart, and a new set replaces the run\'s old one', () => {
    const idx = new TriggerIndex();
    idx.set('f1', 1, 0, one(dir, at(50)));
    idx.set('f2', 1, 0, one(dir, at(10)));
    expect(taken(idx, 'f1', at(1))).toEqual([]);
    expect(ids(taken(idx, 'f2', at(9)))).toEqual([1]);
    expect(idx.size()).toBe(0);
  });

  it('clear removes a run\'s entries and reports whether it had any', () => {
    const idx = new TriggerIndex();
    idx.set('f', 7, 0, one(dir, at(10)));
    expect(idx.clear(7)).toBe(true);
    expect(idx.clear(7)).toBe(false);
    expect(taken(idx, 'f', at(1))).toEqual([]);
  });

  it('stays ordered under many random sets', () => {
    const idx = new TriggerIndex();
    const levels = Array.from({ length: 500 }, (_, i) => at(((i * 7919) % 1000) / 10 + 1));
    levels.forEach((p, i) => idx.set('f', i, 0, one(dir, p)));
    const hit = taken(idx, 'f', at(50));
    expect(hit.length).toBe(levels.filter((p) => (dir === 'down' ? p >= 50 : p <= at(50))).length);
    for (let i = 1; i < hit.length; i++) {
      if (dir === 'down') expect(hit[i - 1]!.level).toBeGreaterThanOrEqual(hit[i]!.level);
      else expect(hit[i - 1]!.level).toBeLessThanOrEqual(hit[i]!.level);
    }
  });
});

describe('TriggerIndex, both sides', () => {
  it('a hit carries its run, leg, kind and level; a gapped price takes only the side it crosses', () => {
    const idx = new TriggerIndex();
    idx.set('f', 1, 2, [{ kind: 'STOPLOSS', level: 95, dir: 'down' }, { kind: 'STOPLOSS', level: 110, dir: 'up' }]);
    expect(taken(idx, 'f', 100)).toEqual([]);
    expect(taken(idx, 'f', 120)).toEqual([{ strategyId: 1, positionNo: 0, legNo: 2, kind: 'STOPLOSS', level: 110, dir: 'up' }]);
    expect(idx.isArmed(1)).toBe(true);
    expect(taken(idx, 'f', 94)).toEqual([{ strategyId: 1, positionNo: 0, legNo: 2, kind: 'STOPLOSS', level: 95, dir: 'down' }]);
    expect(idx.isArmed(1)).toBe(false);
  });

  it('writes hits over the reused array from index 0 and leaves it untouched when nothing crosses', () => {
    const idx = new TriggerIndex();
    const out: Armed[] = [];
    idx.set('f', 1, 0, one('down', 90));
    idx.set('f', 2, 0, one('down', 80));
    idx.set('f', 3, 0, one('up', 120));
    expect(idx.take('f', 70, out)).toBe(2);
    expect(ids(out)).toEqual([1, 2]);
    expect(idx.take('f', 100, out)).toBe(0);
    expect(ids(out)).toEqual([1, 2]);
    expect(idx.take('f', 130, out)).toBe(1);
    expect(ids(out)).toEqual([3]);
    expect(idx.take('nowhere', 1, out)).toBe(0);
  });

  it('set replaces the run\'s whole set: a cleared side no longer fires, the run\'s new leg does', () => {
    const idx = new TriggerIndex();
    idx.set('f', 1, 0, [{ kind: 'STOPLOSS', level: 95, dir: 'down' }, { kind: 'STOPLOSS', level: 110, dir: 'up' }]);
    idx.set('f', 1, 1, one('down', 90));
    expect(taken(idx, 'f', 200)).toEqual([]);
    expect(taken(idx, 'f', 92)).toEqual([]);
    expect(taken(idx, 'f', 90).map((a) => a.legNo)).toEqual([1]);
    idx.set('f', 1, 2, []);
    expect(idx.isArmed(1)).toBe(false);
  });

  it('refuses a level that is not a finite number, keeping the run\'s set as it was', () => {
    const idx = new TriggerIndex();
    expect(() => idx.set('f', 1, 0, one('down', Number.NaN))).toThrow(/strategy 1 must be a finite number/);
    expect(idx.isArmed(1)).toBe(false);
    idx.set('f', 1, 0, one('down', 95));
    expect(() => idx.set('f', 1, 1, [...one('up', 110), ...one('down', Number.POSITIVE_INFINITY)])).toThrow(/finite number/);
    expect(taken(idx, 'f', 95)).toMatchObject([{ strategyId: 1, legNo: 0, level: 95 }]);
  });

  it('keeps each position of a strategy its own set: set and clear one, fire one, the others stay', () => {
    const idx = new TriggerIndex();
    idx.set('ce', 1, 0, one('up', 120), false, 0);
    idx.set('pe', 1, 0, one('up', 90), false, 1);
    idx.set('ce', 1, 0, one('up', 125), false, 0);
    expect(idx.size()).toBe(2);
    expect(taken(idx, 'pe', 95)).toMatchObject([{ strategyId: 1, positionNo: 1, level: 90 }]);
    expect([idx.isArmed(1, 'STOPLOSS', 0), idx.isArmed(1, 'STOPLOSS', 1), idx.isArmed(1, 'STOPLOSS')]).toEqual([true, false, true]);
    // The fired exit of position 1 does not hold back a moved set of position 0.
    idx.set('ce', 1, 0, one('up', 130), true, 0);
    expect(taken(idx, 'ce', 140)).toMatchObject([{ positionNo: 0, level: 130 }]);
    idx.set('ce', 1, 0, one('up', 120), false, 0);
    idx.set('pe', 1, 0, one('up', 90), false, 2);
    expect(idx.clear(1, 2)).toBe(true);
    expect(idx.isArmed(1, undefined, 0)).toBe(true);
    expect(idx.clear(1)).toBe(true);
    expect(idx.size()).toBe(0);
  });

  it('fires exactly what a plain list would, in its order, under random sets, clears and prices', () => {
    const op = fc.oneof(
      fc.record({ op: fc.constant('set' as const), id: fc.integer({ min: 1, max: 8 }), p: fc.integer({ min: 0, max: 2 }), feed: fc.constantFrom('a', 'b'), levels: fc.array(fc.tuple(fc.integer({ min: 1, max: 20 }), fc.constantFrom<TriggerDir>('down', 'up')), { maxLength: 3 }) }),
      fc.record({ op: fc.constant('clear' as const), id: fc.integer({ min: 1, max: 8 }), p: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }) }),
      fc.record({ op: fc.constant('take' as const), feed: fc.constantFrom('a', 'b'), price: fc.integer({ min: 1, max: 20 }) }),
    );
    fc.assert(fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
      const idx = new TriggerIndex();
      let model: Array<Armed & { feed: string; seq: number }> = [];
      let seq = 0;
      const out: Armed[] = [];
      for (const o of ops) {
        if (o.op === 'set') {
          idx.set(o.feed, o.id, 0, o.levels.map(([level, dir]) => ({ kind: 'STOPLOSS' as const, level, dir })), false, o.p);
          model = model.filter((a) => a.strategyId !== o.id || a.positionNo !== o.p);
          for (const [level, dir] of o.levels) model.push({ strategyId: o.id, positionNo: o.p, legNo: 0, kind: 'STOPLOSS', level, dir, feed: o.feed, seq: seq++ });
        } else if (o.op === 'clear') {
          idx.clear(o.id, o.p);
          model = model.filter((a) => a.strategyId !== o.id || (o.p !== undefined && a.positionNo !== o.p));
        } else {
          const crossed = (a: Armed) => (a.dir === 'down' ? a.level >= o.price : a.level <= o.price);
          const hit = model.filter((a) => a.feed === o.feed && crossed(a));
          const rank = (a: (typeof hit)[number]) => (a.dir === 'down' ? [0, -a.level, a.seq] : [1, a.level, a.seq]);
          hit.sort((x, y) => { const [p, q] = [rank(x), rank(y)]; return p[0]! - q[0]! || p[1]! - q[1]! || p[2]! - q[2]!; });
          model = model.filter((a) => !hit.includes(a));
          const n = idx.take(o.feed, o.price, out);
          expect(out.slice(0, n).map((a) => [a.strategyId, a.positionNo, a.level, a.dir])).toEqual(hit.map((a) => [a.strategyId, a.positionNo, a.level, a.dir]));
        }
        expect(idx.size()).toBe(model.length);
      }
    }));
  });
});

describe('TriggerIndex, moved levels (a ratchet\'s step)', () => {
  const levels = (stop: number, target: number, ratchet: number) => [
    { kind: 'TRAIL_STOP' as const, level: stop, dir: 'down' as const },
    { kind: 'TARGET' as const, level: target, dir: 'up' as const },
    { kind: 'RATCHET' as const, level: ratchet, dir: 'up' as const },
  ];

  it('replace the set while no exit level of the leg has fired', () => {
    const idx = new TriggerIndex();
    idx.set('f', 1, 0, levels(98, 110, 100.01));
    expect(taken(idx, 'f', 103).map((a) => a.kind)).toEqual(['RATCHET']);
    idx.set('f', 1, 0, levels(101, 110, 103.01), true);
    expect(taken(idx, 'f', 101).map((a) => [a.kind, a.level])).toEqual([['TRAIL_STOP', 101]]);
  });

  it('change nothing once a target or a stop of the leg fired: it does not fire a second time, the rest stays as it was', () => {
    const fired = (price: number) => {
      const idx = new TriggerIndex();
      idx.set('f', 1, 0, levels(98, 110, 100.01));
      expect(taken(idx, 'f', 103).map((a) => a.kind)).toEqual(['RATCHET']);
      const kinds = taken(idx, 'f', price).map((a) => a.kind);
      // The ratchet's step for 103 comes after: its set (stop 101, the target, ratchet 103.01) is kept out.
      idx.set('f', 1, 0, levels(101, 110, 103.01), true);
      return { idx, kinds };
    };
    const target = fired(110.5);
    expect(target.kinds).toEqual(['TARGET']);
    expect(taken(target.idx, 'f', 200)).toEqual([]);
    expect(taken(target.idx, 'f', 100)).toEqual([]);
    expect(taken(target.idx, 'f', 98).map((a) => [a.kind, a.level])).toEqual([['TRAIL_STOP', 98]]);
    const stop = fired(97);
    expect(stop.kinds).toEqual(['TRAIL_STOP']);
    expect(taken(stop.idx, 'f', 1)).toEqual([]);
    expect(taken(stop.idx, 'f', 200).map((a) => [a.kind, a.level])).toEqual([['TARGET', 110]]);
  });

  it('a fresh set (a new leg\'s fill, a new run after clear) arms all again, and a moved set of that leg follows', () => {
    const idx = new TriggerIndex();
    idx.set('a', 1, 0, levels(98, 110, 100.01));
    taken(idx, 'a', 110);
    idx.set('a', 1, 1, levels(98, 110, 100.01), true);
    expect(taken(idx, 'a', 110).map((a) => [a.legNo, a.kind])).toEqual([
      [1, 'RATCHET'],
      [1, 'TARGET'],
    ]);
    idx.set('b', 2, 0, levels(98, 110, 100.01));
    taken(idx, 'b', 110);
    idx.clear(2);
    idx.set('b', 2, 0, levels(98, 110, 100.01));
    idx.set('b', 2, 0, levels(99, 111, 101.01), true);
    expect(taken(idx, 'b', 111).map((a) => [a.kind, a.level])).toEqual([
      ['RATCHET', 101.01],
      ['TARGET', 111],
    ]);
  });
});
