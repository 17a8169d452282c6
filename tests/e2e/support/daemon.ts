/**
 * A real `tradeclock daemon` for a test worker: the CLI as a user runs it, on a free loopback
 * port (--port 0) with a throwaway data dir. Its URL is read from the line it prints when ready.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const READY = /Tradeclock is running at (http:\/\/\S+)/;

export interface RunningDaemon {
  readonly url: string;
  readonly dataDir: string;
  /** Everything it wrote, for a failure message. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * `openRegistration` (default true): each test signs up its own trader, so the worker's daemon
 * takes many accounts, all from loopback (hence the raised per-client limit); false starts it as
 * a trader's install does, closed after the first. `env` adds variables (test hooks such as an
 * always-open calendar), `args` options of `tradeclock daemon` (`--https`).
 */
export async function startTestDaemon(
  timeoutMs = 60_000,
  { openRegistration = true, env = {}, args = [] }: { openRegistration?: boolean; env?: Readonly<Record<string, string>>; args?: readonly string[] } = {},
): Promise<RunningDaemon> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tradeclock-e2e-'));
  const child: ChildProcess = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), ['engine/cli.ts', 'daemon', '--port', '0', '--data-dir', dataDir, '--log-level', 'warn', ...args], {
    cwd: ROOT,
    // A vault passphrase so nothing waits on an OS keychain (paper accounts need no secret anyway).
    env: { ...process.env, TRADECLOCK_PASSPHRASE: 'e2e passphrase, not a secret', TRADECLOCK_PORT: '0', TRADECLOCK_OPEN_REGISTRATION: openRegistration ? '1' : '0', TRADECLOCK_REGISTER_LIMIT: '1000', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`daemon not ready after ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const check = () => {
      const m = READY.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`daemon exited before it was ready (${code ?? signal}):\n${output}`));
    });
  });

  return {
    url,
    dataDir,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(killer);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
