import { describe, expect, it } from 'vitest';
import type { StrategyDto } from '../../lib/api-types';
import { optionLine, pricedInstrument } from './option-view';

const base = { symbol: 'NIFTY', exchange: 'NFO', option_right: 'CE', option_expiry: 'current_week', option_strike: 'atm', runtime: null } as unknown as StrategyDto;
const contract = { symbol: 'NIFTY26D0826000CE', exchange: 'NFO', underlying: 'NIFTY', expiry: '2026-12-08', strike: 26_000, right: 'CE', lots: 2, lot_size: 65, qty: 130, spot: 26_012, premium: null, chosen_at: Date.parse('2026-12-07T03:49:57.5Z') };

describe('optionLine', () => {
  it('names the rule before the BUY, the contract in lots once chosen, and nothing for a stock', () => {
    expect(optionLine(base)).toBe('CE atm, nearest expiry: chosen a few seconds before the BUY');
    const chosen = { ...base, runtime: { contract } } as unknown as StrategyDto;
    expect(optionLine(chosen)).toMatch(/^NIFTY26D0826000CE · 2 lots × 65 = 130 · chosen \d\d:\d\d:\d\d from 26,012\.00$/);
    expect(pricedInstrument(chosen)).toEqual({ exchange: 'NFO', symbol: 'NIFTY26D0826000CE' });
    expect(pricedInstrument(base)).toEqual({ exchange: 'NFO', symbol: 'NIFTY' });
    expect(optionLine({ ...base, option_right: null } as StrategyDto)).toBeNull();
  });
});
