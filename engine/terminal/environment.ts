/**
 * Every environment variable the daemon reads, with what it means, for `tradeclock --help`.
 * A test reads engine/ for variables and fails when one is missing here.
 */

export interface EnvironmentVariable {
  readonly name: string;
  readonly meaning: string;
}

export const ENVIRONMENT: readonly EnvironmentVariable[] = [
  { name: 'TRADECLOCK_PORT', meaning: 'port to listen on, as --port (default 7420)' },
  { name: 'TRADECLOCK_HOST', meaning: 'address to listen on, as --host (default 127.0.0.1)' },
  { name: 'TRADECLOCK_ALLOW_REMOTE', meaning: '1: allow a non-loopback --host, as --allow-remote' },
  { name: 'TRADECLOCK_PUBLIC_HOST', meaning: 'host names the API also answers to, separated by commas, as --public-host' },
  { name: 'TRADECLOCK_TLS_CERT', meaning: 'a PEM certificate to serve HTTPS with, as --tls-cert (with TRADECLOCK_TLS_KEY)' },
  { name: 'TRADECLOCK_TLS_KEY', meaning: 'its PEM private key, as --tls-key' },
  { name: 'TRADECLOCK_DATA_DIR', meaning: 'data directory (database, logs, holiday files), as --data-dir' },
  { name: 'TRADECLOCK_LOG_LEVEL', meaning: 'trace, debug, info, warn or error, as --log-level' },
  { name: 'TRADECLOCK_LOG_FORMAT', meaning: 'text or json: what stdout shows, as --log-format (default: text on a terminal, else json)' },
  { name: 'TRADECLOCK_CONFIRM_STOP', meaning: '0: Ctrl-C never asks before stopping, as --no-confirm-stop' },
  { name: 'TRADECLOCK_PASSPHRASE', meaning: 'derives the vault key where no OS keychain is available' },
  { name: 'REDIS_URL', meaning: 'a real Redis for the runtime store (default: in-process)' },
  { name: 'TRADECLOCK_OPEN_REGISTRATION', meaning: '1: anyone who can reach the API may create an account (default: closed after the first)' },
  { name: 'TRADECLOCK_REGISTER_LIMIT', meaning: 'accounts one client address may create in 15 minutes while registration is open (default 5)' },
  { name: 'TRADECLOCK_VAPID_SUBJECT', meaning: 'the contact Web Push services are given, a mailto: or https: URL (default mailto:webpush@tradeclock.invalid)' },
  { name: 'TRADECLOCK_TEST_HOOKS', meaning: 'tests only: 1 arms the variables below' },
  { name: 'TRADECLOCK_CRASH_POINT', meaning: 'tests only: the daemon kills itself at this point (crash soak)' },
  { name: 'TRADECLOCK_TEST_CALENDAR', meaning: 'tests only: always-open makes every day a trading day' },
  { name: 'TRADECLOCK_TEST_CLOCK_OFFSET_MS', meaning: 'tests only: the daemon\'s wall clock runs this many ms ahead (negative: behind)' },
];

/** The help text's section. */
export function environmentHelp(): string {
  const width = Math.max(...ENVIRONMENT.map((v) => v.name.length));
  return `\nEnvironment variables:\n${ENVIRONMENT.map((v) => `  ${v.name.padEnd(width)}  ${v.meaning}`).join('\n')}\n`;
}
