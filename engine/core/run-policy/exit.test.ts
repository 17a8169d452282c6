import { describe, expect, it } from 'vitest';
import { averageExitPrice, EXIT_RETRY_MS, planExit } from './exit';
import { resolveLevels } from './levels';
import { step } from './step';
import { MAX_EXIT_ATTEMPTS } from '../ids';
import { entryRow, exitRow, holding, NOW, PLAN, snapshot } from './test-support';

const journal = (leg: 'SELL' | 'STOPLOSS' | 'MANUAL_EXIT' = 'SELL', heldAtBroker?: number) =>
  ({ type: 'journal_exit', leg, legNo: 0, scheduledAt: NOW - 3, ...(heldAtBroker === undefined ? {} : { heldAtBroker }) }) as const;
const SOLD_ON = { brokerAccountId: 2, symbol: 'MSFT', exchange: 'NASDAQ' };

describe('journaling an exit', () => {
  it('sells the position where it was bought, as attempt 1, and moves the run to EXITING', () => {
    expect(step(PLAN, holding(), journal('STOPLOSS'))).toEqual({
      place: { legNo: 0, slot: 'exit', attempt: 1, leg: 'STOPLOSS', side: 'sell', qty: 10, where: SOLD_ON, scheduledAt: NOW - 3 },
      move: { to: 'EXITING', patch: { lastAction: 'STOPLOSS', lastActionAt: NOW } },
    });
  });

  it('suppresses a second exit while one is not final: the first to the journal wins', () => {
    for (const status of ['pending', 'sent', 'accepted', 'partially_filled', 'unknown'] as const) {
      const s = holding({ state: 'EXITING', exit: exitRow({ leg: 'STOPLOSS', status }) });
      expect(step(PLAN, s, journal('SELL'))).toEqual({ outcome: { suppress: 'STOPLOSS exit was already sent first' } });
    }
  });

  it('defers an exit while the BUY is in flight', () => {
    expect(step(PLAN, snapshot({ state: 'BUYING', entry: entryRow({ status: 'accepted', filledQty: 0 }) }), journal())).toEqual({ outcome: 'defer' });
  });

  it('suppresses an exit with no open position, naming the state', () => {
    for (const s of [snapshot(), holding({ positionQty: 0 }), holding({ state: 'SOLD' }), holding({ state: 'EXITING' })]) {
      expect(step(PLAN, s, journal()).outcome).toEqual({ suppress: `no open position (run is ${s.state})` });
    }
  });

  it('a new attempt follows a final one, numbered after it, for at most what the broker says is held', () => {
    const s = holding({ state: 'EXITING', positionQty: 6, exit: exitRow({ status: 'cancelled', attempt: 2, filledQty: 4 }) });
    expect(step(PLAN, s, journal('SELL'))).toEqual({
      place: { legNo: 0, slot: 'exit', attempt: 3, leg: 'SELL', side: 'sell', qty: 6, where: SOLD_ON, scheduledAt: NOW - 3 },
      patch: { lastAction: 'SELL_ATTEMPT_3', lastActionAt: NOW },
    });
    expect(step(PLAN, s, journal('SELL', 8)).place?.qty).toBe(6);
    expect(step(PLAN, s, journal('SELL', 2))).toEqual({
      place: { legNo: 0, slot: 'exit', attempt: 3, leg: 'SELL', side: 'sell', qty: 2, where: SOLD_ON, scheduledAt: NOW - 3 },
      patch: { lastAction: 'SELL_ATTEMPT_3', lastActionAt: NOW, positionQty: 2, unsoldQty: 4, reason: "Not at the broker: 4 of the 6 held by this run (the broker's fee taken in the asset bought, a remainder under one order step, or sold elsewhere); attempt 3 sells the 2 it holds" },
    });
  });

  it('a first attempt told what is held (a fee taken in the coin bought) sells that, and its fill ends the run SOLD saying what was left', () => {
    const bought = holding({ positionQty: 0.0015, entry: entryRow({ qty: 0.0015, filledQty: 0.0015 }) });
    const note = "Not at the broker: 0.00001 of the 0.0015 held by this run (the broker's fee taken in the asset bought, a remainder under one order step, or sold elsewhere); attempt 1 sells the 0.00149 it holds";
    const journaled = step(PLAN, bought, journal('SELL', 0.00149));
    expect(journaled).toEqual({
      place: { legNo: 0, slot: 'exit', attempt: 1, leg: 'SELL', side: 'sell', qty: 0.00149, where: SOLD_ON, scheduledAt: NOW - 3 },
      move: { to: 'EXITING', patch: { lastAction: 'SELL', lastActionAt: NOW, positionQty: 0.00149, unsoldQty: 0.00001, reason: note } },
    });
    const exiting = { ...bought, state: 'EXITING' as const, positionQty: 0.00149, unsoldQty: 0.00001, reason: note };
    const filled = exitRow({ qty: 0.00149, filledQty: 0.00149, fillPrice: 61_000, status: 'filled' });
    expect(step(PLAN, { ...exiting, exit: filled }, { type: 'order_final', order: filled, lasting: null, tickSize: null }).move).toEqual({
      to: 'SOLD',
      patch: { positionQty: 0, exitLeg: 'SELL', reason: note, exitPrice: 61_000, lastAction: 'SELL_FILLED', lastActionAt: NOW },
    });
    // The trader's STOP keeps it too; a reason of another kind (an earlier attempt's) is not kept.
    const manual = exitRow({ leg: 'MANUAL_EXIT', qty: 0.00149, filledQty: 0.00149, fillPrice: 61_000, status: 'filled' });
    expect(step(PLAN, { ...exiting, exit: manual }, { type: 'order_final', order: manual, lasting: null, tickSize: null }).move?.patch.reason).toBe(`stopped by the trader; position closed. ${note}`);
    expect(step(PLAN, { ...exiting, reason: 'SELL exit attempt 1 cancelled', exit: filled }, { type: 'order_final', order: filled, lasting: null, tickSize: null }).move?.patch.reason).toBeNull();
    // Held at least the position (the fee paid in BNB or the quote, or more of the coin in the account): the whole position sells.
    expect(step(PLAN, bought, journal('SELL', 0.0015))).toMatchObject({ place: { qty: 0.0015 }, move: { patch: { lastAction: 'SELL', lastActionAt: NOW } } });
    expect(step(PLAN, bought, journal('SELL', 2)).move?.patch).toEqual({ lastAction: 'SELL', lastActionAt: NOW });
  });

  it('halts when the broker holds nothing: ERROR, or a new reason on a run already in ERROR', () => {
    const exiting = holding({ state: 'EXITING', exit: exitRow({ status: 'rejected', attempt: 1 }) });
    const reason = 'no MSFT left to sell at the broker: the 10 still held by this run were sold or closed elsewhere (attempt 2 not sent). Check the broker; if it is closed, STOP and keep the position to end the run';
    expect(step(PLAN, exiting, journal('SELL', 0))).toEqual({ move: { to: 'ERROR', patch: { reason, lastAction: 'SELL_NOTHING_HELD', lastActionAt: NOW } }, outcome: { halt: reason } });
    expect(step(PLAN, { ...exiting, state: 'ERROR' }, journal('MANUAL_EXIT', 0))).toEqual({ patch: { reason, lastActionAt: NOW }, outcome: { halt: reason } });
  });

  it('from ERROR only the trader\'s STOP sells: a stop still armed, a stale retry or a queued time exit is not sent', () => {
    const s = holding({ state: 'ERROR', exit: exitRow({ status: 'cancelled', attempt: 1 }) });
    for (const leg of ['STOPLOSS', 'SELL'] as const) {
      expect(step(PLAN, s, journal(leg))).toEqual({ outcome: { suppress: `the run is in ERROR and waits for the trader (STOP sells); ${leg} not sent` } });
    }
    expect(step(PLAN, s, journal('MANUAL_EXIT')).place?.attempt).toBe(2);
  });

  it("from ERROR a short's suppressed exit says the STOP buys back", () => {
    const s = holding({ state: 'ERROR', entry: entryRow({ side: 'sell' }), exit: exitRow({ side: 'buy', status: 'cancelled', attempt: 1 }) });
    expect(step({ ...PLAN, side: 'short', stopLoss: 105 }, s, journal('STOPLOSS'))).toEqual({ outcome: { suppress: 'the run is in ERROR and waits for the trader (STOP buys back); STOPLOSS not sent' } });
  });

  it('an exit from ERROR (the trader\'s STOP) moves the run back to EXITING', () => {
    const s = holding({ state: 'ERROR', exit: exitRow({ status: 'rejected', attempt: 9 }) });
    expect(step(PLAN, s, journal('MANUAL_EXIT')).outcome).toEqual({ suppress: 'the exit was already tried 9 times: close the position of 10 at the broker' });
    expect(step(PLAN, holding({ state: 'ERROR', exit: exitRow({ status: 'rejected', attempt: 4 }) }), journal('MANUAL_EXIT')).move?.to).toBe('EXITING');
  });

  it('refuses an exit of a position the journal has no BUY for', () => {
    expect(planExit(holding({ entry: null }))).toEqual({ kind: 'none', reason: 'the journal holds no BUY for this position: close it at the broker' });
  });
});

