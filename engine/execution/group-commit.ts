/**
 * Group commit: everything that asks to be written during one turn of the event loop is written
 * in ONE SQLite transaction, after that turn's callbacks (a backlog over `maxBatch`, in several). Two users in the execution engine:
 *
 * - the order journal (durable): the BUY timers of one second, or the slots freed by one batch of
 *   broker answers, are journaled together, so with synchronous=FULL they share one fsync
 *   instead of paying one each;
 * - broker answers (not durable, see Repos.transaction): the acks and trade updates that arrive
 *   together share one commit instead of one each.
 *
 * Nothing else changes. Each item runs in a savepoint of its own, in arrival order, and sees the
 * rows of the items before it, so a UniqueViolation or any other error fails that item alone (the
 * journal's (run, slot) index still refuses a second exit, even within one batch). A caller is
 * answered only after the commit: journal before send holds for every order. If the commit itself
 * fails, nothing of the batch was written and every item gets the error.
 */
import type { Repos, TransactionOptions } from '../../db/repos';

type Settled<D> = { readonly ok: true; readonly value: D } | { readonly ok: false; readonly error: unknown };

interface Waiting<I, D> {
  readonly item: I;
  readonly resolve: (value: D) => void;
  readonly reject: (error: unknown) => void;
}

export interface GroupCommitOptions extends TransactionOptions {
  /** Runs the flush after the current turn's callbacks; setImmediate by default. */
  readonly defer?: (flush: () => void) => void;
  /**
   * At most this many items per transaction: a backlog is written in several, each flush deferring
   * the rest, so one flush does not hold the event loop for the whole backlog. Unbounded by default.
   */
  readonly maxBatch?: number;
}

/**
 * @example
 *   const journal = new GroupCommit(repos, (intent) => decide(intent));
 *   const decision = await journal.write(intent); // committed (and fsynced) with its turn's others
 */
export class GroupCommit<I, D> {
  private waiting: Waiting<I, D>[] = [];
  private scheduled = false;
  private urgentScheduled = false;
  private readonly defer: (flush: () => void) => void;

  /** @param writeOne synchronous: reads and writes through `repos`, returns the result. */
  constructor(
    private readonly repos: Pick<Repos, 'transaction'>,
    private readonly writeOne: (item: I) => D,
    private readonly options: GroupCommitOptions = {},
  ) {
    this.defer = options.defer ?? ((flush) => void setImmediate(flush));
  }

  /**
   * Resolves with the item's result once it is committed; rejects with the error of this item.
   * `urgent` (a stop-loss exit) flushes as soon as the current callback's promise jobs are done,
   * taking along whatever is waiting, instead of after the turn's other callbacks (~0.3 ms).
   */
  write(item: I, urgent = false): Promise<D> {
    return new Promise<D>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (urgent && !this.urgentScheduled) {
        this.urgentScheduled = true;
        queueMicrotask(() => {
          this.urgentScheduled = false;
          this.flush();
        });
      }
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.defer(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  /** Writes everything waiting now (up to maxBatch; the rest in a deferred flush), in one transaction. */
  flush(): void {
    // A deferred flush that finds the batch gone (an urgent flush took it) writes nothing.
    const max = this.options.maxBatch ?? Number.POSITIVE_INFINITY;
    let batch = this.waiting;
    if (batch.length > max) {
      batch = this.waiting.slice(0, max);
      this.waiting = this.waiting.slice(max);
      this.schedule();
    } else this.waiting = [];
    if (batch.length === 0) return;
    const durability = this.options.durable === false ? { durable: false } : {};
    if (batch.length === 1) {
      // Alone in its batch (a stop-loss, most answers): its own transaction is its savepoint; an
      // error rolls all of it back. Saves the SAVEPOINT and RELEASE on the stop-loss path.
      const only = batch[0]!;
      let value: D;
      try {
        value = this.repos.transaction(() => this.writeOne(only.item), durability);
      } catch (error) {
        only.reject(error);
        return;
      }
      only.resolve(value);
      return;
    }
    const settled: Settled<D>[] = [];
    try {
      this.repos.transaction(() => {
        for (const w of batch) {
          try {
            // Nested: a savepoint, so a failed item leaves no half of its writes behind.
            settled.push({ ok: true, value: this.repos.transaction(() => this.writeOne(w.item)) });
          } catch (error) {
            settled.push({ ok: false, error });
          }
        }
      }, durability);
    } catch (error) {
      for (const w of batch) w.reject(error);
      return;
    }
    batch.forEach((w, i) => {
      const s = settled[i]!;
      if (s.ok) w.resolve(s.value);
      else w.reject(s.error);
    });
  }
}
