/** Applies "Start at login" (../login-item.ts decides how, per platform). */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { app } from 'electron';
import { loginItemPlan } from '../login-item';

export function applyLoginItem(enabled: boolean): void {
  const plan = loginItemPlan({
    platform: process.platform,
    enabled,
    // An AppImage runs from a fresh mount point each time; $APPIMAGE is the file itself.
    command: process.env.APPIMAGE ?? process.execPath,
    // In development the executable is the bare electron binary and needs the app's path.
    args: process.defaultApp ? [app.getAppPath()] : [],
    configHome: process.env.XDG_CONFIG_HOME || join(homedir(), '.config'),
  });
  if (plan.kind === 'electron') {
    app.setLoginItemSettings({ openAtLogin: plan.settings.openAtLogin, args: [...plan.settings.args] });
  } else if (plan.content === null) {
    rmSync(plan.file, { force: true });
  } else {
    mkdirSync(dirname(plan.file), { recursive: true });
    writeFileSync(plan.file, plan.content, { mode: 0o644 });
  }
}

/** macOS tells whether this launch came from the login item. */
export function openedAtLogin(): boolean {
  return process.platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin;
}
