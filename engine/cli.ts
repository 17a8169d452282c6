/**
 * The `tradeclock` command. `tradeclock daemon` runs the engine headless and serves the API and
 * the built UI on loopback; it prints the URL when ready and shuts down cleanly on SIGINT/SIGTERM.
 */
import { Command, InvalidArgumentError } from 'commander';
import envPaths from 'env-paths';
import { DomainError } from './core/errors';
import { DEFAULT_PORT, startDaemon } from './daemon';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535) throw new InvalidArgumentError('port must be a whole number from 0 to 65535');
  return n;
}

export function defaultDataDir(): string {
  return envPaths('tradeclock', { suffix: '' }).data;
}

const program = new Command('tradeclock').description('Self-hosted time-based trading daemon');

program
  .command('daemon')
  .description('run the engine headless and serve the API and UI on loopback')
  .option('--port <port>', 'port to listen on (0 picks a free one)', port, Number(process.env.TRADECLOCK_PORT ?? DEFAULT_PORT))
  .option('--host <host>', 'address to listen on', process.env.TRADECLOCK_HOST ?? '127.0.0.1')
  .option('--allow-remote', 'allow listening on a non-loopback address', process.env.TRADECLOCK_ALLOW_REMOTE === '1')
  .option('--data-dir <dir>', 'data directory (database, logs, holiday files)', process.env.TRADECLOCK_DATA_DIR ?? defaultDataDir())
  .option('--log-level <level>', 'trace, debug, info, warn, error', process.env.TRADECLOCK_LOG_LEVEL ?? 'info')
  .action(async (opts: { port: number; host: string; allowRemote: boolean; dataDir: string; logLevel: string }) => {
    // Both variables, or nothing: a stray test variable alone never arms a hook.
    const testHooks = process.env.TRADECLOCK_TEST_HOOKS === '1';
    let daemon;
    try {
      daemon = await startDaemon({
        dataDir: opts.dataDir,
        host: opts.host,
        port: opts.port,
        allowRemote: opts.allowRemote,
        logLevel: opts.logLevel,
        redisUrl: process.env.REDIS_URL || undefined,
        passphrase: process.env.TRADECLOCK_PASSPHRASE || undefined,
        crashPoint: testHooks ? process.env.TRADECLOCK_CRASH_POINT || undefined : undefined,
        alwaysOpen: testHooks && process.env.TRADECLOCK_TEST_CALENDAR === 'always-open',
      });
    } catch (err) {
      process.stderr.write(`tradeclock: ${err instanceof DomainError ? err.message : String(err instanceof Error ? err.stack : err)}\n`);
      process.exit(1);
    }
    process.stdout.write(`\nTradeclock is running at ${daemon.url}  (data: ${opts.dataDir})\n\n`);
    let signals = 0;
    const shutdown = (signal: string) => {
      if (++signals > 1) {
        process.stderr.write('tradeclock: second signal, exiting now\n');
        process.exit(130);
      }
      daemon.logger.info({ signal }, 'shutting down');
      // The log file is written asynchronously: flush it before exiting, or the last lines are lost.
      const exit = (code: number) => daemon.logger.flush(() => process.exit(code));
      daemon.stop().then(
        () => exit(0),
        (err: unknown) => {
          daemon.logger.error({ err }, 'shutdown failed');
          exit(1);
        },
      );
    };
    process.on('SIGINT', () => shutdown('SIGINT'));
    process.on('SIGTERM', () => shutdown('SIGTERM'));
  });

await program.parseAsync(process.argv);
