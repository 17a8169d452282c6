/**
 * Electron main process entry (bundled to dist-electron/main.mjs). What must happen before
 * `ready` happens here: sandbox every renderer, the single-instance lock, the navigation guards.
 * The rest is in electron/shell.ts.
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app } from 'electron';
import type { Logger } from 'pino';
import { bundlePaths } from './bundle-paths';
import { installNavigationGuards } from './electron/hardening';
import { runShell } from './electron/shell';
import { parseShellArgs, resolveDataDir } from './shell-args';

const APP_ID = 'app.tradeclock.desktop';

// Development and tests only: a throwaway Chromium profile (the e2e test must not touch the real one).
if (!app.isPackaged && process.env.TRADECLOCK_ELECTRON_USER_DATA) app.setPath('userData', process.env.TRADECLOCK_ELECTRON_USER_DATA);
app.enableSandbox();
app.setAppUserModelId(APP_ID); // Windows toasts need it (and the installer's Start-menu shortcut)

let appOrigin: string | null = null;
let logger: Logger | null = null;
installNavigationGuards(
  () => appOrigin,
  () => logger,
);

if (!app.requestSingleInstanceLock()) {
  // Another Tradeclock runs: it gets 'second-instance' and shows its window; this one leaves.
  app.quit();
} else {
  const here = dirname(fileURLToPath(import.meta.url));
  const dataDir = resolveDataDir(parseShellArgs(process.argv), process.env);
  runShell({
    paths: bundlePaths(here, process.env, app.isPackaged),
    dataDir,
    setAppOrigin: (origin) => (appOrigin = origin),
    setLogger: (log) => (logger = log),
  }).catch((err: unknown) => {
    console.error('tradeclock: desktop shell failed', err);
    app.exit(1);
  });
}
