/**
 * One-shot jobs at absolute wall-clock instants, on the injected Clock.
 *
 * Node's timers run on a monotonic clock that (on Linux and Windows) stops while the machine
 * sleeps, so a timer armed for 09:30 before a lid-close fires late by the whole sleep. Like croner,
 * the scheduler therefore never arms a timer for more than 30 s: each wake re-reads the wall clock
 * and either fires what is due or arms the next chunk. After a sleep, an NTP step or a manual clock
 * change a job follows the wall clock within 30 s; `JobScheduler.recheckNow()` (called on resume)
 * makes it immediate. The last chunk is exactly the remaining milliseconds (less SPIN_LEAD_MS on
 * the system clock, spun), so on time a job fires on the ms.
 *
 * The jobs wait in one heap behind ONE timer, for the earliest of them: 10 000 armed strategies
 * have 50 000 pending jobs, and a timer each would cost a Node timer object and its closures per
 * job (memory) and wake every 30 s all at once (a stall every 30 s, measured by `npm run bench`).
 */
import type { Clock, TimerHandle } from '../core/clock';

/** No timer is armed for longer than this; croner uses the same bound for the same reason. */
export const MAX_TIMER_CHUNK_MS = 30_000;

/**
 * On a clock that can spin (the system clock), the last chunk is armed this much early and the
 * scheduler spins the rest: Node timers wake ~0.9 ms late at the median and up to a few ms in the
 * tail (measured by `npm run bench`, trigger floor), a spin lands on the millisecond. The loop is
 * held for at most this long, once per instant however many jobs share it.
 */
export const SPIN_LEAD_MS = 2;

export interface FireInfo {
  /** The instant the job was scheduled for, epoch ms. */
  readonly scheduledAt: number;
  /** The wall clock when it fired, epoch ms. */
  readonly firedAt: number;
  /** firedAt - scheduledAt, never negative: the caller decides whether that is too late. */
  readonly lateByMs: number;
}

export type JobCallback = (info: FireInfo) => void;

/** A pending job; its cancel() is idempotent, and a fired or cancelled job never fires (again). */
class Job implements TimerHandle {
  done = false;

  constructor(
    private readonly scheduler: JobScheduler,
    readonly scheduledAt: number,
    readonly seq: number,
    readonly fn: JobCallback,
  ) {}

  cancel(): void {
    if (this.done) return;
    this.done = true;
    this.scheduler.forget();
  }
}

/**
 * Calls `fn` once when the wall clock reaches `atEpochMs` (at once, on the next timer turn, if it
 * already has). Prefer a JobScheduler in the engine so a resume from sleep can re-check every job.
 *
 * @example
 *   const handle = scheduleAt(clock, run.buyAt, ({ lateByMs }) => {
 *     if (lateByMs > strategy.spec.buy_grace_seconds * 1000) markMissed(run); else enqueueBuy(run);
 *   });
 *   handle.cancel(); // on STOP; a second cancel() does nothing
 */
export function scheduleAt(clock: Clock, atEpochMs: number, fn: JobCallback): TimerHandle {
  return new JobScheduler(clock).at(atEpochMs, fn);
}

export interface JobSchedulerOptions {
  /**
   * Receives an error thrown by a job's callback. Without it the error propagates out of the timer
   * callback (or out of recheckNow), after every other due job has run.
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
  /** Min-heap by (scheduledAt, seq); cancelled jobs stay until they reach the top. */
  private heap: Job[] = [];
  private live = 0;
  private seq = 0;
  private timer: TimerHandle | undefined;
  /** The instant the armed timer was armed for (the top of the heap then). */
  private timerFor = Number.POSITIVE_INFINITY;

  constructor(
    private readonly clock: Clock,
    private readonly options: JobSchedulerOptions = {},
  ) {}

  /**
   * Schedules `fn` for the wall-clock instant `atEpochMs`; the handle's cancel() is idempotent.
   * Even an overdue job waits for a timer turn: firing inside the call that created it would run
   * the callback before the caller holds the handle.
   */
  at(atEpochMs: number, fn: JobCallback): TimerHandle {
    if (!Number.isFinite(atEpochMs)) throw new RangeError(`a job needs a finite epoch-ms instant, got ${atEpochMs}`);
    const job = new Job(this, atEpochMs, this.seq++, fn);
    this.push(job);
    this.live++;
    if (atEpochMs < this.timerFor) this.arm();
    return job;
  }

