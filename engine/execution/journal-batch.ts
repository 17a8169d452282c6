/**
 * Group commit for the order journal. Every intent that asks to be journaled during one turn of
 * the event loop (the BUY timers of one second, the slots freed by one batch of broker answers) is
 * written in ONE SQLite transaction, so with synchronous=FULL they share one fsync instead of
 * paying one each.
 *
 * Nothing else changes: each intent is decided in a savepoint of its own, in arrival order, and
 * sees the rows of the intents before it, so a UniqueViolation or any other error rejects that
 * intent alone (the (run, slot) index still refuses a second exit, even within one batch). The
 * caller is answered only after the commit: journal before send holds for every order. If the
 * commit itself fails, nothing of the batch is in the journal and every intent gets the error.
 */
import type { Repos } from '../../db/repos';

type Settled<D> = { readonly ok: true; readonly value: D } | { readonly ok: false; readonly error: unknown };

interface Waiting<I, D> {
  readonly intent: I;
  readonly resolve: (value: D) => void;
  readonly reject: (error: unknown) => void;
}

export class JournalBatch<I, D> {
  private waiting: Waiting<I, D>[] = [];
  private scheduled = false;

  /**
   * @param decideOne synchronous: reads and writes through `repos`, returns the decision.
   * @param defer runs the flush after the current turn's callbacks; setImmediate in the engine.
   */
  constructor(
    private readonly repos: Pick<Repos, 'transaction'>,
    private readonly decideOne: (intent: I) => D,
    private readonly defer: (flush: () => void) => void = (flush) => void setImmediate(flush),
  ) {}

  /** Resolves with the decision once it is committed; rejects with the error of this intent. */
  decide(intent: I): Promise<D> {
    return new Promise<D>((resolve, reject) => {
      this.waiting.push({ intent, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      this.defer(() => this.flush());
    });
  }

  /** Writes everything waiting now, in one transaction. */
  flush(): void {
    this.scheduled = false;
    const batch = this.waiting;
    this.waiting = [];
    if (batch.length === 0) return;
    const settled: Settled<D>[] = [];
    try {
      this.repos.transaction(() => {
        for (const w of batch) {
          try {
            // Nested: a savepoint, so a failed intent leaves no half of its writes behind.
            settled.push({ ok: true, value: this.repos.transaction(() => this.decideOne(w.intent)) });
          } catch (error) {
            settled.push({ ok: false, error });
          }
        }
      });
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