describe('an exit sized on a spot reading short of the position (notSeen)', () => {
  const short = (heldAtBroker: number, notSeen: number) => ({ type: 'journal_exit', leg: 'SELL', legNo: 0, scheduledAt: NOW - 3, heldAtBroker, notSeen }) as const;
  const exiting = (over = {}) => holding({ state: 'EXITING', exit: exitRow(), ...over });
  const final = (over = {}) => ({ type: 'order_final', order: exitRow({ status: 'filled', ...over }), lasting: null, tickSize: null }) as const;

  it('sells what was read and books nothing unsold: the rest stays the run\'s', () => {
    expect(step(PLAN, holding(), short(4, 6))).toEqual({
      place: { legNo: 0, slot: 'exit', attempt: 1, leg: 'SELL', side: 'sell', qty: 4, where: SOLD_ON, scheduledAt: NOW - 3 },
      move: { to: 'EXITING', patch: { lastAction: 'SELL', lastActionAt: NOW } },
    });
  });

  it('that sale filled leaves the rest held: the next attempt reads again, after EXIT_RETRY_MS', () => {
    const s = step(PLAN, exiting(), final({ qty: 4, filledQty: 4, fillPrice: 99 }));
    expect(s.patch).toMatchObject({ positionQty: 6, reason: 'SELL exit attempt 1 filled (4 of 10 sold): 6 not seen free at the broker yet. Attempt 2 sells the 6 still held' });
    expect(s.timers).toEqual([{ set: 'exit_retry', at: NOW + EXIT_RETRY_MS[0], leg: 'SELL' }]);
  });

  it('the attempts run out: ERROR naming what was not seen free', () => {
    const s = step(PLAN, exiting(), final({ qty: 4, filledQty: 4, fillPrice: 99, attempt: MAX_EXIT_ATTEMPTS }));
    expect(s.move?.to).toBe('ERROR');
    expect(s.move?.patch.positionQty).toBe(6);
    expect(s.move?.patch.reason).toContain(`(6 not seen free at the broker in ${MAX_EXIT_ATTEMPTS} attempts)`);
  });

  it('nothing to sell after the reads again: ERROR naming it, attempt not sent', () => {
    const s = step(PLAN, holding(), short(0, 10));
    expect(s.place).toBeUndefined();
    expect(s.move).toMatchObject({ to: 'ERROR', patch: { lastAction: 'SELL_NOTHING_HELD' } });
    expect(s.move?.patch.reason).toMatch(/^MSFT: 10 of this run's 10 not seen free at the broker/);
  });
});

describe('an exit attempt ends', () => {
  const exiting = (over = {}) => holding({ state: 'EXITING', exit: exitRow(), ...over });
  const final = (over = {}, lasting: boolean | null = null) => ({ type: 'order_final', order: exitRow(over), lasting, tickSize: null }) as const;

  it.each([
    ['SELL', 'SOLD', null],
    ['STOPLOSS', 'EXITED_BY_SL', null],
    ['TRAIL_STOP', 'EXITED_BY_SL', null],
    ['TARGET', 'EXITED_BY_TARGET', null],
    ['MANUAL_EXIT', 'STOPPED', 'stopped by the trader; position closed'],
    ['SQUARE_OFF', 'SOLD', null],
  ] as const)('all sold by %s ends the run %s', (leg, to, reason) => {
    expect(step(PLAN, exiting(), final({ leg, status: 'filled', filledQty: 10, fillPrice: 99 }))).toEqual({
      move: { to, patch: { positionQty: 0, exitLeg: leg, reason, exitPrice: 99, lastAction: `${leg}_FILLED`, lastActionAt: NOW } },
    });
  });

  it('a refusal that may pass schedules the next attempt after its wait, for what is still held', () => {
    const s = step(PLAN, exiting(), final({ status: 'rejected', rejectReason: 'price band' }));
    expect(s.patch).toEqual({ positionQty: 10, exitPrice: null, reason: 'SELL exit attempt 1 rejected (nothing sold): price band. Attempt 2 sells the 10 still held', lastAction: 'SELL_ATTEMPT_1_REJECTED', lastActionAt: NOW });
    expect(s.timers).toEqual([{ set: 'exit_retry', at: NOW + EXIT_RETRY_MS[0], leg: 'SELL' }]);
    expect(s.events).toEqual([{ userId: 1, strategyId: 3, runId: 7, orderId: 12, leg: 'SELL', at: NOW, type: 'exit_retry_scheduled', attempt: 1, remainingQty: 10, nextAttemptAt: NOW + 1_000, reason: 'price band' }]);
    expect(s.move).toBeUndefined();
    expect(step(PLAN, exiting(), final({ status: 'rejected', attempt: 8 })).timers).toEqual([{ set: 'exit_retry', at: NOW + 60_000, leg: 'SELL' }]);
  });

  it('a part filled then cancelled retries the rest, averaging the exit price', () => {
    const s = step(PLAN, exiting(), final({ status: 'cancelled', filledQty: 4, fillPrice: 98 }));
    expect(s.patch).toMatchObject({ positionQty: 6, exitPrice: 98, reason: 'SELL exit attempt 1 cancelled (4 of 10 sold): no reason given. Attempt 2 sells the 6 still held' });
    const second = step(PLAN, exiting({ positionQty: 6, exitPrice: 98 }), final({ attempt: 2, status: 'filled', filledQty: 6, fillPrice: 99 }));
    expect(second.move).toMatchObject({ to: 'SOLD', patch: { positionQty: 0, exitPrice: (98 * 4 + 99 * 6) / 10 } });
  });

  it('a lasting refusal, a cancel with nothing sold and no word, or the last attempt refused: ERROR with the position left', () => {
    const lasting = step(PLAN, exiting(), final({ status: 'rejected', rejectReason: 'not allowed' }, true));
    expect(lasting.move).toEqual({
      to: 'ERROR',
      patch: {
        positionQty: 10,
        exitPrice: null,
        reason: 'SELL exit rejected with 0 of 10 sold: not allowed (the broker\'s reason will not pass by trying again). A position of 10 is still open: close it at the broker, or press STOP to try again.',
        lastAction: 'SELL_REJECTED',
        lastActionAt: NOW,
      },
    });
    expect(step(PLAN, exiting(), final({ status: 'cancelled' })).move?.patch.reason).toContain('cancelled at the broker with nothing sold, perhaps from its own app');
    expect(step(PLAN, exiting(), final({ status: 'cancelled' }, false)).timers).toHaveLength(1);
    expect(step(PLAN, exiting(), final({ status: 'rejected', attempt: 9 })).move?.patch.reason).toBe(
      'SELL exit attempt 9 rejected with 0 of 10 sold: no reason given (all 9 attempts were refused). A position of 10 is still open: close it at the broker, or press STOP to try again.',
    );
  });

  it("a short's exit that ends in ERROR says bought back, and the STOP buys back", () => {
    const short = { ...PLAN, side: 'short', stopLoss: 105 } as const;
    const covering = exiting({ entry: entryRow({ side: 'sell' }), exit: exitRow({ side: 'buy' }) });
    expect(step(short, covering, final({ side: 'buy', status: 'rejected', rejectReason: 'not allowed' }, true)).move?.patch.reason).toBe(
      'SELL exit rejected with 0 of 10 bought back: not allowed (the broker\'s reason will not pass by trying again). A position of 10 is still open: close it at the broker, or press STOP to try again.',
    );
    expect(step(short, covering, final({ side: 'buy', status: 'cancelled' })).move?.patch.reason).toContain(
      'cancelled at the broker with nothing bought back, perhaps from its own app; if that was not you, press STOP to buy back',
    );
    const kept = step(short, { ...covering, stopRequested: true, stopKeep: true }, final({ side: 'buy', status: 'cancelled', filledQty: 4, fillPrice: 98 }, false));
    expect(kept.move?.patch.reason).toContain('(the SELL exit at the broker ended cancelled, 4 of 10 bought back)');
  });

  it('an exit that ends in ERROR after the trader pressed STOP: the STOP is carried out at once (a MANUAL_EXIT), not left to a restart', () => {
    const stopped = exiting({ stopRequested: true });
    const refused = step(PLAN, stopped, final({ status: 'rejected', rejectReason: 'not allowed' }, true));
    expect(refused.move?.to).toBe('ERROR');
    expect(refused.submit).toEqual([{ leg: 'MANUAL_EXIT', scheduledAt: NOW }]);
    // Without the STOP, ERROR waits for the trader; a refused MANUAL_EXIT is not sent again by itself.
    expect(step(PLAN, exiting(), final({ status: 'rejected' }, true)).submit).toBeUndefined();
    expect(step(PLAN, stopped, final({ leg: 'MANUAL_EXIT', status: 'rejected' }, true)).submit).toBeUndefined();
  });

  it('an exit in flight when the trader pressed STOP and keep that leaves shares held: STOPPED left open, no next attempt and no MANUAL_EXIT', () => {
    const kept = exiting({ stopRequested: true, stopKeep: true });
    const left = (qty: number, how: string) => `stopped by the trader; position of ${qty} left open at the trader's request (${how})`;
    // Refused for good (close would sell by MANUAL_EXIT), refused in a way that may pass (would retry), part sold.
    expect(step(PLAN, kept, final({ status: 'rejected', rejectReason: 'not allowed' }, true))).toEqual({
      move: { to: 'STOPPED', patch: { positionQty: 10, exitPrice: null, reason: left(10, 'the SELL exit at the broker ended rejected, nothing sold'), lastAction: 'SELL_REJECTED', lastActionAt: NOW } },
    });
    expect(step(PLAN, kept, final({ status: 'rejected' }, null))).toEqual({
      move: { to: 'STOPPED', patch: { positionQty: 10, exitPrice: null, reason: left(10, 'the SELL exit at the broker ended rejected, nothing sold'), lastAction: 'SELL_REJECTED', lastActionAt: NOW } },
    });
    expect(step(PLAN, kept, final({ status: 'cancelled', filledQty: 4, fillPrice: 98 }, false))).toEqual({
      move: { to: 'STOPPED', patch: { positionQty: 6, exitPrice: 98, reason: left(6, 'the SELL exit at the broker ended cancelled, 4 of 10 sold'), lastAction: 'SELL_FILLED', lastActionAt: NOW } },
    });
    // Everything sold before the STOP could keep anything: the exit's own end, as without the STOP.
    expect(step(PLAN, kept, final({ status: 'filled', filledQty: 10, fillPrice: 99 })).move?.to).toBe('SOLD');
  });

  it('a report that does not fit the run leaves it as is', () => {
    expect(step(PLAN, holding({ state: 'SOLD' }), final({ status: 'filled', filledQty: 10 }))).toEqual({ outcome: { drop: 'order report does not fit the run state; run left as is' } });
  });
});

describe('the square-off: the last moment a position may stay open', () => {
  const SQUARE_OFF_AT = NOW + 20_000;
  const exiting = (over = {}) => holding({ state: 'EXITING', exit: exitRow(), squareOffAt: SQUARE_OFF_AT, ...over });
  const final = (over = {}) => ({ type: 'order_final', order: exitRow({ status: 'rejected', rejectReason: 'price band', ...over }), lasting: null, tickSize: null }) as const;
  const due = { type: 'exit_due', leg: 'SQUARE_OFF', scheduledAt: SQUARE_OFF_AT } as const;

  it('an attempt that would wait past it is made at it, as the SQUARE_OFF; one due before it keeps its leg and wait', () => {
    // Attempt 5 refused: the next waits 30 s, past the square-off 20 s away.
    const s = step(PLAN, exiting(), final({ attempt: 5 }));
    expect(s.timers).toEqual([{ set: 'exit_retry', at: SQUARE_OFF_AT, leg: 'SQUARE_OFF' }]);
    expect(s.patch?.reason).toBe('SELL exit attempt 5 rejected (nothing sold): price band. Attempt 6 sells the 10 still held at the square-off');
    expect(s.events).toMatchObject([{ type: 'exit_retry_scheduled', nextAttemptAt: SQUARE_OFF_AT }]);
    expect(step(PLAN, exiting(), final({ attempt: 3 })).timers).toEqual([{ set: 'exit_retry', at: NOW + 5_000, leg: 'SELL' }]);
    // Past the square-off the next attempt is made at once; a stop-loss's too.
    expect(step(PLAN, exiting({ squareOffAt: NOW - 1 }), final({ leg: 'STOPLOSS' })).timers).toEqual([{ set: 'exit_retry', at: NOW, leg: 'SQUARE_OFF' }]);
    // The trader's STOP keeps its name, so the run still ends STOPPED.
    expect(step(PLAN, exiting(), final({ leg: 'MANUAL_EXIT', attempt: 5 })).timers).toEqual([{ set: 'exit_retry', at: SQUARE_OFF_AT, leg: 'MANUAL_EXIT' }]);
  });

  it('due: an open position is squared off now; an attempt waiting is made now as the square-off; an exit at the broker is left alone', () => {
    const at = { now: SQUARE_OFF_AT };
    expect(step(PLAN, holding({ squareOffAt: SQUARE_OFF_AT, ...at }), due)).toEqual({ submit: [{ leg: 'SQUARE_OFF', scheduledAt: SQUARE_OFF_AT }] });
    // An entry in flight: the exit waits for the fill (journal_exit defers it).
    expect(step(PLAN, snapshot({ state: 'BUYING', squareOffAt: SQUARE_OFF_AT, ...at }), due)).toEqual({ submit: [{ leg: 'SQUARE_OFF', scheduledAt: SQUARE_OFF_AT }] });
    expect(step(PLAN, exiting({ positionQty: 6, exit: exitRow({ status: 'cancelled', filledQty: 4 }), ...at }), due)).toEqual({ timers: [{ set: 'exit_retry', at: SQUARE_OFF_AT, leg: 'SQUARE_OFF' }] });
    expect(step(PLAN, exiting({ exit: exitRow({ leg: 'MANUAL_EXIT', status: 'rejected' }), ...at }), due)).toEqual({ timers: [{ set: 'exit_retry', at: SQUARE_OFF_AT, leg: 'MANUAL_EXIT' }] });
    for (const status of ['pending', 'sent', 'accepted', 'partially_filled', 'unknown'] as const) expect(step(PLAN, exiting({ exit: exitRow({ status }), ...at }), due)).toEqual({});
    // Nothing held, or the day over: nothing to do. ERROR waits for the trader.
    for (const state of ['ARMED', 'SOLD', 'EXITED_BY_SL', 'MISSED_BUY', 'STOPPED', 'ERROR'] as const) expect(step(PLAN, holding({ state, ...at }), due)).toEqual({});
  });

  it('its exit goes like any other: attempt n+1 after a final one; refused from ERROR, where only the trader\'s STOP sells', () => {
    const journal = { type: 'journal_exit', leg: 'SQUARE_OFF', legNo: 0, scheduledAt: SQUARE_OFF_AT } as const;
    expect(step(PLAN, exiting({ exit: exitRow({ status: 'rejected', attempt: 2 }) }), journal)).toMatchObject({ place: { attempt: 3, leg: 'SQUARE_OFF', side: 'sell', qty: 10 }, patch: { lastAction: 'SQUARE_OFF_ATTEMPT_3' } });
    expect(step(PLAN, holding(), journal)).toMatchObject({ place: { attempt: 1, leg: 'SQUARE_OFF' }, move: { to: 'EXITING', patch: { lastAction: 'SQUARE_OFF' } } });
    expect(step(PLAN, holding({ state: 'ERROR' }), journal)).toEqual({ outcome: { suppress: 'the run is in ERROR and waits for the trader (STOP sells); SQUARE_OFF not sent' } });
  });
});

describe('the time exit and crossings', () => {
  it('a SELL due goes while a position is or may be held; before any BUY the day is missed', () => {
    const due = { type: 'exit_due', leg: 'SELL', scheduledAt: NOW - 2 } as const;
    for (const state of ['IN_POSITION', 'BUYING', 'EXITING'] as const) expect(step(PLAN, holding({ state }), due)).toEqual({ submit: [{ leg: 'SELL', scheduledAt: NOW - 2 }] });
    expect(step(PLAN, snapshot(), due)).toEqual({ move: { to: 'MISSED_BUY', patch: { reason: 'SELL time came before the BUY was placed' } } });
    expect(step(PLAN, holding({ state: 'SOLD' }), due)).toEqual({});
  });

  it('a stop crossing publishes its event and cancels the SELL job while the SELL is still ahead', () => {
    const hit = { type: 'trigger_crossed', kind: 'STOPLOSS', legNo: 0, price: 94.5, level: 95, tickAt: NOW - 7, at: NOW - 1 } as const;
    expect(step(PLAN, holding(), hit)).toEqual({
      events: [{ type: 'stop_loss_triggered', userId: 1, strategyId: 3, runId: 7, price: 94.5, stopLoss: 95, tickAt: NOW - 7, at: NOW - 1, trailing: false }],
      timers: [{ cancel: 'time_exit' }],
    });
    expect(step(PLAN, holding({ sellAt: NOW }), hit).timers).toBeUndefined();
    expect(step(PLAN, holding({ legNo: 1 }), hit)).toEqual({});
  });

  const hit = (kind: 'TARGET' | 'TRAIL_STOP' | 'RATCHET', price: number, level: number) => ({ type: 'trigger_crossed', kind, legNo: 0, price, level, tickAt: NOW - 7, at: NOW - 1 }) as const;

  it('a target or trailing-stop crossing publishes its own event, and cancels the SELL job the same way', () => {
    expect(step(PLAN, holding(), hit('TARGET', 110.2, 110))).toEqual({
      events: [{ type: 'target_hit', userId: 1, strategyId: 3, runId: 7, price: 110.2, target: 110, tickAt: NOW - 7, at: NOW - 1 }],
      timers: [{ cancel: 'time_exit' }],
    });
    expect(step(PLAN, holding(), hit('TRAIL_STOP', 97.9, 98)).events).toEqual([{ type: 'stop_loss_triggered', userId: 1, strategyId: 3, runId: 7, price: 97.9, stopLoss: 98, tickAt: NOW - 7, at: NOW - 1, trailing: true }]);
  });

  it('a ratchet keeps the levels the price moved, arms them again as moved levels and says the stop moved; it sends nothing', () => {
    const plan = { ...PLAN, stopLoss: 90, trail: 2 };
    const levels = resolveLevels(plan, 100, 0.05);
    const s = step(plan, holding({ levels }), hit('RATCHET', 103, 100.05));
    const moved = { ...levels, stop: 101, trail: { offset: 2, mode: 'points', best: 103 } };
    expect(s).toEqual({
      patch: { levels: moved },
      // moved: where an exit level of the leg fired since (a later tick), the index arms none of them.
      triggers: { set: [{ kind: 'TRAIL_STOP', level: 101, dir: 'down' }, { kind: 'RATCHET', level: 103.05, dir: 'up' }], moved: true, live: { side: 'long', levels: moved } },
      events: [{ type: 'stop_moved', userId: 1, strategyId: 3, runId: 7, at: NOW - 1, why: 'trail', from: 98, to: 101, best: 103 }],
    });
    expect(s.submit).toBeUndefined();
  });

  it('a ratchet on a tick that also reached the target does not arm the target again: it fired on that tick', () => {
    const plan = { ...PLAN, stopLoss: 90, trail: 2, target: 103 };
    const s = step(plan, holding({ levels: resolveLevels(plan, 100, 0.05) }), hit('RATCHET', 103.5, 100.05));
    expect(s.triggers).toMatchObject({ set: [{ kind: 'TRAIL_STOP', level: 101.5, dir: 'down' }, { kind: 'RATCHET', level: 103.55, dir: 'up' }], moved: true });
  });

  it('a ratchet stepped after a later tick crossed the target still lists the target (it cannot know), as moved levels, and a fill or a recovery arms afresh', () => {
    const plan = { ...PLAN, stopLoss: 90, trail: 2, target: 110 };
    const levels = resolveLevels(plan, 100, 0.05);
    // The later tick (110.5) fired the target; this step is for the ratchet's own tick (103).
    const s = step(plan, holding({ levels }), hit('RATCHET', 103, 100.05));
    expect(s.triggers).toMatchObject({ set: [{ kind: 'TRAIL_STOP', level: 101, dir: 'down' }, { kind: 'TARGET', level: 110, dir: 'up' }, { kind: 'RATCHET', level: 103.05, dir: 'up' }], moved: true });
    expect(step(plan, holding({ levels }), { type: 'recovered', strategyRunning: true, bestSinceEntry: null }).triggers?.moved).toBeUndefined();
  });

  it('a ratchet once the exit is under way, with no levels kept, or of an earlier leg moves nothing', () => {
    const plan = { ...PLAN, trail: 2 };
    const levels = resolveLevels(plan, 100, 0.05);
    expect(step(plan, holding({ levels, state: 'EXITING' }), hit('RATCHET', 103, 100.05))).toEqual({});
    expect(step(plan, holding(), hit('RATCHET', 103, 100.05))).toEqual({});
    expect(step(plan, holding({ levels, legNo: 1 }), hit('RATCHET', 103, 100.05))).toEqual({});
  });
});

describe('what an exit left unsold is data, not sold', () => {
  const coin = (over: Parameters<typeof entryRow>[0] = {}) => entryRow({ qty: 0.0015, filledQty: 0.0015, fillPrice: 60_000, ...over });

  it('journaling an exit that finds less held keeps the rest as unsoldQty, beside its note', () => {
    const s = holding({ positionQty: 0.0015, entryPrice: 60_000, entry: coin() });
    const patch = step(PLAN, s, journal('SELL', 0.00149)).move?.patch;
    expect(patch).toMatchObject({ positionQty: 0.00149, unsoldQty: 0.00001 });
    expect(patch?.reason).toMatch(/^Not at the broker: 0\.00001 of the 0\.0015/);
  });

  it('the average exit price weighs only what was sold: the unsold 0.00001 is no earlier sale at no price', () => {
    // Attempt 1 (0.00001 found unsold) sold 0.001 at 100; attempt 2 sells the 0.00049 left at 90.
    const s = holding({ state: 'EXITING', positionQty: 0.00049, unsoldQty: 0.00001, exitPrice: 100, entry: coin() });
    const price = averageExitPrice(s, exitRow({ attempt: 2, qty: 0.00049, filledQty: 0.00049, fillPrice: 90, status: 'filled' }));
    expect(price).toBeCloseTo((100 * 0.001 + 90 * 0.00049) / 0.00149, 10);
  });
});

describe('a remainder under the least order (journal_exit with dust)', () => {
  const dust = (leg: 'SELL' | 'STOPLOSS') => ({ type: 'journal_exit', leg, legNo: 0, scheduledAt: NOW - 3, heldAtBroker: 4, dust: 'worth 2.4 at 0.6, under the least order value of 5' }) as const;

  it('ends the run as the exit would have, at 0, the reason naming what is left and why; nothing placed', () => {
    const s = holding({ state: 'EXITING', positionQty: 4, exit: exitRow({ status: 'cancelled', filledQty: 6 }) });
    const reason = "Dust left at the broker: the 4 left of this run's 10 cannot be sold (worth 2.4 at 0.6, under the least order value of 5); the run is closed with it, not sold";
    expect(step(PLAN, s, dust('SELL'))).toEqual({
      move: { to: 'SOLD', patch: { positionQty: 0, unsoldQty: 4, exitLeg: 'SELL', reason: `${reason}.`, lastAction: 'SELL_DUST', lastActionAt: NOW } },
      outcome: { halt: reason },
    });
    expect(step(PLAN, s, dust('STOPLOSS')).move?.to).toBe('EXITED_BY_SL');
  });

  it('from ERROR only the trader\'s STOP goes, as for any exit', () => {
    expect(step(PLAN, holding({ state: 'ERROR', positionQty: 4 }), dust('SELL')).outcome).toMatchObject({ suppress: expect.stringContaining('waits for the trader') });
  });
});
