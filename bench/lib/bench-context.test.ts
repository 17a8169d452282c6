import { describe, expect, it } from 'vitest';
import { buyAndSellTimes } from './bench-context';

describe('buyAndSellTimes', () => {
  it('sells an hour after the BUY', () => {
    expect(buyAndSellTimes(Date.parse('2026-03-09T14:30:00Z'))).toEqual({ buyTime: '14:30:00', sellTime: '15:30:00' });
  });

  it('sells in the last second of the UTC day when an hour later would cross midnight', () => {
    expect(buyAndSellTimes(Date.parse('2026-03-09T23:10:00Z'))).toEqual({ buyTime: '23:10:00', sellTime: '23:59:59' });
  });

  it('says to run again after midnight when the BUY is in the last second of the day', () => {
    expect(() => buyAndSellTimes(Date.parse('2026-03-09T23:59:59Z'))).toThrow(/after midnight UTC/);
  });
});
