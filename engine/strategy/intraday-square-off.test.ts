import { describe, expect, it } from 'vitest';
import { DomainError } from '../core/errors';
import { specFromV1, type StoredStrategySpec } from '../core/strategy-spec';
import { kiteIntradaySquareOff } from '../brokers/kite/kite-broker';
import { fitIntradaySquareOff } from './intraday-square-off';

const MIS = kiteIntradaySquareOff('MIS');
const NOW = Date.parse('2026-03-09T03:00:00Z');
const spec = (over: Partial<StoredStrategySpec> = {}): StoredStrategySpec => ({
  ...specFromV1({ broker_account_id: 1, symbol: 'INFY', exchange: 'NSE', qty: 10, buy_time: '09:20:00', sell_time: '15:00:00', stop_loss: 95, timezone: 'Asia/Kolkata', repeat: 'once', buy_grace_ms: 60_000 }),
  ...over,
});
const fields = (run: () => unknown) => {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(DomainError);
    return (err as DomainError).fields!.map((f) => [f.field, f.message]);
  }
  throw new Error('not refused');
};

describe('a strategy on a Kite MIS account', () => {
  it('squares off at 15:15 IST when it names no square-off, or at its SELL when that is later; a square-off named is kept', () => {
    expect(fitIntradaySquareOff(spec(), MIS, 'kite', NOW).square_off_time).toBe('15:15:00');
    expect(fitIntradaySquareOff(spec({ sell_time: '15:18:00' }), MIS, 'kite', NOW).square_off_time).toBe('15:18:00');
    expect(fitIntradaySquareOff(spec({ square_off_time: '15:05:00' }), MIS, 'kite', NOW).square_off_time).toBe('15:05:00');
  });

  it('refuses a SELL or a square-off after Kite\'s own (15:20:00 IST), naming the field and the broker\'s time; 15:20:00 itself is taken', () => {
    const message = (field: string, time: string, there = '') => `${field} ${time} is later than this kite account's own square-off of intraday positions at 15:20:00 Asia/Kolkata${there}: the broker closes what is still open then, at market and for a fee; choose a time at or before it`;
    expect(fields(() => fitIntradaySquareOff(spec({ sell_time: '15:21:00', square_off_time: '15:25:00' }), MIS, 'kite', NOW))).toEqual([
      ['sell_time', message('sell_time', '15:21:00')],
      ['square_off_time', message('square_off_time', '15:25:00')],
    ]);
    expect(fitIntradaySquareOff(spec({ sell_time: '15:20:00' }), MIS, 'kite', NOW).square_off_time).toBe('15:20:00');
    // Kept in London time: 09:55 is 14:25 IST in summer (BST) but 15:25 IST in winter (GMT).
    expect(fields(() => fitIntradaySquareOff(spec({ timezone: 'Europe/London', buy_time: '04:00:00', sell_time: '09:55:00' }), MIS, 'kite', NOW))).toEqual([
      ['sell_time', message('sell_time', '09:55:00', ' (09:55:00 Europe/London is as late as 15:25:00 there)')],
    ]);
    // The default in London time is the earlier of 15:15 IST's two times there: 09:45 GMT and 10:45 BST.
    expect(fitIntradaySquareOff(spec({ timezone: 'Europe/London', buy_time: '04:00:00', sell_time: '09:00:00' }), MIS, 'kite', NOW).square_off_time).toBe('09:45:00');
  });

  it('a CNC account (and any broker without its own square-off) adds nothing and refuses nothing', () => {
    const late = spec({ sell_time: '15:29:00' });
    expect(fitIntradaySquareOff(late, kiteIntradaySquareOff('CNC'), 'kite', NOW)).toBe(late);
  });
});
