import { describe, expect, it } from 'vitest';
import { asStrategyId, clientOrderId, MAX_EXIT_ATTEMPTS } from './ids';
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

  it('numbers the attempts of an exit, each its own id within 20 characters, and gives an entry one attempt', () => {
    const ids = Array.from({ length: MAX_EXIT_ATTEMPTS }, (_, i) => clientOrderId('zzzzzz', asStrategyId(36 ** 5 - 1), '2099-12-31', 'exit', i + 1));
    expect(ids[0]).toBe(clientOrderId('zzzzzz', asStrategyId(36 ** 5 - 1), '2099-12-31', 'exit'));
    expect(ids[1]).toMatch(/2$/);
    expect(new Set([...ids, clientOrderId('zzzzzz', asStrategyId(36 ** 5 - 1), '2099-12-31', 'entry')]).size).toBe(MAX_EXIT_ATTEMPTS + 1);
    for (const id of ids) expect(id).toMatch(/^[0-9a-zA-Z]{1,20}$/);
    // Strategy 1 on 2026-03-09 attempt 2 must not read as strategy 12 on some other day's first exit.
    expect(clientOrderId('k3x9a1', asStrategyId(1), '2026-03-09', 'exit', 2)).toBe('tck3x9a11260309' + '2');
    expect(() => clientOrderId('k3x9a1', asStrategyId(1), '2026-03-09', 'exit', MAX_EXIT_ATTEMPTS + 1)).toThrow(/attempt/);
    expect(() => clientOrderId('k3x9a1', asStrategyId(1), '2026-03-09', 'entry', 2)).toThrow(/attempt/);
  });

  it('rejects a malformed install id or date', () => {
    expect(() => clientOrderId('ABC', asStrategyId(1), '2026-03-09', 'entry')).toThrow(/install id/);
    expect(() => clientOrderId('abc123', asStrategyId(1), '9.3.2026', 'entry')).toThrow(/YYYY-MM-DD/);
  });

  it('makes install ids of 6 base-36 characters', () => {
    for (let i = 0; i < 50; i++) expect(newInstallId()).toMatch(/^[0-9a-z]{6}$/);
  });
});
