/**
 * One-shot jobs at absolute wall-clock instants, on the injected Clock.
 *
 * Node's timers run on a monotonic clock that (on Linux and Windows) stops while the machine
 * sleeps, so a timer armed for 09:30 before a lid-close fires late by the whole sleep. Like croner,
 * a job therefore never arms one timer for more than 30 s: each wake re-reads the wall clock and
 * either fires or arms the next chunk. After a sleep, an NTP step or a manual clock change the job
 * follows the wall clock within 30 s; `JobScheduler.recheckNow()` (called on resume) makes it
 * immediate. The last chunk is exactly the remaining milliseconds, so on time a job fires on the ms.
 */
import type { Clock, TimerHandle } from '../core/clock';

/** No timer is armed for longer than this; croner uses the same bound for the same reason. */
export const MAX_TIMER_CHUNK_MS = 30_000;

export interface FireInfo {
  /** The instant the job was scheduled for, epoch ms. */
  readonly scheduledAt: number;
  /** The wall clock when it fired, epoch ms. */
  readonly firedAt: number;
  /** firedAt - scheduledAt, never negative: the caller decides whether that is too late. */
  readonly lateByMs: number;
}

export type JobCallback = (info: FireInfo) => void;

/**
 * A job that waits in chunks of at most 30 s until `clock.now() >= at`, then calls `fn` once.
 * Cancelling is idempotent and a fired or cancelled job never arms another timer.
 */
class WallClockJob implements TimerHandle {
  private timer: TimerHandle | undefined;
  private done = false;

  constructor(
    private readonly clock: Clock,
    readonly scheduledAt: number,
    private readonly fn: JobCallback,
    private readonly onFinished: (job: WallClockJob) => void = () => {},
  ) {
    // Even an overdue job waits for a timer turn: firing inside the call that created it would run
    // the callback before the caller holds the handle.
    this.arm(Math.max(0, scheduledAt - clock.now()));
  }

  cancel(): void {
    if (this.done) return;
    this.done = true;
    this.timer?.cancel();
    this.timer = undefined;
    this.onFinished(this);
  }

  /** Reads the wall clock now: fires if due, otherwise re-arms from the current remaining time. */
  check(): void {
    if (this.done) return;
    this.timer?.cancel();
    this.timer = undefined;
    const now = this.clock.now();
    if (now < this.scheduledAt) {
      this.arm(this.scheduledAt - now);
      return;
    }
    // Marked done before the callback so that a throwing or re-entrant callback cannot fire it twice.
    this.done = true;
    this.onFinished(this);
    this.fn({ scheduledAt: this.scheduledAt, firedAt: now, lateByMs: now - this.scheduledAt });
  }

  private arm(remainingMs: number): void {
    this.timer = this.clock.setTimer(Math.min(remainingMs, MAX_TIMER_CHUNK_MS), () => {
      this.timer = undefined;
      this.check();
    });
  }
}

/**
 * Calls `fn` once when the wall clock reaches `atEpochMs` (at once, on the next timer turn, if it
 * already has). Prefer a JobScheduler in the engine so a resume from sleep can re-check every job.
 *
 * @example
 *   const handle = scheduleAt(clock, run.buyAt, ({ lateByMs }) => {
 *     if (lateByMs > strategy.buyGraceMs) markMissed(run); else enqueueBuy(run);
 *   });
 *   handle.cancel(); // on STOP; a second cancel() does nothing
 */
export function scheduleAt(clock: Clock, atEpochMs: number, fn: JobCallback): TimerHandle {
  assertInstant(atEpochMs);
  return new WallClockJob(clock, atEpochMs, fn);
}

export interface JobSchedulerOptions {
  /**
   * Receives an error thrown by a job's callback. Without it the error propagates out of the timer
   * callback (or out of recheckNow, after every other due job has run).
   */
  readonly onError?: (err: unknown, info: FireInfo) => void;
}

/**
 * Owns every pending time trigger of the engine, so they can be re-checked or dropped together.
 *
 * @example
 *   const jobs = new JobScheduler(clock, { onError: (err) => log.error({ err }, 'job failed') });
 *   const buy = jobs.at(run.buyAt, (info) => onBuyTime(run, info));
 *   powerMonitor.on('resume', () => jobs.recheckNow()); // overdue jobs fire now, not in ≤ 30 s
 *   buy.cancel();
 *   jobs.cancelAll(); // on shutdown
 */
export class JobScheduler {
  private readonly jobs = new Set<WallClockJob>();

  constructor(
    private readonly clock: Clock,
    private readonly options: JobSchedulerOptions = {},
  ) {}

  /** Schedules `fn` for the wall-clock instant `atEpochMs`; the handle's cancel() is idempotent. */
  at(atEpochMs: number, fn: JobCallback): TimerHandle {
    assertInstant(atEpochMs);
    const job = new WallClockJob(this.clock, atEpochMs, this.guard(fn), (j) => this.jobs.delete(j));
    this.jobs.add(job);
    return job;
  }

  /**
   * Re-reads the wall clock for every pending job now: overdue jobs fire before this returns, in
   * scheduled order; the others re-arm from the current time. Call it after a resume from sleep
   * or a detected clock jump.
   */
  recheckNow(): void {
    const due = [...this.jobs].sort((a, b) => a.scheduledAt - b.scheduledAt);
    const errors: unknown[] = [];
    for (const job of due) {
      try {
        job.check();
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, `${errors.length} scheduled jobs threw`);
  }

  /** Cancels every pending job (shutdown, or a full re-plan). */
  cancelAll(): void {
    for (const job of [...this.jobs]) job.cancel();
  }

  /** Jobs neither fired nor cancelled. */
  pending(): number {
    return this.jobs.size;
  }

  private guard(fn: JobCallback): JobCallback {
    const onError = this.options.onError;
    if (!onError) return fn;
    return (info) => {
      try {
        fn(info);
      } catch (err) {
        onError(err, info);
      }
    };
  }
}

function assertInstant(atEpochMs: number): void {
  if (!Number.isFinite(atEpochMs)) throw new RangeError(`a job needs a finite epoch-ms instant, got ${atEpochMs}`);
}
