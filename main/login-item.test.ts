import { describe, expect, it } from 'vitest';
import { loginItemPlan, quoteExecArg, startsHidden, xdgAutostartEntry } from './login-item';

describe('loginItemPlan', () => {
  it('uses Electron on macOS and Windows, starting hidden', () => {
    for (const platform of ['darwin', 'win32']) {
      expect(loginItemPlan({ platform, enabled: true, command: '/x', configHome: '/c' })).toEqual({
        kind: 'electron',
        settings: { openAtLogin: true, args: ['--hidden'] },
      });
    }
    expect(loginItemPlan({ platform: 'win32', enabled: false, command: '/x', configHome: '/c' })).toMatchObject({ settings: { openAtLogin: false } });
  });

  it('writes, or removes, an XDG autostart entry on Linux (Electron cannot)', () => {
    const on = loginItemPlan({ platform: 'linux', enabled: true, command: '/home/me/Apps/Tradeclock.AppImage', configHome: '/home/me/.config' });
    expect(on).toEqual({
      kind: 'xdg',
      file: '/home/me/.config/autostart/tradeclock.desktop',
      content: xdgAutostartEntry('/home/me/Apps/Tradeclock.AppImage', ['--hidden']),
    });
    expect(loginItemPlan({ platform: 'linux', enabled: false, command: '/x', configHome: '/c' })).toEqual({ kind: 'xdg', file: '/c/autostart/tradeclock.desktop', content: null });
  });

  it('passes the app path first in development', () => {
    expect(loginItemPlan({ platform: 'win32', enabled: true, command: 'electron.exe', args: ['C:\\src\\tradeclock'], configHome: '' })).toMatchObject({
      settings: { args: ['C:\\src\\tradeclock', '--hidden'] },
    });
  });
});

describe('xdgAutostartEntry', () => {
  it('is a valid desktop entry with a quoted Exec line', () => {
    const entry = xdgAutostartEntry('/opt/My Apps/Tradeclock.AppImage', ['--hidden']);
    expect(entry.split('\n')).toEqual([
      '[Desktop Entry]',
      'Type=Application',
      'Name=Tradeclock',
      'Comment=Time-based trading daemon (starts in the tray)',
      'Exec="/opt/My Apps/Tradeclock.AppImage" --hidden',
      'Terminal=false',
      'X-GNOME-Autostart-enabled=true',
      '',
    ]);
  });
});

describe('quoteExecArg (Desktop Entry Specification, "The Exec key")', () => {
  it.each([
    ['/usr/bin/tradeclock', '/usr/bin/tradeclock'],
    ['--hidden', '--hidden'],
    ['/a b', '"/a b"'],
    ['100%', '"100%%"'],
    ['say "hi"', '"say \\\\"hi\\\\""'],
    ['$HOME', '"\\\\$HOME"'],
    ['back\\slash', '"back\\\\\\\\slash"'],
    ['', '""'],
  ])('%s → %s', (arg, quoted) => {
    expect(quoteExecArg(arg)).toBe(quoted);
  });
});

describe('startsHidden', () => {
  it('starts without a window when launched at login or with --hidden', () => {
    expect(startsHidden(['/x/tradeclock'], false)).toBe(false);
    expect(startsHidden(['/x/tradeclock', '--hidden'], false)).toBe(true);
    expect(startsHidden(['/x/tradeclock'], true)).toBe(true);
  });
});
