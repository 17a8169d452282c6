import { describe, expect, it } from 'vitest';
import { actionLabel, closeWords, legLabel, runStateLabel } from './labels';

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
    expect(actionLabel('SOMETHING_NEW')).toBe('Something new');
  });
});

describe('closeWords', () => {
  it('a long is closed by a sale, a short (sell first) by buying it back', () => {
    expect(closeWords('buy')).toEqual({ close: 'sell', closing: 'selling', closed: 'sold', opened: 'bought' });
    expect(closeWords('sell')).toEqual({ close: 'buy back', closing: 'buying back', closed: 'bought back', opened: 'sold short' });
  });
});
