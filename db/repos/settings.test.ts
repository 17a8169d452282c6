import { afterEach, describe, expect, it, vi } from 'vitest';
import { openTestDb } from '../test-support';

const t = openTestDb();
afterEach(() => t.db.sqlite.exec('DELETE FROM settings'));

describe('settings repo', () => {
  it('get is undefined until set; set overwrites', () => {
    expect(t.repos.settings.get('k')).toBeUndefined();
    t.repos.settings.set('k', 'a');
    t.repos.settings.set('k', 'b');
    expect(t.repos.settings.get('k')).toBe('b');
  });

  it('getOrCreate writes once and calls make only when missing', () => {
    const make = vi.fn(() => 'k3x9a1');
    expect(t.repos.settings.getOrCreate('install_id', make)).toBe('k3x9a1');
    expect(t.repos.settings.getOrCreate('install_id', () => 'other')).toBe('k3x9a1');
    expect(make).toHaveBeenCalledTimes(1);
  });
});
