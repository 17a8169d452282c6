import { afterEach, describe, expect, it } from 'vitest';
import { isKnownTimezone } from './timezone';
import { createStrategyInput } from '../strategy/strategy-input';

const RealDateTimeFormat = Intl.DateTimeFormat;

/** Counts `new Intl.DateTimeFormat(...)` from now on; the real constructor still does the work. */
function countFormatters(): { readonly count: number } {
  const counter = { count: 0 };
  Intl.DateTimeFormat = new Proxy(RealDateTimeFormat, {
    construct(target, args: ConstructorParameters<typeof Intl.DateTimeFormat>) {
      counter.count++;
      return new target(...args);
    },
  });
  return counter;
}

describe('isKnownTimezone', () => {
  afterEach(() => {
    Intl.DateTimeFormat = RealDateTimeFormat;
  });

  it('knows IANA names and refuses anything else', () => {
    expect(['America/New_York', 'Asia/Kolkata', 'UTC', 'Europe/London'].map(isKnownTimezone)).toEqual([true, true, true, true]);
    expect(['Mars/Olympus_Mons', '', 'EST5EDT/Nowhere', 'America/New_York '].map(isKnownTimezone)).toEqual([false, false, false, false]);
  });

  it('builds an Intl.DateTimeFormat once per known name, not once per check (each one is ~25 KB of native memory)', () => {
    const made = countFormatters();
    for (let i = 0; i < 500; i++) expect(isKnownTimezone('Australia/Sydney')).toBe(true);
    expect(made.count).toBe(1);
    for (let i = 0; i < 3; i++) expect(isKnownTimezone('Nowhere/Atlantis')).toBe(false);
    expect(made.count).toBe(4); // an unknown name is not remembered: each check asks ICU again
  });

  it('is what strategy validation uses: 500 strategies in one zone build at most one formatter', () => {
    isKnownTimezone('Pacific/Auckland');
    const made = countFormatters();
    for (let i = 0; i < 500; i++) {
      createStrategyInput.parse({ broker_account_id: 1, symbol: 'AAPL', qty: 1, buy_time: '09:30', sell_time: '15:00', stop_loss: 10, timezone: 'Pacific/Auckland' });
    }
    expect(made.count).toBe(0);
  });
});
