import { describe, expect, it } from 'vitest';
import { setsLastPrice } from './last-sale';

describe('setsLastPrice: the trades a stop or a target reacts to', () => {
  it('regular sales, sweeps, opening and closing prints set the last price (CTA " ", UTP "@")', () => {
    for (const c of [[], [' '], ['@'], ['@', 'F'], [' ', 'E'], ['@', 'O'], ['@', '6'], ['@', 'X']]) expect(setsLastPrice(c)).toBe(true);
    expect(setsLastPrice(undefined)).toBe(true);
  });

  it('odd lots, average price, out of sequence, extended hours, official open/close and corrections do not', () => {
    for (const c of ['I', 'B', 'W', 'Z', 'U', 'T', 'M', 'Q', 'C', 'N', 'R', 'V', '7', '4', 'P', 'G', 'H', '9']) expect(setsLastPrice(['@', c]), c).toBe(false);
  });

  it("a trade Alpaca later marked canceled or incorrect does not; its correction does", () => {
    expect(setsLastPrice(['@'], 'canceled')).toBe(false);
    expect(setsLastPrice(['@'], 'incorrect')).toBe(false);
    expect(setsLastPrice(['@'], 'corrected')).toBe(true);
  });
});
