import { describe, expect, it } from 'vitest';
import { DEFAULT_REGISTER_LIMIT, registrationSettings } from './registration';

describe('registrationSettings', () => {
  it('is a single-user install unless the config or TRADECLOCK_OPEN_REGISTRATION=1 opens it', () => {
    expect(registrationSettings(undefined, {})).toEqual({ registration: { open: false }, registerLimit: DEFAULT_REGISTER_LIMIT });
    expect(registrationSettings(undefined, { TRADECLOCK_OPEN_REGISTRATION: '1' }).registration).toEqual({ open: true });
    expect(registrationSettings(undefined, { TRADECLOCK_OPEN_REGISTRATION: 'yes' }).registration).toEqual({ open: false });
    expect(registrationSettings(false, { TRADECLOCK_OPEN_REGISTRATION: '1' }).registration).toEqual({ open: false });
    expect(registrationSettings(true, {}).registration).toEqual({ open: true });
  });

  it('takes the per-client count from TRADECLOCK_REGISTER_LIMIT, and refuses one that is not a whole number ≥ 1', () => {
    expect(registrationSettings(true, { TRADECLOCK_REGISTER_LIMIT: '50' }).registerLimit).toEqual({ maxFailures: 50, windowMs: 15 * 60_000 });
    expect(registrationSettings(true, { TRADECLOCK_REGISTER_LIMIT: '' }).registerLimit).toEqual(DEFAULT_REGISTER_LIMIT);
    for (const bad of ['0', '-1', '2.5', 'lots', '1e3']) {
      expect(() => registrationSettings(true, { TRADECLOCK_REGISTER_LIMIT: bad }), bad).toThrow(/TRADECLOCK_REGISTER_LIMIT must be a whole number/);
    }
  });
});
