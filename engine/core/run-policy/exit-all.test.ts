/**
 * One position's side of its group's rules (issue 19): the "exit all" flag journaled on the run
 * (runs.exit_all) closes the position at once, on a restart too and on an entry's late fill, and
 * ends it with the group's reason; another position's stop-out moves this one's stop to cost, only
 * ever tighter.
 */
import { describe, expect, it } from 'vitest';
import { resolveLevels } from './levels';
import { step } from './step';
import { entryRow, exitRow, holding, NOW, PLAN, snapshot } from './test-support';
import type { RunPlan } from './types';

const recovered = { type: 'recovered', strategyRunning: true, bestSinceEntry: null } as const;
const SHORT: RunPlan = { ...PLAN, side: 'short', stopLoss: 30, stopLossMode: 'points' };

describe('the group\'s exit-all flag on a run', () => {
  it('a restart between the flag and the exit: the held position exits at once, by the group\'s exit; one whose exit is out is left to it', () => {
    expect(step(PLAN, holding({ exitAll: 'mtm_stop' }), recovered)).toEqual({ submit: [{ leg: 'SELL', scheduledAt: NOW }] });
    expect(step(PLAN, holding({ state: 'EXITING', exitAll: 'mtm_stop', exit: exitRow({ status: 'accepted' }) }), recovered)).toEqual({});
    // The trader's STOP still goes as the trader's.
    expect(step(PLAN, holding({ exitAll: 'mtm_stop', stopRequested: true }), recovered)).toEqual({ submit: [{ leg: 'MANUAL_EXIT', scheduledAt: NOW }] });
    expect(step(PLAN, snapshot({ exitAll: 'unwind' }), recovered)).toEqual({ move: { to: 'SKIPPED', patch: { reason: 'BUY skipped: the group had closed every position' } } });
    expect(step(SHORT, snapshot({ exitAll: 'unwind' }), recovered)).toEqual({ move: { to: 'SKIPPED', patch: { reason: 'Short sale skipped: the group had closed every position' } } });
  });

  it('a restart after the group\'s exit closed the others while its flag never landed: the position not yet entered is skipped, not entered to be closed at once', () => {
    expect(step(SHORT, snapshot(), { ...recovered, groupClosed: true })).toEqual({ move: { to: 'SKIPPED', patch: { reason: 'Short sale skipped: the group had closed every position' } } });
    expect(step(SHORT, snapshot(), { ...recovered, groupClosed: false })).toEqual({ timers: [{ set: 'jobs' }] });
  });

  it('an entry still in the queue when the group closes (its flag not journaled yet): not journaled, the position skipped saying why', () => {
    const reason = 'BUY skipped: the group closed every position (exit all: mtm_stop)';
    expect(step(PLAN, snapshot({ exitAll: 'mtm_stop' }), { type: 'journal_entry', legNo: 0, scheduledAt: NOW })).toEqual({
      move: { to: 'SKIPPED', patch: { reason, lastAction: 'BUY_NOT_SENT', lastActionAt: NOW } },
      outcome: { halt: reason },
    });
    expect(step(SHORT, snapshot({ exitAll: 'unwind' }), { type: 'journal_entry', legNo: 0, scheduledAt: NOW }).outcome).toEqual({ halt: 'Short sale skipped: the group closed every position (exit all: unwind)' });
  });

  it('an entry in flight when the flag was written: its fill exits at once, no levels armed; an exit deferred for it goes by itself', () => {
    const buying = snapshot({ state: 'BUYING', exitAll: 'mtm_target', entry: entryRow({ status: 'accepted', filledQty: 0, fillPrice: null }) });
    const filled = { type: 'order_final', order: entryRow(), lasting: null, tickSize: null } as const;
    const held = { positionQty: 10, entryPrice: 100, lastAction: 'BUY_FILLED', lastActionAt: NOW };
    expect(step(PLAN, buying, filled)).toEqual({ move: { to: 'IN_POSITION', patch: held }, submit: [{ leg: 'SELL', scheduledAt: NOW }] });
    expect(step(PLAN, { ...buying, deferredExit: true }, filled)).toEqual({ move: { to: 'IN_POSITION', patch: held } });
  });

  it('the group\'s exit filled: SOLD with the group\'s reason; the position\'s own stop filled first keeps its own', () => {
    const exiting = holding({ state: 'EXITING', exitAll: 'mtm_stop', exit: exitRow({ status: 'accepted' }) });
    const sold = step(PLAN, exiting, { type: 'order_final', order: exitRow({ status: 'filled', filledQty: 10, fillPrice: 90 }), lasting: null, tickSize: null });
    expect(sold.move).toMatchObject({ to: 'SOLD', patch: { reason: "closed with the group: the positions' combined MTM reached the MTM stop (mtm_stop)" } });
    const stopped = step(PLAN, exiting, { type: 'order_final', order: exitRow({ leg: 'STOPLOSS', status: 'filled', filledQty: 10, fillPrice: 90 }), lasting: null, tickSize: null });
    expect(stopped.move).toMatchObject({ to: 'EXITED_BY_SL', patch: { reason: null } });
    const unwound = step(PLAN, { ...exiting, exitAll: 'unwind' }, { type: 'order_final', order: exitRow({ status: 'filled', filledQty: 10, fillPrice: 90 }), lasting: null, tickSize: null });
    expect(unwound.move?.patch.reason).toMatch(/^closed with the group: a position was not entered/);
  });
});

describe('stop_to_cost', () => {
  it('moves a short\'s stop down to its entry and arms it there, saying so', () => {
    const levels = resolveLevels(SHORT, 100, 0.05);
    expect(levels.stop).toBe(130);
    const s = step(SHORT, holding({ levels }), { type: 'stop_to_cost' });
    const moved = { ...levels, stop: 100, stopKind: 'STOPLOSS', costAt: null };
    expect(s.patch).toEqual({ levels: moved });
    expect(s.triggers).toEqual({ set: [{ kind: 'STOPLOSS', level: 100, dir: 'up' }] });
    expect(s.events).toEqual([expect.objectContaining({ type: 'stop_moved', why: 'cost', from: 130, to: 100 })]);
  });

  it('moves a long\'s stop up, never loosens one at or past the entry, and moves nothing once the position is not held', () => {
    const levels = resolveLevels(PLAN, 100, null);
    expect(step(PLAN, holding({ levels }), { type: 'stop_to_cost' }).patch).toEqual({ levels: { ...levels, stop: 100, costAt: null } });
    expect(step(PLAN, holding({ levels: { ...levels, stop: 101 } }), { type: 'stop_to_cost' })).toEqual({});
    expect(step(PLAN, holding({ state: 'EXITING', levels }), { type: 'stop_to_cost' })).toEqual({});
    expect(step(PLAN, holding({ levels: null }), { type: 'stop_to_cost' })).toEqual({});
  });
});
