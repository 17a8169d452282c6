import { describe, expect, it } from 'vitest';
import { stopAtOrAbove } from './stop-loss-warning';

const quote = { symbol: 'AAPL', exchange: 'NASDAQ', known: true, price: 187.5, at: 1 };

describe('stopAtOrAbove', () => {
  it('warns of a stop-loss at or above the last price, naming both', () => {
    expect(stopAtOrAbove('187.5', 'price', quote)).toEqual({ symbol: 'AAPL', exchange: 'NASDAQ', stopLoss: 187.5, price: 187.5 });
    expect(stopAtOrAbove(' 200 ', 'price', quote)).toMatchObject({ stopLoss: 200 });
  });

  it('has nothing to ask below the price, without a price, for an unknown symbol or a stop that is no number', () => {
    expect(stopAtOrAbove('187.49', 'price', quote)).toBeNull();
    expect(stopAtOrAbove('200', 'price', { ...quote, price: null, at: null })).toBeNull();
    expect(stopAtOrAbove('200', 'price', { ...quote, known: false })).toBeNull();
    expect(stopAtOrAbove('abc', 'price', quote)).toBeNull();
    expect(stopAtOrAbove('200', 'price', null)).toBeNull();
  });

  it('never asks about a stop-loss in points or percent: it is a distance below the fill, whatever the price', () => {
    expect(stopAtOrAbove('200', 'points', quote)).toBeNull();
    expect(stopAtOrAbove('190', 'percent', quote)).toBeNull();
  });
});
