import { describe, expect, it } from 'vitest';
import { asOrderId } from '../ids';
import { step } from './step';
import { entryRow, exitRow, holding, NOW, PLAN, snapshot } from './test-support';
import type { ExitKind, RunPlan, RunSnapshot } from './types';

/** Two re-entries after a stop-loss, points stop of 3 (a price stop would be reached again at once). */
const RE: RunPlan = { ...PLAN, reentries: 2, reentryAfter: 'stop_loss', stopLoss: 3, stopLossMode: 'points' };
const CUTOFF = NOW + 600_000;
const SCOPE = { userId: 1, strategyId: 3, runId: 7, at: NOW };
const day = { reentryCutoffAt: CUTOFF };

/** Leg `legNo`'s exit of `leg` at the broker, the run EXITING; `order` is that exit reported final. */
function exiting(leg: ExitKind, over: Partial<RunSnapshot> = {}, legNo = 0) {
  const exit = exitRow({ leg, legNo, status: 'accepted' });
  const s = holding({ ...day, state: 'EXITING', legNo, entry: entryRow({ legNo }), exit, ...over });
  return { s, order: { ...exit, status: 'filled' as const, filledQty: 10, fillPrice: 97 } };
}
const final = (order: ReturnType<typeof exiting>['order']) => ({ type: 'order_final', order, lasting: null, tickSize: null }) as const;

/** Flat between legs, waiting for leg `legNo`, the last leg ended by `exitLeg`. */
const waiting = (over: Partial<RunSnapshot> = {}) => snapshot({ ...day, state: 'WAITING_REENTRY', legNo: 1, reentryAt: NOW, exitLeg: 'STOPLOSS', exitPrice: 97, entryPrice: 100, ...over });
const due = (over: { lateByMs?: number; lastPrice?: number | null } = {}) => ({ type: 'reentry_due', scheduledAt: NOW, lateByMs: 0, lastPrice: 101, dueLabel: '10:15:00', ...over }) as const;
const journalEntry = { type: 'journal_entry', legNo: 1, scheduledAt: NOW } as const;

/** How a run waiting for re-entry 1 of 2 ends, by its last leg's stop-loss, and why. */
function endedBySl(why: string, over: { legNo?: number; of?: number; how?: string; to?: string } = {}) {
  const { legNo = 1, of = 2, how = 'by its stop-loss', to = 'EXITED_BY_SL' } = over;
  return {
    move: { to, patch: { reason: `re-entry ${legNo} of ${of} not made: ${why}; the run ends as its last leg did, ${how}`, reentryAt: null, lastActionAt: NOW } },
    events: [{ ...SCOPE, type: 'reentry_skipped', legNo, reason: why }],
  };
}

