import { describe, expect, it } from 'vitest';
import { errorKinds, scrub, scrubError } from './ccxt-scrub';

const KEY = 'vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A';
const SECRET = 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j';

describe('scrub', () => {
  it('takes out signatures in a URL or a body, and the key and secret wherever they appear', () => {
    const url = `binance GET https://api.binance.com/api/v3/order?timestamp=1&symbol=BTCUSDT&signature=c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71 fetch failed`;
    expect(scrub(url, [KEY, SECRET])).toBe('binance GET https://api.binance.com/api/v3/order?timestamp=1&symbol=BTCUSDT&signature=[redacted] fetch failed');
    expect(scrub(`body quantity=1&timestamp=1&signature=abc key ${KEY} secret ${SECRET}`, [KEY, SECRET])).toBe('body quantity=1&timestamp=1&signature=[redacted] key [redacted] secret [redacted]');
  });
});

describe('scrubError', () => {
  class ExchangeError extends Error {}
  class InsufficientFunds extends ExchangeError {}
  it('keeps the class chain for the classification and scrubs the message', () => {
    const e = scrubError(new InsufficientFunds(`binance ${KEY}`), [KEY]);
    expect(e.message).toBe('binance [redacted]');
    expect(e.name).toBe('InsufficientFunds');
    expect(errorKinds(e)).toEqual(['InsufficientFunds', 'ExchangeError', 'Error']);
    expect(scrubError(e, [KEY])).toBe(e);
  });
});
