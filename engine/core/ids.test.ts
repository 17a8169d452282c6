import { describe, expect, it } from 'vitest';
import { asStrategyId, clientOrderId } from './ids';
import { newInstallId } from './random-ids';

describe('clientOrderId', () => {
  it('is the same for the same strategy, date and slot, and differs otherwise', () => {
    const a = clientOrderId('k3x9a1', asStrategyId(42), '2026-03-09', 'entry');
    expect(a).toBe('tck3x9a116260309E');
    expect(clientOrderId('k3x9a1', asStrategyId(42), '2026-03-09', 'entry')).toBe(a);
    expect(clientOrderId('k3x9a1', asStrategyId(42), '2026-03-09', 'exit')).toBe('tck3x9a116260309X');
    expect(clientOrderId('k3x9a1', asStrategyId(43), '2026-03-09', 'entry')).not.toBe(a);
    expect(clientOrderId('k3x9a1', asStrategyId(42), '2026-03-10', 'entry')).not.toBe(a);
    expect(clientOrderId('zzzzzz', asStrategyId(42), '2026-03-09', 'entry')).not.toBe(a);
  });

  it('fits Kite\'s 20-character tag for the largest strategy id it accepts', () => {
    const id = clientOrderId('zzzzzz', asStrategyId(36 ** 5 - 1), '2099-12-31', 'exit');
    expect(id.length).toBeLessThanOrEqual(20);
    expect(id).toMatch(/^[0-9a-zA-Z]+$/);
    expect(() => clientOrderId('zzzzzz', asStrategyId(36 ** 5), '2099-12-31', 'exit')).toThrow(/too large/);
  });

  it('rejects a malformed install id or date', () => {
    expect(() => clientOrderId('ABC', asStrategyId(1), '2026-03-09', 'entry')).toThrow(/install id/);
    expect(() => clientOrderId('abc123', asStrategyId(1), '9.3.2026', 'entry')).toThrow(/YYYY-MM-DD/);
  });

  it('makes install ids of 6 base-36 characters', () => {
    for (let i = 0; i < 50; i++) expect(newInstallId()).toMatch(/^[0-9a-z]{6}$/);
  });
});
