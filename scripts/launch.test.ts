/**
 * The launcher as `npm start` and `npm run daemon` run it, in a subprocess, from a temp copy of
 * the repository's scripts (they need nothing installed). The daemon's place is taken by a small
 * script that reports its node flags and arguments and answers signals, so what is tested is the
 * launcher's part: what it starts, and how it passes on Ctrl-C and SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { hashInputs, writeStamp } from './launch/build-stamp.mjs';
import { DAEMON_NODE_FLAGS } from './launch/daemon-flags.mjs';
import { DAEMON_BUNDLE, RENDERER } from './launch/targets.mjs';

const SCRIPTS = import.meta.dirname;
const temps: string[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A fresh clone's worth of launcher: scripts/ and a package.json, nothing installed or built. */
function freshClone(): string {
  const root = mkdtempSync(join(tmpdir(), 'tc-launch-'));
  temps.push(root);
  mkdirSync(join(root, 'scripts'));
  for (const f of ['launch.mjs', 'electron-binary.mjs', 'ensure-node-abi.mjs', 'install-system-deps.sh']) cpSync(join(SCRIPTS, f), join(root, 'scripts', f));
  cpSync(join(SCRIPTS, 'launch'), join(root, 'scripts', 'launch'), { recursive: true, filter: (src) => !src.endsWith('.test.ts') });
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'clone', version: '1.0.0' }));
  return root;
}

/** Installed and built: npm's record matches the lock, better-sqlite3 loads, both stamps current. */
function installedAndBuilt(daemonScript: string): string {
  const root = freshClone();
  writeFileSync(join(root, 'package-lock.json'), JSON.stringify({ lockfileVersion: 3, packages: { '': {} } }));
  mkdirSync(join(root, 'node_modules', 'better-sqlite3'), { recursive: true });
  writeFileSync(join(root, 'node_modules', '.package-lock.json'), JSON.stringify({ lockfileVersion: 3, packages: {} }));
  writeFileSync(join(root, 'node_modules', 'better-sqlite3', 'index.js'), 'module.exports = class { close() {} };');
  mkdirSync(join(root, 'renderer', 'dist'), { recursive: true });
  writeFileSync(join(root, 'renderer', 'dist', 'index.html'), '<html>');
  mkdirSync(join(root, 'dist-daemon'));
  writeFileSync(join(root, 'dist-daemon', 'cli.mjs'), daemonScript);
  for (const target of [RENDERER, DAEMON_BUNDLE]) writeStamp(root, target, hashInputs(root, target));
  return root;
}

interface Run {
  readonly proc: ChildProcess;
  readonly ended: Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number; stdout: string; stderr: string }>;
  /** Resolves with the first stdout line `match` accepts; rejects if the launcher ends first. */
  line(match: RegExp): Promise<string>;
}

