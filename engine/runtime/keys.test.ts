import { describe, expect, it } from 'vitest';
import { parseStrategyId, runtimeKeys } from './keys';

describe('runtimeKeys', () => {
  it('builds the documented key names', () => {
    const keys = runtimeKeys();
    expect(keys.strategy(7)).toBe('strategy:7');
    expect(keys.runtime(7)).toBe('runtime:7');
    expect(keys.instrumentStrategies('NSE:INFY')).toBe('symbol:NSE:INFY:strategies');
    expect(keys.lock(7)).toBe('lock:runtime:7');
    expect(keys.strategyScanPattern).toBe('strategy:*');
  });

  it('puts the prefix, verbatim, in front of every key and the scan pattern', () => {
    const keys = runtimeKeys('tc-alice:');
    expect([keys.strategy(1), keys.runtime(1), keys.instrumentStrategies('NSE:INFY'), keys.lock(1), keys.strategyScanPattern]).toEqual([
      'tc-alice:strategy:1',
      'tc-alice:runtime:1',
      'tc-alice:symbol:NSE:INFY:strategies',
      'tc-alice:lock:runtime:1',
      'tc-alice:strategy:*',
    ]);
  });

  it('refuses a prefix with glob characters, which would change what SCAN matches', () => {
    for (const prefix of ['a*', 'a?', '[a]', 'a\\', 'a b']) expect(() => runtimeKeys(prefix)).toThrow(/key prefix/);
  });

  it('refuses ids that are not positive integers and empty instruments', () => {
    const keys = runtimeKeys();
    for (const id of [0, -1, 1.5, Number.NaN, 2 ** 53]) expect(() => keys.strategy(id)).toThrow(/strategy id/);
    expect(() => keys.instrumentStrategies('')).toThrow(/instrument/);
    expect(() => keys.instrumentStrategies('NSE: INFY')).toThrow(/instrument/);
  });

  it('reads the id back only from a key that is exactly strategy:{id}', () => {
    const keys = runtimeKeys('tc:');
    expect(keys.strategyIdOf('tc:strategy:42')).toBe(42);
    expect(keys.strategyIdOf('strategy:42')).toBeNull();
    expect(keys.strategyIdOf('tc:strategy:42:extra')).toBeNull();
    expect(keys.strategyIdOf('tc:strategy:042')).toBeNull();
  });
});

describe('parseStrategyId', () => {
  it('accepts plain decimal ids only', () => {
    expect(parseStrategyId('123')).toBe(123);
    for (const text of ['', '0', '-1', '1.0', ' 1', '1e3', '0x10', '9007199254740993']) expect(parseStrategyId(text)).toBeNull();
  });
});
