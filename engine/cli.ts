/**
 * The `tradeclock` command. `tradeclock daemon` runs the engine headless and serves the API and
 * the built UI on loopback; it prints the URLs when ready and shuts down on SIGINT/SIGTERM, cleanly
 * or, past a hard deadline, at once (shutdown.ts). On a terminal it prints one readable line per
 * trading event, and Ctrl-C asks before leaving positions and armed strategies unwatched.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { isatty } from 'node:tty';
import { parsePublicHost } from './api/allowed-hosts';
import { backtestCommand } from './backtest/backtest-cli';
import { localAccountHistory } from './brokers/account-history';
import { shiftedClock, systemClock } from './core/clock';
import { DomainError } from './core/errors';
import { DEFAULT_PORT, packageVersion, startDaemon, type DaemonHandle } from './daemon';
import { ownerOnlyUmask } from './data-dir-modes';
import { defaultDataDir } from './default-data-dir';
import { logFilePath } from './logger';
import { streamSink } from './log-sinks';
import { createShutdown, SHUTDOWN_DEADLINE_MS } from './shutdown';
import { environmentHelp } from './terminal/environment';
import { printEvents } from './terminal/event-printer';
import { readableLogLine } from './terminal/log-line';
import { listenErrorLine, tryListen } from './terminal/port-check';
import { confirmStop } from './terminal/stop-confirm';
import { tradingFacts } from './terminal/trading-facts';
import { watchingLines, watchList, watchListLines } from './terminal/watch-list';

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

/**
 * A closed pipe (EPIPE: the terminal or the supervisor that read us went away) or a full disk
 * behind a redirect makes stdout/stderr emit 'error', which nothing would handle: an uncaught
 * exception that ends the process. Trading goes on without them; the logger has its own guards.
 */
function guardStdio(): void {
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});
}

/** Text to stderr that can never throw. */
function tell(text: string): void {
  try {
    process.stderr.write(text);
  } catch {
    // nowhere left to say it
  }
}

/** A line to stderr that can never throw. */
const say = (line: string) => tell(`${line}\n`);

/**
 * The exit that cannot be held up. process.exit() waits for libuv's worker threads, and one stuck
 * in a system call (a hung network file system, a keychain read nobody answers) would hold it
 * forever; SIGKILL cannot be held. A container's pid 1 does not receive its own SIGKILL:
 * process.exit() is the way out there.
 */
function forceExit(code: number): void {
  try {
    process.kill(process.pid, 'SIGKILL');
  } catch {
    // fall through
  }
  process.exit(code);
}

/** How long a failed start may take to wind down before it is cut short. */
const FAILED_START_GRACE_MS = 2_000;

const LOG_FORMATS = ['text', 'json'] as const;

/** A terminal reads lines; a service manager or a pipe gets JSON, one event per line, as before. */
function defaultLogFormat(): string {
  return process.env.TRADECLOCK_LOG_FORMAT || (process.stdout.isTTY ? 'text' : 'json');
}

/** TRADECLOCK_TEST_CLOCK_OFFSET_MS: whole milliseconds within two days either way; the refusal's words otherwise. */
function testClockOffset(value: string | undefined): number | string {
  if (value === undefined || value === '') return 0;
  const ms = Number(value);
  if (!Number.isSafeInteger(ms) || Math.abs(ms) > 2 * 86_400_000) return `TRADECLOCK_TEST_CLOCK_OFFSET_MS must be whole milliseconds within two days either way, got "${value}"`;
  return ms;
}

const localZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

guardStdio();
const program = new Command('tradeclock').description('Self-hosted time-based trading daemon').version(packageVersion()).addHelpText('after', environmentHelp());

