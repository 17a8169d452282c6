/**
 * Strike resolution at entry time, over random ladders, prices and quotes (fast-check), and by
 * example for the stated conventions: ATM ties to the higher strike, +n is out of the money for
 * both rights, a premium tie goes to the cheaper contract, and every request that cannot be met
 * says what was missing instead of naming some other contract.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ladderOf } from '../../tests/support/option-chains';
import type { DerivativeContract, OptionLadder, OptionRight } from './option-chain';
import { atmIndex, resolveStrike, type QuoteOf } from './strike-resolve';

const right = fc.constantFrom<OptionRight>('CE', 'PE');

/** A ladder of 4–60 strikes `step` apart, sometimes with one right missing at a few strikes. */
const ladderArb = fc
  .record({ step: fc.constantFrom(50, 100), first: fc.integer({ min: 100, max: 600 }), count: fc.integer({ min: 4, max: 60 }), holes: fc.array(fc.tuple(fc.nat(), right), { maxLength: 3 }) })
  .map(({ step, first, count, holes }) => {
    const strikes = Array.from({ length: count }, (_, i) => (first + i) * step);
    return { step, ladder: ladderOf({ strikes, missing: holes.map(([k, r]) => [strikes[k % count]!, r] as const) }) };
  });

/** A price inside the ladder's range, or exactly midway between two strikes. */
const spotIn = (l: OptionLadder) =>
  fc.oneof(
    fc.double({ min: l.strikes[0]!, max: l.strikes[l.strikes.length - 1]!, noNaN: true }),
    fc.nat({ max: l.strikes.length - 2 }).map((k) => (l.strikes[k]! + l.strikes[k + 1]!) / 2),
  );

const strikesOf = (l: OptionLadder) => Array.from(l.strikes);
const indexOf = (l: OptionLadder, strike: number) => strikesOf(l).indexOf(strike);

/** Quotes as a seller's chain would show them: CE falling with the strike, PE rising, some absent. */
const quotesFor = (l: OptionLadder, spot: number, absent: ReadonlySet<number>): QuoteOf => (c: DerivativeContract) => {
  if (absent.has(indexOf(l, c.strike))) return null;
  const intrinsic = c.kind === 'CE' ? Math.max(0, spot - c.strike) : Math.max(0, c.strike - spot);
  return Math.round((intrinsic + 200 * Math.exp(-Math.abs(c.strike - spot) / 400)) * 20) / 20 + 0.05;
};

describe('ATM', () => {
  it('is the listed strike nearest the price (the higher of two equally near), for the asked right, or an error naming the missing contract', () => {
    fc.assert(
      fc.property(ladderArb.chain(({ ladder }) => fc.tuple(fc.constant(ladder), spotIn(ladder), right)), ([ladder, spot, r]) => {
        const res = resolveStrike(ladder, r, { kind: 'atm' }, { spot });
        const i = atmIndex(ladder, spot);
        expect(i.ok).toBe(true);
        const atm = ladder.strikes[(i as { value: number }).value]!;
        for (const s of strikesOf(ladder)) {
          expect(Math.abs(s - spot)).toBeGreaterThanOrEqual(Math.abs(atm - spot));
          if (s !== atm && Math.abs(s - spot) === Math.abs(atm - spot)) expect(atm).toBeGreaterThan(s);
        }
        if (res.ok) expect(res.value.contract).toMatchObject({ strike: atm, kind: r });
        else expect(res.error).toEqual({ code: 'no_contract', message: `NIFTY 2026-12-22 lists no ${r} at strike ${atm}` });
      }),
    );
  });

  it('has no strike "near" a price more than one strike step outside the listed range', () => {
    const ladder = ladderOf({ strikes: [25900, 25950, 26000, 26050, 26100] });
    expect(resolveStrike(ladder, 'CE', { kind: 'atm' }, { spot: 26150 })).toMatchObject({ ok: true, value: { contract: { strike: 26100 } } });
    expect(resolveStrike(ladder, 'CE', { kind: 'atm' }, { spot: 26150.05 })).toEqual({ ok: false, error: { code: 'no_strike', message: 'no listed strike near 26150.05: NIFTY 2026-12-22 lists strikes 25900–26100' } });
    expect(resolveStrike(ladder, 'PE', { kind: 'atm' }, { spot: 12000 })).toMatchObject({ ok: false, error: { code: 'no_strike' } });
    expect(resolveStrike(ladder, 'PE', { kind: 'atm' }, { spot: Number.NaN })).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(resolveStrike(ladderOf({ strikes: [26000] }), 'PE', { kind: 'atm' }, { spot: 26000 })).toMatchObject({ ok: false, error: { code: 'no_strike', message: expect.stringMatching(/one strike only \(26000\)/) } });
  });

  it('names the contract: tradingsymbol, token, lot size and tick size', () => {
    const ladder = ladderOf({ strikes: [25950, 26000, 26050], lotSize: 65 });
    const res = resolveStrike(ladder, 'PE', { kind: 'atm' }, { spot: 26025 });
    expect(res).toEqual({ ok: true, value: { atm: 26050, premium: null, contract: { tradingsymbol: 'NIFTY2026122226050PE', exchange: 'NFO', token: 2084002, underlying: 'NIFTY', expiry: '2026-12-22', kind: 'PE', strike: 26050, lotSize: 65, tickSize: 0.05 } } });
  });
});

