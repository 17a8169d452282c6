// @ts-check
/**
 * Runs a command in the foreground, its stdio the launcher's, and resolves with how it ended.
 *
 * The launcher never dies of SIGINT while a child runs: Ctrl-C reaches the whole process group,
 * so the child has it already and decides (the daemon may ask before it stops with positions
 * open); a launcher that died first would orphan it from the terminal and npm. SIGTERM and SIGHUP
 * are sent to the launcher alone by `kill` and by supervisors that signal only their child
 * (docker, npm), so they are passed on.
 *
 *   const end = await runForeground('node', ['dist-daemon/cli.mjs', 'daemon'], { cwd: root });
 *   exitLike(end);   // this process ends as the child did: same code, or same signal
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

/** @typedef {{ code: number | null, signal: NodeJS.Signals | null }} Ending */

const FORWARDED = /** @type {const} */ (['SIGTERM', 'SIGHUP']);

/**
 * @param {string} command
 * @param {string[]} args
 * @param {import('node:child_process').SpawnOptions} [options]
 * @returns {Promise<Ending>}
 */
export function runForeground(command, args, options = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'inherit', ...options });
    const ignore = () => {};
    /** @type {Array<[NodeJS.Signals, () => void]>} */
    const handlers = [['SIGINT', ignore], ...FORWARDED.map((s) => /** @type {[NodeJS.Signals, () => void]} */ ([s, () => child.kill(s)]))];
    for (const [signal, handler] of handlers) process.on(signal, handler);
    const done = (/** @type {Ending} */ end) => {
      for (const [signal, handler] of handlers) process.off(signal, handler);
      resolve(end);
    };
    child.once('error', (err) => {
      process.stderr.write(`launch: could not start ${command}: ${err.message}\n`);
      done({ code: 127, signal: null });
    });
    child.once('exit', (code, signal) => done({ code, signal }));
  });
}

/**
 * Ends this process the way the child ended, so npm and supervisors see the daemon's own exit.
 *
 * @param {Ending} end
 * @returns {never}
 */
export function exitLike(end) {
  if (end.signal !== null) {
    process.kill(process.pid, end.signal);
    // Node ignores SIGPIPE, so that one does not end us: exit as a shell reports it, 128 + n.
    process.exit(128 + constants.signals[end.signal]);
  }
  process.exit(end.code ?? 1);
}
