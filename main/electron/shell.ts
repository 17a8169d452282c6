/**
 * The desktop shell's composition: engine, window, tray, notifications, power, quit. Electron
 * glue only; every decision it takes is a plain, tested function in main/*.ts.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BrowserWindow, app, dialog, session } from 'electron';
import type { Logger } from 'pino';
import { createLogger } from '../../engine/logger';
import { startDaemon, type DaemonHandle } from '../../engine/daemon';
import type { AppInfo } from '../bridge-api';
import type { BundlePaths } from '../bundle-paths';
import { watchEngine } from '../engine-watch';
import { startsHidden } from '../login-item';
import { createNotificationGate } from '../../engine/notify/policy';
import { createQuitCoordinator } from '../quit-coordinator';
import { decideClose, quitPrompt, readShellStatus, type ShellStatus } from '../shell-status';
import { loadSettings, saveSettings, type ShellSettings } from '../shell-settings';
import { secondInstanceAction } from '../shell-args';
import { startOnPreferredPort, startupErrorText } from '../startup';
import { stopAll, stopAllPrompt, stopAllSummary } from '../stop-all';
import { privateFile, TokenStore } from '../token-store';
import { hardenSession } from './hardening';
import { registerBridgeIpc } from './ipc';
import { applyLoginItem, openedAtLogin } from './login-item';
import { showNotice } from './notify';
import { createPowerSave, watchPower } from './power';
import { safeStorageCipher } from './safe-storage-cipher';
import { createShellTray, type ShellTray } from './tray';
import { createMainWindow, revealWindow } from './window';

export interface ShellOptions {
  readonly paths: BundlePaths;
  readonly dataDir: string;
  /** Set once the engine listens; the navigation guards read it. */
  readonly setAppOrigin: (origin: string) => void;
  readonly setLogger: (log: Logger) => void;
}

