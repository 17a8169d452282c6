/**
 * The `tradeclock` command. `tradeclock daemon` runs the engine headless and serves the API and
 * the built UI on loopback; it prints the URLs when ready and shuts down on SIGINT/SIGTERM, cleanly
 * or, past a hard deadline, at once (shutdown.ts).
 */
import { Command, InvalidArgumentError } from 'commander';
import envPaths from 'env-paths';
import { parsePublicHost } from './api/allowed-hosts';
import { systemClock } from './core/clock';
import { DomainError } from './core/errors';
import { DEFAULT_PORT, startDaemon } from './daemon';
import { ownerOnlyUmask } from './data-dir-modes';
import { createShutdown, SHUTDOWN_DEADLINE_MS } from './shutdown';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535) throw new InvalidArgumentError('port must be a whole number from 0 to 65535');
  return n;
}

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

function logLevel(value: string): string {
  if (!LOG_LEVELS.includes(value)) throw new InvalidArgumentError(`log level must be one of ${LOG_LEVELS.join(', ')}`);
  return value;
}

function publicHost(value: string, previous: string[]): string[] {
  try {
    return [...previous, parsePublicHost(value)];
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

/** TRADECLOCK_PUBLIC_HOST: names separated by commas or spaces. */
function publicHostsFromEnv(): string[] {
  const names = (process.env.TRADECLOCK_PUBLIC_HOST ?? '').split(/[\s,]+/).filter(Boolean);
  try {
    return names.map(parsePublicHost);
  } catch (err) {
    say(`tradeclock: TRADECLOCK_PUBLIC_HOST: ${(err as Error).message}`);
    process.exit(1);
  }
}

export function defaultDataDir(): string {
  return envPaths('tradeclock', { suffix: '' }).data;
}

/**
 * A closed pipe (EPIPE: the terminal or the supervisor that read us went away) or a full disk
 * behind a redirect makes stdout/stderr emit 'error', which nothing would handle: an uncaught
 * exception that ends the process. Trading goes on without them; the logger has its own guards.
 */
function guardStdio(): void {
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});
}

/** A line to stderr that can never throw. */
function say(line: string): void {
  try {
    process.stderr.write(`${line}\n`);
  } catch {
    // nowhere left to say it
  }
}

guardStdio();
const program = new Command('tradeclock').description('Self-hosted time-based trading daemon');

program
  .command('daemon')
  .description('run the engine headless and serve the API and UI on loopback')
  .option('--port <port>', 'port to listen on (0 picks a free one)', port, Number(process.env.TRADECLOCK_PORT ?? DEFAULT_PORT))
  .option('--host <host>', 'address to listen on', process.env.TRADECLOCK_HOST ?? '127.0.0.1')
  .option('--allow-remote', 'allow listening on a non-loopback address', process.env.TRADECLOCK_ALLOW_REMOTE === '1')
  .option('--public-host <name>', 'also answer to this host name (repeatable; e.g. a DNS name of this machine)', publicHost, publicHostsFromEnv())
  .option('--data-dir <dir>', 'data directory (database, logs, holiday files)', process.env.TRADECLOCK_DATA_DIR ?? defaultDataDir())
  .option('--log-level <level>', 'trace, debug, info, warn, error', logLevel, process.env.TRADECLOCK_LOG_LEVEL ?? 'info')
  .action(async (opts: { port: number; host: string; allowRemote: boolean; publicHost: string[]; dataDir: string; logLevel: string }) => {
    if (!LOG_LEVELS.includes(opts.logLevel)) {
      say(`tradeclock: TRADECLOCK_LOG_LEVEL: log level must be one of ${LOG_LEVELS.join(', ')}`);
      process.exit(1);
    }
    // Headless, everything this process creates is Tradeclock's and it opens no browser: the
    // owner-only umask stays for its whole life (startDaemon alone keeps it for its set-up only).
    ownerOnlyUmask();
    // Both variables, or nothing: a stray test variable alone never arms a hook.
    const testHooks = process.env.TRADECLOCK_TEST_HOOKS === '1';
    let daemon;
    try {
      daemon = await startDaemon({
        dataDir: opts.dataDir,
        host: opts.host,
        port: opts.port,
        allowRemote: opts.allowRemote,
        publicHosts: opts.publicHost,
        logLevel: opts.logLevel,
        redisUrl: process.env.REDIS_URL || undefined,
        passphrase: process.env.TRADECLOCK_PASSPHRASE || undefined,
        crashPoint: testHooks ? process.env.TRADECLOCK_CRASH_POINT || undefined : undefined,
        alwaysOpen: testHooks && process.env.TRADECLOCK_TEST_CALENDAR === 'always-open',
      });
    } catch (err) {
      say(`tradeclock: ${err instanceof DomainError ? err.message : String(err instanceof Error ? err.stack : err)}`);
      process.exit(1);
    }
    const { logger } = daemon;
    const onSignal = createShutdown({
      stop: () => daemon.stop(),
      flushLogs: () => new Promise<void>((resolve) => logger.flush(() => resolve())),
      log: (level, msg, err) => (err === undefined ? logger[level](msg) : logger[level]({ err }, msg)),
      say,
      exit: (code) => process.exit(code),
      forceExit: (code) => {
        // process.exit() waits for libuv's worker threads, and one stuck in a system call (a hung
        // network file system) would hold it forever; SIGKILL cannot be held. A container's pid 1
        // does not receive its own SIGKILL: process.exit() is the way out there.
        try {
          process.kill(process.pid, 'SIGKILL');
        } catch {
          // fall through
        }
        process.exit(code);
      },
      clock: systemClock,
      deadlineMs: SHUTDOWN_DEADLINE_MS,
    });
    process.on('SIGINT', () => onSignal('SIGINT'));
    process.on('SIGTERM', () => onSignal('SIGTERM'));
    // Only now: whoever waits for this line may signal at once, and must find the handlers armed.
    const [first, ...others] = daemon.urls;
    const also = others.map((u) => `  also at ${u}\n`).join('');
    try {
      process.stdout.write(`\nTradeclock is running at ${first ?? daemon.url}  (data: ${opts.dataDir})\n${also}\n`);
    } catch {
      // stdout is gone; the daemon is not
    }
  });

await program.parseAsync(process.argv);