describe('an exit that empties the position', () => {
  it('by a stop-loss, re-entries left and the cut-off ahead: the run waits for its next leg, due at once, its levels and triggers cleared', () => {
    const { s, order } = exiting('STOPLOSS');
    expect(step(RE, s, final(order))).toEqual({
      move: { to: 'WAITING_REENTRY', patch: { positionQty: 0, exitLeg: 'STOPLOSS', reason: null, exitPrice: 97, lastAction: 'STOPLOSS_FILLED', lastActionAt: NOW, levels: null, legNo: 1, reentryAt: NOW } },
      events: [{ ...SCOPE, type: 'reentry_scheduled', legNo: 1, of: 2, dueAt: NOW, after: 'STOPLOSS' }],
      triggers: { set: [] },
      timers: [{ set: 'reentry', at: NOW }],
    });
  });

  it('a trailing stop counts as a stop-loss; either takes a target too; the second leg may be followed by the third', () => {
    const trail = exiting('TRAIL_STOP');
    expect(step(RE, trail.s, final(trail.order)).move?.to).toBe('WAITING_REENTRY');
    const target = exiting('TARGET', {}, 1);
    expect(step({ ...RE, reentryAfter: 'either' }, target.s, final(target.order)).move).toMatchObject({ to: 'WAITING_REENTRY', patch: { legNo: 2, exitLeg: 'TARGET' } });
    expect(step({ ...RE, reentryAfter: 'target' }, target.s, final(target.order)).move?.to).toBe('WAITING_REENTRY');
  });

  it('the target reached at the broker (BACKSTOP_TARGET, a two-leg backstop\'s take-profit) is a target: re-entry after target or either, else EXITED_BY_TARGET', () => {
    const atBroker = exiting('BACKSTOP_TARGET');
    expect(step({ ...RE, reentryAfter: 'target' }, atBroker.s, final(atBroker.order)).move).toMatchObject({ to: 'WAITING_REENTRY', patch: { exitLeg: 'BACKSTOP_TARGET' } });
    expect(step({ ...RE, reentryAfter: 'either' }, atBroker.s, final(atBroker.order)).move?.to).toBe('WAITING_REENTRY');
    expect(step(RE, atBroker.s, final(atBroker.order)).move).toMatchObject({ to: 'EXITED_BY_TARGET', patch: { exitLeg: 'BACKSTOP_TARGET', positionQty: 0 } });
    expect(step(RE, waiting({ exitLeg: 'BACKSTOP_TARGET' }), due({ lateByMs: 90_000 }))).toMatchObject({ move: { to: 'EXITED_BY_TARGET' } });
  });

  it('by an exit reentry_after does not name: the run ends by that exit, as without re-entries', () => {
    const target = exiting('TARGET');
    expect(step(RE, target.s, final(target.order)).move).toMatchObject({ to: 'EXITED_BY_TARGET', patch: { exitLeg: 'TARGET', positionQty: 0 } });
    const stop = exiting('STOPLOSS');
    expect(step({ ...RE, reentryAfter: 'target' }, stop.s, final(stop.order)).move?.to).toBe('EXITED_BY_SL');
    for (const leg of ['SELL', 'MANUAL_EXIT'] as const) {
      const { s, order } = exiting(leg);
      expect(step({ ...RE, reentryAfter: 'either' }, s, final(order)).move?.to).toBe(leg === 'SELL' ? 'SOLD' : 'STOPPED');
    }
  });

  it('of the last leg the day allows (legNo == reentries), or with no re-entries planned: the run ends', () => {
    const last = exiting('STOPLOSS', {}, 2);
    expect(step(RE, last.s, final(last.order)).move).toMatchObject({ to: 'EXITED_BY_SL', patch: { exitLeg: 'STOPLOSS' } });
    const none = exiting('STOPLOSS');
    expect(step({ ...RE, reentries: 0 }, none.s, final(none.order)).move?.to).toBe('EXITED_BY_SL');
  });

  it('at or after the cut-off, the SELL time or the square-off, or with no cut-off set: the run ends', () => {
    for (const over of [{ reentryCutoffAt: NOW }, { reentryCutoffAt: NOW - 1 }, { reentryCutoffAt: null }, { sellAt: NOW }, { squareOffAt: NOW }]) {
      const { s, order } = exiting('STOPLOSS', over);
      expect(step(RE, s, final(order)).move?.to, JSON.stringify(over)).toBe('EXITED_BY_SL');
    }
  });

  it('with a STOP pending: the run ends by the exit, and no leg follows', () => {
    for (const stopKeep of [false, true]) {
      const { s, order } = exiting('STOPLOSS', { stopRequested: true, stopKeep });
      expect(step(RE, s, final(order)).move?.to).toBe('EXITED_BY_SL');
    }
  });

  it('that left shares held: the next attempt, as without re-entries', () => {
    const { s, order } = exiting('STOPLOSS');
    const part = step(RE, s, { type: 'order_final', order: { ...order, status: 'cancelled', filledQty: 4 }, lasting: false, tickSize: null });
    expect(part.move).toBeUndefined();
    expect(part.timers).toEqual([{ set: 'exit_retry', at: NOW + 1_000, leg: 'STOPLOSS' }]);
  });
});

