import { describe, expect, it } from 'vitest';
import { checkStrategyFields, decodeRuntimeFields, encodeRuntimeFields, encodeWholeRuntime } from './runtime-fields-codec';
import type { RuntimeFields } from './runtime-store';

const whole: RuntimeFields = {
  runId: 12,
  tradingDate: '2026-03-09',
  state: 'in_position',
  positionQty: 10,
  entryPrice: 1234.55,
  lastAction: 'BUY',
  lastActionAt: 1_773_027_000_123,
};

describe('runtime fields codec', () => {
  it('writes numbers as their shortest exact text and reads them back exactly', () => {
    const hash = encodeWholeRuntime(whole);
    expect(hash).toEqual({
      runId: '12',
      tradingDate: '2026-03-09',
      state: 'in_position',
      positionQty: '10',
      entryPrice: '1234.55',
      lastAction: 'BUY',
      lastActionAt: '1773027000123',
    });
    expect(decodeRuntimeFields('runtime:1', hash)).toEqual(whole);
    for (const n of [0.1 + 0.2, 1e21, 1.5e-7, -0.25, Number.MAX_VALUE]) {
      const { set } = encodeRuntimeFields({ entryPrice: n });
      expect(decodeRuntimeFields('runtime:1', { ...hash, ...set }).entryPrice).toBe(n);
    }
  });

  it('stores null as an absent field, so "" stays a value', () => {
    expect(encodeRuntimeFields({ entryPrice: null, lastAction: null, lastActionAt: null })).toEqual({
      set: {},
      unset: ['entryPrice', 'lastAction', 'lastActionAt'],
    });
    expect(encodeRuntimeFields({ lastAction: '' })).toEqual({ set: { lastAction: '' }, unset: [] });
    const { entryPrice: _p, lastAction: _a, lastActionAt: _t, ...required } = encodeWholeRuntime(whole);
    expect(decodeRuntimeFields('runtime:1', required)).toEqual({ ...whole, entryPrice: null, lastAction: null, lastActionAt: null });
    expect(decodeRuntimeFields('runtime:1', { ...required, lastAction: '' }).lastAction).toBe('');
  });

  it('refuses, naming the field, what could not be read back', () => {
    expect(() => encodeRuntimeFields({ positionQty: Number.NaN })).toThrow(/positionQty/);
    expect(() => encodeRuntimeFields({ entryPrice: Number.NEGATIVE_INFINITY })).toThrow(/entryPrice/);
    expect(() => encodeRuntimeFields({ lastActionAt: 1.5 })).toThrow(/lastActionAt/);
    expect(() => encodeRuntimeFields({ state: null } as unknown as Partial<RuntimeFields>)).toThrow(/state cannot be null/);
    expect(() => encodeWholeRuntime({ ...whole, tradingDate: undefined } as unknown as RuntimeFields)).toThrow(/tradingDate is required/);
  });

  it('refuses a corrupt hash, naming the key and the field', () => {
    const hash = encodeWholeRuntime(whole);
    const { runId: _r, ...noRunId } = hash;
    expect(() => decodeRuntimeFields('runtime:9', noRunId)).toThrow('runtime:9 is missing field runId');
    for (const bad of ['', ' 1', '0x10', 'NaN', 'Infinity', '1,5']) {
      expect(() => decodeRuntimeFields('runtime:9', { ...hash, entryPrice: bad })).toThrow(/runtime:9 field entryPrice is not a number/);
    }
    expect(() => decodeRuntimeFields('runtime:9', { ...hash, runId: '1.5' })).toThrow(/runId is not an integer/);
  });

  it('checks strategy fields: not empty, strings only', () => {
    expect(checkStrategyFields({ symbol: 'INFY', note: '' })).toEqual({ symbol: 'INFY', note: '' });
    expect(() => checkStrategyFields({})).toThrow(/must not be empty/);
    expect(() => checkStrategyFields({ qty: 5 } as unknown as Record<string, string>)).toThrow(/qty must be a string/);
  });
});
