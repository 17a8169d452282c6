import { describe, expect, it } from 'vitest';
import { defaultDataDir } from '../engine/default-data-dir';
import { parseShellArgs, resolveDataDir, secondInstanceAction } from './shell-args';

describe('data directory', () => {
  it('takes --data-dir, then TRADECLOCK_DATA_DIR, then the platform default the CLI uses too', () => {
    expect(resolveDataDir(parseShellArgs(['electron', '--data-dir=/d1']), { TRADECLOCK_DATA_DIR: '/d2' })).toBe('/d1');
    expect(resolveDataDir(parseShellArgs(['electron', '--data-dir', '/d1']), {})).toBe('/d1');
    expect(resolveDataDir(parseShellArgs(['electron']), { TRADECLOCK_DATA_DIR: '/d2' })).toBe('/d2');
    expect(resolveDataDir(parseShellArgs(['electron', '--data-dir', '--hidden']), { TRADECLOCK_DATA_DIR: '' })).toBe(defaultDataDir());
    expect(defaultDataDir()).toMatch(/tradeclock$/i);
  });
});

describe('single instance', () => {
  it('a second launch brings the running window back, or opens it if it was closed', () => {
    expect(secondInstanceAction(true)).toBe('show-window');
    expect(secondInstanceAction(false)).toBe('create-window');
  });
});
