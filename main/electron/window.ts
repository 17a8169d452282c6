/** The main window: hardened webPreferences, shown when painted, the UI from the daemon's origin. */
import { BrowserWindow, nativeImage } from 'electron';
import { iconPng } from '../icon';
import { secureWebPreferences } from '../web-preferences';

export interface WindowOptions {
  readonly appOrigin: string;
  readonly preload: string;
  readonly devTools: boolean;
  readonly show: boolean;
}

export function createMainWindow(opts: WindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 360,
    minHeight: 480,
    show: false,
    title: 'Tradeclock',
    icon: nativeImage.createFromBuffer(iconPng(256, 'app')),
    backgroundColor: '#0f172a',
    autoHideMenuBar: true,
    webPreferences: secureWebPreferences(opts.preload, opts.appOrigin, opts.devTools),
  });
  win.once('ready-to-show', () => {
    if (opts.show) win.show();
  });
  void win.loadURL(`${opts.appOrigin}/`);
  return win;
}

/** Brings a hidden or minimised window to the front. */
export function revealWindow(win: BrowserWindow): void {
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
}