function launch(root: string, args: string[], env: NodeJS.ProcessEnv, detached = false): Run {
  const started = performance.now();
  const proc = spawn(process.execPath, [join(root, 'scripts', 'launch.mjs'), ...args], { cwd: root, env, detached, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(proc);
  // A detached launcher leads its own process group: whatever it leaves behind goes with it.
  if (detached) proc.once('exit', () => killGroup(proc.pid!));
  let stdout = '';
  let stderr = '';
  const waiting: Array<[RegExp, (line: string) => void]> = [];
  createInterface({ input: proc.stdout! }).on('line', (l) => {
    stdout += `${l}\n`;
    for (const [i, [re, resolve]] of waiting.entries()) if (re.test(l)) (waiting.splice(i, 1), resolve(l));
  });
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const ended = new Promise<Awaited<Run['ended']>>((resolve) =>
    proc.once('close', (code, signal) => resolve({ code, signal, ms: performance.now() - started, stdout, stderr })),
  );
  const line = (re: RegExp) =>
    new Promise<string>((resolve, reject) => {
      waiting.push([re, resolve]);
      void ended.then((end) => reject(new Error(`launcher ended (${end.code ?? end.signal}) before printing ${re}\n${end.stdout}${end.stderr}`)));
    });
  return { proc, ended, line };
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // the group is gone already
  }
}

const baseEnv = (extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv => {
  const { DISPLAY: _d, WAYLAND_DISPLAY: _w, TRADECLOCK_ELECTRON_BINARY: _e, ELECTRON_OVERRIDE_DIST_PATH: _o, npm_execpath: _n, ...env } = process.env;
  return { ...env, ...extra };
};

describe('npm start where Electron cannot run', () => {
  it.runIf(process.platform === 'linux')('without a display: says at once to run npm run daemon, exits 1, installs and builds nothing', async () => {
    const root = freshClone();
    const end = await launch(root, ['start'], baseEnv({})).ended;
    expect(end.code).toBe(1);
    expect(end.ms).toBeLessThan(5_000);
    expect(end.stderr).toMatch(/^npm start: the desktop app cannot run here: there is no display \(neither DISPLAY nor WAYLAND_DISPLAY is set\)\.\n/);
    expect(end.stderr).toContain('\n    npm run daemon\n');
    expect(readdirSync(root).sort()).toEqual(['package.json', 'scripts']);
  });

  it('with a display but no Electron binary (TRADECLOCK_ELECTRON_BINARY at a missing path): names npm run daemon and the binary, exits 1 within seconds', async () => {
    const root = freshClone();
    const missing = join(root, 'no-such-dir', 'electron');
    const end = await launch(root, ['start'], baseEnv({ DISPLAY: ':99', TRADECLOCK_ELECTRON_BINARY: missing })).ended;
    expect(end.code).toBe(1);
    expect(end.ms).toBeLessThan(5_000);
    expect(end.stderr).toContain(`the Electron binary is not installed (${missing})`);
    expect(end.stderr).toContain('\n    npm run daemon\n');
    expect(readdirSync(root).sort()).toEqual(['package.json', 'scripts']);
  });

  it('on a fresh clone, where the binary would be in node_modules that is not there yet: the same message, before any install', async () => {
    const root = freshClone();
    const end = await launch(root, ['start'], baseEnv({ DISPLAY: ':99' })).ended;
    expect(end.code).toBe(1);
    expect(end.stderr).toContain(`the Electron binary is not installed (${join(root, 'node_modules', 'electron', 'dist')}`);
    expect(existsSync(join(root, 'node_modules'))).toBe(false);
  });
});

/** Stands in for dist-daemon/cli.mjs: reports how it was started and what reached it. */
const FAKE_DAEMON = `
process.on('SIGINT', () => process.stdout.write('daemon got SIGINT, asks before stopping\\n'));
process.on('SIGTERM', () => { process.stdout.write('daemon got SIGTERM\\n'); process.exit(7); });
setInterval(() => {}, 1000);
process.stdout.write('started ' + JSON.stringify({ flags: process.execArgv, args: process.argv.slice(2) }) + '\\n');
`;

describe('npm run daemon, with nothing to install or build', () => {
  it('starts dist-daemon/cli.mjs with the daemon flags and the arguments after --, and builds nothing', async () => {
    const root = installedAndBuilt(FAKE_DAEMON);
    const run = launch(root, ['daemon', '--port', '0'], baseEnv({}));
    const started = JSON.parse((await run.line(/^started /)).slice('started '.length));
    expect(started).toEqual({ flags: [...DAEMON_NODE_FLAGS], args: ['daemon', '--port', '0'] });
    run.proc.kill('SIGTERM');
    const end = await run.ended;
    expect(end.stdout).not.toContain('launch:');
  });

  it('lives through a Ctrl-C to the whole process group, leaving the daemon to decide; passes SIGTERM on and exits with the daemon’s code', async () => {
    const root = installedAndBuilt(FAKE_DAEMON);
    const run = launch(root, ['daemon'], baseEnv({}), true);
    await run.line(/^started /);
    const asked = run.line(/^daemon got SIGINT/);
    process.kill(-run.proc.pid!, 'SIGINT');
    await asked;
    expect(run.proc.exitCode).toBeNull();
    run.proc.kill('SIGTERM');
    const end = await run.ended;
    expect(end).toMatchObject({ code: 7, signal: null });
    expect(end.stdout).toContain('daemon got SIGTERM\n');
  });

  it('ends by the same signal as a daemon that was killed', async () => {
    const root = installedAndBuilt(`process.stdout.write('started {}\\n'); process.kill(process.pid, 'SIGKILL');`);
    const end = await launch(root, ['daemon'], baseEnv({})).ended;
    expect(end).toMatchObject({ code: null, signal: 'SIGKILL' });
  });
});
