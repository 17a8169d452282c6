/**
 * The daemon as a real child process (`node --import tsx engine/cli.ts daemon`), as a trader runs
 * it: for tests that kill it, signal it, or need it apart from the test's own process.
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
  readonly exited: Promise<void>;
  /** The last 4 000 characters it wrote to stderr. */
  stderr(): string;
  /** Every stdout line after the ready line. */
  readonly stdout: string[];
}

export function firstLine(proc: ChildProcess, match: (line: string) => string | null, what: string, timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: proc.stdout! });
    const timer = setTimeout(() => reject(new Error(`${what}: no ready line within ${timeoutMs} ms`)), timeoutMs);
    lines.on('line', (line) => {
      const m = match(line);
      if (m !== null) {
        clearTimeout(timer);
        resolve(m);
      }
    });
    proc.once('exit', (code, signal) => reject(new Error(`${what} exited (${code ?? signal}) before it was ready`)));
  });
}


/** Starts the daemon on a free port with `dataDir`; resolves once it printed its URL. */
export async function startDaemonProcess(dataDir: string, env: Record<string, string> = {}, logLevel = 'warn'): Promise<Daemon> {
  const proc = spawn(process.execPath, [...TSX, join(root, 'engine/cli.ts'), 'daemon', '--port', '0', '--data-dir', dataDir, '--log-level', logLevel], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stderr = '';
  proc.stderr!.on('data', (chunk: Buffer) => void (stderr = (stderr + chunk.toString()).slice(-4_000)));
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const url = await firstLine(proc, (l) => /Tradeclock is running at (\S+)/.exec(l)?.[1] ?? null, 'daemon').catch((err: Error) => {
    throw new Error(`${err.message}\n${stderr}`);
  });
  const stdout: string[] = [];
  createInterface({ input: proc.stdout! }).on('line', (l) => stdout.push(l));
  return { proc, url, exited, stderr: () => stderr, stdout };
}
