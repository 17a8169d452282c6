import { describe, expect, it } from 'vitest';
import { step } from './step';
import { exitRow, holding, NOW, PLAN, snapshot } from './test-support';

const stop = (closePosition = true) => ({ type: 'stop_requested', closePosition }) as const;
const CLOSE = { patch: { stopRequested: true, stopKeep: false }, submit: [{ leg: 'MANUAL_EXIT', scheduledAt: NOW }] };

describe('the trader stops a run', () => {
  it('before the BUY: STOPPED', () => {
    expect(step(PLAN, snapshot(), stop())).toEqual({ move: { to: 'STOPPED', patch: { reason: 'stopped by the trader before the BUY' } } });
  });

  it('holding a position: flags the run and sells it, or leaves it open on purpose, recorded', () => {
    for (const state of ['IN_POSITION', 'ERROR'] as const) {
      expect(step(PLAN, holding({ state }), stop())).toEqual(CLOSE);
      expect(step(PLAN, holding({ state }), stop(false))).toEqual({ move: { to: 'STOPPED', patch: { reason: "stopped by the trader; position of 10 left open at the trader's request" } } });
    }
    expect(step(PLAN, holding({ state: 'ERROR', positionQty: 0 }), stop())).toEqual({ move: { to: 'STOPPED', patch: { reason: 'stopped by the trader' } } });
  });

  it('with an exit in flight or a BUY in flight, only flags the run with the choice: the answer decides', () => {
    const inFlight = [holding({ state: 'EXITING', exit: exitRow({ status: 'accepted' }) }), snapshot({ state: 'BUYING' })];
    for (const s of inFlight) {
      expect(step(PLAN, s, stop())).toEqual({ patch: { stopRequested: true, stopKeep: false } });
      expect(step(PLAN, s, stop(false))).toEqual({ patch: { stopRequested: true, stopKeep: true } });
      // The latest STOP is the one that counts: keep, then close, closes.
      expect(step(PLAN, { ...s, stopRequested: true, stopKeep: true }, stop())).toEqual({ patch: { stopRequested: true, stopKeep: false } });
    }
  });

  it('between exit attempts: sells now, or leaves the position open on purpose', () => {
    const waiting = holding({ state: 'EXITING', positionQty: 6, exit: exitRow({ status: 'cancelled', filledQty: 4 }) });
    expect(step(PLAN, waiting, stop())).toEqual(CLOSE);
    expect(step(PLAN, waiting, stop(false)).move).toEqual({ to: 'STOPPED', patch: { reason: "stopped by the trader; position of 6 left open at the trader's request" } });
  });

  it('a run already over is left alone', () => {
    for (const state of ['SOLD', 'EXITED_BY_SL', 'STOPPED', 'MISSED_BUY', 'SKIPPED'] as const) expect(step(PLAN, snapshot({ state }), stop())).toEqual({});
  });
});
