/**
 * Exits when the journal cannot be written (disk full, database busy or read-only). Capital
 * protection comes first: the exit is sent at once under its deterministic client order id, so
 * it cannot become two orders, and it is journaled as soon as storage recovers; its fill is then
 * found by a lookup. Until then every other exit of that run is suppressed. A BUY in the same
 * situation is not sent (fail closed): no new position without a journal row.
 */
import type { RunId } from '../core/ids';
import { runOrderId } from './run-order-id';
import { slotOf, type Order, type OrderSide, type Run } from '../core/types';
import type { OrderWhere, PlaceIntent } from '../core/run-policy/types';
import { isStorageUnavailable } from '../../db/repos';
import type { PlaceOrderResult } from '../brokers/broker';
import type { EngineContext } from '../context';
import type { OrderIntent } from './execution-engine';

/** Retry delays for the journal write once an exit went out unjournaled; then it keeps trying every 60 s. */
const JOURNAL_RETRY_MS = [1_000, 2_000, 5_000, 10_000, 30_000, 60_000] as const;

export interface EmergencyExitDeps {
  /** The order the journal would place for the intent (the run policy's), read-only; null if none may go out. */
  readonly plan: (run: Run, intent: OrderIntent) => PlaceIntent | null;
  /** Journals the intent as the normal path does (order row + run EXITING); null if it may not go out. */
  readonly journal: (intent: OrderIntent) => { order: Order; announce: () => void } | null;
  /** Places an order, never throwing (a throw is an unknown outcome). */
  readonly place: (where: OrderWhere, clientOrderId: string, side: OrderSide, qty: number) => Promise<PlaceOrderResult>;
  /** Records a broker answer on a journal row, as the normal path does after a send. */
  readonly record: (order: Order, result: PlaceOrderResult, dispatchedAt: number) => void;
}

export class EmergencyExits {
  private readonly pending = new Map<RunId, { cancel(): void }>();

  constructor(
    private readonly ctx: EngineContext,
    private readonly deps: EmergencyExitDeps,
  ) {}

  /** An exit of this run went out unjournaled and is not yet in the journal. */
  has(runId: RunId): boolean {
    return this.pending.has(runId);
  }

  stop(): void {
    for (const t of this.pending.values()) t.cancel();
    this.pending.clear();
  }

  /** The journal write of `intent` failed with `err`; decides what still goes out. */
  async onJournalFailure(intent: OrderIntent, err: unknown): Promise<boolean> {
    if (!isStorageUnavailable(err)) return false;
    const { repos, bus, clock, logger, installId } = this.ctx;
    const detail = err instanceof Error ? err.message : String(err);
    // Reads usually still work when writes do not (full disk, read-only); if not, nothing can be known.
    // The exit is placed as the journal would have (the run policy): the position's account,
    // instrument, side and quantity, and the attempt's client order id, so the row written later matches.
    let run: Run | undefined;
    let exit: PlaceIntent | null = null;
    try {
      run = repos.runs.getInternal(intent.runId);
      exit = run && slotOf(intent.leg) === 'exit' && !this.has(run.id) ? this.deps.plan(run, intent) : null;
    } catch {
      run = undefined;
    }
    logger.error({ err, leg: intent.leg, strategyId: intent.strategyId, sending: Boolean(exit) }, 'journal unavailable');
    if (run) bus.publish({ type: 'storage_failed', userId: run.userId, strategyId: run.strategyId, runId: run.id, leg: intent.leg, action: exit ? 'sent_unjournaled' : 'not_sent', detail, at: clock.now() });
    if (!exit || !run) return true;
    this.pending.set(run.id, { cancel: () => {} });
    const dispatchedAt = clock.now();
    const result = await this.deps.place(exit.where, runOrderId(installId, run, exit), exit.side, exit.qty);
    this.retryJournal(run.id, intent, result, dispatchedAt, 0);
    return true;
  }

  private retryJournal(runId: RunId, intent: OrderIntent, result: PlaceOrderResult, dispatchedAt: number, attempt: number): void {
    const delay = JOURNAL_RETRY_MS[Math.min(attempt, JOURNAL_RETRY_MS.length - 1)]!;
    const timer = this.ctx.clock.setTimer(delay, () => {
      try {
        const journaled = this.ctx.repos.transaction(() => {
          const j = this.deps.journal(intent);
          // It went out already: marked as sent then, so a restart before its answer is written never takes it for unsent.
          if (j) this.ctx.repos.orders.markSendingInternal(j.order.id, dispatchedAt);
          return j;
        });
        this.pending.delete(runId);
        if (!journaled) return;
        journaled.announce();
        this.deps.record(journaled.order, result, dispatchedAt);
        this.ctx.logger.warn({ orderId: journaled.order.id, result: result.kind }, 'exit sent while the journal was unavailable is now journaled');
      } catch (err) {
        if (!isStorageUnavailable(err)) {
          this.pending.delete(runId);
          this.ctx.logger.error({ err, runId }, 'could not journal an exit sent while storage was unavailable');
          return;
        }
        this.retryJournal(runId, intent, result, dispatchedAt, attempt + 1);
      }
    });
    this.pending.set(runId, timer);
  }
}
