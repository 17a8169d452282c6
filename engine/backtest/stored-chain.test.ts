/**
 * The option chain a backtest day reads from the store (fixtures/nifty-options), and the engine's
 * own selection on it: expiry and strike from each contract's name, a monthly's expiry from its last
 * stored bar, the rules as the live entry applies them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from '../../db/test-support';
import { INDEX_LISTINGS } from '../core/index-underlyings';
import { resolveLegContract } from '../options/resolve-leg-contract';
import type { ExpiryRule } from '../options/expiry-select';
import type { StrikeRule } from '../options/strike-resolve';
import { importNiftyOptions } from './nifty-options.test-support';
import { storedChain } from './stored-chain';

let t: TestDb;
beforeAll(async () => {
  t = openTestDb();
  await importNiftyOptions(t.repos);
  // Another underlying's contract and a name that is no option, on the same day: neither is NIFTY's chain.
  t.repos.historicalBars.save('NFO', 'BANKNIFTY26DEC59000CE', [{ minute: Date.parse('2026-12-07T09:20:00+05:30'), open: 300, high: 300, low: 300, close: 300, volume: 1 }]);
  t.repos.historicalBars.save('NFO', 'NIFTY26DECFUT', [{ minute: Date.parse('2026-12-07T09:20:00+05:30'), open: 26050, high: 26050, low: 26050, close: 26050, volume: 1 }]);
});
afterAll(() => t.close());

const chainOn = (date: string, monthlyExpiries = new Map<string, string | null>()) =>
  storedChain(t.repos.historicalBars, date, { underlying: 'NIFTY', listing: INDEX_LISTINGS.NIFTY, lotSize: 65, tickSize: 0.05, monthlyExpiries });

describe('the chain of a backtest day', () => {
  it("lists the day's contracts with bars: weeklies by their names' dates, the monthly by its last bar", () => {
    const monthly = new Map<string, string | null>();
    const chain = chainOn('2026-12-07', monthly);
    expect(chain.calendar('NIFTY')).toEqual({ underlying: 'NIFTY', optionExpiries: ['2026-12-08', '2026-12-15', '2026-12-29'], futureExpiries: ['2026-12-29'] });
    expect(chain.calendar('BANKNIFTY')).toBeNull();
    const ladder = chain.ladder('NIFTY', '2026-12-08')!;
    expect(Array.from(ladder.strikes)).toEqual([25950, 26000, 26050]);
    expect(ladder.contract(1, 'CE')).toEqual({ tradingsymbol: 'NIFTY26D0826000CE', exchange: 'NFO', token: 0, underlying: 'NIFTY', expiry: '2026-12-08', kind: 'CE', strike: 26000, lotSize: 65, tickSize: 0.05 });
    expect(ladder.contract(1, 'PE')).toBeNull();
    expect(chain.ladder('NIFTY', '2026-12-29')!.contract(0, 'CE')!.tradingsymbol).toBe('NIFTY26DEC26000CE');
    expect(monthly).toEqual(new Map([['NIFTY26DEC26000CE', '2026-12-29']]));
  });

  it('a day has only the contracts with bars that day: the expired weeklies are gone on Wednesday', () => {
    // Its weekly names alone on the expiry day: December's monthly is not stored that day, its last day stands in for it.
    expect(chainOn('2026-12-08').calendar('NIFTY')).toEqual({ underlying: 'NIFTY', optionExpiries: ['2026-12-08'], futureExpiries: ['2026-12-31'] });
    expect(chainOn('2026-12-09').calendar('NIFTY')).toBeNull();
  });

  it('a monthly name whose last stored bar is outside its month is left out (its expiry is unknown)', () => {
    t.repos.historicalBars.save('NFO', 'NIFTY26NOV26000CE', [{ minute: Date.parse('2026-12-07T09:20:00+05:30'), open: 1, high: 1, low: 1, close: 1, volume: 1 }]);
    expect(chainOn('2026-12-07').calendar('NIFTY')!.optionExpiries).toEqual(['2026-12-08', '2026-12-15', '2026-12-29']);
  });
});

describe("the engine's selection on it", () => {
  const choose = (date: string, expiry: ExpiryRule, strike: StrikeRule, spot: number, quotes: Record<string, number> = {}) => {
    const leg = resolveLegContract(chainOn(date), { kind: 'option', underlying: 'NIFTY', expiry, right: 'CE', strike }, { today: date, spot, quoteOf: (c) => quotes[c.tradingsymbol] ?? null });
    return leg.ok ? leg.value.contract.tradingsymbol : leg.error.message;
  };

  it('expiry rules: the current week is the nearest (its own day included), then the next, the month the last in it', () => {
    expect(choose('2026-12-07', { kind: 'current_week' }, { kind: 'atm' }, 26010)).toBe('NIFTY26D0826000CE');
    expect(choose('2026-12-08', { kind: 'current_week' }, { kind: 'atm' }, 26040)).toBe('NIFTY26D0826050CE');
    // The next week and the month list one strike each: too few to say which is near.
    expect(choose('2026-12-07', { kind: 'next_week' }, { kind: 'atm' }, 26010)).toBe('NIFTY 2026-12-15 lists one strike only (26000), too few to judge which is near 26010');
    expect(choose('2026-12-07', { kind: 'current_month' }, { kind: 'atm' }, 26010)).toBe('NIFTY 2026-12-29 lists one strike only (26000), too few to judge which is near 26010');
  });

  it('an index whose stored names are all monthly lists no weekly series: a weekly rule is refused, as live', () => {
    const chain = storedChain(t.repos.historicalBars, '2026-12-07', { underlying: 'BANKNIFTY', listing: INDEX_LISTINGS.BANKNIFTY, lotSize: 30, tickSize: 0.05, monthlyExpiries: new Map() });
    const leg = resolveLegContract(chain, { kind: 'option', underlying: 'BANKNIFTY', expiry: { kind: 'current_week' }, right: 'CE', strike: { kind: 'atm' } }, { today: '2026-12-07', spot: 59010 });
    // Its one bar is on 2026-12-07, so that is the expiry its monthly name is given.
    expect(leg.ok ? leg.value : leg.error.message).toBe('BANKNIFTY lists monthly expiries only (2026-12-07): choose the current month or a date');
  });

  it('strike rules: ATM ± listed strikes from the index price, the premium nearest from the quotes', () => {
    expect(choose('2026-12-07', { kind: 'current_week' }, { kind: 'atm_offset', steps: 1 }, 26010)).toBe('NIFTY26D0826050CE');
    expect(choose('2026-12-07', { kind: 'current_week' }, { kind: 'atm_offset', steps: -1 }, 26010)).toBe('NIFTY26D0825950CE');
    expect(choose('2026-12-07', { kind: 'current_week' }, { kind: 'premium_nearest', premium: 100 }, 26010, { NIFTY26D0825950CE: 150, NIFTY26D0826000CE: 120, NIFTY26D0826050CE: 95 })).toBe('NIFTY26D0826050CE');
    expect(choose('2026-12-07', { kind: 'current_week' }, { kind: 'atm_offset', steps: 2 }, 26010)).toBe('NIFTY 2026-12-08 CE OTM 2 is beyond the listed strikes (strikes above 26000: 1)');
  });
});
