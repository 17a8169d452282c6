import { describe, expect, it } from 'vitest';
import { readDecimal } from './alpaca-decimal';

const read = (value: unknown) => {
  const r = readDecimal(value);
  return r.ok ? r.value.toNumber() : r.reason;
};

describe('readDecimal', () => {
  it.each([
    ['10', 10],
    ['0', 0],
    ['0.1', 0.1],
    ['123.45', 123.45],
    ['187.230000000', 187.23],
    ['105.8988475', 105.8988475],
    ['0.000000001', 1e-9],
  ])('reads the string %s as %s', (text, n) => {
    expect(read(text)).toBe(n);
  });

  it.each([
    [10, 10],
    [0, 0],
    [-0, 0],
    [187.23, 187.23],
    [0.1, 0.1],
    [1e-3, 0.001],
  ])('reads the JSON number %s as exactly %s', (value, n) => {
    expect(read(value)).toBe(n);
    expect(Object.is(read(value), n)).toBe(true);
  });

  it('keeps the decimal: sums add no float noise, and spellings of one value compare equal', () => {
    const [a, b, c, d] = ['0.1', 0.2, '10.000', 10].map(readDecimal);
    if (!a?.ok || !b?.ok || !c?.ok || !d?.ok) throw new Error('unread');
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(a.value.plus(b.value).toNumber()).toBe(0.3);
    expect(c.value.eq(d.value)).toBe(true);
  });

  it.each([
    ['1e-3', '"1e-3" is not a plain decimal'],
    ['-1', '"-1" is not a plain decimal'],
    [' 10', '" 10" is not a plain decimal'],
    ['', '"" is not a plain decimal'],
    ['NaN', '"NaN" is not a plain decimal'],
    ['Infinity', '"Infinity" is not a plain decimal'],
    ['0x10', '"0x10" is not a plain decimal'],
    ['1.', '"1." is not a plain decimal'],
    ['.5', '".5" is not a plain decimal'],
    ['1,000', '"1,000" is not a plain decimal'],
    ['1'.padEnd(400, '0'), `"${'1'.padEnd(40, '0')}…" is too large`],
    [-1, '-1 is negative'],
    [-0.01, '-0.01 is negative'],
    [Number.NaN, 'NaN is not a finite number'],
    [Number.POSITIVE_INFINITY, 'Infinity is not a finite number'],
    [null, 'null is not a decimal'],
    [undefined, 'undefined is not a decimal'],
    [true, 'boolean is not a decimal'],
    [{}, 'object is not a decimal'],
  ])('refuses %j: %s', (value, reason) => {
    expect(read(value)).toBe(reason);
  });
});