export async function runShell(opts: ShellOptions): Promise<void> {
  await app.whenReady();
  const settingsPath = join(app.getPath('userData'), 'shell-settings.json');
  let settings: ShellSettings = loadSettings(settingsPath);
  const updateSettings = (patch: Partial<ShellSettings>) => {
    settings = { ...settings, ...patch };
    saveSettings(settingsPath, settings);
  };

  if (!existsSync(join(opts.paths.staticDir, 'index.html'))) {
    fatal('Tradeclock could not start', `The user interface is not built: ${opts.paths.staticDir}/index.html is missing.`);
    return;
  }

  let daemon: DaemonHandle;
  const logger = shellLogger(opts.dataDir);
  try {
    daemon = await startOnPreferredPort(
      (port) => startDaemon({ dataDir: opts.dataDir, port, staticDir: opts.paths.staticDir, ...(logger ? { logger } : {}) }),
      settings.lastPort,
    );
  } catch (err) {
    const text = startupErrorText(err, opts.dataDir);
    fatal(text.title, text.body);
    return;
  }
  const log = daemon.logger.child({ part: 'shell' });
  opts.setLogger(log);
  const appOrigin = new URL(daemon.url).origin;
  opts.setAppOrigin(appOrigin);
  if (settings.lastPort !== daemon.port) updateSettings({ lastPort: daemon.port });
  hardenSession(session.defaultSession, appOrigin);

  const { engine } = daemon;
  const repos = engine.ctx.repos;
  const status = (): ShellStatus => readShellStatus(repos);

  const tokens = new TokenStore(safeStorageCipher(), privateFile(join(app.getPath('userData'), 'session-token.bin')), (err, what) =>
    log.warn({ err }, what),
  );
  const appInfo = (): AppInfo => ({
    name: app.getName(),
    version: app.getVersion(),
    electron: process.versions.electron ?? '',
    platform: process.platform,
    dataDir: opts.dataDir,
    openAtLogin: settings.openAtLogin,
  });
  registerBridgeIpc(() => appOrigin, tokens, appInfo);

  let win: BrowserWindow | null = null;
  const showWindow = () => {
    if (win === null || win.isDestroyed()) win = openWindow(true);
    else revealWindow(win);
  };

  const quit = createQuitCoordinator({
    confirmQuit: async () => {
      const prompt = quitPrompt(status());
      if (prompt === null) return true;
      const { response } = await dialog.showMessageBox({
        type: 'warning',
        buttons: ['Keep running', 'Quit'],
        defaultId: 0,
        cancelId: 0,
        message: prompt.message,
        detail: prompt.detail,
      });
      return response === 1;
    },
    stopDaemon: async () => {
      watch.stop();
      power.release();
      await daemon.stop();
    },
    quit: () => app.quit(),
    exit: (code) => app.exit(code),
    setTimer: (fn, ms) => {
      const t = setTimeout(fn, ms);
      return { cancel: () => clearTimeout(t) };
    },
    onError: (err) => log.error({ err }, 'quit'),
  });
  app.on('before-quit', (event) => {
    if (quit.beforeQuit()) event.preventDefault();
  });
  // The window is gone and nothing was busy (else it would have hidden): quit, on every platform.
  app.on('window-all-closed', () => app.quit());

  const hiddenNotice = createNotificationGate(5 * 60_000);
  function openWindow(show: boolean): BrowserWindow {
    const w = createMainWindow({ appOrigin, preload: opts.paths.preload, devTools: !app.isPackaged, show });
    w.on('close', (event) => {
      // Once quitting, the engine may already be stopped and its database closed: don't read it.
      if (quit.quitting) return;
      let current: ShellStatus;
      try {
        current = status();
      } catch (err) {
        log.error({ err }, 'could not read the engine status while closing the window');
        return;
      }
      const decision = decideClose({ quitting: false, status: current });
      if (decision.action === 'close') return;
      event.preventDefault();
      w.hide();
      if (hiddenNotice('hidden', Date.now()) && !showNotice(decision.notice, showWindow)) {
        void dialog.showMessageBox({ type: 'info', message: decision.notice.title, detail: decision.notice.body });
      }
    });
    w.on('session-end', () => quit.quitWithoutAsking());
    w.webContents.on('render-process-gone', (_e, details) => {
      log.error({ reason: details.reason, exitCode: details.exitCode }, 'renderer process gone; reloading');
      if (details.reason !== 'clean-exit' && !w.isDestroyed()) w.reload();
    });
    return w;
  }

  const power = createPowerSave(log);
  let tray: ShellTray | null = null;
  const onStatus = (s: ShellStatus) => {
    power.update(s);
    tray?.update(s, settings.openAtLogin);
  };
  const watch = watchEngine({
    bus: engine.bus,
    notifications: engine.notifications,
    readStatus: status,
    onStatus,
    notify: (n) => showNotice(n, showWindow),
    defer: (fn, ms) => void setTimeout(fn, ms),
    onError: (err) => log.error({ err }, 'reading status for the tray failed'),
  });

  const stopEverything = async () => {
    // With those whose stored spec cannot be read: STOP needs only their identity.
    const damaged = repos.strategies.unreadableInternal('running').flatMap((u) => repos.strategies.identityInternal(u.strategyId) ?? []);
    const running = [...repos.strategies.listByStatusInternal('running'), ...damaged];
    const prompt = stopAllPrompt(running.length, status().inPosition);
    if (prompt === null) return;
    const { response } = await dialog.showMessageBox({
      type: 'warning',
      buttons: ['Cancel', 'Stop all'],
      defaultId: 0,
      cancelId: 0,
      message: prompt.message,
      detail: prompt.detail,
    });
    if (response !== 1) return;
    const result = await stopAll(engine.manager, running);
    log.warn({ stopped: result.stopped.length, failed: result.failed }, 'stop all from the tray');
    showNotice(stopAllSummary(result), showWindow);
    watch.refresh();
  };

  try {
    tray = createShellTray({
      open: showWindow,
      'stop-all': () => void stopEverything().catch((err: unknown) => log.error({ err }, 'stop all failed')),
      'toggle-login': () => {
        const enabled = !settings.openAtLogin;
        try {
          applyLoginItem(enabled);
          updateSettings({ openAtLogin: enabled });
        } catch (err) {
          log.error({ err }, 'could not change start at login');
        }
        watch.refresh();
      },
      quit: () => app.quit(),
    });
  } catch (err) {
    // Some Linux desktops have no tray; the app still works, a second launch brings the window back.
    log.warn({ err }, 'no tray icon on this desktop');
  }
  if (settings.openAtLogin) {
    try {
      applyLoginItem(true); // refreshes the path (an AppImage may have moved)
    } catch (err) {
      log.warn({ err }, 'could not refresh start at login');
    }
  }

  watchPower(log, { onResume: () => engine.onClockJump(), onShutdown: () => quit.quitWithoutAsking() });
  app.on('second-instance', () => {
    if (secondInstanceAction(win !== null && !win.isDestroyed()) === 'show-window') revealWindow(win!);
    else showWindow();
  });
  app.on('activate', showWindow); // macOS: a click on the Dock icon

  watch.refresh();
  win = openWindow(!startsHidden(process.argv, openedAtLogin()));
  log.info({ url: appOrigin, dataDir: opts.dataDir }, 'desktop shell ready');
}

/**
 * A packaged app logs to the data directory's file only: a Windows GUI process has no usable
 * stdout, and a write error there must not take the engine down. In development the daemon's
 * default (stdout and the file) is kept. Same redaction either way.
 */
function shellLogger(dataDir: string): Logger | undefined {
  if (!app.isPackaged) return undefined;
  // The rotating file sink, as the daemon's: a full disk or a write error costs lines, never the engine.
  return createLogger({ dataDir, console: false });
}

/**
 * Tells the trader why the app cannot start, then exits. The end-to-end test (development only)
 * gets the text on stderr instead of a modal box nobody would close.
 */
function fatal(title: string, body: string): void {
  console.error(`tradeclock: ${title}\n${body}`);
  if (app.isPackaged || process.env.TRADECLOCK_E2E !== '1') dialog.showErrorBox(title, body);
  app.exit(1);
}
