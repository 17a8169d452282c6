import { describe, expect, it } from 'vitest';
import { step } from './step';
import { entryRow, NOW, PLAN, snapshot } from './test-support';

const due = { type: 'entry_due', scheduledAt: NOW - 1_000, lateByMs: 1_000, lastPrice: 100, dueLabel: '2023-11-14 22:13:19 GMT' } as const;

describe('entry due', () => {
  it('submits the BUY at its scheduled instant when within grace and above the stop', () => {
    expect(step(PLAN, snapshot(), due)).toEqual({ submit: [{ leg: 'BUY', scheduledAt: NOW - 1_000 }] });
    expect(step(PLAN, snapshot(), { ...due, lastPrice: null })).toEqual({ submit: [{ leg: 'BUY', scheduledAt: NOW - 1_000 }] });
  });

  it('misses a BUY later than its grace, saying when it was due and how late', () => {
    const s = step(PLAN, snapshot(), { ...due, lateByMs: 60_001 });
    expect(s.move).toEqual({ to: 'MISSED_BUY', patch: { reason: 'BUY was due at 2023-11-14 22:13:19 GMT and the engine was 60 s late (grace 60 s): not chased' } });
    expect(s.events).toEqual([{ type: 'buy_missed', userId: 1, strategyId: 3, runId: 7, at: NOW, lateByMs: 60_001 }]);
    expect(s.submit).toBeUndefined();
    expect(step(PLAN, snapshot(), { ...due, lateByMs: 60_000 }).submit).toHaveLength(1);
  });

  it('skips a BUY whose last price is at or below the stop', () => {
    const s = step(PLAN, snapshot(), { ...due, lastPrice: 95 });
    expect(s.move).toEqual({ to: 'SKIPPED', patch: { reason: 'BUY skipped: last price 95 was already at or below the stop-loss 95' } });
    expect(s.events).toEqual([{ type: 'buy_skipped', userId: 1, strategyId: 3, runId: 7, at: NOW, lastPrice: 95, stopLoss: 95, target: null, side: 'buy' }]);
    expect(step(PLAN, snapshot(), { ...due, lastPrice: 95.01 }).submit).toHaveLength(1);
  });

  it('skips a BUY whose last price is already at or above a target given as a price: it would exit at once', () => {
    const plan = { ...PLAN, target: 110 };
    const s = step(plan, snapshot(), { ...due, lastPrice: 110 });
    expect(s.move).toEqual({ to: 'SKIPPED', patch: { reason: 'BUY skipped: last price 110 was already at or above the target 110' } });
    expect(s.events).toEqual([{ type: 'buy_skipped', userId: 1, strategyId: 3, runId: 7, at: NOW, lastPrice: 110, stopLoss: 95, target: 110, side: 'buy' }]);
    expect(step(plan, snapshot(), { ...due, lastPrice: 109.99 }).submit).toHaveLength(1);
  });

  it('a short sale is skipped with its stop above and its target below: the last price at or above the stop, or at or below the target', () => {
    const short = { ...PLAN, side: 'short', stopLoss: 105, target: 95 } as const;
    expect(step(short, snapshot(), { ...due, lastPrice: 105 }).move).toEqual({ to: 'SKIPPED', patch: { reason: 'Short sale skipped: last price 105 was already at or above the stop-loss 105' } });
    expect(step(short, snapshot(), { ...due, lastPrice: 95 }).move).toEqual({ to: 'SKIPPED', patch: { reason: 'Short sale skipped: last price 95 was already at or below the target 95' } });
    expect(step(short, snapshot(), { ...due, lastPrice: 105 }).events).toMatchObject([{ type: 'buy_skipped', side: 'sell', stopLoss: 105, target: null }]);
    expect(step(short, snapshot(), { ...due, lastPrice: 100 }).submit).toEqual([{ leg: 'BUY', scheduledAt: NOW - 1000 }]);
    expect(step(short, snapshot(), { type: 'journal_entry', legNo: 0, scheduledAt: NOW }).place?.side).toBe('sell');
  });

  it('a stop or target given as a distance skips nothing before the fill: it is measured from it', () => {
    const plan = { ...PLAN, stopLoss: 2, stopLossMode: 'percent', target: 3, targetMode: 'points' } as const;
    expect(step(plan, snapshot(), { ...due, lastPrice: 1 }).submit).toHaveLength(1);
    expect(step(plan, snapshot(), { ...due, lastPrice: 500 }).submit).toHaveLength(1);
  });

  it('does nothing unless the run is ARMED', () => {
    for (const state of ['BUYING', 'IN_POSITION', 'STOPPED', 'MISSED_BUY'] as const) expect(step(PLAN, snapshot({ state }), due)).toEqual({});
  });
});

