/**
 * A pino logger whose lines land in an array, to check what would reach the log file (that no
 * secret does, that a refusal is logged).
 */
import { Writable } from 'node:stream';
import pino from 'pino';

export function capturedLogger(level = 'trace') {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: pino({ level }, sink), lines };
}
