import { describe, expect, it } from 'vitest';
import { currencyPair } from './currency-pair';

describe('currencyPair', () => {
  it('reads BASE/QUOTE, and no pair from a symbol without exactly one slash between two names', () => {
    expect(currencyPair('BTC/USDT')).toEqual({ base: 'BTC', quote: 'USDT' });
    expect(currencyPair('ETH/BTC')).toEqual({ base: 'ETH', quote: 'BTC' });
    expect(currencyPair('AAPL')).toBeNull();
    expect(currencyPair('BTCUSD')).toBeNull();
    expect(currencyPair('BTC/')).toBeNull();
    expect(currencyPair('/USDT')).toBeNull();
    expect(currencyPair('A/B/C')).toBeNull();
  });
});
