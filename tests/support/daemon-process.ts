/**
 * The daemon as a real child process (`node --import tsx engine/cli.ts daemon` by default, or the
 * bundle `npm run daemon` runs), as a trader runs it: for tests that kill it, signal it, or need it
 * apart from the test's own process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const root = join(import.meta.dirname, '..', '..');

/** `node --import tsx`, not the tsx CLI: the CLI runs the program in a child process, and a signal must reach the daemon itself. */
export const TSX = ['--import', 'tsx'];

export interface Daemon {
  readonly proc: ChildProcess;
  readonly url: string;
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>;
  /** The last 4 000 characters it wrote to stderr. */
  stderr(): string;
  /** Every stdout line after the ready line. */
  readonly stdout: string[];
}

/** Resolves with `match`'s answer for the first stdout line it accepts; later lines go to `after`. */
export function firstLine(proc: ChildProcess, match: (line: string) => string | null, what: string, timeoutMs = 30_000, after?: (line: string) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: proc.stdout! });
    const timer = setTimeout(() => reject(new Error(`${what}: no ready line within ${timeoutMs} ms`)), timeoutMs);
    let matched = false;
    lines.on('line', (line) => {
      if (matched) return after?.(line);
      const m = match(line);
      if (m !== null) {
        matched = true;
        clearTimeout(timer);
        resolve(m);
      }
    });
    proc.once('exit', (code, signal) => reject(new Error(`${what} exited (${code ?? signal}) before it was ready`)));
  });
}


/** What to run: node's arguments before `daemon …`, and the working directory. */
interface DaemonProgram {
  readonly argv: readonly string[];
  readonly cwd: string;
}

/** The sources under tsx, from the repository root. */
const SOURCES: DaemonProgram = { argv: [...TSX, join(root, 'engine/cli.ts')], cwd: root };

/** More ways to run it: extra CLI arguments, and a command that runs node (e.g. `unshare --pid --fork`). */
export interface DaemonLaunch {
  readonly args?: readonly string[];
  readonly prefix?: readonly string[];
}

/** Starts the daemon on a free port with `dataDir`; resolves once it printed its URL. */
export async function startDaemonProcess(dataDir: string, env: Record<string, string> = {}, logLevel = 'warn', program: DaemonProgram = SOURCES, launch: DaemonLaunch = {}): Promise<Daemon> {
  const argv = [...program.argv, 'daemon', '--port', '0', '--data-dir', dataDir, '--log-level', logLevel, ...(launch.args ?? [])];
  const [command, ...prefixArgs] = [...(launch.prefix ?? []), process.execPath];
  const proc = spawn(command!, [...prefixArgs, ...argv], {
    cwd: program.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stderr = '';
  proc.stderr!.on('data', (chunk: Buffer) => void (stderr = (stderr + chunk.toString()).slice(-4_000)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
  const stdout: string[] = [];
  try {
    const url = await firstLine(proc, (l) => /Tradeclock is running at (\S+)/.exec(l)?.[1] ?? null, 'daemon', 30_000, (l) => stdout.push(l));
    return { proc, url, exited, stderr: () => stderr, stdout };
  } catch (err) {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    throw new Error(`${(err as Error).message}\n${stderr}`);
  }
}
