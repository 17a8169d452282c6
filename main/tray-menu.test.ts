import { describe, expect, it } from 'vitest';
import type { ShellStatus } from './shell-status';
import { trayIconVariant, trayMenuModel } from './tray-menu';

const idle: ShellStatus = { armed: 0, inPosition: 0, ordersInFlight: 0, errors: 0 };

describe('tray menu', () => {
  it('shows the status, and "Stop all" only when something runs', () => {
    const menu = trayMenuModel({ ...idle, armed: 2, inPosition: 1 }, true);
    expect(menu[0]).toEqual({ type: 'label', label: 'Tradeclock: 2 strategies armed, 1 in position' });
    expect(menu.filter((i) => i.type !== 'separator' && i.type !== 'label').map((i) => ('id' in i ? i.id : ''))).toEqual(['open', 'stop-all', 'toggle-login', 'quit']);
    expect(menu.find((i) => 'id' in i && i.id === 'stop-all')).toMatchObject({ enabled: true });
    expect(menu.find((i) => 'id' in i && i.id === 'toggle-login')).toMatchObject({ type: 'checkbox', checked: true });
    expect(trayMenuModel(idle, false).find((i) => 'id' in i && i.id === 'stop-all')).toMatchObject({ enabled: false });
  });

  it('colours the icon by state, and uses a template image on macOS', () => {
    expect(trayIconVariant(idle, 'linux')).toBe('tray-idle');
    expect(trayIconVariant({ ...idle, armed: 1 }, 'win32')).toBe('tray-armed');
    expect(trayIconVariant({ ...idle, armed: 1, errors: 1 }, 'linux')).toBe('tray-error');
    expect(trayIconVariant({ ...idle, armed: 1 }, 'darwin')).toBe('template');
  });
});