describe('the next leg is due (reentry_due)', () => {
  it('goes, as the day\'s first entry does: the BUY submitted', () => {
    expect(step(RE, waiting(), due())).toEqual({ submit: [{ leg: 'BUY', scheduledAt: NOW }] });
  });

  it('past its grace: the run ends as its last leg ended (a target: EXITED_BY_TARGET)', () => {
    const why = 'it was due at 10:15:00 and the engine was 90 s late (grace 60 s)';
    expect(step(RE, waiting(), due({ lateByMs: 90_000 }))).toEqual(endedBySl(why));
    expect(step(RE, waiting({ exitLeg: 'TARGET' }), due({ lateByMs: 90_000 }))).toEqual(endedBySl(why, { how: 'at its target', to: 'EXITED_BY_TARGET' }));
    expect(step(RE, waiting({ exitLeg: 'TRAIL_STOP' }), due({ lateByMs: 90_000 }))).toEqual(endedBySl(why, { how: 'by its trailing stop' }));
    expect(step(RE, waiting(), due({ lateByMs: 60_000 }))).toEqual({ submit: [{ leg: 'BUY', scheduledAt: NOW }] });
  });

  it('at or after the cut-off, the SELL time or the square-off: the run ends, naming which', () => {
    expect(step(RE, waiting({ reentryCutoffAt: NOW }), due())).toEqual(endedBySl('the re-entry cut-off has passed'));
    expect(step(RE, waiting({ sellAt: NOW }), due())).toEqual(endedBySl('the SELL time has come'));
    expect(step(RE, waiting({ squareOffAt: NOW - 1 }), due())).toEqual(endedBySl('the square-off time has come'));
  });

  it('with a STOP pending: STOPPED, no order', () => {
    expect(step(RE, waiting({ stopRequested: true }), due())).toEqual({ move: { to: 'STOPPED', patch: { reason: 'stopped by the trader between legs', reentryAt: null } } });
  });

  it('a target given as a price that the last price has reached: the run ends (entering would exit at once)', () => {
    const plan: RunPlan = { ...RE, reentryAfter: 'target', target: 105, targetMode: 'price' };
    const s = waiting({ exitLeg: 'TARGET' });
    expect(step(plan, s, due({ lastPrice: 105 }))).toEqual(endedBySl('last price 105 was already at or above the target 105', { how: 'at its target', to: 'EXITED_BY_TARGET' }));
    expect(step(plan, s, due({ lastPrice: 104.95 }))).toEqual({ submit: [{ leg: 'BUY', scheduledAt: NOW }] });
    expect(step(plan, s, due({ lastPrice: null }))).toEqual({ submit: [{ leg: 'BUY', scheduledAt: NOW }] });
  });

  it('a short\'s price stop is above the price: reached from below, the run ends', () => {
    const plan: RunPlan = { ...RE, side: 'short', reentryAfter: 'target', stopLoss: 105, stopLossMode: 'price' };
    expect(step(plan, waiting({ exitLeg: 'TARGET' }), due({ lastPrice: 106 }))).toEqual(endedBySl('last price 106 was already at or above the stop-loss 105', { how: 'at its target', to: 'EXITED_BY_TARGET' }));
    expect(step(plan, waiting({ exitLeg: 'TARGET' }), due({ lastPrice: 104 }))).toEqual({ submit: [{ leg: 'BUY', scheduledAt: NOW }] });
  });

  it('in any other state: nothing (a stale timer)', () => {
    for (const s of [snapshot(), holding({ legNo: 1 }), snapshot({ state: 'EXITED_BY_SL' })]) expect(step(RE, s, due())).toEqual({});
  });
});

describe('journaling the next leg\'s entry', () => {
  it('places the leg the run waits for, attempt 1, on the plan\'s instrument, and starts it afresh', () => {
    expect(step(RE, waiting(), journalEntry)).toEqual({
      place: { legNo: 1, slot: 'entry', attempt: 1, leg: 'BUY', side: 'buy', qty: 10, where: { brokerAccountId: 1, symbol: 'AAPL', exchange: 'NASDAQ' }, scheduledAt: NOW },
      move: { to: 'BUYING', patch: { reentryAt: null, entryPrice: null, exitPrice: null, exitLeg: null, unsoldQty: 0, lastAction: 'BUY', lastActionAt: NOW } },
    });
  });

  it('a short re-enters selling first', () => {
    expect(step({ ...RE, side: 'short' }, waiting({ legNo: 2 }), { ...journalEntry, legNo: 2 }).place).toMatchObject({ legNo: 2, leg: 'BUY', side: 'sell' });
  });

  it('refuses at or after the cut-off, however late the entry was queued: not sent, the run ends as its last leg did', () => {
    const why = 'the re-entry cut-off has passed';
    const reason = `re-entry 1 of 2 not made: ${why}; the run ends as its last leg did, by its stop-loss`;
    expect(step(RE, waiting({ reentryCutoffAt: NOW }), journalEntry)).toEqual({ move: endedBySl(why).move, outcome: { halt: reason } });
    expect(step(RE, waiting({ reentryCutoffAt: NOW + 1 }), journalEntry).place?.legNo).toBe(1);
  });

  it('refuses a leg past the day\'s re-entries, and leg 0 from WAITING_REENTRY', () => {
    expect(step(RE, waiting({ legNo: 3 }), { ...journalEntry, legNo: 3 })).toMatchObject({ move: { to: 'EXITED_BY_SL' }, outcome: { halt: expect.stringContaining('all 2 re-entries of the day are used') } });
    expect(step(RE, waiting({ legNo: 0 }), { ...journalEntry, legNo: 0 })).toMatchObject({ move: { to: 'EXITED_BY_SL' }, outcome: { halt: expect.stringContaining('leg 0 is not a re-entry') } });
  });

  it('with a STOP pending: STOPPED, not sent', () => {
    expect(step(RE, waiting({ stopRequested: true }), journalEntry)).toEqual({ move: { to: 'STOPPED', patch: { reason: 'stopped by the trader between legs', reentryAt: null } }, outcome: { halt: 'stopped by the trader between legs' } });
  });

  it('a second entry of the leg is dropped once the first moved the run to BUYING', () => {
    expect(step(RE, waiting({ state: 'BUYING' }), journalEntry)).toEqual({ outcome: { drop: 'BUY not sent: run is BUYING' } });
  });
});

