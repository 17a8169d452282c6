import { describe, expect, it } from 'vitest';
import { canTransition, IllegalTransitionError, isDayOver, isTerminal, transition } from './run-state';
import type { RunState } from './types';

const ALL: RunState[] = ['ARMED', 'BUYING', 'IN_POSITION', 'EXITING', 'SOLD', 'EXITED_BY_SL', 'MISSED_BUY', 'SKIPPED', 'ERROR', 'STOPPED'];

describe('run state machine', () => {
  it('walks the happy paths', () => {
    expect(['BUYING', 'IN_POSITION', 'EXITING', 'SOLD'].reduce<RunState>((s, to) => transition(s, to as RunState), 'ARMED')).toBe('SOLD');
    expect(transition('EXITING', 'EXITED_BY_SL')).toBe('EXITED_BY_SL');
  });

  it.each([
    ['ARMED', 'IN_POSITION'],
    ['ARMED', 'SOLD'],
    ['BUYING', 'BUYING'],
    ['IN_POSITION', 'BUYING'],
    ['IN_POSITION', 'SOLD'],
    ['SOLD', 'BUYING'],
    ['EXITED_BY_SL', 'EXITING'],
    ['STOPPED', 'ARMED'],
    ['MISSED_BUY', 'BUYING'],
  ] as const)('refuses %s -> %s with an error naming both', (from, to) => {
    expect(() => transition(from, to)).toThrow(IllegalTransitionError);
    expect(() => transition(from, to)).toThrow(`${from} -> ${to}`);
  });

  it('has no way out of a final state, and a second BUY is impossible from any state', () => {
    for (const s of ALL) {
      if (isTerminal(s)) expect(ALL.filter((to) => canTransition(s, to))).toEqual([]);
      if (s !== 'ARMED') expect(canTransition(s, 'BUYING')).toBe(false);
    }
  });

  it('treats ERROR as over only when nothing is held', () => {
    expect(isDayOver({ state: 'ERROR', positionQty: 0 })).toBe(true);
    expect(isDayOver({ state: 'ERROR', positionQty: 5 })).toBe(false);
    expect(isDayOver({ state: 'IN_POSITION', positionQty: 5 })).toBe(false);
    expect(isDayOver({ state: 'SOLD', positionQty: 0 })).toBe(true);
  });
});
