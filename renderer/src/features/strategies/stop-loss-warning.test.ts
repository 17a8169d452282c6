import { describe, expect, it } from 'vitest';
import { stopReached, targetReached } from './stop-loss-warning';

const quote = { symbol: 'AAPL', exchange: 'NASDAQ', known: true, price: 187.5, at: 1, instrument: { base: null, quote: null, qty_step: null, min_qty: null, min_notional: null } };

describe('stopReached of a long', () => {
  it('warns of a stop-loss at or above the last price, naming both', () => {
    expect(stopReached('187.5', 'price', quote, 'buy')).toEqual({ level: 'stop', side: 'buy', relation: 'at or above', symbol: 'AAPL', exchange: 'NASDAQ', value: 187.5, price: 187.5 });
    expect(stopReached(' 200 ', 'price', quote, 'buy')).toMatchObject({ value: 200 });
  });

  it('has nothing to ask below the price, without a price, for an unknown symbol or a stop that is no number', () => {
    expect(stopReached('187.49', 'price', quote, 'buy')).toBeNull();
    expect(stopReached('200', 'price', { ...quote, price: null, at: null }, 'buy')).toBeNull();
    expect(stopReached('200', 'price', { ...quote, known: false }, 'buy')).toBeNull();
    expect(stopReached('abc', 'price', quote, 'buy')).toBeNull();
    expect(stopReached('200', 'price', null, 'buy')).toBeNull();
  });

  it('never asks about a stop-loss in points or percent: it is a distance below the fill, whatever the price', () => {
    expect(stopReached('200', 'points', quote, 'buy')).toBeNull();
    expect(stopReached('190', 'percent', quote, 'buy')).toBeNull();
  });
});

describe('targetReached of a long', () => {
  it('warns of a price target at or below the last price: the entry would exit at once', () => {
    expect(targetReached('187.5', 'price', quote, 'buy')).toEqual({ level: 'target', side: 'buy', relation: 'at or below', symbol: 'AAPL', exchange: 'NASDAQ', value: 187.5, price: 187.5 });
    expect(targetReached('150', 'price', quote, 'buy')).toMatchObject({ value: 150 });
  });

  it('has nothing to ask above the price, for no target, or for a target in points or percent', () => {
    expect(targetReached('187.51', 'price', quote, 'buy')).toBeNull();
    expect(targetReached('', 'price', quote, 'buy')).toBeNull();
    expect(targetReached('5', 'points', quote, 'buy')).toBeNull();
    expect(targetReached('2', 'percent', quote, 'buy')).toBeNull();
  });
});

describe('the warnings of a sell-first strategy (a short)', () => {
  it('asks about a price stop-loss at or below the last price, never about one above it', () => {
    expect(stopReached('187.5', 'price', quote, 'sell')).toEqual({ level: 'stop', side: 'sell', relation: 'at or below', symbol: 'AAPL', exchange: 'NASDAQ', value: 187.5, price: 187.5 });
    expect(stopReached('180', 'price', quote, 'sell')).toMatchObject({ value: 180 });
    expect(stopReached('190', 'price', quote, 'sell')).toBeNull();
    expect(stopReached('1', 'points', quote, 'sell')).toBeNull();
  });

  it('asks about a price target at or above the last price, never about one below it', () => {
    expect(targetReached('187.5', 'price', quote, 'sell')).toMatchObject({ level: 'target', relation: 'at or above', value: 187.5 });
    expect(targetReached('200', 'price', quote, 'sell')).toMatchObject({ value: 200 });
    expect(targetReached('180', 'price', quote, 'sell')).toBeNull();
    expect(targetReached('', 'price', quote, 'sell')).toBeNull();
  });
});
