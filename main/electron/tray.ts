/** The tray icon and its menu, rebuilt from ../tray-menu.ts on every status change. */
import { Menu, Tray, nativeImage, type MenuItemConstructorOptions, type NativeImage } from 'electron';
import { iconPng } from '../icon';
import type { ShellStatus } from '../shell-status';
import { trayStatusText } from '../shell-status';
import { trayIconVariant, trayMenuModel, type TrayAction, type TrayMenuItem } from '../tray-menu';

export interface ShellTray {
  update(status: ShellStatus, openAtLogin: boolean): void;
  destroy(): void;
}

function trayImage(variant: ReturnType<typeof trayIconVariant>): NativeImage {
  // 32 px drawn, shown at 16 pt on macOS (scale 2) and scaled by the desktop elsewhere.
  const image = nativeImage.createFromBuffer(iconPng(32, variant), { scaleFactor: process.platform === 'darwin' ? 2 : 1 });
  if (variant === 'template') image.setTemplateImage(true);
  return image;
}

function toTemplate(item: TrayMenuItem, handlers: Readonly<Record<TrayAction, () => void>>): MenuItemConstructorOptions {
  switch (item.type) {
    case 'label':
      return { label: item.label, enabled: false };
    case 'separator':
      return { type: 'separator' };
    case 'action':
      return { label: item.label, enabled: item.enabled, click: handlers[item.id] };
    case 'checkbox':
      return { label: item.label, type: 'checkbox', checked: item.checked, click: handlers[item.id] };
  }
}

export function createShellTray(handlers: Readonly<Record<TrayAction, () => void>>): ShellTray {
  let variant: ReturnType<typeof trayIconVariant> | null = null;
  const tray = new Tray(trayImage('tray-idle'));
  tray.on('click', handlers.open);
  return {
    update(status, openAtLogin) {
      const next = trayIconVariant(status, process.platform);
      if (next !== variant) tray.setImage(trayImage((variant = next)));
      tray.setToolTip(trayStatusText(status));
      if (process.platform === 'darwin') tray.setTitle(status.armed > 0 ? String(status.armed) : '');
      tray.setContextMenu(Menu.buildFromTemplate(trayMenuModel(status, openAtLogin).map((i) => toTemplate(i, handlers))));
    },
    destroy: () => tray.destroy(),
  };
}
