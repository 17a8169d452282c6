/**
 * The tray menu as data: the Electron side maps each item's `id` to an action. Rebuilt on every
 * status change (a MenuItem changed in place is not redrawn on every platform).
 */
import { trayStatusText, type ShellStatus } from './shell-status';

export type TrayAction = 'open' | 'stop-all' | 'toggle-login' | 'quit';

export type TrayMenuItem =
  | { readonly type: 'label'; readonly label: string }
  | { readonly type: 'separator' }
  | { readonly type: 'action'; readonly id: TrayAction; readonly label: string; readonly enabled: boolean }
  | { readonly type: 'checkbox'; readonly id: TrayAction; readonly label: string; readonly checked: boolean };

export function trayMenuModel(status: ShellStatus, openAtLogin: boolean): readonly TrayMenuItem[] {
  return [
    { type: 'label', label: trayStatusText(status) },
    { type: 'separator' },
    { type: 'action', id: 'open', label: 'Open Tradeclock', enabled: true },
    { type: 'action', id: 'stop-all', label: 'Stop all and close positions…', enabled: status.armed > 0 },
    { type: 'separator' },
    { type: 'checkbox', id: 'toggle-login', label: 'Start at login', checked: openAtLogin },
    { type: 'separator' },
    { type: 'action', id: 'quit', label: 'Quit Tradeclock', enabled: true },
  ];
}

/** The tray icon's colour: red when a run needs attention, green while armed, grey when idle. */
export function trayIconVariant(status: ShellStatus, platform: string): 'template' | 'tray-error' | 'tray-armed' | 'tray-idle' {
  // macOS menu-bar icons are monochrome templates the system tints; state shows in the title there.
  if (platform === 'darwin') return 'template';
  return status.errors > 0 ? 'tray-error' : status.armed > 0 ? 'tray-armed' : 'tray-idle';
}