  /**
   * Re-reads the wall clock for every pending job now: overdue jobs fire before this returns, in
   * scheduled order; the others wait from the current time. Call it after a resume from sleep or
   * a detected clock jump.
   */
  recheckNow(): void {
    this.runDue(false);
  }

  /** Cancels every pending job (shutdown, or a full re-plan). */
  cancelAll(): void {
    for (const job of this.heap) job.done = true;
    this.heap = [];
    this.live = 0;
    this.disarm();
  }

  /** Jobs neither fired nor cancelled. */
  pending(): number {
    return this.live;
  }

  /** The instant of the earliest job neither fired nor cancelled; undefined when there is none. */
  nextAt(): number | undefined {
    this.dropCancelled();
    return this.heap[0]?.scheduledAt;
  }

  /** A job was cancelled (called by Job.cancel). */
  forget(): void {
    this.live--;
    if (this.live === 0) {
      // Nothing left to wait for: no timer, and no cancelled jobs kept.
      this.heap = [];
      this.disarm();
    } else if (this.heap.length > 64 && this.heap.length > 2 * this.live) {
      // Mostly cancelled jobs: rebuild, so STOPs and re-plans do not pile up.
      this.heap = this.heap.filter((j) => !j.done);
      for (let i = (this.heap.length >> 1) - 1; i >= 0; i--) this.down(i);
    }
  }

  /** Fires every due job in order, then arms the timer for the next one. */
  private runDue(fromTimer: boolean): void {
    if (fromTimer) {
      this.timer = undefined;
      this.timerFor = Number.POSITIVE_INFINITY;
    } else this.disarm();
    this.dropCancelled();
    let now = this.clock.now();
    const first = this.heap[0];
    if (fromTimer && first && now < first.scheduledAt && this.clock.spinUntil && first.scheduledAt - now <= SPIN_LEAD_MS + 1) {
      // A spin that gives up (the wall clock stalled or stepped back) leaves the job to a timer.
      if (this.clock.spinUntil(first.scheduledAt, SPIN_LEAD_MS + 2)) now = this.clock.now();
      else return this.arm(false);
    }
    const errors: unknown[] = [];
    // Jobs scheduled by the callbacks of this run wait for the next timer turn, as any new job does.
    const deferred: Job[] = [];
    const startSeq = this.seq;
    for (let job = this.heap[0]; job && job.scheduledAt <= now; job = this.heap[0]) {
      this.pop();
      if (job.done) continue;
      if (job.seq >= startSeq) {
        deferred.push(job);
        continue;
      }
      // Marked done before the callback so that a throwing or re-entrant callback cannot fire it twice.
      job.done = true;
      this.live--;
      const info = { scheduledAt: job.scheduledAt, firedAt: now, lateByMs: now - job.scheduledAt };
      try {
        job.fn(info);
      } catch (err) {
        if (this.options.onError) this.options.onError(err, info);
        else errors.push(err);
      }
      this.dropCancelled();
    }
    for (const job of deferred) this.push(job);
    this.arm();
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, `${errors.length} scheduled jobs threw`);
  }

  /** (Re)arms the one timer for the earliest live job, at most MAX_TIMER_CHUNK_MS ahead. */
  private arm(spin = true): void {
    this.disarm();
    this.dropCancelled();
    const next = this.heap[0];
    if (!next) return;
    const remaining = Math.max(0, next.scheduledAt - this.clock.now());
    const early = spin && this.clock.spinUntil && remaining <= MAX_TIMER_CHUNK_MS ? SPIN_LEAD_MS : 0;
    this.timerFor = next.scheduledAt;
    this.timer = this.clock.setTimer(Math.max(0, Math.min(remaining, MAX_TIMER_CHUNK_MS) - early), () => this.runDue(true));
  }

  private disarm(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.timerFor = Number.POSITIVE_INFINITY;
  }

  private dropCancelled(): void {
    while (this.heap.length > 0 && this.heap[0]!.done) this.pop();
  }

  private before(a: Job, b: Job): boolean {
    return a.scheduledAt < b.scheduledAt || (a.scheduledAt === b.scheduledAt && a.seq < b.seq);
  }

  private push(job: Job): void {
    const h = this.heap;
    h.push(job);
    for (let i = h.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!this.before(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop();
    if (last && h.length > 0) {
      h[0] = last;
      this.down(0);
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.before(h[l]!, h[m]!)) m = l;
      if (r < h.length && this.before(h[r]!, h[m]!)) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}