describe('ATM ± n strikes', () => {
  it('moves n listed strikes out of the money for +n (CE up, PE down) and into it for −n, or says the ladder ends first', () => {
    fc.assert(
      fc.property(ladderArb.chain(({ ladder }) => fc.tuple(fc.constant(ladder), spotIn(ladder), right, fc.integer({ min: -70, max: 70 }))), ([ladder, spot, r, n]) => {
        const i0 = (atmIndex(ladder, spot) as { value: number }).value;
        const want = r === 'CE' ? i0 + n : i0 - n;
        const res = resolveStrike(ladder, r, { kind: 'atm_offset', steps: n }, { spot });
        if (want < 0 || want >= ladder.strikes.length) return void expect(res).toMatchObject({ ok: false, error: { code: 'no_strike' } });
        if (!res.ok) return void expect(res.error.code).toBe('no_contract');
        expect(res.value.contract.kind).toBe(r);
        expect(indexOf(ladder, res.value.contract.strike)).toBe(want);
        const otm = r === 'CE' ? res.value.contract.strike >= res.value.atm : res.value.contract.strike <= res.value.atm;
        expect(otm).toBe(n >= 0);
      }),
    );
  });

  it('on a 50-point ladder: CE +2 is ATM + 100, PE +2 is ATM − 100, CE −1 is ATM − 50; the error counts what is listed', () => {
    const ladder = ladderOf({ strikes: [25800, 25850, 25900, 25950, 26000, 26050, 26100, 26150, 26200] });
    const strike = (r: OptionRight, steps: number) => {
      const res = resolveStrike(ladder, r, { kind: 'atm_offset', steps }, { spot: 26012 });
      return res.ok ? res.value.contract.strike : res.error.message;
    };
    expect([strike('CE', 2), strike('PE', 2), strike('CE', -1), strike('PE', 0)]).toEqual([26100, 25900, 25950, 26000]);
    expect(strike('CE', 5)).toBe('NIFTY 2026-12-22 CE OTM 5 is beyond the listed strikes (strikes above 26000: 4)');
    expect(strike('PE', -6)).toBe('NIFTY 2026-12-22 PE ITM 6 is beyond the listed strikes (strikes above 26000: 4)');
    expect(strike('PE', 5)).toBe('NIFTY 2026-12-22 PE OTM 5 is beyond the listed strikes (strikes below 26000: 4)');
    expect(strike('CE', 1.5)).toBe('a strike offset must be a whole number of strikes, got 1.5');
  });
});

describe('premium nearest a value', () => {
  it('picks a quoted contract of the right that no other quoted one beats, the cheaper on a tie; none quoted is an error', () => {
    fc.assert(
      fc.property(
        ladderArb.chain(({ ladder }) => fc.tuple(fc.constant(ladder), spotIn(ladder), right, fc.double({ min: 0.05, max: 800, noNaN: true }), fc.uniqueArray(fc.nat({ max: 59 }), { maxLength: 60 }))),
        ([ladder, spot, r, target, absent]) => {
          const quoteOf = quotesFor(ladder, spot, new Set(absent));
          const res = resolveStrike(ladder, r, { kind: 'premium_nearest', premium: target }, { spot, quoteOf });
          const quoted = strikesOf(ladder).flatMap((_, i) => {
            const c = ladder.contract(i, r);
            const q = c ? quoteOf(c) : null;
            return c && q !== null ? [{ c, q }] : [];
          });
          if (quoted.length === 0) return void expect(res).toMatchObject({ ok: false, error: { code: 'no_quote' } });
          expect(res.ok).toBe(true);
          const { contract, premium } = (res as { value: { contract: DerivativeContract; premium: number } }).value;
          expect(contract.kind).toBe(r);
          expect(premium).toBe(quoteOf(contract));
          for (const { q } of quoted) {
            expect(Math.abs(q - target)).toBeGreaterThanOrEqual(Math.abs(premium - target));
            if (Math.abs(q - target) === Math.abs(premium - target)) expect(premium).toBeLessThanOrEqual(q);
          }
        },
      ),
    );
  });

  it('ignores contracts without a usable quote, and refuses a target that is not a positive price', () => {
    const ladder = ladderOf({ strikes: [25900, 26000, 26100] });
    const quotes: Record<number, number | null> = { 25900: 150, 26000: 0, 26100: Number.NaN };
    const quoteOf: QuoteOf = (c) => quotes[c.strike] ?? null;
    expect(resolveStrike(ladder, 'CE', { kind: 'premium_nearest', premium: 10 }, { spot: 26000, quoteOf })).toMatchObject({ ok: true, value: { contract: { strike: 25900 }, premium: 150 } });
    expect(resolveStrike(ladder, 'CE', { kind: 'premium_nearest', premium: 10 }, { spot: 26000, quoteOf: () => null })).toEqual({ ok: false, error: { code: 'no_quote', message: 'no quote for any CE of NIFTY 2026-12-22, so no premium is nearest 10' } });
    // 40 and 60 are equally near 50: the cheaper, further out of the money, is taken.
    const tie: QuoteOf = (c) => ({ 25900: 60, 26000: 40, 26100: 20 })[c.strike] ?? null;
    expect(resolveStrike(ladder, 'CE', { kind: 'premium_nearest', premium: 50 }, { spot: 26000, quoteOf: tie })).toMatchObject({ ok: true, value: { contract: { strike: 26000 }, premium: 40 } });
    expect(resolveStrike(ladder, 'CE', { kind: 'premium_nearest', premium: -5 }, { spot: 26000, quoteOf })).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(resolveStrike(ladder, 'CE', { kind: 'premium_nearest', premium: 50 }, { spot: 26000 })).toMatchObject({ ok: false, error: { code: 'no_quote' } });
  });
});

