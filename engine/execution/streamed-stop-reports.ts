/**
 * The broker's stream as a faster answer to a backstop's cancel. A broker may take a cancel before
 * carrying it out (Alpaca answers DELETE with 204 and the stop reads `pending_cancel` or `new`
 * until the venue confirms, PROTOCOLS.md §1.7), so the keeper's read-back can find the stop still
 * resting and ask again after a wait (BACKSTOP_ASK_AGAIN_MS, 250 ms first). Meanwhile the order
 * stream says when the cancel is carried out (Alpaca's trade_updates `canceled`): a wait watching
 * the stop ends at that report, and the exit leaves at once instead of at the next read-back. The
 * timed read-back stays the fallback for a stream that is down or late, and for brokers without one.
 */
import type { Clock } from '../core/clock';
import type { BrokerAccountId } from '../core/ids';
import type { RestingStopReport } from '../brokers/broker';

/** One backstop's cancel being waited on. */
export interface StopWatch {
  /**
   * Resolves after `ms` by the clock with null, or at once with the report when one that settles
   * the stop was streamed since the watch began (or streams during the wait).
   */
  wait(ms: number): Promise<RestingStopReport | null>;
  /** Stops watching; a wait in progress is left to its timer. */
  close(): void;
}

interface Watch {
  readonly accountId: BrokerAccountId;
  readonly clientOrderId: string;
  readonly settles: (report: RestingStopReport) => boolean;
  report: RestingStopReport | null;
  wake: (() => void) | null;
}

export class StreamedStopReports {
  private readonly watches = new Set<Watch>();

  constructor(private readonly clock: Clock) {}

  /**
   * Watches the stop under `clientOrderId` at `accountId` for a streamed report `settles` takes
   * (the run policy's: one whose answer is no longer "ask again"). Begin before the cancel is sent,
   * so a report streamed while its read-back is under way is not missed.
   * @example const watch = reports.watch(accountId, 'tbk3x9a1…', (r) => answerOfReport(r, qty, 0).kind !== 'ask_again');
   */
  watch(accountId: BrokerAccountId, clientOrderId: string, settles: (report: RestingStopReport) => boolean): StopWatch {
    const w: Watch = { accountId, clientOrderId, settles, report: null, wake: null };
    this.watches.add(w);
    return {
      wait: (ms) => {
        if (w.report !== null) return Promise.resolve(w.report);
        return new Promise((resolve) => {
          const timer = this.clock.setTimer(ms, () => {
            w.wake = null;
            resolve(null);
          });
          w.wake = () => {
            timer.cancel();
            w.wake = null;
            resolve(w.report);
          };
        });
      },
      close: () => void this.watches.delete(w),
    };
  }

  /** A report the broker streamed for one of its resting stops: wakes the waits watching that stop, if it settles it. */
  note(accountId: BrokerAccountId, report: RestingStopReport): void {
    for (const w of this.watches) {
      if (w.accountId !== accountId || w.clientOrderId !== report.clientOrderId || !w.settles(report)) continue;
      w.report = report;
      w.wake?.();
    }
  }
}
