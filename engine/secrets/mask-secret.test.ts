import { describe, expect, it } from 'vitest';
import { maskSecret } from './mask-secret';

describe('maskSecret', () => {
  it('shows the first and last two characters of a long secret', () => {
    expect(maskSecret('PKA1B2C3D4E5F6G7H87Q')).toBe('PK…7Q');
    expect(maskSecret('abcdefghijkl')).toBe('ab…kl');
  });

  it('hides short secrets entirely', () => {
    for (const s of ['', 'a', 'hunter2', 'abcdefghijk']) expect(maskSecret(s)).toBe('••••');
  });

  it('never splits a character made of two UTF-16 units', () => {
    expect(maskSecret('😀😁' + 'x'.repeat(10) + '😂😃')).toBe('😀😁…😂😃');
  });
});
