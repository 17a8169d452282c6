/**
 * When the launcher installs: node_modules compared with package-lock.json through npm's own
 * record of the install (node_modules/.package-lock.json), in real temp directories.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { installNeed, nodeModulesIsLink } from './install-state.mjs';

const temps: string[] = [];
afterEach(() => {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
});

type Packages = Record<string, Record<string, unknown>>;
const manifest = { name: 'app', version: '1.0.0', dependencies: { pino: '^10.4.0' }, devDependencies: { vite: '^8.3.8' } };
const locked: Packages = {
  '': { name: 'app', version: '1.0.0', dependencies: manifest.dependencies, devDependencies: manifest.devDependencies },
  'node_modules/pino': { version: '10.4.0', resolved: 'https://registry/pino-10.4.0.tgz' },
  'node_modules/vite': { version: '8.3.8', dev: true },
  'node_modules/@esbuild/darwin-arm64': { version: '0.28.2', optional: true, os: ['darwin'] },
  'node_modules/fsevents': { version: '2.3.3', devOptional: true, os: ['darwin'] },
};
const installedRecord = (packages: Packages) => ({ name: 'app', version: '1.0.0', lockfileVersion: 3, requires: true, packages });
const { '': _root, 'node_modules/@esbuild/darwin-arm64': _otherPlatform, 'node_modules/fsevents': _otherPlatformDev, ...asInstalled } = locked;

function project(opts: { pkg?: object; lock?: Packages | null; installed?: Packages | null; nodeModules?: boolean } = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'tc-install-'));
  temps.push(root);
  writeFileSync(join(root, 'package.json'), JSON.stringify(opts.pkg ?? manifest));
  if (opts.lock !== null) writeFileSync(join(root, 'package-lock.json'), JSON.stringify({ lockfileVersion: 3, packages: opts.lock ?? locked }));
  if (opts.nodeModules !== false) {
    mkdirSync(join(root, 'node_modules'));
    if (opts.installed !== null) writeFileSync(join(root, 'node_modules', '.package-lock.json'), JSON.stringify(installedRecord(opts.installed ?? asInstalled)));
  }
  return root;
}

describe('installNeed', () => {
  it('is null when what npm recorded as installed is what the lock names (an optional package of another platform may be absent)', () => {
    expect(installNeed(project())).toBeNull();
  });

  it('runs npm ci on a fresh clone, where node_modules is missing', () => {
    expect(installNeed(project({ nodeModules: false }))).toEqual({ reason: 'node_modules is missing', npmArgs: ['ci'] });
  });

  it('runs npm install where there is no lockfile to install from', () => {
    expect(installNeed(project({ nodeModules: false, lock: null }))).toEqual({ reason: 'node_modules is missing', npmArgs: ['install'] });
  });

  it('runs npm ci when node_modules has no record of what was installed', () => {
    expect(installNeed(project({ installed: null }))).toMatchObject({ reason: expect.stringContaining('no record of what was installed'), npmArgs: ['ci'] });
  });

  it('runs npm ci when the lock moved on (a pull bumped a version), naming the package', () => {
    const lock = { ...locked, 'node_modules/pino': { version: '10.5.0' } };
    expect(installNeed(project({ lock }))).toEqual({ reason: 'node_modules is stale: pino is 10.4.0, package-lock.json names 10.5.0', npmArgs: ['ci'] });
  });

  it('runs npm ci when the lock names a package that is not installed, or one is installed the lock does not name', () => {
    const { 'node_modules/vite': _vite, ...withoutVite } = asInstalled;
    expect(installNeed(project({ installed: withoutVite }))?.reason).toBe('node_modules is stale: vite 8.3.8 is not installed');
    const extra = { ...asInstalled, 'node_modules/left-pad': { version: '1.3.0' } };
    expect(installNeed(project({ installed: extra }))?.reason).toBe('node_modules is stale: left-pad is installed but not in package-lock.json');
  });

  it('names a nested package by its own name', () => {
    const lock = { ...locked, 'node_modules/vite/node_modules/@scope/dep': { version: '2.0.0' } };
    expect(installNeed(project({ lock }))?.reason).toBe('node_modules is stale: @scope/dep 2.0.0 is not installed');
  });

  it('runs npm install, which updates the lock, when package.json names a dependency the lock was not made from (npm ci would refuse)', () => {
    const pkg = { ...manifest, dependencies: { ...manifest.dependencies, zod: '^4.6.7' } };
    expect(installNeed(project({ pkg }))).toEqual({
      reason: "package.json's dependencies has zod ^4.6.7, package-lock.json (none), so the lock is updated too",
      npmArgs: ['install'],
    });
  });
});

describe('nodeModulesIsLink', () => {
  it('tells a node_modules linked to a shared install from one of the checkout’s own', () => {
    const own = project();
    const linked = project({ nodeModules: false });
    symlinkSync(join(own, 'node_modules'), join(linked, 'node_modules'));
    expect([nodeModulesIsLink(own), nodeModulesIsLink(linked), nodeModulesIsLink(project({ nodeModules: false }))]).toEqual([false, true, false]);
  });
});
