/**
 * The one contract between the Electron shell and the renderer: what the preload exposes as
 * `window.tradeclock`, and the IPC channels behind it. Types only plus channel names, no imports,
 * so the renderer can `import type { TradeclockBridge } from '../main/bridge-api'` without pulling
 * in Node or Electron.
 *
 * In a browser (headless daemon) `window.tradeclock` is undefined: the renderer keeps its token in
 * session storage there, and uses `location.origin` as the API base.
 */

/** Where the shell keeps the session token. */
export type TokenPersistence =
  /** Encrypted with the OS keychain (safeStorage) in the shell's user-data dir; survives restarts. */
  | 'os-keychain'
  /** No usable keychain (e.g. Linux without a Secret Service): kept in memory until the app quits. */
  | 'memory';

export interface TokenSaveResult {
  readonly persistence: TokenPersistence;
}

export interface AppInfo {
  readonly name: string;
  readonly version: string;
  readonly electron: string;
  readonly platform: string;
  /** The engine's data directory (SQLite, logs), shown in settings/about. */
  readonly dataDir: string;
  /** Whether the app starts when the user logs in (changed from the tray menu). */
  readonly openAtLogin: boolean;
}

/**
 * `window.tradeclock` in the desktop app.
 *
 * @example
 * const bridge = window.tradeclock;
 * const base = bridge?.apiBase ?? location.origin;
 * const token = (await bridge?.token.get()) ?? sessionStorage.getItem('token');
 */
export interface TradeclockBridge {
  /** True in the desktop app; lets the UI say "runs in the tray" instead of "keep this tab open". */
  readonly isDesktop: true;
  /** The local API's origin, e.g. `http://127.0.0.1:53127`; the page itself is served from it. */
  readonly apiBase: string;
  readonly token: {
    /** The saved session token, or null. */
    get(): Promise<string | null>;
    /** Saves the session token (after login/register). */
    set(token: string): Promise<TokenSaveResult>;
    /** Forgets it (logout, or /auth/validate said it is no longer valid). */
    clear(): Promise<void>;
  };
  appInfo(): Promise<AppInfo>;
}

/** IPC channels (ipcRenderer.invoke → ipcMain.handle). Every handler checks the sender's origin. */
export const IPC = {
  tokenGet: 'tradeclock:token:get',
  tokenSet: 'tradeclock:token:set',
  tokenClear: 'tradeclock:token:clear',
  appInfo: 'tradeclock:app-info',
} as const;

/** The argument that carries the API origin to the preload (webPreferences.additionalArguments). */
export const API_BASE_ARG = '--tradeclock-api-base=';

/** Longest token the shell stores; a JWT from the API is far shorter. */
export const MAX_TOKEN_LENGTH = 4096;
