import { describe, expect, it } from 'vitest';
import { closableQty } from './net-position';

describe('closableQty', () => {
  it('a sell-to-close closes a long, never a short', () => {
    expect(closableQty(10, 'sell')).toBe(10);
    expect(closableQty(0.5, 'sell')).toBe(0.5);
    expect(closableQty(-5, 'sell')).toBe(0);
  });

  it('a buy-to-cover closes a short, never a long', () => {
    expect(closableQty(-5, 'buy')).toBe(5);
    expect(closableQty(10, 'buy')).toBe(0);
  });

  it('flat is 0 on both sides, never -0', () => {
    expect(Object.is(closableQty(0, 'sell'), 0)).toBe(true);
    expect(Object.is(closableQty(0, 'buy'), 0)).toBe(true);
    expect(Object.is(closableQty(-0, 'buy'), 0)).toBe(true);
  });
});