describe('an intent submitted for a leg since closed', () => {
  it('an exit (a retry timer or a queued exit of leg 0) closes nothing of leg 1: suppressed, naming both legs', () => {
    const leg1 = holding({ ...day, legNo: 1, entry: entryRow({ legNo: 1 }) });
    const stale = { type: 'journal_exit', leg: 'STOPLOSS', legNo: 0, scheduledAt: NOW } as const;
    expect(step(RE, leg1, stale)).toEqual({ outcome: { suppress: 'the STOPLOSS exit was for leg 0, which is closed; the run is on leg 1' } });
    expect(step(RE, leg1, { ...stale, legNo: 1 }).place).toMatchObject({ legNo: 1, slot: 'exit', attempt: 1, leg: 'STOPLOSS' });
  });

  it('an entry for another leg is dropped', () => {
    expect(step(RE, waiting({ legNo: 2 }), journalEntry)).toEqual({ outcome: { drop: 'BUY not sent: it was for leg 1, the run is on leg 2' } });
  });
});

describe('the next leg\'s entry fills', () => {
  it('its levels are resolved from its own fill, as leg 0\'s are', () => {
    const order = entryRow({ legNo: 1, fillPrice: 110, side: 'buy' });
    const s = snapshot({ ...day, state: 'BUYING', legNo: 1, entry: order });
    const done = step(RE, s, { type: 'order_final', order, lasting: null, tickSize: 0.05 });
    expect(done.move).toMatchObject({ to: 'IN_POSITION', patch: { positionQty: 10, entryPrice: 110, levels: { entry: 110, stop: 107 } } });
    expect(done.triggers?.set).toContainEqual({ kind: 'STOPLOSS', level: 107, dir: 'down' });
  });

  it('a report of another leg\'s order moves nothing', () => {
    const stale = exitRow({ id: asOrderId(20), legNo: 0, status: 'filled', filledQty: 10, fillPrice: 97 });
    expect(step(RE, holding({ legNo: 1, entry: entryRow({ legNo: 1 }) }), { type: 'order_final', order: stale, lasting: null, tickSize: null })).toEqual({
      outcome: { drop: "a report of leg 0's order while the run is on leg 1; run left as is" },
    });
  });
});

describe('between legs', () => {
  it('the SELL time: the run ends as its last leg ended, with no order', () => {
    const s = step(RE, waiting({ exitLeg: 'TARGET' }), { type: 'exit_due', leg: 'SELL', scheduledAt: NOW });
    expect(s).toEqual(endedBySl('the SELL time came first', { how: 'at its target', to: 'EXITED_BY_TARGET' }));
  });

  it('the trader\'s STOP, keeping or closing: STOPPED, nothing to close', () => {
    for (const closePosition of [true, false]) {
      expect(step(RE, waiting(), { type: 'stop_requested', closePosition })).toEqual({ move: { to: 'STOPPED', patch: { reason: 'stopped by the trader between legs', reentryAt: null } } });
    }
  });

  it('recovery: the re-entry timer at its time (or now) and the jobs; a stopped strategy or a STOP pending ends it STOPPED', () => {
    const recovered = (strategyRunning: boolean) => ({ type: 'recovered', strategyRunning, bestSinceEntry: null }) as const;
    expect(step(RE, waiting({ reentryAt: NOW - 5_000 }), recovered(true))).toEqual({ timers: [{ set: 'reentry', at: NOW - 5_000 }, { set: 'jobs' }] });
    expect(step(RE, waiting({ reentryAt: null }), recovered(true))).toEqual({ timers: [{ set: 'reentry', at: NOW }, { set: 'jobs' }] });
    const stopped = { move: { to: 'STOPPED', patch: { reason: 'stopped by the trader between legs', reentryAt: null } } };
    expect(step(RE, waiting(), recovered(false))).toEqual(stopped);
    expect(step(RE, waiting({ stopRequested: true }), recovered(true))).toEqual(stopped);
  });
});

