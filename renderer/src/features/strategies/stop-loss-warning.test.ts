import { describe, expect, it } from 'vitest';
import { stopAtOrAbove } from './stop-loss-warning';

const quote = { symbol: 'AAPL', exchange: 'NASDAQ', known: true, price: 187.5, at: 1 };

describe('stopAtOrAbove', () => {
  it('warns of a stop-loss at or above the last price, naming both', () => {
    expect(stopAtOrAbove('187.5', quote)).toEqual({ symbol: 'AAPL', exchange: 'NASDAQ', stopLoss: 187.5, price: 187.5 });
    expect(stopAtOrAbove(' 200 ', quote)).toMatchObject({ stopLoss: 200 });
  });

  it('has nothing to ask below the price, without a price, for an unknown symbol or a stop that is no number', () => {
    expect(stopAtOrAbove('187.49', quote)).toBeNull();
    expect(stopAtOrAbove('200', { ...quote, price: null, at: null })).toBeNull();
    expect(stopAtOrAbove('200', { ...quote, known: false })).toBeNull();
    expect(stopAtOrAbove('abc', quote)).toBeNull();
    expect(stopAtOrAbove('200', null)).toBeNull();
  });
});
