import { describe, expect, it } from 'vitest';
import { DomainError } from '../core/errors';
import { refusePastExpiries, type ExpiryKeys } from './past-expiry';

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
  it('refuses a date before today in the strategy\'s zone, naming the field; today and later, and the rules, pass', () => {
    expect(refusal({ timezone: 'Asia/Kolkata', option_expiry: '2026-12-06' })).toEqual([
      { field: 'option_expiry', message: 'option_expiry 2026-12-06 has passed (today is 2026-12-07 in Asia/Kolkata): give a listed expiry on or after today, or a rule such as current_week' },
    ]);
    expect(refusal({ timezone: 'America/New_York', option_expiry: '2026-12-06' })).toBeNull();
    expect(refusal({ timezone: 'Asia/Kolkata', option_expiry: '2026-12-07' })).toBeNull();
    expect(refusal({ timezone: 'Asia/Kolkata', option_expiry: 'current_month' })).toBeNull();
    expect(refusal({ timezone: 'Asia/Kolkata' })).toBeNull();
  });

  it('names each position whose date has passed by its path, all at once', () => {
    const positions = [
      { side: 'sell', option_right: 'CE', option_expiry: '2026-11-30' },
      { side: 'sell', option_right: 'PE' },
      { side: 'buy', option_right: 'PE', option_expiry: '2026-12-01' },
    ];
    expect(refusal({ timezone: 'Asia/Kolkata', positions })).toEqual([
      { field: 'positions.0.option_expiry', message: expect.stringContaining('option_expiry 2026-11-30 has passed') },
      { field: 'positions.2.option_expiry', message: expect.stringContaining('option_expiry 2026-12-01 has passed') },
    ]);
  });
});
