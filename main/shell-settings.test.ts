import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, loadSettings, parseSettings, saveSettings } from './shell-settings';

describe('shell settings', () => {
  it('round-trips through the file', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'tc-settings-')), 'shell-settings.json');
    expect(loadSettings(path)).toEqual(DEFAULT_SETTINGS);
    saveSettings(path, { openAtLogin: true, lastPort: 53127 });
    expect(loadSettings(path)).toEqual({ openAtLogin: true, lastPort: 53127 });
  });

  it('falls back per field on bad values, and entirely on a corrupt file', () => {
    expect(parseSettings({ openAtLogin: 'yes', lastPort: 80 })).toEqual(DEFAULT_SETTINGS);
    expect(parseSettings({ openAtLogin: true, lastPort: 'x', extra: 1 })).toEqual({ openAtLogin: true, lastPort: null });
    expect(parseSettings(null)).toEqual(DEFAULT_SETTINGS);
    const path = join(mkdtempSync(join(tmpdir(), 'tc-settings-')), 's.json');
    writeFileSync(path, '{ not json');
    expect(loadSettings(path)).toEqual(DEFAULT_SETTINGS);
  });
});
