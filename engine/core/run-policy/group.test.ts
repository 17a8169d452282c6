/**
 * The group policy of a multi-position strategy: hedges entered before shorts, shorts closed
 * before hedges, one entry at a time, the failed-position rule, the combined MTM. By example and,
 * for the entry walk, over random groups and answers (fast-check): what matters for money is that
 * no entry goes out while another is at the broker, none goes out after a failure under unwind,
 * and an unwind closes every held position, shorts first.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkMtm, combinedMtm, entryOrder, exitOrder, groupRulesOf, nextEntry, positionOfRun, stopsToCost, type PositionView } from './group';

const view = (positionNo: number, side: 'long' | 'short', over: Partial<PositionView> = {}): PositionView => ({ positionNo, side, entry: 'not_sent', held: 0, entryPrice: null, last: null, realized: 0, ...over });
/** An iron condor as a trader lists it: the shorts first, the wings after. */
const condor = [view(0, 'short'), view(1, 'short'), view(2, 'long'), view(3, 'long')];

describe('entry and exit order', () => {
  it('enters the longs (hedges) before the shorts and closes the shorts before the longs, the trader\'s order within a side', () => {
    expect(entryOrder(condor)).toEqual([2, 3, 0, 1]);
    expect(exitOrder(condor)).toEqual([0, 1, 2, 3]);
    expect(entryOrder([view(0, 'short'), view(1, 'short')])).toEqual([0, 1]);
  });
});

describe('nextEntry', () => {
  it('sends one entry at a time, in entry order, each after the previous one\'s answer', () => {
    const keep = { onFailure: 'keep' } as const;
    expect(nextEntry(condor, keep)).toEqual({ kind: 'enter', positionNo: 2 });
    const sent = condor.map((p) => (p.positionNo === 2 ? { ...p, entry: 'in_flight' as const } : p));
    expect(nextEntry(sent, keep)).toEqual({ kind: 'wait', positionNo: 2 });
    const filled = condor.map((p) => (p.positionNo === 2 ? { ...p, entry: 'filled' as const, held: 65, entryPrice: 12 } : p));
    expect(nextEntry(filled, keep)).toEqual({ kind: 'enter', positionNo: 3 });
    expect(nextEntry(condor.map((p) => ({ ...p, entry: 'filled' as const, held: 65 })), keep)).toEqual({ kind: 'done' });
  });

  it('on a failed position: unwind closes what is held, shorts first, and enters nothing more; keep goes on', () => {
    const group = [view(0, 'short', { entry: 'filled', held: 65, entryPrice: 100 }), view(1, 'short', { entry: 'failed' }), view(2, 'long', { entry: 'filled', held: 65, entryPrice: 10 }), view(3, 'long')];
    expect(nextEntry(group, { onFailure: 'unwind' })).toEqual({ kind: 'unwind', failed: 1, exits: [0, 2] });
    expect(nextEntry(group, { onFailure: 'keep' })).toEqual({ kind: 'enter', positionNo: 3 });
    // An entry still at the broker is answered first: its fill must be unwound too.
    expect(nextEntry([...group.slice(0, 3), view(3, 'long', { entry: 'in_flight' })], { onFailure: 'unwind' })).toEqual({ kind: 'wait', positionNo: 3 });
  });

  it('over random groups and answers: never two entries at the broker, none after a failure under unwind, an unwind closes every held position shorts first', () => {
    const group = fc.array(fc.constantFrom('long' as const, 'short' as const), { minLength: 2, maxLength: 10 });
    const answers = fc.array(fc.constantFrom('filled' as const, 'failed' as const), { minLength: 10, maxLength: 10 });
    fc.assert(
      fc.property(group, answers, fc.constantFrom('unwind' as const, 'keep' as const), (sides, replies, onFailure) => {
        let positions = sides.map((side, i) => view(i, side));
        const sentOrder: number[] = [];
        for (let turn = 0; turn < 30; turn++) {
          const step = nextEntry(positions, { onFailure });
          if (step.kind === 'done') break;
          if (step.kind === 'unwind') {
            expect(onFailure).toBe('unwind');
            const held = positions.filter((p) => p.held > 0);
            expect([...step.exits].sort()).toEqual(held.map((p) => p.positionNo).sort());
            expect(step.exits).toEqual(exitOrder(held));
            break;
          }
          if (step.kind === 'enter') {
            expect(positions.filter((p) => p.entry === 'in_flight')).toEqual([]);
            if (onFailure === 'unwind') expect(positions.some((p) => p.entry === 'failed')).toBe(false);
            sentOrder.push(step.positionNo);
            positions = positions.map((p) => (p.positionNo === step.positionNo ? { ...p, entry: 'in_flight' } : p));
          } else {
            const reply = replies[step.positionNo]!;
            positions = positions.map((p) => (p.positionNo === step.positionNo ? { ...p, entry: reply, held: reply === 'filled' ? 50 : 0 } : p));
          }
        }
        // Whatever was sent went out longs first.
        expect(sentOrder).toEqual(entryOrder(positions).filter((n) => sentOrder.includes(n)));
      }),
      { numRuns: 500 },
    );
  });
});