describe('recovery while a leg\'s exit is under way', () => {
  const recovered = { type: 'recovered', strategyRunning: true, bestSinceEntry: null } as const;

  it('puts the jobs back while another leg may follow, whichever exit is under way: the next leg\'s position needs its time exit', () => {
    expect(step(RE, exiting('STOPLOSS').s, recovered)).toEqual({ timers: [{ set: 'jobs' }] });
    expect(step(RE, exiting('TARGET').s, recovered)).toEqual({ timers: [{ set: 'jobs' }] });
    const retry = exiting('TRAIL_STOP', { exit: exitRow({ leg: 'TRAIL_STOP', status: 'rejected' }) }).s;
    expect(step(RE, retry, recovered)).toEqual({ timers: [{ set: 'exit_retry', at: NOW, leg: 'TRAIL_STOP' }, { set: 'jobs' }] });
  });

  it('leaves them when no leg may follow (the last leg, a stopped strategy)', () => {
    expect(step(RE, exiting('STOPLOSS', {}, 2).s, recovered)).toEqual({});
    expect(step({ ...RE, reentries: 0 }, exiting('STOPLOSS').s, recovered)).toEqual({});
    expect(step(RE, exiting('STOPLOSS').s, { ...recovered, strategyRunning: false })).toEqual({});
  });
});

describe('a crossing', () => {
  const crossing = (legNo: number) => ({ type: 'trigger_crossed', kind: 'STOPLOSS', legNo, price: 94, level: 95, tickAt: NOW, at: NOW }) as const;

  it('of another leg than the run\'s is ignored', () => {
    expect(step(RE, holding({ legNo: 1 }), crossing(0))).toEqual({});
    expect(step(RE, waiting(), crossing(0))).toEqual({});
  });

  it('keeps the time exit while another leg may follow (the next leg needs it), cancels it on the last leg', () => {
    expect(step(RE, holding(), crossing(0)).timers).toBeUndefined();
    expect(step(RE, holding({ legNo: 2 }), crossing(2)).timers).toEqual([{ cancel: 'time_exit' }]);
    expect(step({ ...RE, reentries: 0 }, holding(), crossing(0)).timers).toEqual([{ cancel: 'time_exit' }]);
  });

  it('keeps it too for a target crossed when only a stop-loss allows a re-entry: a stop crossed after may win the race and re-enter', () => {
    const target = { type: 'trigger_crossed', kind: 'TARGET', legNo: 0, price: 106, level: 106, tickAt: NOW, at: NOW } as const;
    expect(step({ ...RE, reentryAfter: 'stop_loss' }, holding(), target).timers).toBeUndefined();
  });
});

describe('a position of a group whose "exit all" is journaled (issue 19)', () => {
  const why = 'the group closed every position (exit all: mtm_stop)';

  it('its stop\'s exit filling after the flag ends the position: no next leg, whatever re-entries are left', () => {
    const { s, order } = exiting('STOPLOSS', { exitAll: 'mtm_stop' });
    expect(step(RE, s, final(order)).move).toMatchObject({ to: 'EXITED_BY_SL', patch: { positionQty: 0, exitLeg: 'STOPLOSS' } });
    // Without the flag the same exit waits for the next leg.
    expect(step(RE, exiting('STOPLOSS').s, final(order)).move?.to).toBe('WAITING_REENTRY');
  });

  it('between legs: the next leg is not made, at its timer, at its journal, or at the group\'s exit, each saying why', () => {
    const flagged = waiting({ exitAll: 'mtm_stop' });
    expect(step(RE, flagged, due())).toEqual(endedBySl(why));
    expect(step(RE, flagged, journalEntry)).toEqual({ move: endedBySl(why).move, outcome: { halt: endedBySl(why).move.patch.reason } });
    expect(step(RE, flagged, { type: 'exit_due', leg: 'SELL', scheduledAt: NOW })).toEqual(endedBySl(why));
    // Unflagged, the SELL time ends it for the SELL time.
    expect(step(RE, waiting(), { type: 'exit_due', leg: 'SELL', scheduledAt: NOW })).toEqual(endedBySl('the SELL time came first'));
  });

  it('a restart between legs after the flag: the timer set again ends the run at once, sending nothing', () => {
    const flagged = waiting({ exitAll: 'unwind' });
    expect(step(RE, flagged, { type: 'recovered', strategyRunning: true, bestSinceEntry: null })).toEqual({ timers: [{ set: 'reentry', at: NOW }, { set: 'jobs' }] });
    expect(step(RE, flagged, due()).move?.patch.reason).toBe('re-entry 1 of 2 not made: the group closed every position (exit all: unwind); the run ends as its last leg did, by its stop-loss');
  });
});
