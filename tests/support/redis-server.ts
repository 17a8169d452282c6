/**
 * A throwaway redis-server for tests: its own process on a free loopback port, no persistence,
 * killed on stop(). Missing redis-server is an error, never a skip, so a machine without it
 * cannot report the real-Redis tests as passed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

/** A running redis-server. */
export interface RedisServer {
  /** `redis://127.0.0.1:{port}` */
  readonly url: string;
  readonly port: number;
  /** Kills the server and waits for it to exit; a second call does nothing. */
  stop(): Promise<void>;
}

/** Options of {@link startRedisServer}. */
export interface RedisServerOptions {
  /** More `--name value` arguments, e.g. `['--requirepass', 'pw']`. */
  readonly extraArgs?: readonly string[];
}

const READY_TIMEOUT_MS = 5_000;
const STOP_TIMEOUT_MS = 3_000;

/**
 * Starts redis-server (found on PATH) on a free 127.0.0.1 port and waits until it answers PING.
 *
 * @example
 * const redis = await startRedisServer();
 * try { await use(redis.url); } finally { await redis.stop(); }
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const binary = findOnPath('redis-server');
  if (binary === null) {
    throw new Error('redis-server is not on PATH; these tests need a real Redis: apt-get install redis-server');
  }
  // The free port can be taken between the probe and redis-server's bind; then try another.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOn(binary, await freePort(), options);
    } catch (error) {
      if (attempt >= 3 || !String(error).includes('Address already in use')) throw error;
    }
  }
}

async function startOn(binary: string, port: number, options: RedisServerOptions): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'tradeclock-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
  const child = spawn(binary, [...args, ...(options.extraArgs ?? [])], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-4_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  // A test process that dies without stop() must not leave a server behind.
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      process.off('exit', killOnExit);
      await kill(child);
      rmSync(dir, { recursive: true, force: true });
    })();
    return stopped;
  };

  try {
    await waitForPong(port, child, () => output, options.extraArgs?.includes('--requirepass') ?? false);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `redis://127.0.0.1:${port}`, port, stop };
}

/**
 * Starts a server before the enclosing suite's tests and stops it after them. Call the returned
 * function inside a test (or a hook) for the server: when it did not start, that throws the start
 * error, so each test fails with it; a throwing beforeAll would only show the tests as skipped.
 *
 * @example
 * const redis = useRedisServer();
 * it('talks to Redis', async () => { const { url } = redis(); ... });
 */
export function useRedisServer(options: RedisServerOptions = {}): () => RedisServer {
  let server: RedisServer | undefined;
  let startError: unknown = new Error('redis-server is started in beforeAll; call this inside a test');
  beforeAll(async () => {
    try {
      server = await startRedisServer(options);
    } catch (error) {
      startError = error;
    }
  });
  afterAll(async () => {
    await server?.stop();
  });
  return () => {
    if (server === undefined) throw startError;
    return server;
  };
}

function findOnPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return null;
}

/** A loopback port the OS just handed out, free again once the probe closes (nothing listens). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

async function waitForPong(port: number, child: ChildProcess, output: () => string, needsAuth: boolean): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`redis-server exited before answering PING (port ${port}):\n${output()}`);
    }
    const reply = await ping(port);
    // A server with --requirepass answers NOAUTH: up, just not ours to use without the password.
    if (reply.startsWith('+PONG') || (needsAuth && reply.startsWith('-NOAUTH'))) return;
    if (Date.now() > deadline) {
      throw new Error(`redis-server did not answer PING within ${READY_TIMEOUT_MS} ms (port ${port}):\n${output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The first reply line to an inline PING, or '' when nothing answers. */
function ping(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    const done = (): void => {
      socket.destroy();
      resolve(reply);
    };
    socket.setTimeout(500, done);
    socket.once('error', done);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) done();
    });
  });
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}
