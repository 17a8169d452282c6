/**
 * Where the shell's files are, relative to the bundled main process (dist-electron/main.mjs).
 * The bundle sits one level below the app root on purpose: engine code resolves
 * `../package.json` and `../renderer/dist` from its own `import.meta.url`, which after bundling is
 * the bundle's, so one level down keeps those paths right, in development and inside app.asar.
 */
import { join } from 'node:path';

export interface BundlePaths {
  readonly preload: string;
  /** The built renderer the daemon serves. */
  readonly staticDir: string;
}

/**
 * @param bundleDir the directory of the running main bundle
 * @param env process.env; TRADECLOCK_STATIC_DIR replaces the UI, honoured only in development
 *   (the Electron end-to-end test serves a fixture page with it); a packaged app ignores it, so
 *   nothing outside the signed bundle can become the page that holds the token bridge.
 */
export function bundlePaths(bundleDir: string, env: Readonly<Record<string, string | undefined>>, isPackaged: boolean): BundlePaths {
  const override = !isPackaged ? env.TRADECLOCK_STATIC_DIR : undefined;
  return {
    preload: join(bundleDir, 'preload.cjs'),
    staticDir: override || join(bundleDir, '..', 'renderer', 'dist'),
  };
}
