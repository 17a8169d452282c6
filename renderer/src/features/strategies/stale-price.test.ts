import { describe, expect, it } from 'vitest';
import type { StrategyDto } from '../../lib/api-types';
import { stalePriceNote } from './stale-price';

const NOW = Date.parse('2026-03-09T14:01:00Z');
const strategy = (stale: StrategyDto['stale_price']): StrategyDto => ({ id: 1, stale_price: stale }) as unknown as StrategyDto;

describe('stalePriceNote', () => {
  it('counts the silence since the last tick to now, in seconds, then minutes, then hours', () => {
    const since = (ms: number) => strategy({ since: NOW - 5_000, last_price: 100, last_price_at: NOW - ms });
    expect(stalePriceNote(since(40_000), NOW)).toBe('stop watching a stale price: last tick 40 s ago');
    expect(stalePriceNote(since(300_000), NOW)).toBe('stop watching a stale price: last tick 5 min ago');
    expect(stalePriceNote(since(3 * 3_600_000 + 60_000), NOW)).toBe('stop watching a stale price: last tick 3 h 1 min ago');
  });

  it('says so when the stream never gave a price, and nothing while the price is fresh', () => {
    expect(stalePriceNote(strategy({ since: NOW, last_price: null, last_price_at: null }), NOW)).toBe('stop watching a stale price: no tick yet');
    expect(stalePriceNote(strategy(null), NOW)).toBeNull();
  });
});
