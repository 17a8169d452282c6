/**
 * Structured logs, one event per line, to stdout and to the data directory's log file. Secrets
 * are redacted by key wherever they appear in a logged object.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';

const REDACTED_KEYS = [
  'password',
  'new_password',
  'current_password',
  'passwordHash',
  'token',
  'authorization',
  'credentials',
  'api_key',
  'api_secret',
  'secret',
  'access_token',
  'passphrase',
  'request_token',
  'checksum',
  'enctoken',
  'redirect',
  'key_id',
  'secret_key',
];


export const redactPaths = [...REDACTED_KEYS, ...REDACTED_KEYS.map((k) => `*.${k}`), 'req.headers.authorization', 'req.headers.cookie'];

export function createLogger(opts: { level?: string; dataDir?: string; destination?: pino.DestinationStream }): Logger {
  const base = { level: opts.level ?? 'info', redact: { paths: redactPaths, censor: '[redacted]' } };
  if (opts.destination) return pino(base, opts.destination);
  const streams: pino.StreamEntry[] = [{ stream: pino.destination(1) }];
  if (opts.dataDir) {
    mkdirSync(join(opts.dataDir, 'logs'), { recursive: true });
    streams.push({ stream: pino.destination({ dest: join(opts.dataDir, 'logs', 'tradeclock.log'), mkdir: true, sync: false }) });
  }
  return pino(base, pino.multistream(streams));
}
