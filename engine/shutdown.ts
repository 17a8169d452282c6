/**
 * How the headless daemon ends on SIGTERM / SIGINT: a graceful stop (no new requests, jobs
 * cancelled, in-flight orders settled, database closed, logs flushed), bounded by a hard deadline
 * after which the process exits anyway. A stop that hangs (a broker that never answers, a
 * destination that never drains) must not keep a process alive that supervisors, the desktop app or
 * the next start are waiting on. Exiting mid-order is safe by design: every order is journaled
 * before it is sent and looked up at the broker by its client order id on the next start, and the
 * data-directory lock is an OS lock that dies with the process.
 */
import type { Clock } from './core/clock';

export interface ShutdownDeps {
  /** The daemon's graceful stop. */
  stop(): Promise<void>;
  /** Writes what the logger holds; resolves within its own bound whatever the destinations do. */
  flushLogs(): Promise<void>;
  log(level: 'info' | 'error', msg: string, err?: unknown): void;
  /** Written straight to stderr (guarded), for the moments the logger may be the problem. */
  say(line: string): void;
  /** The clean exit, once stopped and flushed. */
  exit(code: number): void;
  /** The exit that cannot be held up: at the deadline, and on a second signal. */
  forceExit(code: number): void;
  clock: Clock;
  /** From the first signal to the forced exit. */
  deadlineMs: number;
}

/** Default hard deadline: under the 10 s a `docker stop` waits before its SIGKILL. */
export const SHUTDOWN_DEADLINE_MS = 8_000;

/**
 * A repeat of the first signal within this window is the same stop, not a second one: a service
 * manager that signals the whole process group (systemd's default KillMode, `timeout`, `kill --
 * -PGID`) reaches the daemon directly and again through its launcher (scripts/launch.mjs).
 */
export const SAME_STOP_WINDOW_MS = 1_000;

/**
 * Returns the signal handler. The first signal starts the graceful stop and arms the deadline;
 * a second signal exits at once (unless it repeats the first within SAME_STOP_WINDOW_MS).
 *
 * @example
 *   const onSignal = createShutdown({ stop: () => daemon.stop(), ..., deadlineMs: SHUTDOWN_DEADLINE_MS });
 *   process.on('SIGTERM', () => onSignal('SIGTERM'));
 */
export function createShutdown(deps: ShutdownDeps): (signal: string) => void {
  let first: { signal: string; at: number } | null = null;
  let exited = false;
  const exit = (code: number, force = false) => {
    if (exited) return;
    exited = true;
    (force ? deps.forceExit : deps.exit)(code);
  };
  return (signal) => {
    if (first) {
      if (signal === first.signal && deps.clock.monotonic() - first.at < SAME_STOP_WINDOW_MS) return;
      deps.say(`tradeclock: second signal (${signal}), exiting now`);
      exit(130, true);
      return;
    }
    first = { signal, at: deps.clock.monotonic() };
    deps.clock.setTimer(deps.deadlineMs, () => {
      deps.say(`tradeclock: did not stop within ${Math.round(deps.deadlineMs / 1000)} s of ${signal}; exiting now (orders in flight are looked up at the next start)`);
      exit(1, true);
    });
    deps.log('info', `shutting down (${signal})`);
    deps
      .stop()
      .then(
        () => 0,
        (err: unknown) => {
          deps.log('error', 'shutdown failed', err);
          return 1;
        },
      )
      .then(async (code) => {
        await deps.flushLogs().catch(() => undefined);
        exit(code);
      });
  };
}