describe('straddle width', () => {
  it('is the listed strike nearest ATM ± (ATM straddle premium × factor): CE above ATM, PE below, ATM itself at factor 0', () => {
    fc.assert(
      fc.property(ladderArb.chain(({ ladder }) => fc.tuple(fc.constant(ladder), spotIn(ladder), right, fc.double({ min: 0, max: 3, noNaN: true }))), ([ladder, spot, r, factor]) => {
        const quoteOf = quotesFor(ladder, spot, new Set());
        const res = resolveStrike(ladder, r, { kind: 'straddle_width', factor }, { spot, quoteOf });
        const atm = ladder.strikes[(atmIndex(ladder, spot) as { value: number }).value]!;
        const i0 = indexOf(ladder, atm);
        const ce = ladder.contract(i0, 'CE');
        const pe = ladder.contract(i0, 'PE');
        if (!ce || !pe) return void expect(res).toMatchObject({ ok: false, error: { code: 'no_contract' } });
        const straddle = quoteOf(ce)! + quoteOf(pe)!;
        const target = r === 'CE' ? atm + straddle * factor : atm - straddle * factor;
        const step = ladder.strikes[1]! - ladder.strikes[0]!;
        if (target > ladder.strikes[ladder.strikes.length - 1]! + step || target < ladder.strikes[0]! - step) return void expect(res).toMatchObject({ ok: false, error: { code: 'no_strike' } });
        if (!res.ok) return void expect(res.error.code).toBe('no_contract');
        const chosen = res.value.contract.strike;
        expect(res.value.premium).toBe(straddle);
        for (const s of strikesOf(ladder)) expect(Math.abs(s - target)).toBeGreaterThanOrEqual(Math.abs(chosen - target));
        expect(r === 'CE' ? chosen >= atm : chosen <= atm).toBe(true);
        if (factor === 0) expect(chosen).toBe(atm);
      }),
    );
  });

  it('by example: ATM 26000 with a 240-point straddle and factor 0.5 sells 26100 CE and 25900 PE; a missing ATM quote is named', () => {
    const ladder = ladderOf({ strikes: [25800, 25850, 25900, 25950, 26000, 26050, 26100, 26150, 26200] });
    const quoteOf: QuoteOf = (c) => (c.strike === 26000 ? (c.kind === 'CE' ? 130 : 110) : 50);
    const strike = (r: OptionRight) => resolveStrike(ladder, r, { kind: 'straddle_width', factor: 0.5 }, { spot: 26003, quoteOf });
    expect(strike('CE')).toMatchObject({ ok: true, value: { contract: { strike: 26100, kind: 'CE' }, atm: 26000, premium: 240 } });
    expect(strike('PE')).toMatchObject({ ok: true, value: { contract: { strike: 25900, kind: 'PE' }, atm: 26000, premium: 240 } });
    const noPe: QuoteOf = (c) => (c.kind === 'PE' ? null : 100);
    expect(resolveStrike(ladder, 'CE', { kind: 'straddle_width', factor: 1 }, { spot: 26003, quoteOf: noPe })).toEqual({ ok: false, error: { code: 'no_quote', message: "no quote for NIFTY2026122226000PE (the ATM straddle's PE)" } });
    expect(resolveStrike(ladder, 'CE', { kind: 'straddle_width', factor: -1 }, { spot: 26003, quoteOf })).toMatchObject({ ok: false, error: { code: 'bad_request' } });
  });
});
