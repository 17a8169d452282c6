// @ts-check
/**
 * Where the Electron binary is and whether it can show a window, without require('electron'):
 * that module downloads the binary when it is missing (electron >= 42 has no postinstall), which
 * neither `npm start` nor the Electron test may do behind the user's back. Dependency-free, so
 * the launcher (scripts/launch.mjs) can ask before node_modules exists.
 *
 *   electronBinary(root)  → /repo/node_modules/electron/dist/electron (may not exist)
 *   hasDisplay()          → false on Linux with neither DISPLAY nor WAYLAND_DISPLAY set
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The Electron executable: TRADECLOCK_ELECTRON_BINARY when set, else the one the electron package
 * records in path.txt (or its platform default) under ELECTRON_OVERRIDE_DIST_PATH or its dist/.
 *
 * @param {string} root the repository root
 * @param {NodeJS.ProcessEnv} [env]
 * @param {NodeJS.Platform} [platform]
 * @returns {string}
 */
export function electronBinary(root, env = process.env, platform = process.platform) {
  if (env.TRADECLOCK_ELECTRON_BINARY) return env.TRADECLOCK_ELECTRON_BINARY;
  const dir = join(root, 'node_modules', 'electron');
  const pathFile = join(dir, 'path.txt');
  const fallback = { win32: 'electron.exe', darwin: 'Electron.app/Contents/MacOS/Electron' }[/** @type {string} */ (platform)] ?? 'electron';
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : fallback;
  return join(env.ELECTRON_OVERRIDE_DIST_PATH ?? join(dir, 'dist'), relative);
}

/**
 * Whether a window can be shown: always on macOS and Windows, on Linux only with an X11 or
 * Wayland display.
 *
 * @param {NodeJS.ProcessEnv} [env]
 * @param {NodeJS.Platform} [platform]
 */
export function hasDisplay(env = process.env, platform = process.platform) {
  return platform !== 'linux' || Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}
