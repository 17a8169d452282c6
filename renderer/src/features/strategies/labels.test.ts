import { describe, expect, it } from 'vitest';
import { actionLabel, closeWords, legLabel, runStateLabel, runStateText } from './labels';

describe('labels', () => {
  it('names the exit that fired', () => {
    expect(runStateLabel('EXITED_BY_TARGET')).toBe('Exited at target');
    expect(runStateLabel('EXITED_BY_SL')).toBe('Exited by stop-loss');
    expect(legLabel('TARGET')).toBe('Target');
    expect(legLabel('TRAIL_STOP')).toBe('Trailing stop');
    expect(legLabel('STOPLOSS')).toBe('Stop-loss');
  });

  it('reads an action code of any leg, the trailing stop not mistaken for another', () => {
    expect(actionLabel('TARGET_FILLED')).toBe('Target filled');
    expect(actionLabel('TRAIL_STOP_SUBMITTED')).toBe('Trailing stop submitted');
    expect(actionLabel('STOPLOSS_FILLED')).toBe('Stop-loss filled');
    expect(actionLabel('BACKSTOP_FILLED')).toBe('Backstop filled');
    expect(actionLabel('BACKSTOP_TARGET_FILLED')).toBe('Target at the broker filled');
    expect(actionLabel('SOMETHING_NEW')).toBe('Something new');
  });
});

describe('runStateText', () => {
  it('says which re-entry is next between legs, and the state alone otherwise', () => {
    expect(runStateText('WAITING_REENTRY', 1, 2)).toBe('Waiting to re-enter (1 of 2)');
    expect(runStateText('WAITING_REENTRY', 2, 2)).toBe('Waiting to re-enter (2 of 2)');
    // The strategy edited to fewer re-entries since: never "3 of 2".
    expect(runStateText('WAITING_REENTRY', 3, 2)).toBe('Waiting to re-enter (2 of 2)');
    expect(runStateText('WAITING_REENTRY', 1, 0)).toBe('Waiting to re-enter');
    expect(runStateText('IN_POSITION', 1, 2)).toBe('In position');
  });

  it("says a short's entry and exit, and a missed or running re-entry, in their own words", () => {
    expect([runStateText('BUYING', 0, 0), runStateText('BUYING', 0, 0, 'sell'), runStateText('BUYING', 1, 2, 'sell')]).toEqual(['Buying', 'Selling short', 'Re-entering']);
    expect([runStateText('SOLD', 0, 0), runStateText('SOLD', 1, 2, 'sell')]).toEqual(['Sold', 'Bought back']);
    expect([runStateText('MISSED_BUY', 0, 0), runStateText('MISSED_BUY', 0, 0, 'sell'), runStateText('MISSED_BUY', 2, 2)]).toEqual(['Missed BUY', 'Missed short sale', 'Missed re-entry']);
    expect(runStateText('EXITED_BY_SL', 0, 0, 'sell')).toBe('Exited by stop-loss');
  });
});

describe('closeWords', () => {
  it('a long is closed by a sale, a short (sell first) by buying it back', () => {
    expect(closeWords('buy')).toEqual({ close: 'sell', closing: 'selling', closed: 'sold', opened: 'bought' });
    expect(closeWords('sell')).toEqual({ close: 'buy back', closing: 'buying back', closed: 'bought back', opened: 'sold short' });
  });
});