describe('journaling the entry', () => {
  it('places one BUY of the plan from ARMED and moves the run to BUYING', () => {
    expect(step(PLAN, snapshot(), { type: 'journal_entry', legNo: 0, scheduledAt: NOW - 5 })).toEqual({
      place: { legNo: 0, slot: 'entry', attempt: 1, leg: 'BUY', side: 'buy', qty: 10, where: { brokerAccountId: 1, symbol: 'AAPL', exchange: 'NASDAQ' }, scheduledAt: NOW - 5 },
      move: { to: 'BUYING', patch: { lastAction: 'BUY', lastActionAt: NOW } },
    });
  });

  it('drops a second BUY: one entry per run', () => {
    for (const state of ['BUYING', 'IN_POSITION', 'EXITING', 'SOLD'] as const) {
      expect(step(PLAN, snapshot({ state }), { type: 'journal_entry', legNo: 0, scheduledAt: NOW })).toEqual({ outcome: { drop: `BUY not sent: run is ${state}` } });
    }
  });
});

describe('the entry ends', () => {
  const buying = (over = {}) => snapshot({ state: 'BUYING', entry: entryRow(), ...over });
  const final = (over = {}) => ({ type: 'order_final', order: entryRow(over), lasting: null, tickSize: 0.05 }) as const;

  const STOP_95 = { kind: 'STOPLOSS', level: 95, dir: 'down' } as const;

  it('a fill opens the position with its quantity and price, keeps its levels and arms the plan\'s stop', () => {
    expect(step(PLAN, buying(), final({ filledQty: 7, fillPrice: 101 }))).toEqual({
      move: {
        to: 'IN_POSITION',
        patch: { positionQty: 7, entryPrice: 101, lastAction: 'BUY_FILLED', lastActionAt: NOW, levels: { entry: 101, tick: 0.05, stop: 95, stopKind: 'STOPLOSS', target: null, trail: null, costAt: null } },
      },
      triggers: { set: [STOP_95] },
    });
  });

  it('a fill resolves levels given as distances from its price, on the tick, and arms the stop below, the target and the next ratchet above', () => {
    const plan = { ...PLAN, stopLoss: 1.5, stopLossMode: 'percent', target: 4, targetMode: 'points', trail: 2, trailMode: 'points', moveStopToCostAfter: 1, moveStopToCostMode: 'percent' } as const;
    const s = step(plan, buying(), final({ fillPrice: 101.3 }));
    // Stop 101.3 × 0.985 = 99.7805 → 99.75 (away from the fill); the trail 101.3 − 2 = 99.3 is looser, so the stop stays the stop-loss.
    expect(s.move?.patch.levels).toEqual({ entry: 101.3, tick: 0.05, stop: 99.75, stopKind: 'STOPLOSS', target: 105.3, trail: { offset: 2, mode: 'points', best: 101.3 }, costAt: 102.35 });
    // The next ratchet: the trail moves the stop past 99.75 from a best of 101.8; the move to cost comes later, at 102.35.
    // And the levels themselves, live: the market listener moves them at the tick from now on.
    expect(s.triggers).toEqual({ set: [{ kind: 'STOPLOSS', level: 99.75, dir: 'down' }, { kind: 'TARGET', level: 105.3, dir: 'up' }, { kind: 'RATCHET', level: 101.8, dir: 'up' }], live: { side: 'long', levels: s.move?.patch.levels } });
  });

  it('a fill the broker gave no price for arms the levels given as prices; with one given as a distance the run is an ERROR for the trader', () => {
    expect(step({ ...PLAN, target: 110 }, buying(), final({ fillPrice: null }))).toMatchObject({
      move: { to: 'IN_POSITION', patch: { positionQty: 10, entryPrice: null } },
      triggers: { set: [STOP_95, { kind: 'TARGET', level: 110, dir: 'up' }] },
    });
    const s = step({ ...PLAN, trail: 1 }, buying(), final({ fillPrice: null }));
    expect(s.move?.to).toBe('ERROR');
    expect(s.move?.patch.reason).toMatch(/^BUY filled 10 but the broker gave no fill price/);
    expect(s.triggers).toBeUndefined();
    const short = step({ ...PLAN, side: 'short', stopLoss: 105, trail: 1 }, buying(), final({ side: 'sell', fillPrice: null }));
    expect(short.move?.patch.reason).toBe(
      'Short sale filled 10 but the broker gave no fill price, so the exits given as distances from it cannot be placed: a position of 10 is open without them. Press STOP to buy back, or close it at the broker',
    );
  });

  it('a fill after the SELL time exits at once, before the stop is armed, unless an exit already waits for the fill', () => {
    const late = step(PLAN, buying({ sellAt: NOW }), final());
    expect(late.submit).toEqual([{ leg: 'SELL', scheduledAt: NOW }]);
    expect(late.triggers).toEqual({ set: [STOP_95] });
    expect(Object.keys(late)).toEqual(['move', 'submit', 'triggers']);
    expect(step(PLAN, buying({ sellAt: NOW, deferredExit: true }), final()).submit).toBeUndefined();
  });

  it('a fill after the trader pressed STOP closes the position at once and arms no stop', () => {
    const s = step(PLAN, buying({ stopRequested: true, sellAt: NOW - 1 }), final());
    expect(s.submit).toEqual([{ leg: 'MANUAL_EXIT', scheduledAt: NOW }]);
    expect(s.triggers).toBeUndefined();
  });

  it('a fill after the trader pressed STOP and keep: STOPPED holding the fill, left open, no exit and no stop armed', () => {
    const s = step(PLAN, buying({ stopRequested: true, stopKeep: true, sellAt: NOW - 1 }), final({ filledQty: 7, fillPrice: 101 }));
    expect(s).toEqual({
      move: { to: 'STOPPED', patch: { positionQty: 7, entryPrice: 101, lastAction: 'BUY_FILLED', lastActionAt: NOW, reason: "stopped by the trader; position of 7 left open at the trader's request" } },
    });
  });

  it('a refused BUY is an ERROR naming the reason, or STOPPED when the trader asked', () => {
    expect(step(PLAN, buying(), final({ status: 'rejected', filledQty: 0, fillPrice: null, rejectReason: 'insufficient funds' }))).toEqual({
      move: { to: 'ERROR', patch: { reason: 'BUY rejected: insufficient funds', lastAction: 'BUY_REJECTED', lastActionAt: NOW } },
    });
    expect(step(PLAN, buying({ stopRequested: true }), final({ status: 'cancelled', filledQty: 0, fillPrice: null })).move).toEqual({
      to: 'STOPPED',
      patch: { reason: 'stopped by the trader; BUY cancelled: no reason given', lastAction: 'BUY_REJECTED', lastActionAt: NOW },
    });
    // STOP and keep: nothing was bought, so nothing to keep; STOPPED all the same.
    expect(step(PLAN, buying({ stopRequested: true, stopKeep: true }), final({ status: 'rejected', filledQty: 0, fillPrice: null, rejectReason: 'no margin' })).move).toEqual({
      to: 'STOPPED',
      patch: { reason: 'stopped by the trader; BUY rejected: no margin', lastAction: 'BUY_REJECTED', lastActionAt: NOW },
    });
  });

  it('a report that does not fit the run leaves it as is', () => {
    expect(step(PLAN, snapshot({ state: 'MISSED_BUY' }), final())).toEqual({ outcome: { drop: 'order report does not fit the run state; run left as is' } });
  });

  it('an unsent entry given up is MISSED_BUY or STOPPED with its reason, never an ERROR', () => {
    expect(step(PLAN, buying(), { type: 'entry_abandoned', to: 'MISSED_BUY', reason: 'not sent within its grace' }).move).toEqual({
      to: 'MISSED_BUY',
      patch: { reason: 'BUY not sent within its grace', lastAction: 'BUY_NOT_SENT', lastActionAt: NOW },
    });
    expect(step(PLAN, buying(), { type: 'entry_abandoned', to: 'STOPPED', reason: 'stopped by the trader' }).move?.patch.reason).toBe('stopped by the trader');
    expect(step(PLAN, snapshot({ state: 'IN_POSITION' }), { type: 'entry_abandoned', to: 'MISSED_BUY', reason: 'x' })).toEqual({});
  });
});
