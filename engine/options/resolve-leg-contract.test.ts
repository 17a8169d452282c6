/**
 * A leg's instrument resolved end to end on an in-memory chain: underlying, then expiry, then
 * strike (or the future), each failure naming what was missing.
 */
import { describe, expect, it } from 'vitest';
import { chainOf, ladderOf } from '../../tests/support/option-chains';
import { expiryRule, legExpiry, legOf, optionLegOf, resolveLegContract, strikeRule } from './resolve-leg-contract';

const strikes = Array.from({ length: 21 }, (_, i) => 25500 + 50 * i);
const chain = chainOf('NIFTY', [ladderOf({ expiry: '2026-12-08', strikes }), ladderOf({ expiry: '2026-12-15', strikes }), ladderOf({ expiry: '2026-12-29', strikes, missing: [[26000, 'CE']] })], ['2026-12-29', '2027-01-25']);
const ctx = { today: '2026-12-07', spot: 26010 };

describe('resolveLegContract', () => {
  it('names the option contract of the rule: next week, 2 strikes OTM put', () => {
    const r = resolveLegContract(chain, { kind: 'option', underlying: 'NIFTY', expiry: { kind: 'next_week' }, right: 'PE', strike: { kind: 'atm_offset', steps: 2 } }, ctx);
    expect(r).toEqual({ ok: true, value: { atm: 26000, premium: null, contract: expect.objectContaining({ tradingsymbol: 'NIFTY2026121525900PE', expiry: '2026-12-15', strike: 25900, kind: 'PE', lotSize: 65, tickSize: 0.05 }) } });
  });

  it('names the month\'s future, and refuses a weekly future', () => {
    expect(resolveLegContract(chain, { kind: 'future', underlying: 'NIFTY', expiry: { kind: 'current_month' } }, ctx)).toMatchObject({ ok: true, value: { contract: { kind: 'FUT', expiry: '2026-12-29', strike: 0 }, atm: null } });
    expect(resolveLegContract(chain, { kind: 'future', underlying: 'NIFTY', expiry: { kind: 'current_week' } }, ctx)).toMatchObject({ ok: false, error: { code: 'no_weekly_series', message: expect.stringMatching(/^NIFTY futures lists monthly expiries only/) } });
  });

  it('says which part is missing: the underlying, the expiry, the contract at the strike', () => {
    expect(resolveLegContract(chain, { kind: 'option', underlying: 'MIDCPNIFTY', expiry: { kind: 'current_week' }, right: 'CE', strike: { kind: 'atm' } }, ctx)).toEqual({ ok: false, error: { code: 'unknown_underlying', message: 'the instrument list has no derivatives on MIDCPNIFTY' } });
    expect(resolveLegContract(chain, { kind: 'option', underlying: 'NIFTY', expiry: { kind: 'date', date: '2026-12-22' } , right: 'CE', strike: { kind: 'atm' } }, ctx)).toMatchObject({ ok: false, error: { code: 'no_expiry' } });
    expect(resolveLegContract(chain, { kind: 'option', underlying: 'NIFTY', expiry: { kind: 'current_month' }, right: 'CE', strike: { kind: 'atm' } }, ctx)).toEqual({ ok: false, error: { code: 'no_contract', message: 'NIFTY 2026-12-29 lists no CE at strike 26000' } });
  });
});

describe('the spec\'s rule texts', () => {
  it('reads an expiry rule or an exact date, and every strike rule, the straddle width included', () => {
    expect(['current_week', 'next_week', 'current_month', '2026-12-15'].map(expiryRule)).toEqual([{ kind: 'current_week' }, { kind: 'next_week' }, { kind: 'current_month' }, { kind: 'date', date: '2026-12-15' }]);
    expect(['atm', 'atm+2', 'atm-1', 'premium:85.5', 'width:0.75'].map(strikeRule)).toEqual([
      { kind: 'atm' },
      { kind: 'atm_offset', steps: 2 },
      { kind: 'atm_offset', steps: -1 },
      { kind: 'premium_nearest', premium: 85.5 },
      { kind: 'straddle_width', factor: 0.75 },
    ]);
  });

  it('resolves a leg of the spec with a date to that listed expiry, and a straddle width from the ATM straddle\'s premiums', () => {
    const dated = optionLegOf({ symbol: 'NIFTY', option_right: 'CE', option_expiry: '2026-12-15', option_strike: 'atm' });
    expect(resolveLegContract(chain, dated, ctx)).toMatchObject({ ok: true, value: { contract: { tradingsymbol: 'NIFTY2026121526000CE', expiry: '2026-12-15' } } });
    // ATM 26000: CE 120 + PE 110 = a 230-point straddle; 0.5 × 230 = 115 from the money: the CE nearest 26115 is 26100, the PE nearest 25885 is 25900.
    const quoteOf = (c: { strike: number; kind: string }) => (c.strike === 26000 ? (c.kind === 'CE' ? 120 : 110) : 50);
    const width = (right: 'CE' | 'PE') => resolveLegContract(chain, optionLegOf({ symbol: 'NIFTY', option_right: right, option_strike: 'width:0.5' }), { ...ctx, quoteOf });
    expect(width('CE')).toMatchObject({ ok: true, value: { atm: 26000, premium: 230, contract: { strike: 26100, kind: 'CE', expiry: '2026-12-08' } } });
    expect(width('PE')).toMatchObject({ ok: true, value: { atm: 26000, premium: 230, contract: { strike: 25900, kind: 'PE' } } });
  });

  it("reads a position's FUT as the month's future, or the listed date it names; its expiry among the futures'", () => {
    expect(legOf({ symbol: 'NIFTY', option_right: 'FUT' })).toEqual({ kind: 'future', underlying: 'NIFTY', expiry: { kind: 'current_month' } });
    expect(legOf({ symbol: 'NIFTY', option_right: 'FUT', option_expiry: '2027-01-25', option_strike: 'atm' })).toEqual({ kind: 'future', underlying: 'NIFTY', expiry: { kind: 'date', date: '2027-01-25' } });
    expect(legOf({ symbol: 'NIFTY', option_right: 'PE', option_strike: 'atm+1' })).toEqual(optionLegOf({ symbol: 'NIFTY', option_right: 'PE', option_strike: 'atm+1' }));
    expect(resolveLegContract(chain, legOf({ symbol: 'NIFTY', option_right: 'FUT', option_expiry: '2027-01-25' }), ctx)).toMatchObject({ ok: true, value: { contract: { kind: 'FUT', expiry: '2027-01-25' } } });
    // The options' nearest expiry is the weekly of the 8th; the future's, the 29th.
    expect(legExpiry(chain, legOf({ symbol: 'NIFTY', option_right: 'CE' }), ctx.today)).toEqual({ ok: true, value: '2026-12-08' });
    expect(legExpiry(chain, legOf({ symbol: 'NIFTY', option_right: 'FUT' }), ctx.today)).toEqual({ ok: true, value: '2026-12-29' });
  });
});
