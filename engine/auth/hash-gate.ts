/**
 * At most `concurrency` password hashes at a time, at most `maxWaiting` more in line, and
 * anything beyond that refused at once. A hash is 64 MiB and a few hundred ms of one libuv pool
 * thread: unbounded, sixty registrations took every pool thread and 4 GiB between them, and the
 * process stalled. Bounded, the pool always has threads left (file writes, DNS), memory stays
 * at `concurrency` × 64 MiB, and a flood costs its sender a fast refusal.
 */
import { RateLimitedError } from './rate-limited-error';

export interface HashGateOptions {
  /** Hashes running at once. Default 1. */
  readonly concurrency?: number;
  /** Hashes waiting for a turn; one more is refused. Default 4. */
  readonly maxWaiting?: number;
  /** What a refusal tells the client to wait. Default 1 s. */
  readonly retryAfterMs?: number;
}

/**
 * @example
 *   const gate = new HashGate();
 *   const stored = await gate.run(() => hashPassword(pw)); // or RateLimitedError (503) when busy
 */
export class HashGate {
  private readonly concurrency: number;
  private readonly maxWaiting: number;
  private readonly retryAfterMs: number;
  private active = 0;
  private readonly queue: Array<() => void> = [];

  constructor(options: HashGateOptions = {}) {
    this.concurrency = options.concurrency ?? 1;
    this.maxWaiting = options.maxWaiting ?? 4;
    this.retryAfterMs = options.retryAfterMs ?? 1_000;
    if (!(Number.isInteger(this.concurrency) && this.concurrency >= 1 && Number.isInteger(this.maxWaiting) && this.maxWaiting >= 0)) {
      throw new Error('HashGate: concurrency must be a whole number ≥ 1 and maxWaiting ≥ 0');
    }
  }

  /** Runs `work` when a slot is free (first come, first served); rejects at once when the line is full. */
  run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active < this.concurrency) return this.start(work);
    if (this.queue.length >= this.maxWaiting) {
      return Promise.reject(
        new RateLimitedError(this.retryAfterMs, `the engine is busy checking other passwords: try again in ${Math.ceil(this.retryAfterMs / 1000)} s`, 'unavailable'),
      );
    }
    return new Promise<T>((resolve, reject) => this.queue.push(() => void this.start(work).then(resolve, reject)));
  }

  /** Hashes running and waiting; for tests and metrics. */
  get load(): { active: number; waiting: number } {
    return { active: this.active, waiting: this.queue.length };
  }

  private async start<T>(work: () => Promise<T>): Promise<T> {
    this.active++;
    try {
      return await work();
    } finally {
      this.active--;
      this.queue.shift()?.();
    }
  }
}
