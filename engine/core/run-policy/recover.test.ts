import { describe, expect, it } from 'vitest';
import { resolveLevels } from './levels';
import { step } from './step';
import { exitRow, holding, NOW, PLAN, snapshot } from './test-support';

const recovered = (strategyRunning = true, bestSinceEntry: number | null = null) => ({ type: 'recovered', strategyRunning, bestSinceEntry }) as const;
const CLOSE = { submit: [{ leg: 'MANUAL_EXIT', scheduledAt: NOW }] };

describe('a run found unfinished at start', () => {
  it('ARMED or BUYING: its jobs again; an ARMED run of a stopped strategy is STOPPED', () => {
    expect(step(PLAN, snapshot(), recovered())).toEqual({ timers: [{ set: 'jobs' }] });
    expect(step(PLAN, snapshot({ state: 'BUYING' }), recovered())).toEqual({ timers: [{ set: 'jobs' }] });
    expect(step(PLAN, snapshot(), recovered(false))).toEqual({ move: { to: 'STOPPED', patch: { reason: 'stopped by the trader before the BUY' } } });
    expect(step(PLAN, snapshot({ state: 'BUYING' }), recovered(false))).toEqual({});
  });

  it('IN_POSITION: the stop armed before the jobs, or closed at once if STOP was asked or the strategy stopped', () => {
    const s = step(PLAN, holding(), recovered());
    expect(s).toEqual({ triggers: { set: [{ kind: 'STOPLOSS', level: 95, dir: 'down' }] }, timers: [{ set: 'jobs' }] });
    expect(step(PLAN, holding({ stopRequested: true }), recovered())).toEqual(CLOSE);
    expect(step(PLAN, holding(), recovered(false))).toEqual(CLOSE);
  });

  it('EXITING with the last attempt final and shares held: the next attempt now, as that attempt\'s leg', () => {
    expect(step(PLAN, holding({ state: 'EXITING', exit: exitRow({ leg: 'STOPLOSS', status: 'rejected' }) }), recovered())).toEqual({ timers: [{ set: 'exit_retry', at: NOW, leg: 'STOPLOSS' }] });
    expect(step(PLAN, holding({ state: 'EXITING', exit: exitRow({ status: 'unknown' }) }), recovered())).toEqual({});
    // Recovered past the square-off: that attempt is the square-off.
    expect(step(PLAN, holding({ state: 'EXITING', squareOffAt: NOW - 1, exit: exitRow({ leg: 'STOPLOSS', status: 'rejected' }) }), recovered())).toEqual({ timers: [{ set: 'exit_retry', at: NOW, leg: 'SQUARE_OFF' }] });
  });

  it('ERROR waits for the trader unless the trader\'s STOP is still to be carried out', () => {
    expect(step(PLAN, holding({ state: 'ERROR', exit: exitRow({ status: 'rejected' }) }), recovered())).toEqual({});
    expect(step(PLAN, holding({ state: 'ERROR', stopRequested: true, exit: exitRow({ status: 'rejected' }) }), recovered())).toEqual(CLOSE);
    expect(step(PLAN, holding({ state: 'ERROR', stopRequested: true }), recovered())).toEqual(CLOSE);
    expect(step(PLAN, holding({ state: 'ERROR', stopRequested: true, exit: exitRow({ leg: 'MANUAL_EXIT', status: 'rejected' }) }), recovered())).toEqual({});
    expect(step(PLAN, holding({ state: 'ERROR', stopRequested: true, positionQty: 0 }), recovered())).toEqual({});
  });

  it('the trader\'s STOP and keep still to be carried out: STOPPED with the position left open, never an exit', () => {
    const kept = { stopRequested: true, stopKeep: true };
    const leftOpen = { move: { to: 'STOPPED', patch: { reason: "stopped by the trader; position of 10 left open at the trader's request" } } };
    expect(step(PLAN, holding({ ...kept }), recovered(false))).toEqual(leftOpen);
    expect(step(PLAN, holding({ ...kept, state: 'ERROR', exit: exitRow({ status: 'rejected' }) }), recovered(false))).toEqual(leftOpen);
    expect(step(PLAN, holding({ ...kept, state: 'EXITING', exit: exitRow({ status: 'rejected' }) }), recovered(false))).toEqual(leftOpen);
    // An order still at the broker decides, as for close; a BUY in flight is the reconciler's.
    expect(step(PLAN, holding({ ...kept, state: 'EXITING', exit: exitRow({ status: 'accepted' }) }), recovered(false))).toEqual({});
    expect(step(PLAN, snapshot({ ...kept, state: 'BUYING' }), recovered(false))).toEqual({});
  });

  it('IN_POSITION with levels kept: they are armed as kept, the trail moved on to a best price recorded since (max of kept and bars)', () => {
    const plan = { ...PLAN, stopLoss: 90, trail: 2, target: 2, targetMode: 'points' } as const;
    const levels = { ...resolveLevels(plan, 100, 0.05), stop: 99, trail: { offset: 2, mode: 'points', best: 101 } } as const;
    expect(step(plan, holding({ levels }), recovered())).toEqual({
      triggers: { set: [{ kind: 'TRAIL_STOP', level: 99, dir: 'down' }, { kind: 'TARGET', level: 102, dir: 'up' }, { kind: 'RATCHET', level: 101.05, dir: 'up' }], live: { side: 'long', levels } },
      timers: [{ set: 'jobs' }],
    });
    // Bars recorded 101.6 after the levels were last written: the trail is at 99.6, and that is kept.
    const s = step(plan, holding({ levels }), recovered(true, 101.6));
    expect(s.patch).toEqual({ levels: { ...levels, stop: 99.6, trail: { offset: 2, mode: 'points', best: 101.6 } } });
    expect(s.triggers?.set[0]).toEqual({ kind: 'TRAIL_STOP', level: 99.6, dir: 'down' });
    // Bars below the kept best change nothing.
    expect(step(plan, holding({ levels }), recovered(true, 100.5)).patch).toBeUndefined();
  });

  it('IN_POSITION from before levels were kept: the plan\'s price levels, or levels given as distances resolved from the entry price', () => {
    expect(step({ ...PLAN, target: 110 }, holding(), recovered()).triggers).toEqual({ set: [{ kind: 'STOPLOSS', level: 95, dir: 'down' }, { kind: 'TARGET', level: 110, dir: 'up' }] });
    const s = step({ ...PLAN, stopLoss: 3, stopLossMode: 'points' }, holding({ entryPrice: 100 }), recovered());
    expect(s.patch?.levels).toMatchObject({ entry: 100, stop: 97, tick: null });
  });
});
