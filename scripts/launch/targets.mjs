// @ts-check
/**
 * What the launcher builds, from which inputs, and with which npm script. Inputs are everything
 * the build reads from the tree (tests are never read by a build and are left out); the lockfile
 * stands for the versions of vite, esbuild and the bundled packages.
 */
import { spawnSync } from 'node:child_process';
import { buildChange, clearStamp, writeStamp } from './build-stamp.mjs';

const SHARED = ['package.json', 'package-lock.json', 'tsconfig.base.json'];

/** @typedef {import('./build-stamp.mjs').BuildTarget & { script: string }} NpmBuildTarget */

/** @type {NpmBuildTarget} */
export const RENDERER = {
  name: 'the UI (renderer/dist)',
  inputs: ['renderer', 'vite.config.ts', ...SHARED],
  exclude: ['renderer/dist'],
  outdir: 'renderer/dist',
  marker: 'index.html',
  script: 'build:renderer',
};

/** @type {NpmBuildTarget} */
export const DAEMON_BUNDLE = {
  name: 'the daemon bundle (dist-daemon)',
  inputs: ['engine', 'db', 'scripts/build-daemon.ts', 'scripts/build-main.ts', ...SHARED],
  outdir: 'dist-daemon',
  marker: 'cli.mjs',
  script: 'build:daemon',
};

/** @type {NpmBuildTarget} */
export const MAIN_BUNDLE = {
  name: 'the desktop shell (dist-electron)',
  inputs: ['main', 'engine', 'db', 'scripts/build-main.ts', ...SHARED],
  outdir: 'dist-electron',
  marker: 'main.mjs',
  script: 'build:main',
};

/**
 * The command that runs an npm script: through the npm that started us when there is one.
 *
 * @param {string[]} args
 * @returns {[string, string[]]}
 */
export function npmCommand(args) {
  const npm = process.env.npm_execpath;
  if (npm && /\.[cm]?js$/.test(npm)) return [process.execPath, [npm, ...args]];
  return [process.platform === 'win32' ? 'npm.cmd' : 'npm', args];
}

/**
 * Builds `target` when its inputs changed since its last successful build; says why in one line.
 * Returns false when the build failed (its own output says how).
 *
 * @param {string} root
 * @param {NpmBuildTarget} target
 * @param {object} [options]
 * @param {(root: string, target: NpmBuildTarget) => number | null} [options.run] runs the build, returns its exit code
 * @param {import('./file-reads.mjs').FileReads} [options.reads] this run's reads, shared with the install check and other targets
 */
export function buildIfChanged(root, target, { run = runNpmScript, reads } = {}) {
  const change = buildChange(root, target, reads);
  if (change === null) return true;
  process.stdout.write(`launch: building ${target.name}: ${change.why}\n`);
  clearStamp(root, target);
  if (run(root, target) !== 0) return false;
  writeStamp(root, target, change);
  return true;
}

/** @param {string} root @param {NpmBuildTarget} target */
function runNpmScript(root, target) {
  const [command, args] = npmCommand(['run', '--silent', target.script]);
  return spawnSync(command, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' }).status;
}
