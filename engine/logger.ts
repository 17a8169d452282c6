/**
 * Structured logs, one event per line, to stdout and to the data directory's log file. Secrets
 * are redacted by key wherever they appear in a logged object.
 *
 * Logging degrades, it never stops the engine (invariant 10): each destination is a LineSink
 * (log-sinks.ts) that drops and counts lines it cannot deliver instead of throwing, blocking or
 * retrying in a loop; the file rotates by size so the logs cannot fill the disk by themselves.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { systemClock, type Clock } from './core/clock';
import { rotatingFileSink, settleWithin, streamSink, type LineSink, type StreamLike } from './log-sinks';

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
  'proxy_password',
];


export const redactPaths = [...REDACTED_KEYS, ...REDACTED_KEYS.map((k) => `*.${k}`), 'req.headers.authorization', 'req.headers.cookie'];

/** The log file inside a data directory; it rotates to `tradeclock.log.1` … `.N`. */
export const logFilePath = (dataDir: string) => join(dataDir, 'logs', 'tradeclock.log');

/** How long `logger.flush()` waits for slow destinations before it reports done anyway. */
export const FLUSH_WITHIN_MS = 2_000;

export interface LoggerOptions {
  readonly level?: string;
  /** Also log to `<dataDir>/logs/tradeclock.log`, rotated by size. */
  readonly dataDir?: string;
  /** Console destination: default process.stdout; false for none (a GUI process has no stdout). */
  readonly console?: StreamLike | false;
  /**
   * What the console shows of each JSON line: the line itself by default; null leaves it to the
   * log file (the daemon's readable terminal, terminal/log-line.ts).
   */
  readonly consoleLines?: (line: string) => string | null;
  /**
   * Every line goes here instead of the console and the file (tests, embedders). Its errors are
   * contained too, and a pino.destination()'s exit-time flushSync is disarmed; for the data
   * directory's log file prefer `dataDir` (rotated) with `console: false`.
   */
  readonly destination?: pino.DestinationStream;
  /** Log file rotation: rotate at `maxBytes` (default 10 MiB), keep `keep` old files (default 5). */
  readonly rotation?: { readonly maxBytes?: number; readonly keep?: number; readonly retryMs?: number };
  readonly clock?: Clock;
}

/**
 * @example
 *   const logger = createLogger({ level: 'info', dataDir });
 *   logger.info({ strategyId }, 'armed');
 *   logger.flush(() => process.exit(0)); // returns within FLUSH_WITHIN_MS whatever the disk does
 */
export function createLogger(opts: LoggerOptions): Logger {
  const clock = opts.clock ?? systemClock;
  const base = { level: opts.level ?? 'info', redact: { paths: redactPaths, censor: '[redacted]' } };
  const sinks: LineSink[] = [];
  if (opts.destination) {
    sinks.push(destinationSink(opts.destination, clock));
  } else {
    const out = opts.console ?? process.stdout;
    if (out !== false) sinks.push(opts.consoleLines ? mappedSink(streamSink(out, { clock }), opts.consoleLines) : streamSink(out, { clock }));
    if (opts.dataDir) {
      try {
        mkdirSync(join(opts.dataDir, 'logs'), { recursive: true, mode: 0o700 });
      } catch {
        // Not fatal: the file sink counts the lines it cannot write, and retries the file later.
      }
      sinks.push(rotatingFileSink(logFilePath(opts.dataDir), { clock, ...opts.rotation }));
    }
  }
  return pino(base, fanOut(sinks));
}

/** One pino destination over many sinks; a sink that throws (it should not) costs its own line only. */
function fanOut(sinks: readonly LineSink[]): pino.DestinationStream & { flush(cb: (err?: Error) => void): void } {
  return {
    write(line: string) {
      for (const sink of sinks) {
        try {
          sink.write(line);
        } catch {
          // a sink is built not to throw; if one ever does, the log call must still return
        }
      }
    },
    flush(cb) {
      void Promise.all(sinks.map((s) => s.flush(FLUSH_WITHIN_MS).catch(() => undefined))).then(() => cb());
    },
  };
}

/** `sink`, given each line as `map` turns it; a line mapped to null is not written. */
function mappedSink(sink: LineSink, map: (line: string) => string | null): LineSink {
  return {
    get dropped() {
      return sink.dropped;
    },
    write(line) {
      let mapped: string | null;
      try {
        mapped = map(line);
      } catch {
        mapped = line;
      }
      if (mapped !== null) sink.write(mapped);
    },
    flush: (withinMs) => sink.flush(withinMs),
  };
}

/** A caller's destination (a stream, or pino.destination()), with its errors contained. */
function destinationSink(dest: pino.DestinationStream, clock: Clock): LineSink {
  const d = dest as Partial<NodeJS.WritableStream> & { flushSync?: () => void; flush?: (cb: (err?: Error) => void) => void };
  if (typeof d.on !== 'function') {
    let dropped = 0;
    return {
      get dropped() {
        return dropped;
      },
      write(line) {
        try {
          dest.write(line);
        } catch {
          dropped++;
        }
      },
      flush: async () => {},
    };
  }
  let failed = false;
  d.on('error', () => {
    failed = true;
  });
  // pino.destination() registers SonicBoom's flushSync to run at exit, and it retries every 100 ms,
  // forever, on any error but EAGAIN (a full disk, a closed pipe): the process never exits. Lines
  // are flushed by logger.flush() (bounded) before a clean exit instead.
  if (typeof d.flushSync === 'function') d.flushSync = () => {};
  const sink = streamSink(d as StreamLike, { clock });
  const ownFlush = d.flush;
  if (typeof ownFlush !== 'function') return sink;
  return {
    get dropped() {
      return sink.dropped;
    },
    write: (line) => sink.write(line),
    flush: (withinMs) =>
      failed
        ? Promise.resolve()
        : settleWithin(clock, withinMs, (done) => {
            try {
              ownFlush.call(d, () => done());
            } catch {
              done();
            }
          }),
  };
}
