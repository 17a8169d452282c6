import { describe, expect, it } from 'vitest';
import { belowMinimum } from './order-minimum';

describe('belowMinimum', () => {
  const btcUsdt = { minQty: 0.00001, minNotional: 5 };

  it('names the least quantity a remainder is under', () => {
    expect(belowMinimum({ minQty: 0.001, minNotional: 5 }, 0.0005, 60000)).toBe('under the least order quantity of 0.001');
  });

  it("names the least value a remainder's worth at the last price is under", () => {
    expect(belowMinimum(btcUsdt, 0.00003, 60000)).toBe('worth 1.8 at 60000, under the least order value of 5');
  });

  it('passes an order at or over both minimums, exactly (0.00005 × 100000 is 5, no float residue)', () => {
    expect(belowMinimum(btcUsdt, 0.00005, 100000)).toBeNull();
    expect(belowMinimum(btcUsdt, 0.0015, 60000)).toBeNull();
  });

  it('cannot tell the value without a price, and says nothing where the venue sets no minimum', () => {
    expect(belowMinimum(btcUsdt, 0.00003, null)).toBeNull();
    expect(belowMinimum({ minQty: null, minNotional: null }, 0.00000001, 1)).toBeNull();
    expect(belowMinimum({}, 0.00000001, 1)).toBeNull();
  });
});
