/**
 * Where log lines go. Every sink is built so that its destination cannot block, crash or stop the
 * process (ARCHITECTURE invariant 10): a full disk, a closed pipe or a reader that stopped reading
 * costs log lines, counted and reported once the destination takes lines again, never an order.
 *
 * - Nothing here writes synchronously or waits in a loop. pino's own file destination (SonicBoom)
 *   does both at exit: its flushSync retries every 100 ms, forever, on any error but EAGAIN, which
 *   is how a full disk or a closed stdout used to freeze the daemon on its main thread.
 * - Every destination has an 'error' listener and every write is in a try, so no error escapes
 *   into a log call or becomes an uncaught exception.
 * - What a destination has not taken yet is capped; above the cap new lines are dropped.
 */
import { dirname, basename, sep } from 'node:path';
import { createStream, type RotatingFileStream } from 'rotating-file-stream';
import type { Clock, TimerHandle } from './core/clock';

/** One destination of log lines (each line ends with a newline). */
export interface LineSink {
  write(line: string): void;
  /** Resolves once every accepted line is written, or after `withinMs`; never rejects. */
  flush(withinMs: number): Promise<void>;
  /** Lines this sink could not deliver so far. */
  readonly dropped: number;
}

/** A destination that is a Node stream: process.stdout / stderr, a socket, a test's PassThrough. */
export type StreamLike = NodeJS.WritableStream & { readonly writableLength?: number; readonly destroyed?: boolean };

const DEFAULT_MAX_PENDING_BYTES = 1024 * 1024;

/**
 * Lines to a stream (stdout by default). A pipe whose reader has gone (EPIPE) or any other error
 * turns the sink off for good; a reader that stops reading costs the lines above `maxPendingBytes`.
 *
 * @example
 *   const out = streamSink(process.stdout, { clock: systemClock });
 *   out.write('{"msg":"hello"}\n');
 */
export function streamSink(stream: StreamLike, opts: { clock: Clock; maxPendingBytes?: number }): LineSink {
  const maxPending = opts.maxPendingBytes ?? DEFAULT_MAX_PENDING_BYTES;
  let broken = false;
  let dropped = 0;
  let unreported = 0;
  stream.on('error', () => {
    broken = true;
  });
  const usable = () => !broken && stream.destroyed !== true && stream.writable !== false;
  const put = (line: string) => {
    try {
      stream.write(line);
    } catch {
      broken = true;
    }
  };
  return {
    get dropped() {
      return dropped;
    },
    write(line) {
      if (!usable() || (stream.writableLength ?? 0) > maxPending) {
        dropped++;
        unreported++;
        return;
      }
      if (unreported > 0) {
        put(noteLine(opts.clock, `${unreported} log lines were dropped here: the reader was not keeping up`));
        unreported = 0;
      }
      put(line);
    },
    flush(withinMs) {
      if (!usable() || (stream.writableLength ?? 0) === 0) return Promise.resolve();
      return settleWithin(opts.clock, withinMs, (done) => {
        stream.once('drain', done);
        stream.once('error', done);
        stream.once('close', done);
      });
    },
  };
}

export interface RotatingFileOptions {
  readonly clock: Clock;
  /** The file rotates once it reaches this size. Default 10 MiB. */
  readonly maxBytes?: number;
  /** Rotated files kept beside the live one (path.1 … path.N). Default 5. */
  readonly keep?: number;
  /** After a failed write, how long lines are dropped before the file is opened again. Default 30 s. */
  readonly retryMs?: number;
  readonly maxPendingBytes?: number;
  /** File mode for the files it creates. Default 0600. */
  readonly mode?: number;
}

export const DEFAULT_LOG_FILE_BYTES = 10 * 1024 * 1024;
export const DEFAULT_LOG_FILES_KEPT = 5;

/**
 * Lines to a log file that rotates by size, logrotate style (`tradeclock.log`, `.1` … `.keep`), so
 * the logs never take more than about (keep + 1) × maxBytes of disk. Rotation is
 * rotating-file-stream's: a plain Writable over async fs calls, with no synchronous flush anywhere.
 *
 * A failed write (ENOSPC, EIO, the directory removed) closes the file; lines are then counted, not
 * written, until `retryMs` has passed, and the next line after that opens the file again, first
 * writing how many lines were lost and why.
 */
export function rotatingFileSink(path: string, opts: RotatingFileOptions): LineSink {
  const retryMs = opts.retryMs ?? 30_000;
  const maxPending = opts.maxPendingBytes ?? DEFAULT_MAX_PENDING_BYTES;
  let stream: RotatingFileStream | null = null;
  let failedAt: number | null = null;
  let failure = '';
  let dropped = 0;
  let unreported = 0;
  let pending = 0;
  const idle: Array<() => void> = [];

  const open = () => {
    const s = createStream(basename(path), {
      path: dirname(path) + sep,
      size: `${opts.maxBytes ?? DEFAULT_LOG_FILE_BYTES}B`,
      rotate: opts.keep ?? DEFAULT_LOG_FILES_KEPT,
      mode: opts.mode ?? 0o600,
    });
    s.on('error', (err: NodeJS.ErrnoException) => fail(s, err));
    s.on('warning', () => {}); // rotation housekeeping; the file itself is still written
    return s;
  };
  // From the first failed write (its callback comes before the stream's 'error' event, which
  // waits for the file to close): nothing more goes to this stream.
  const fail = (s: RotatingFileStream, err: NodeJS.ErrnoException) => {
    if (stream !== s) return;
    stream = null;
    failedAt = opts.clock.now();
    failure = err.code ?? err.message;
    s.destroy(); // closes its file; writes still queued in it call back with an error
  };
  const settled = () => {
    if (--pending === 0) for (const done of idle.splice(0)) done();
  };
  const put = (s: RotatingFileStream, line: string) => {
    pending++;
    try {
      s.write(line, (err) => {
        if (err) {
          dropped++;
          unreported++;
          fail(s, err);
        }
        settled();
      });
    } catch {
      dropped++;
      unreported++;
      settled();
    }
  };

  return {
    get dropped() {
      return dropped;
    },
    write(line) {
      if (stream === null && (failedAt === null || opts.clock.now() - failedAt >= retryMs)) {
        try {
          stream = open();
        } catch (err) {
          failedAt = opts.clock.now();
          failure = (err as NodeJS.ErrnoException).code ?? String(err);
        }
      }
      if (stream === null || stream.writableLength > maxPending) {
        dropped++;
        unreported++;
        return;
      }
      if (unreported > 0) {
        const why = failedAt === null ? 'the disk was not keeping up' : `the log file could not be written (${failure})`;
        put(stream, noteLine(opts.clock, `${unreported} log lines were dropped here: ${why}`));
        unreported = 0;
        failedAt = null; // reported; a later gap gets its own reason
      }
      put(stream, line);
    },
    flush(withinMs) {
      if (pending === 0) return Promise.resolve();
      return settleWithin(opts.clock, withinMs, (done) => idle.push(done));
    },
  };
}

/**
 * Resolves when `arm`'s callback is called or `withinMs` has passed, whichever comes first.
 */
export function settleWithin(clock: Clock, withinMs: number, arm: (done: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    let timer: TimerHandle | null = null;
    let finished = false;
    const done = () => {
      if (finished) return;
      finished = true;
      timer?.cancel();
      resolve();
    };
    timer = clock.setTimer(withinMs, done);
    arm(done);
  });
}

/** A warning line in pino's format, written by a sink about itself. */
function noteLine(clock: Clock, msg: string): string {
  return `${JSON.stringify({ level: 40, time: clock.now(), msg })}\n`;
}