describe('combined MTM', () => {
  const straddle = [view(0, 'short', { entry: 'filled', held: 65, entryPrice: 100, last: 130 }), view(1, 'short', { entry: 'filled', held: 65, entryPrice: 90, last: 70 })];

  it('sums each held position\'s (last − entry) × units, negated for a short, and what the exits realised', () => {
    // CE: 30 against a short of 65 = −1950; PE: 20 for it = +1300.
    expect(combinedMtm(straddle)).toBe(-650);
    expect(combinedMtm([straddle[0]!, view(1, 'short', { entry: 'filled', realized: 1300 })])).toBe(-650);
    expect(combinedMtm([view(0, 'long', { entry: 'filled', held: 10, entryPrice: 5, last: 7.5 })])).toBe(25);
  });

  it('is unknown while a held position has no price: a partial sum could hide the loss', () => {
    expect(combinedMtm([straddle[0]!, { ...straddle[1]!, last: null }])).toBeNull();
    expect(checkMtm([straddle[0]!, { ...straddle[1]!, last: null }], { mtmStop: 1, mtmTarget: 1 })).toEqual({ kind: 'hold', mtm: null });
  });

  it('closes every held position, shorts first, at the loss of mtm_stop or the gain of mtm_target, at the level itself', () => {
    expect(checkMtm(straddle, { mtmStop: 650, mtmTarget: null })).toEqual({ kind: 'exit_all', reason: 'mtm_stop', mtm: -650, exits: [0, 1] });
    expect(checkMtm(straddle, { mtmStop: 651, mtmTarget: null })).toEqual({ kind: 'hold', mtm: -650 });
    const winning = straddle.map((p) => ({ ...p, last: p.entryPrice! - 10 }));
    expect(checkMtm([...winning, view(2, 'long', { entry: 'filled', held: 65, entryPrice: 5, last: 5 })], { mtmStop: null, mtmTarget: 1300 })).toEqual({ kind: 'exit_all', reason: 'mtm_target', mtm: 1300, exits: [0, 1, 2] });
    expect(checkMtm(straddle.map((p) => ({ ...p, held: 0, realized: -5000 })), { mtmStop: 100, mtmTarget: null })).toEqual({ kind: 'hold', mtm: -10000 });
  });
});

describe('combined MTM over random groups (fast-check)', () => {
  // Premiums on NSE's 0.05 tick, lots of 65, realized P&L in paise: the exact sum is counted in whole paise.
  const position = fc.record({
    side: fc.constantFrom('long' as const, 'short' as const),
    entryTicks: fc.integer({ min: 1, max: 20_000 }),
    lastTicks: fc.integer({ min: 1, max: 20_000 }),
    lots: fc.integer({ min: 0, max: 30 }),
    realizedPaise: fc.integer({ min: -5_000_000, max: 5_000_000 }),
  });
  const groups = fc.array(position, { minLength: 2, maxLength: 10 });
  type Drawn = { side: 'long' | 'short'; entryTicks: number; lastTicks: number; lots: number; realizedPaise: number };
  const views = (ps: readonly Drawn[]) =>
    ps.map((p, i) => view(i, p.side, { entry: 'filled', held: p.lots * 65, entryPrice: (p.entryTicks * 5) / 100, last: (p.lastTicks * 5) / 100, realized: p.realizedPaise / 100 }));
  const exactPaise = (ps: readonly Drawn[]) =>
    ps.reduce((sum, p) => sum + p.realizedPaise + (p.side === 'long' ? 1 : -1) * (p.lastTicks - p.entryTicks) * 5 * p.lots * 65, 0);

  it('is the exact sum in paise, whatever the number of positions and the prices (no float drift)', () => {
    fc.assert(
      fc.property(groups, (ps) => {
        expect(combinedMtm(views(ps))).toBe(exactPaise(ps) / 100);
      }),
      { numRuns: 1000 },
    );
  });

  it('exits at the level itself and not a paisa before, by the stop on a loss and the target on a gain, every held position shorts first', () => {
    fc.assert(
      fc.property(groups, (ps) => {
        const paise = exactPaise(ps);
        const group = views(ps);
        const held = group.filter((p) => p.held > 0);
        if (paise === 0 || held.length === 0) return;
        const level = Math.abs(paise) / 100;
        const reason = paise < 0 ? 'mtm_stop' : 'mtm_target';
        const rules = (at: number) => (paise < 0 ? { mtmStop: at, mtmTarget: null } : { mtmStop: null, mtmTarget: at });
        expect(checkMtm(group, rules(level))).toEqual({ kind: 'exit_all', reason, mtm: paise / 100, exits: exitOrder(held) });
        expect(checkMtm(group, rules((Math.abs(paise) + 1) / 100))).toEqual({ kind: 'hold', mtm: paise / 100 });
        // The other side's level never fires on this side.
        expect(checkMtm(group, paise < 0 ? { mtmStop: null, mtmTarget: 0.01 } : { mtmStop: 0.01, mtmTarget: null })).toEqual({ kind: 'hold', mtm: paise / 100 });
      }),
      { numRuns: 1000 },
    );
  });

  it('adds 0.1 three times as 0.3: the sum a float would make 0.30000000000000004 reaches a target of 0.3', () => {
    const dimes = [0, 1, 2].map((i) => view(i, 'long', { entry: 'filled', held: 1, entryPrice: 1, last: 1.1 }));
    expect(combinedMtm(dimes)).toBe(0.3);
    expect(checkMtm(dimes, { mtmStop: null, mtmTarget: 0.3 })).toMatchObject({ kind: 'exit_all', reason: 'mtm_target' });
  });
});

