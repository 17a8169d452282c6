import { describe, expect, it } from 'vitest';
import { instrumentMember, parseInstrumentMember, parseStrategyId, runtimeKeys } from './keys';

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

describe('positions (issue 19)', () => {
  it('keeps position 0 on the single-position keys and members, byte for byte; p > 0 gets :{p}', () => {
    const keys = runtimeKeys('tc:');
    expect([keys.runtime(7, 0), keys.runtime(7, 3)]).toEqual(['tc:runtime:7', 'tc:runtime:7:3']);
    expect([instrumentMember(7), instrumentMember(7, 0), instrumentMember(7, 9)]).toEqual(['7', '7', '7:9']);
    for (const p of [-1, 10, 1.5]) expect(() => keys.runtime(7, p)).toThrow(/position/);
  });

  it('reads a member back only as instrumentMember writes it', () => {
    expect(parseInstrumentMember('7')).toEqual({ strategyId: 7, positionNo: 0 });
    expect(parseInstrumentMember('7:2')).toEqual({ strategyId: 7, positionNo: 2 });
    for (const text of ['7:0', '7:10', '7:', ':2', '7:2:1', '07:1', 'x']) expect(parseInstrumentMember(text)).toBeNull();
  });
});

describe('parseStrategyId', () => {
  it('accepts plain decimal ids only', () => {
    expect(parseStrategyId('123')).toBe(123);
    for (const text of ['', '0', '-1', '1.0', ' 1', '1e3', '0x10', '9007199254740993']) expect(parseStrategyId(text)).toBeNull();
  });
});
