import { describe, expect, it } from 'vitest';
import { sellableQty } from './sellable-qty';

describe('sellableQty', () => {
  it('is the free amount: what the trader\'s own open orders lock is theirs', () => {
    expect(sellableQty(0.0014985, 0.001)).toBe(0.0014985);
    expect(sellableQty(0, 0.001)).toBe(0);
  });

  it("adds what Tradeclock's own resting orders lock (freed by their cancel before the exit), never more than is locked", () => {
    expect(sellableQty(0.0004985, 0.002, 0.001)).toBe(0.0014985);
    expect(sellableQty(0.1, 0.0005, 0.001)).toBe(0.1005);
    expect(sellableQty(0.1, 0.0005, -1)).toBe(0.1);
  });
});
