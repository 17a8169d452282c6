/**
 * The run state machine. Every state change in the engine goes through `transition`, so an
 * illegal move (a second BUY, an exit without a position) is an exception, never a silent write.
 *
 *   ARMED ──► BUYING ──► IN_POSITION ──► EXITING ──► SOLD | EXITED_BY_SL | EXITED_BY_TARGET | STOPPED
 *     │          │            │              │
 *     ├► MISSED_BUY, SKIPPED, STOPPED        └► ERROR (exit refused for good: the position is still open)
 *     │          ├► MISSED_BUY (journaled, never reached the broker within its grace)
 *     └──────────┴► ERROR (BUY rejected)
 *
 * Re-entry: a leg's exit that allows one (reentry_after) moves EXITING ──► WAITING_REENTRY, flat,
 * and the next leg's entry moves it ──► BUYING again; at the cut-off, the time exit or a STOP it
 * ends as its last leg ended (SOLD | EXITED_BY_SL | EXITED_BY_TARGET) or STOPPED.
 *
 * An exit refused for a reason that may pass stays EXITING while its next attempt waits.
 */
import type { RunState } from './types';

const TRANSITIONS: Readonly<Record<RunState, readonly RunState[]>> = {
  ARMED: ['BUYING', 'MISSED_BUY', 'SKIPPED', 'STOPPED', 'ERROR'],
  // A BUY that is rejected or cancelled leaves no position: STOPPED when the trader asked, else ERROR.
  // MISSED_BUY: the BUY was journaled but never reached the broker before its grace ran out.
  BUYING: ['IN_POSITION', 'ERROR', 'STOPPED', 'MISSED_BUY'],
  IN_POSITION: ['EXITING', 'STOPPED', 'ERROR'],
  EXITING: ['SOLD', 'EXITED_BY_SL', 'EXITED_BY_TARGET', 'STOPPED', 'ERROR', 'WAITING_REENTRY'],
  WAITING_REENTRY: ['BUYING', 'SOLD', 'EXITED_BY_SL', 'EXITED_BY_TARGET', 'STOPPED'],
  SOLD: [],
  EXITED_BY_SL: [],
  EXITED_BY_TARGET: [],
  MISSED_BUY: [],
  SKIPPED: [],
  // From ERROR a trader may still flatten an open position by hand, or stop.
  ERROR: ['EXITING', 'STOPPED'],
  STOPPED: [],
};

export class IllegalTransitionError extends Error {
  constructor(
    readonly from: RunState,
    readonly to: RunState,
  ) {
    super(`illegal run transition ${from} -> ${to}`);
    this.name = 'IllegalTransitionError';
  }
}

export function canTransition(from: RunState, to: RunState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Returns `to` or throws IllegalTransitionError. */
export function transition(from: RunState, to: RunState): RunState {
  if (!canTransition(from, to)) throw new IllegalTransitionError(from, to);
  return to;
}

/** A run in one of these states will never place another order. */
export function isTerminal(state: RunState): boolean {
  return TRANSITIONS[state].length === 0;
}

/** States in which the trader holds (or may hold) shares from this run. */
export function mayHoldPosition(state: RunState): boolean {
  return state === 'BUYING' || state === 'IN_POSITION' || state === 'EXITING' || state === 'ERROR';
}

/**
 * The run will do nothing more today: a final state, or an ERROR with nothing held (a rejected
 * BUY). An ERROR with shares still held is not over: it waits for the trader.
 */
export function isDayOver(run: { readonly state: RunState; readonly positionQty: number }): boolean {
  return isTerminal(run.state) || (run.state === 'ERROR' && run.positionQty === 0);
}
