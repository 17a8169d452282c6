/**
 * electron-builder.yml, checked the way electron-builder itself checks it (its own loader and its
 * own schema validation, from the installed app-builder-lib), so a typo fails here instead of at
 * the first `npm run dist` on a release machine. Then the hardening this project relies on.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OUT_DIR_NAME, ROOT } from '../scripts/build-main';

/** The parts the test reads; every level stays open, since the test also feeds it invalid keys. */
type Open = Record<string, unknown>;
type Config = Open & {
  electronFuses?: Record<string, boolean>;
  asarUnpack?: string[];
  files?: string[];
  extraMetadata?: { main?: string };
  linux?: Open & { target?: string[]; icon?: string };
  win?: Open & { target?: string[]; icon?: string };
  mac?: Open & { target?: string[]; icon?: string; entitlements?: string; entitlementsInherit?: string; hardenedRuntime?: boolean };
  directories?: { buildResources?: string };
  npmRebuild?: boolean;
};

const require = createRequire(import.meta.url);
const builderRequire = createRequire(require.resolve('app-builder-lib/package.json'));
const { findAndReadConfig } = builderRequire('./out/util/config/load') as {
  findAndReadConfig(request: { projectDir: string; configFilename: string; packageKey: string }): Promise<{ result: Config; configFile: string } | null>;
};
const { validateConfiguration } = builderRequire('./out/util/config/config') as {
  validateConfiguration(config: Config, debugLogger: { isEnabled: boolean; add(key: string, value: unknown): void }): Promise<void>;
};
const minimatch = (builderRequire('minimatch') as { minimatch: (path: string, pattern: string, opts?: object) => boolean }).minimatch;

const quietLogger = { isEnabled: false, add: () => {} };

async function loadConfig(): Promise<Config> {
  const found = await findAndReadConfig({ projectDir: ROOT, configFilename: 'electron-builder', packageKey: 'build' });
  if (found === null) throw new Error('electron-builder.yml not found');
  expect(found.configFile).toBe(join(ROOT, 'electron-builder.yml'));
  return found.result;
}

describe('electron-builder.yml', () => {
  it('is the config electron-builder will use (package.json has no "build" key to shadow it)', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(pkg).not.toHaveProperty('build');
  });

  it("passes electron-builder's own schema validation", async () => {
    await expect(validateConfiguration(await loadConfig(), quietLogger)).resolves.toBeUndefined();
  });

  it('the validation does catch a misspelt or misplaced option', async () => {
    const config = await loadConfig();
    await expect(validateConfiguration({ ...config, electronFuse: { runAsNode: false } }, quietLogger)).rejects.toThrow(/electronFuse/);
    // Inside an anyOf, electron-builder names the enclosing option rather than the bad key.
    await expect(validateConfiguration({ ...config, electronFuses: { ...config.electronFuses, runAsnode: false } }, quietLogger)).rejects.toThrow(
      /configuration\.electronFuses/,
    );
    await expect(validateConfiguration({ ...config, linux: { ...config.linux, title: 'x' } }, quietLogger)).rejects.toThrow(/configuration\.linux/);
    await expect(validateConfiguration({ ...config, nsis: { oneClick: 'sometimes' } }, quietLogger)).rejects.toThrow(/configuration\.nsis/);
  });

  it('builds AppImage and deb, NSIS, and DMG', async () => {
    const config = await loadConfig();
    expect(config.linux?.target).toEqual(['AppImage', 'deb']);
    expect(config.win?.target).toEqual(['nsis']);
    expect(config.mac?.target).toEqual(['dmg']);
  });

  it('flips the fuses of a hardened build', async () => {
    expect((await loadConfig()).electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      loadBrowserProcessSpecificV8Snapshot: false,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('unpacks the native addons from the asar and rebuilds them for Electron', async () => {
    const config = await loadConfig();
    expect(config.npmRebuild).toBe(true);
    const unpacked = (path: string) => (config.asarUnpack ?? []).some((pattern) => minimatch(path, pattern, { dot: true }));
    expect(unpacked('node_modules/better-sqlite3/build/Release/better_sqlite3.node')).toBe(true);
    expect(unpacked('node_modules/better-sqlite3/lib/database.js')).toBe(true);
    expect(unpacked('node_modules/@napi-rs/keyring/index.js')).toBe(true);
    expect(unpacked('node_modules/@napi-rs/keyring-linux-x64-gnu/keyring.linux-x64-gnu.node')).toBe(true);
    expect(unpacked('node_modules/@napi-rs/keyring-win32-x64-msvc/keyring.win32-x64-msvc.node')).toBe(true);
    expect(unpacked('dist-electron/main.mjs')).toBe(false);
  });

  it('packs the bundled main process and the built renderer, and starts the bundle', async () => {
    const config = await loadConfig();
    expect(config.files).toEqual(expect.arrayContaining([`${OUT_DIR_NAME}/**`, 'renderer/dist/**', 'package.json']));
    expect(config.extraMetadata?.main).toBe(`${OUT_DIR_NAME}/main.mjs`);
  });

  it('finds every resource it names', async () => {
    const config = await loadConfig();
    expect(config.directories?.buildResources).toBe('build');
    for (const file of [config.linux?.icon, config.win?.icon, config.mac?.icon, config.mac?.entitlements, config.mac?.entitlementsInherit]) {
      expect(file && existsSync(join(ROOT, file)), `${file} exists`).toBe(true);
    }
    expect(config.mac?.hardenedRuntime).toBe(true);
    const entitlements = readFileSync(join(ROOT, 'build/entitlements.mac.plist'), 'utf8').replace(/<!--[\s\S]*?-->/g, '');
    expect([...entitlements.matchAll(/<key>([^<]+)<\/key>/g)].map((m) => m[1])).toEqual(['com.apple.security.cs.allow-jit']);
  });
});