describe('groupRulesOf', () => {
  it('reads the group\'s keys from a position\'s plan; a plan without them unwinds and has no MTM levels', () => {
    expect(groupRulesOf({ mtm_stop: 2500, mtm_target: 4000, on_position_failure: 'keep', stops_to_cost_on_stop: true })).toEqual({ onFailure: 'keep', mtmStop: 2500, mtmTarget: 4000, stopsToCost: true });
    expect(groupRulesOf({})).toEqual({ onFailure: 'unwind', mtmStop: null, mtmTarget: null, stopsToCost: false });
    expect(groupRulesOf(null)).toEqual({ onFailure: 'unwind', mtmStop: null, mtmTarget: null, stopsToCost: false });
  });
});

describe('stopsToCost', () => {
  it('names the other held positions when one stops out', () => {
    expect(stopsToCost([view(0, 'short', { held: 0 }), view(1, 'short', { held: 65 }), view(2, 'long', { held: 65 }), view(3, 'long', { held: 0 })], 0)).toEqual([1, 2]);
  });
});

describe('positionOfRun', () => {
  const row = (state: Parameters<typeof positionOfRun>[0]['state'], positionQty = 0, entryPrice: number | null = null, side: 'buy' | 'sell' = 'sell', legNo = 0) => positionOfRun({ positionNo: 1, state, positionQty, entryPrice, plan: { side } as never, legNo });

  it('reads the entry from the run: not sent while ARMED, in flight while BUYING, filled once it held, failed when it ended without', () => {
    expect(row('ARMED')).toEqual({ positionNo: 1, side: 'short', entry: 'not_sent', held: 0, entryPrice: null, last: null, realized: 0 });
    expect(row('BUYING', 0, null, 'buy')).toMatchObject({ side: 'long', entry: 'in_flight' });
    expect(row('IN_POSITION', 65, 110)).toMatchObject({ entry: 'filled', held: 65, entryPrice: 110 });
    expect(row('EXITING', 65, 110)).toMatchObject({ entry: 'filled', held: 65 });
    for (const state of ['MISSED_BUY', 'SKIPPED', 'STOPPED', 'ERROR'] as const) expect(row(state).entry).toBe('failed');
  });

  it('holds nothing once the day is over, though the entry filled; an exit refused for good (ERROR) still holds', () => {
    expect(row('EXITED_BY_SL', 0, 110)).toMatchObject({ entry: 'filled', held: 0, entryPrice: null });
    expect(row('STOPPED', 65, 110)).toMatchObject({ entry: 'filled', held: 0 });
    expect(row('ERROR', 65, 110)).toMatchObject({ entry: 'filled', held: 65, entryPrice: 110 });
  });

  it('a re-entry refused or given up is no failed entry of the group: the position entered once (no unwind of the others)', () => {
    for (const state of ['ERROR', 'STOPPED', 'EXITED_BY_SL'] as const) expect(row(state, 0, null, 'sell', 1)).toMatchObject({ entry: 'filled', held: 0 });
    expect(row('WAITING_REENTRY', 0, 110, 'sell', 1)).toMatchObject({ entry: 'filled', held: 0 });
    expect(row('BUYING', 0, null, 'sell', 2).entry).toBe('in_flight');
    expect(nextEntry([view(0, 'short', { entry: 'filled', held: 65 }), row('ERROR', 0, null, 'sell', 1)], { onFailure: 'unwind' })).toEqual({ kind: 'done' });
  });
});
