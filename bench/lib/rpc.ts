/**
 * Parent/child plumbing for the bench: every process under test is a child with an IPC channel,
 * driven by request/response messages, so each runs on its own event loop (and core). The children
 * run as esbuild bundles under plain `node` (bench/lib/build-children.ts), as `npm run daemon` runs
 * the daemon: no TypeScript loader in the measured processes.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

interface Request {
  readonly id: number;
  readonly cmd: string;
  readonly args: unknown;
}

type Reply = { readonly id: number; readonly ok: true; readonly result: unknown } | { readonly id: number; readonly ok: false; readonly error: string };

/** A child process driven by `call`. */
export interface Child {
  readonly proc: ChildProcess;
  /** performance.now() in the parent when fork() was called. */
  readonly spawnedAt: number;
  call<T = unknown>(cmd: string, args?: unknown, timeoutMs?: number): Promise<T>;
  /** Resolves when the child sends `{ event }` (used for "ready"). */
  once<T = unknown>(event: string, timeoutMs?: number): Promise<T>;
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Resolves when the child has exited by itself (SIGKILL after `timeoutMs`). */
  waitExit(timeoutMs: number): Promise<void>;
}

export interface SpawnOptions {
  readonly args?: readonly string[];
  readonly env?: Record<string, string>;
  /** Extra node flags, e.g. ['--cpu-prof', '--cpu-prof-dir=…']. */
  readonly nodeFlags?: readonly string[];
}

let bundleDir: string | null = null;

/** From now on, children start from their bundles in `dir` (`<name>.mjs`) under plain node. */
export function useBundledChildren(dir: string): void {
  bundleDir = dir;
}

/** Starts the bundle of `bench/children/<name>.ts` under node, with IPC. */
export function spawnChild(name: string, opts: SpawnOptions = {}): Child {
  if (!bundleDir) throw new Error('spawnChild before useBundledChildren: build the children first (bench/lib/build-children.ts)');
  const file = join(bundleDir, `${name}.mjs`);
  const spawnedAt = performance.now();
  const proc = fork(file, [...(opts.args ?? [])], {
    execArgv: [...(opts.nodeFlags ?? [])],
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    serialization: 'advanced',
  });
  let tail = '';
  proc.stderr?.on('data', (d: Buffer) => {
    tail = (tail + d.toString()).slice(-4000);
  });
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const events = new Map<string, Array<(v: unknown) => void>>();
  proc.on('message', (m: Reply | { event: string; data: unknown }) => {
    if ('event' in m) {
      for (const l of events.get(m.event) ?? []) l(m.data);
      events.delete(m.event);
      return;
    }
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.ok) p.resolve(m.result);
    else p.reject(new Error(`${name}: ${m.error}`));
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.once('exit', (code, signal) => {
    for (const p of pending.values()) p.reject(new Error(`${name} exited (${signal ?? code}) during a call; stderr: ${tail.slice(-1500)}`));
    pending.clear();
  });
  return {
    proc,
    spawnedAt,
    call<T>(cmd: string, args?: unknown, timeoutMs = 600_000): Promise<T> {
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${name}: ${cmd} took longer than ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, {
          resolve: (v) => {
            clearTimeout(timer);
            resolve(v as T);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        });
        proc.send({ id, cmd, args } satisfies Request);
      });
    },
    once<T>(event: string, timeoutMs = 120_000): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${name}: no "${event}" within ${timeoutMs} ms; stderr: ${tail.slice(-1500)}`)), timeoutMs);
        const list = events.get(event) ?? [];
        list.push((v) => {
          clearTimeout(timer);
          resolve(v as T);
        });
        events.set(event, list);
        void exited.then(() => {
          clearTimeout(timer);
          reject(new Error(`${name} exited before "${event}"; stderr: ${tail.slice(-1500)}`));
        });
      });
    },
    async kill(signal = 'SIGTERM') {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill(signal);
      const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    },
    async waitExit(timeoutMs) {
      const t = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(t);
    },
  };
}

/** The child side: answers the parent's calls with `handlers`. */
export function serve(handlers: Record<string, (args: never) => unknown>): void {
  process.on('message', (m: Request) => {
    const handler = handlers[m.cmd];
    void (async () => {
      try {
        if (!handler) throw new Error(`unknown command ${m.cmd}`);
        const result = await handler(m.args as never);
        process.send?.({ id: m.id, ok: true, result: result ?? null } satisfies Reply);
      } catch (err) {
        process.send?.({ id: m.id, ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) } satisfies Reply);
      }
    })();
  });
  // The parent gone means the bench is over: do not linger.
  process.on('disconnect', () => process.exit(0));
}

/** The child side: tells the parent something happened. */
export function emit(event: string, data?: unknown): void {
  process.send?.({ event, data: data ?? null });
}
