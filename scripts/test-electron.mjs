#!/usr/bin/env node
/**
 * Runs the Electron shell's end-to-end test (tests/e2e/electron.spec.ts), or says plainly that it
 * did not run and why. It never reports a skipped run as a pass:
 *
 *   SKIPPED (not run): Electron binary not installed on this machine: <path>    exit 0
 *   SKIPPED (not run): no display ...                                          exit 0
 *   NOT RUN: better-sqlite3 is not built for Electron ...                       exit 1
 *   otherwise Playwright's own result and exit code.
 *
 * With --require (or TRADECLOCK_REQUIRE_ELECTRON=1, for a release machine) a skip exits 1.
 *
 * The Electron binary is located without require('electron') (scripts/electron-binary.mjs).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronBinary, hasDisplay } from './electron-binary.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const requireRun = process.argv.includes('--require') || process.env.TRADECLOCK_REQUIRE_ELECTRON === '1';
const bin = (name) => join(root, 'node_modules', '.bin', process.platform === 'win32' ? `${name}.cmd` : name);

function skip(reason) {
  process.stdout.write(`SKIPPED (not run): ${reason}\n`);
  if (requireRun) {
    process.stdout.write('--require was given: a run that did not happen is a failure.\n');
    process.exit(1);
  }
  process.exit(0);
}

function notRun(reason) {
  process.stdout.write(`NOT RUN: ${reason}\n`);
  process.exit(1);
}

const binary = electronBinary(root);
if (!existsSync(binary)) {
  skip(`Electron binary not installed on this machine: ${binary}\n  (install it with \`npx install-electron\` where the network allows, or point TRADECLOCK_ELECTRON_BINARY at one)`);
}

// Electron needs a display; on Linux CI, use a virtual one when there is none.
let wrap = [];
if (!hasDisplay()) {
  const xvfb = spawnSync('sh', ['-c', 'command -v xvfb-run'], { encoding: 'utf8' });
  if (xvfb.status !== 0) skip('no display (DISPLAY/WAYLAND_DISPLAY unset) and no xvfb-run to provide one');
  wrap = [xvfb.stdout.trim(), '-a'];
}

// better-sqlite3 12 is compiled against one runtime's ABI: the one vitest uses (Node) or Electron's.
const probe = spawnSync(binary, ['-e', "new (require('better-sqlite3'))(':memory:').close()"], {
  cwd: root,
  env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
  encoding: 'utf8',
});
if (probe.status !== 0) {
  const abi = /NODE_MODULE_VERSION/.test(probe.stderr ?? '');
  notRun(
    abi
      ? 'better-sqlite3 is built for Node, not for Electron. Rebuild it for Electron with `npx electron-builder install-app-deps`, ' +
          'run this again, then `npm rebuild better-sqlite3` before the vitest suite.\n' + probe.stderr
      : `Electron could not load better-sqlite3:\n${probe.stderr ?? probe.error}`,
  );
}

const build = spawnSync(bin('tsx'), ['scripts/build-main.ts'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) notRun('building dist-electron failed (tsx scripts/build-main.ts)');

const args = [...wrap, bin('playwright'), 'test', '--config', 'tests/e2e/electron.config.ts'];
const result = spawnSync(args[0], args.slice(1), {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, TRADECLOCK_ELECTRON_BINARY: binary, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' },
});
process.exit(result.status ?? 1);
