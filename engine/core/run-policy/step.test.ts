import { describe, expect, it } from 'vitest';
import { step } from './step';
import { entryRow, exitRow, holding, NOW, PLAN, snapshot } from './test-support';
import type { RunEvent, RunSnapshot } from './types';

/** One event of each kind, with a snapshot it changes something in. */
const CASES: ReadonlyArray<readonly [RunSnapshot, RunEvent]> = [
  [snapshot(), { type: 'entry_due', scheduledAt: NOW, lateByMs: 0, lastPrice: null, dueLabel: 'now' }],
  [holding(), { type: 'exit_due', leg: 'SELL', scheduledAt: NOW }],
  [holding(), { type: 'trigger_crossed', kind: 'STOPLOSS', legNo: 0, price: 94, level: 95, tickAt: NOW, at: NOW }],
  [snapshot(), { type: 'journal_entry', legNo: 0, scheduledAt: NOW }],
  [holding(), { type: 'journal_exit', leg: 'STOPLOSS', legNo: 0, scheduledAt: NOW }],
  [snapshot({ state: 'BUYING', entry: entryRow() }), { type: 'order_final', order: entryRow(), lasting: null, tickSize: null }],
  [holding({ state: 'EXITING', exit: exitRow() }), { type: 'order_final', order: exitRow({ status: 'filled', filledQty: 10, fillPrice: 99 }), lasting: null, tickSize: null }],
  [snapshot({ state: 'BUYING' }), { type: 'entry_abandoned', to: 'MISSED_BUY', reason: 'late' }],
  [holding(), { type: 'stop_requested', closePosition: true }],
  [holding(), { type: 'recovered', strategyRunning: true, bestSinceEntry: null }],
];

describe('step', () => {
  it('answers every kind of event, from the run and the event alone: the same arguments give the same Step, and nothing is mutated', () => {
    for (const [s, e] of CASES) {
      const frozen = structuredClone(s);
      const first = step(PLAN, s, e);
      expect(first, e.type).not.toEqual({});
      expect(step(PLAN, structuredClone(s), structuredClone(e))).toEqual(first);
      expect(s).toEqual(frozen);
    }
  });

  it('routes an order_final by its slot: an entry fill opens the position, an exit fill closes it', () => {
    expect(step(PLAN, CASES[5]![0], CASES[5]![1]).move?.to).toBe('IN_POSITION');
    expect(step(PLAN, CASES[6]![0], CASES[6]![1]).move?.to).toBe('SOLD');
  });
});
