import { describe, expect, it } from 'vitest';
import { DomainError } from '../core/errors';
import { refusePastExpiries, type ExpiryKeys } from './past-expiry';
import { exchangeToday } from '../scheduler/trigger-times';

/** 01:30 IST on Monday 7 December 2026; 15:00 on Sunday 6 December in New York. */
const now = Date.parse('2026-12-06T20:00:00Z');

function refusal(spec: ExpiryKeys): unknown {
  try {
    refusePastExpiries(spec, now);
    return null;
  } catch (err) {
    expect(err).toBeInstanceOf(DomainError);
    return (err as DomainError).fields;
  }
}

describe('refusePastExpiries', () => {
  it('refuses a date before today on the exchange\'s calendar, naming the field; today and later, and the rules, pass', () => {
    expect(refusal({ exchange: 'NFO', option_expiry: '2026-12-06' })).toEqual([
      { field: 'option_expiry', message: 'option_expiry 2026-12-06 has passed (today is 2026-12-07 at NFO, in Asia/Kolkata): give a listed expiry on or after today, or a rule such as current_week' },
    ]);
    expect(refusal({ exchange: 'NFO', option_expiry: '2026-12-07' })).toBeNull();
    expect(refusal({ exchange: 'BFO', option_expiry: 'current_month' })).toBeNull();
    expect(refusal({ exchange: 'NFO' })).toBeNull();
  });

  it('reads today as the contract choice does, at the exchange, whatever the strategy\'s zone: 22:00 in New York on 21 December is 22 December at NFO', () => {
    const at = Date.parse('2026-12-22T03:00:00Z');
    expect(() => refusePastExpiries({ exchange: 'NFO', option_expiry: '2026-12-21' }, at)).toThrow(DomainError);
    expect(exchangeToday('NFO', at)).toBe('2026-12-22');
    expect(() => refusePastExpiries({ exchange: 'NFO', option_expiry: '2026-12-22' }, at)).not.toThrow();
  });

  it('names each position whose date has passed by its path, all at once', () => {
    const positions = [
      { side: 'sell', option_right: 'CE', option_expiry: '2026-11-30' },
      { side: 'sell', option_right: 'PE' },
      { side: 'buy', option_right: 'PE', option_expiry: '2026-12-01' },
    ];
    expect(refusal({ exchange: 'NFO', positions })).toEqual([
      { field: 'positions.0.option_expiry', message: expect.stringContaining('option_expiry 2026-11-30 has passed') },
      { field: 'positions.2.option_expiry', message: expect.stringContaining('option_expiry 2026-12-01 has passed') },
    ]);
  });
});
