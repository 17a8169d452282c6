import { describe, expect, it } from 'vitest';
import { pairQty, qtyRulesWords } from './pair-words';

const BTC = { base: 'BTC', quote: 'USDT', qty_step: 0.00001, min_qty: 0.00001, min_notional: 5 };
const AAPL = { base: null, quote: null, qty_step: null, min_qty: null, min_notional: null };

describe('a pair in words', () => {
  it('names the base amount in its step and the currency it is priced in; anything else reads as a plain quantity', () => {
    expect(pairQty(0.0015, BTC)).toBe('0.00150 BTC, priced in USDT');
    expect(pairQty(10, AAPL)).toBe('10');
    expect(pairQty(0.5, { ...AAPL, qty_step: 0.1 })).toBe('0.5');
  });

  it('says what the pair accepts as a quantity, and nothing for whole units', () => {
    expect(qtyRulesWords('BTC/USDT', BTC)).toBe('BTC/USDT: in steps of 0.00001 BTC, least quantity 0.00001 BTC, least order value 5 USDT');
    expect(qtyRulesWords('BTC/USDT', { ...BTC, min_qty: null, min_notional: null })).toBe('BTC/USDT: in steps of 0.00001 BTC');
    expect(qtyRulesWords('AAPL', AAPL)).toBeNull();
  });
});
