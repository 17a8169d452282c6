import { describe, expect, it } from 'vitest';
import { DomainError } from '../core/errors';
import { specFromV1, type StoredStrategySpec } from '../core/strategy-spec';
import { kiteIntradaySquareOffs } from '../brokers/kite/kite-broker';
import { fitIntradaySquareOff } from './intraday-square-off';

const MIS = kiteIntradaySquareOffs('MIS');
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

  it('refuses a SELL or a square-off at or after Kite\'s own (15:20:00 IST), naming the field and the broker\'s time; 15:19:59 is taken', () => {
    const message = (field: string, time: string, there = '') => `${field} ${time} is not before this kite account's own square-off of intraday positions in equity cash (NSE) at 15:20:00 Asia/Kolkata${there}: the broker closes what is still open then, at market and for a fee, and an exit sent at that time races it; choose a time before 15:20:00`;
    expect(fields(() => fitIntradaySquareOff(spec({ sell_time: '15:21:00', square_off_time: '15:25:00' }), MIS, 'kite', NOW))).toEqual([
      ['sell_time', message('sell_time', '15:21:00')],
      ['square_off_time', message('square_off_time', '15:25:00')],
    ]);
    // 15:20:00 itself races Kite's own square-off: refused, the field named; a second before is taken.
    expect(fields(() => fitIntradaySquareOff(spec({ sell_time: '15:20:00' }), MIS, 'kite', NOW))).toEqual([['sell_time', message('sell_time', '15:20:00')]]);
    expect(fields(() => fitIntradaySquareOff(spec({ square_off_time: '15:20:00' }), MIS, 'kite', NOW))).toEqual([['square_off_time', message('square_off_time', '15:20:00')]]);
    expect(fitIntradaySquareOff(spec({ sell_time: '15:19:59' }), MIS, 'kite', NOW).square_off_time).toBe('15:19:59');
    // Kept in London time: 09:55 is 14:25 IST in summer (BST) but 15:25 IST in winter (GMT).
    expect(fields(() => fitIntradaySquareOff(spec({ timezone: 'Europe/London', buy_time: '04:00:00', sell_time: '09:55:00' }), MIS, 'kite', NOW))).toEqual([
      ['sell_time', message('sell_time', '09:55:00', ' (09:55:00 Europe/London is as late as 15:25:00 there)')],
    ]);
    // The default in London time is the earlier of 15:15 IST's two times there: 09:45 GMT and 10:45 BST.
    expect(fitIntradaySquareOff(spec({ timezone: 'Europe/London', buy_time: '04:00:00', sell_time: '09:00:00' }), MIS, 'kite', NOW).square_off_time).toBe('09:45:00');
  });

  it('on NFO and BFO (equity derivatives) holds to before 15:25:00 IST and squares off at 15:20 by default; on BSE (cash) to before 15:20:00', () => {
    const fo = (over: Partial<StoredStrategySpec>) => spec({ symbol: 'NIFTY26D0826000CE', exchange: 'NFO', ...over });
    expect(fitIntradaySquareOff(fo({}), MIS, 'kite', NOW).square_off_time).toBe('15:20:00');
    expect(fitIntradaySquareOff(fo({ sell_time: '15:24:59' }), MIS, 'kite', NOW).square_off_time).toBe('15:24:59');
    expect(fields(() => fitIntradaySquareOff(fo({ exchange: 'BFO', sell_time: '15:25:00' }), MIS, 'kite', NOW))).toEqual([
      ['sell_time', "sell_time 15:25:00 is not before this kite account's own square-off of intraday positions in equity derivatives (BFO) at 15:25:00 Asia/Kolkata: the broker closes what is still open then, at market and for a fee, and an exit sent at that time races it; choose a time before 15:25:00"],
    ]);
    expect(fields(() => fitIntradaySquareOff(spec({ exchange: 'BSE', sell_time: '15:20:00' }), MIS, 'kite', NOW))).toEqual([['sell_time', expect.stringContaining('in equity cash (BSE) at 15:20:00')]]);
  });

  it("reads the segment from the exchange: Kite's derivatives exchanges are F&O, its others cash", () => {
    expect(MIS!.NFO).toEqual({ segment: 'equity derivatives', at: '15:25:00', defaultAt: '15:20:00', timezone: 'Asia/Kolkata' });
    expect(MIS!.NSE).toEqual({ segment: 'equity cash', at: '15:20:00', defaultAt: '15:15:00', timezone: 'Asia/Kolkata' });
    expect(Object.keys(MIS!)).toEqual(['NSE', 'BSE', 'NFO', 'BFO']);
    expect(kiteIntradaySquareOffs('CNC')).toBeNull();
  });

  it('a CNC account (and any broker without its own square-off) adds nothing and refuses nothing', () => {
    const late = spec({ sell_time: '15:29:00' });
    expect(fitIntradaySquareOff(late, kiteIntradaySquareOffs('CNC'), 'kite', NOW)).toBe(late);
    expect(fitIntradaySquareOff(spec({ exchange: 'NFO', sell_time: '15:29:00' }), kiteIntradaySquareOffs('CNC'), 'kite', NOW).square_off_time).toBeUndefined();
  });
});
