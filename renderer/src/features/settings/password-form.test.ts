import { describe, expect, it } from 'vitest';
import { passwordChangedText } from './password-form';

describe('passwordChangedText', () => {
  it('says how many sessions were signed out and how many phones were unpaired, in words that agree with the counts', () => {
    expect(passwordChangedText(0, 0)).toBe('Password changed. No other session was signed in.');
    expect(passwordChangedText(1, 0)).toBe('Password changed. 1 other session was signed out; this one stays signed in.');
    expect(passwordChangedText(2, 1)).toBe('Password changed. 2 other sessions were signed out; this one stays signed in. 1 paired device was unpaired: pair it again from Settings.');
    expect(passwordChangedText(0, 3)).toBe('Password changed. No other session was signed in. 3 paired devices were unpaired: pair them again from Settings.');
  });
});