program
  .command('daemon')
  .description('run the engine headless and serve the API and UI on loopback')
  .option('--port <port>', 'port to listen on (0 picks a free one)', port, Number(process.env.TRADECLOCK_PORT ?? DEFAULT_PORT))
  .option('--host <host>', 'address to listen on', process.env.TRADECLOCK_HOST ?? '127.0.0.1')
  .option('--allow-remote', 'allow listening on a non-loopback address', process.env.TRADECLOCK_ALLOW_REMOTE === '1')
  .option('--public-host <name>', 'also answer to this host name (repeatable; e.g. a DNS name of this machine)', publicHost, publicHostsFromEnv())
  .option('--https', 'serve HTTPS as well, even on a loopback --host (by default only beyond loopback)')
  .option('--no-https', 'beyond loopback, serve plain HTTP instead of HTTPS (a phone will not install the app or keep its pairing over it)')
  .option('--tls-cert <file>', 'serve HTTPS with this PEM certificate (with --tls-key) instead of the one made in the data directory', process.env.TRADECLOCK_TLS_CERT || undefined)
  .option('--tls-key <file>', 'the PEM private key of --tls-cert', process.env.TRADECLOCK_TLS_KEY || undefined)
  .option('--data-dir <dir>', 'data directory (database, logs, holiday files)', process.env.TRADECLOCK_DATA_DIR ?? defaultDataDir())
  .option('--log-level <level>', 'trace, debug, info, warn, error', logLevel, process.env.TRADECLOCK_LOG_LEVEL ?? 'info')
  .addOption(new Option('--log-format <format>', 'stdout: text (one line per trading event, warnings, errors) or json (every log line); the log file is always json').choices(LOG_FORMATS).default(defaultLogFormat(), 'text on a terminal, else json'))
  .option('--no-confirm-stop', 'Ctrl-C stops at once, without asking about open positions and armed strategies')
  .addHelpText('after', environmentHelp())
  .action(async (opts: { port: number; host: string; allowRemote: boolean; publicHost: string[]; https?: boolean; tlsCert?: string; tlsKey?: string; dataDir: string; logLevel: string; logFormat: string; confirmStop: boolean }) => {
    if (!LOG_LEVELS.includes(opts.logLevel)) {
      say(`tradeclock: TRADECLOCK_LOG_LEVEL: log level must be one of ${LOG_LEVELS.join(', ')}`);
      process.exit(1);
    }
    if (!(LOG_FORMATS as readonly string[]).includes(opts.logFormat)) {
      say(`tradeclock: TRADECLOCK_LOG_FORMAT: log format must be one of ${LOG_FORMATS.join(', ')}`);
      process.exit(1);
    }
    // Before anything is created: a busy port costs one line, not a data directory and a database.
    const listenError = await tryListen(opts.host, opts.port);
    if (listenError) {
      say(listenErrorLine(listenError, opts.host, opts.port) ?? `tradeclock: cannot listen on ${opts.host}:${opts.port}: ${listenError.message}`);
      process.exit(1);
    }
    const text = opts.logFormat === 'text';
    // Set once the engine exists (onEngine): the lines' lookups, and the accounts' PAPER / LIVE for Ctrl-C.
    const seen: { facts?: ReturnType<typeof tradingFacts> } = {};
    // Headless, everything this process creates is Tradeclock's and it opens no browser: the
    // owner-only umask stays for its whole life (startDaemon alone keeps it for its set-up only).
    ownerOnlyUmask();
    // Both variables, or nothing: a stray test variable alone never arms a hook.
    const testHooks = process.env.TRADECLOCK_TEST_HOOKS === '1';
    const clockOffset = testHooks ? testClockOffset(process.env.TRADECLOCK_TEST_CLOCK_OFFSET_MS) : 0;
    if (typeof clockOffset === 'string') {
      say(`tradeclock: ${clockOffset}`);
      process.exit(1);
    }
    let daemon;
    try {
      daemon = await startDaemon({
        dataDir: opts.dataDir,
        host: opts.host,
        port: opts.port,
        allowRemote: opts.allowRemote,
        publicHosts: opts.publicHost,
        // --https or --no-https when given; otherwise the daemon decides (on beyond loopback).
        ...(opts.https === undefined ? {} : { https: opts.https }),
        ...(opts.tlsCert !== undefined ? { tlsCertFile: opts.tlsCert } : {}),
        ...(opts.tlsKey !== undefined ? { tlsKeyFile: opts.tlsKey } : {}),
        logLevel: opts.logLevel,
        redisUrl: process.env.REDIS_URL || undefined,
        passphrase: process.env.TRADECLOCK_PASSPHRASE || undefined,
        crashPoint: testHooks ? process.env.TRADECLOCK_CRASH_POINT || undefined : undefined,
        alwaysOpen: testHooks && process.env.TRADECLOCK_TEST_CALENDAR === 'always-open',
        ...(clockOffset === 0 ? {} : { clock: shiftedClock(clockOffset) }),
        ...(text ? { consoleLines: (line: string) => readableLogLine(line, localZone()) } : {}),
        onEngine: (engine, kinds) => {
          const facts = (seen.facts = tradingFacts(engine.ctx.repos, kinds));
          if (text) printEvents({ bus: engine.bus, lookup: facts, out: streamSink(process.stdout, { clock: systemClock }), localZone: localZone() });
        },
      });
    } catch (err) {
      // Another program took the port between the check and the start.
      const line = listenErrorLine(err, opts.host, opts.port);
      say(line ?? `tradeclock: ${err instanceof DomainError ? err.message : String(err instanceof Error ? err.stack : err)}`);
      // Exit 1 once nothing is left to run. A keychain read nobody answered may still hold a worker
      // thread, which keeps the loop alive and would make process.exit() wait on it: cut short then.
      process.exitCode = 1;
      setTimeout(() => forceExit(1), FAILED_START_GRACE_MS).unref();
      return;
    }
    const { logger } = daemon;
    const shutdown = createShutdown({
      stop: () => daemon.stop(),
      flushLogs: () => new Promise<void>((resolve) => logger.flush(() => resolve())),
      log: (level, msg, err) => (err === undefined ? logger[level](msg) : logger[level]({ err }, msg)),
      say,
      exit: (code) => process.exit(code),
      forceExit,
      clock: systemClock,
      deadlineMs: SHUTDOWN_DEADLINE_MS,
    });
    // What is armed or open now; an account not known yet reads as live.
    const openItems = () => watchList(daemon.engine.ctx.repos, (id) => seen.facts?.mode(id) ?? 'live');
    const onSignal = confirmStop({
      watching: () => watchListLines(openItems()),
      ask: opts.confirmStop && process.env.TRADECLOCK_CONFIRM_STOP !== '0' && isatty(0),
      input: () => process.stdin,
      say: tell,
      stop: shutdown,
    });
    // A run resumed by recovery publishes nothing: the terminal says once what it watches.
    // A strategy that cannot be read (a damaged spec, named in the log) must not keep the ready line from printing.
    const watching = () => {
      try {
        const lines = watchingLines(openItems());
        return lines.length === 0 ? '' : `\nWatching:\n${lines.join('\n')}\n`;
      } catch (err) {
        return `\nWhat it watches cannot be listed: ${err instanceof Error ? err.message : String(err)}\n`;
      }
    };
    process.on('SIGINT', () => onSignal('SIGINT'));
    process.on('SIGTERM', () => onSignal('SIGTERM'));
    // Only now: whoever waits for this line may signal at once, and must find the handlers armed.
    const [first, ...others] = daemon.urls;
    const also = others.map((u) => `  also at ${u}\n`).join('');
    try {
      const logs = text ? `  log file (JSON, everything): ${logFilePath(opts.dataDir)}\n  Ctrl-C stops it.\n${watching()}` : '';
      process.stdout.write(`\nTradeclock is running at ${first ?? daemon.url}  (data: ${opts.dataDir})\n${also}${logs}\n`);
    } catch {
      // stdout is gone; the daemon is not
    }
  });

program.addCommand(
  backtestCommand({ out: (text) => process.stdout.write(text), err: tell, exit: (code) => process.exit(code) }, process.env.TRADECLOCK_DATA_DIR ?? defaultDataDir(), (ctx) =>
    localAccountHistory({ ...ctx, clock: systemClock, passphrase: process.env.TRADECLOCK_PASSPHRASE || undefined }),
  ),
);

await program.parseAsync(process.argv);
