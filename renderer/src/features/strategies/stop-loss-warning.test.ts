import { describe, expect, it } from 'vitest';
import { stopAtOrAbove, targetAtOrBelow } from './stop-loss-warning';

const quote = { symbol: 'AAPL', exchange: 'NASDAQ', known: true, price: 187.5, at: 1 };

describe('stopAtOrAbove', () => {
  it('warns of a stop-loss at or above the last price, naming both', () => {
    expect(stopAtOrAbove('187.5', 'price', quote)).toEqual({ level: 'stop', symbol: 'AAPL', exchange: 'NASDAQ', value: 187.5, price: 187.5 });
    expect(stopAtOrAbove(' 200 ', 'price', quote)).toMatchObject({ value: 200 });
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

describe('targetAtOrBelow', () => {
  it('warns of a price target at or below the last price: the entry would exit at once', () => {
    expect(targetAtOrBelow('187.5', 'price', quote)).toEqual({ level: 'target', symbol: 'AAPL', exchange: 'NASDAQ', value: 187.5, price: 187.5 });
    expect(targetAtOrBelow('150', 'price', quote)).toMatchObject({ value: 150 });
  });

  it('has nothing to ask above the price, for no target, or for a target in points or percent', () => {
    expect(targetAtOrBelow('187.51', 'price', quote)).toBeNull();
    expect(targetAtOrBelow('', 'price', quote)).toBeNull();
    expect(targetAtOrBelow('5', 'points', quote)).toBeNull();
    expect(targetAtOrBelow('2', 'percent', quote)).toBeNull();
  });
});
