#!/usr/bin/env node
// @ts-check
/**
 * The one command behind `npm run daemon`, `npm test` and `npm start`, from a fresh clone on:
 *
 *   node scripts/launch.mjs daemon [daemon args]   install if needed, build what changed, run the daemon
 *   node scripts/launch.mjs test                   same, plus the system packages, then the test chain
 *   node scripts/launch.mjs start [electron args]  the desktop app, or at once why it cannot run here
 *
 * Dependency-free: it runs before node_modules exists. Each step says in one line why it runs;
 * one that has nothing to do says nothing and costs little, so a restart with nothing changed
 * reaches the daemon's own start in a fraction of a second (TRADECLOCK_LAUNCH_TIMING=1 prints it).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronBinary, hasDisplay } from './electron-binary.mjs';
import { ensureNodeAbi } from './ensure-node-abi.mjs';
import { DAEMON_NODE_FLAGS } from './launch/daemon-flags.mjs';
import { exitLike, runForeground } from './launch/foreground.mjs';
import { createFileReads } from './launch/file-reads.mjs';
import { installNeed, nodeModulesIsLink } from './launch/install-state.mjs';
import { canInstallSystemPackages, missingSystemPackages, systemDepsPlan } from './launch/system-deps.mjs';
import { buildIfChanged, DAEMON_BUNDLE, MAIN_BUNDLE, npmCommand, RENDERER } from './launch/targets.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const started = performance.now();
// package-lock.json and the builds' shared inputs are read once in a start, not once per check.
const reads = createFileReads();

/** @param {string} message */
function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

/** Installs dependencies when node_modules does not match package-lock.json. */
function ensureInstalled() {
  const need = installNeed(ROOT, reads);
  if (need === null) return;
  if (nodeModulesIsLink(ROOT)) {
    process.stderr.write(`launch: ${need.reason}; node_modules is a link to an install other checkouts share, so it is left as it is (run npm ${need.npmArgs.join(' ')} where it points)\n`);
    return;
  }
  process.stdout.write(`launch: installing dependencies (npm ${need.npmArgs.join(' ')}, a few minutes the first time): ${need.reason}\n`);
  // Errors only: on Node 20 npm warns for every package that declares Node 22 (EBADENGINE), a
  // wall of lines that asks nothing of the trader; said once below instead. A failure still shows.
  const [command, args] = npmCommand([...need.npmArgs, '--loglevel=error']);
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.status !== 0) fail(`launch: npm ${need.npmArgs.join(' ')} failed (exit ${result.status ?? result.signal}); nothing was started`);
  // npm install rewrites the lock when package.json changed: the stamps must hash what is there now.
  reads.forget();
  if (Number(process.versions.node.split('.')[0]) < 22) {
    process.stdout.write(`launch: installed. Some dependencies (Electron's tooling, two of fastify's) declare Node 22; Tradeclock runs and is tested on Node ${process.versions.node}.\n`);
  }
}

/** @param {import('./launch/targets.mjs').NpmBuildTarget[]} targets */
function buildChanged(targets) {
  for (const target of targets) {
    if (!buildIfChanged(ROOT, target, { reads })) fail(`launch: building ${target.name} failed; nothing was started`);
  }
}

function reportOverhead() {
  if (process.env.TRADECLOCK_LAUNCH_TIMING !== '1') return;
  const cpu = process.cpuUsage();
  const now = performance.now(); // since this process started
  process.stderr.write(`launch: ready to start ${Math.round(now)} ms after node started (${Math.round((cpu.user + cpu.system) / 1000)} ms CPU), ${Math.round(now - started)} ms of it the checks\n`);
}

/** @param {string[]} args */
async function daemon(args) {
  ensureInstalled();
  ensureNodeAbi(ROOT);
  buildChanged([RENDERER, DAEMON_BUNDLE]);
  reportOverhead();
  exitLike(await runForeground(process.execPath, [...DAEMON_NODE_FLAGS, join(ROOT, 'dist-daemon', 'cli.mjs'), 'daemon', ...args], { cwd: ROOT }));
}

/** The system packages: installed where this user may, else the line to run and a clear stop. */
function ensureSystemPackages() {
  const plan = systemDepsPlan({
    ci: process.env.CI === 'true',
    missing: missingSystemPackages(ROOT),
    canInstall: canInstallSystemPackages(),
  });
  if (plan.action === 'none') return;
  if (plan.action === 'stop') fail(plan.message);
  process.stdout.write(`${plan.message}\n`);
  const result = spawnSync('bash', [join(ROOT, 'scripts', 'install-system-deps.sh')], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) fail('launch: installing the system packages failed; see above');
}

async function test() {
  ensureInstalled();
  ensureSystemPackages();
  ensureNodeAbi(ROOT);
  // Built here when it changed, so the browser tests serve it as it is (E2E_SKIP_BUILD).
  buildChanged([RENDERER]);
  const bin = (/** @type {string} */ name) => join(ROOT, 'node_modules', '.bin', name);
  /** @type {Array<[string, string[]]>} */
  const steps = [
    npmCommand(['run', 'typecheck']),
    ['bash', [join(ROOT, 'scripts', 'with-keyring.sh'), bin('vitest'), 'run']],
    [bin('playwright'), ['test']],
    [process.execPath, [join(ROOT, 'scripts', 'test-electron.mjs')]],
  ];
  for (const [command, args] of steps) {
    const end = await runForeground(command, args, { cwd: ROOT, env: { ...process.env, E2E_SKIP_BUILD: '1' } });
    if (end.code !== 0) exitLike(end);
  }
}

/** @param {string} reason */
const cannotStart = (reason) =>
  `npm start: the desktop app cannot run here: ${reason}.\n` +
  'Run the headless daemon instead, the same app in your browser:\n\n    npm run daemon\n';

/** @param {string[]} args */
async function start(args) {
  // Both checks come before any install or build: where Electron cannot run, say so in a second.
  if (!hasDisplay()) fail(cannotStart('there is no display (neither DISPLAY nor WAYLAND_DISPLAY is set)'));
  const binary = electronBinary(ROOT);
  if (!existsSync(binary)) {
    fail(
      cannotStart(`the Electron binary is not installed (${binary})`) +
        '\nor install Electron where the network allows (npm install, then npx install-electron) and run npm start again.',
    );
  }
  ensureInstalled();
  buildChanged([RENDERER, MAIN_BUNDLE]);
  ensureElectronAbi(binary);
  reportOverhead();
  exitLike(await runForeground(binary, ['.', ...args], { cwd: ROOT }));
}

/** better-sqlite3 built for Electron's ABI; rebuilt only when Electron cannot load it. */
function ensureElectronAbi(/** @type {string} */ binary) {
  const probe = spawnSync(binary, ['-e', "new (require('better-sqlite3'))(':memory:').close()"], {
    cwd: ROOT,
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    stdio: 'ignore',
  });
  if (probe.status === 0) return;
  process.stdout.write('launch: rebuilding better-sqlite3 for Electron (electron-builder install-app-deps)\n');
  const result = spawnSync(join(ROOT, 'node_modules', '.bin', 'electron-builder'), ['install-app-deps'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) fail('launch: rebuilding better-sqlite3 for Electron failed; see above');
}

const [mode, ...rest] = process.argv.slice(2);
const modes = { daemon: () => daemon(rest), test: () => test(), start: () => start(rest) };
if (mode !== 'daemon' && mode !== 'test' && mode !== 'start') fail(`usage: node scripts/launch.mjs daemon|test|start [args]  (got ${mode ?? 'nothing'})`);
else await modes[mode]();
