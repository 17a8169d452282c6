import { describe, expect, it } from 'vitest';
import { parseOptionSymbol, weeklyOptionSymbol } from './option-symbol';

describe('Kite option names', () => {
  it('reads the weekly form (its date) and the monthly form (its month); refuses what is not one', () => {
    expect(parseOptionSymbol('NIFTY26D0826000CE')).toEqual({ underlying: 'NIFTY', right: 'CE', strike: 26000, expiry: { kind: 'date', date: '2026-12-08' } });
    expect(parseOptionSymbol('SENSEX27O0785000PE')).toEqual({ underlying: 'SENSEX', right: 'PE', strike: 85000, expiry: { kind: 'date', date: '2027-10-07' } });
    expect(parseOptionSymbol('NIFTY26DEC24000PE')).toEqual({ underlying: 'NIFTY', right: 'PE', strike: 24000, expiry: { kind: 'month', month: '2026-12' } });
    for (const bad of ['NIFTY26DECFUT', 'NIFTY 50', 'NIFTY26N3126000CE', 'NIFTY26D08026000CE', 'NIFTY26DEC024000CE', 'INFY']) expect(parseOptionSymbol(bad)).toBeNull();
  });
});

describe('the weekly form written', () => {
  it('is read back as written', () => {
    expect(weeklyOptionSymbol('SENSEX', '2026-12-17', 85000, 'PE')).toBe('SENSEX26D1785000PE');
    expect(parseOptionSymbol(weeklyOptionSymbol('NIFTY', '2027-01-05', 24500, 'CE'))).toEqual({ underlying: 'NIFTY', right: 'CE', strike: 24500, expiry: { kind: 'date', date: '2027-01-05' } });
  });
});
