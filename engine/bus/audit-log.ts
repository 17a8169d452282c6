import type { Logger } from 'pino';
import type { Repos } from '../../db/repos';
import type { EngineEvent } from '../core/events';
import type { EventBus } from './event-bus';

/**
 * Appends every engine event to the events table. Events published during one turn of the event
 * loop (a fill, its run change, the next day's arming; or a whole second of BUYs) are written in
 * one transaction after that turn's callbacks, so they share one commit (one fsync), and an order
 * request goes on the wire before its events are written, not after. The returned function
 * unsubscribes and writes what is still waiting.
 *
 * `defer` runs the write later; by default two turns later, behind the order journal's group commit
 * of this turn, never ahead of it. The engine also puts it behind the orders of a burst.
 */
export function recordEvents(bus: EventBus, repos: Repos, logger: Logger, defer: (write: () => void) => void = (write) => void setImmediate(() => setImmediate(write))): () => void {
  let batch: EngineEvent[] = [];
  /** Writes up to `max` waiting events in one transaction. */
  const flush = (max = Number.POSITIVE_INFINITY) => {
    const events = batch.length > max ? batch.slice(0, max) : batch;
    batch = batch.length > max ? batch.slice(max) : [];
    try {
      // The audit trail, not the journal: it does not wait for the disk (the next journal commit syncs it).
      repos.transaction(() => {
        for (const e of events) {
          repos.events.append({
            userId: e.userId,
            strategyId: 'strategyId' in e ? e.strategyId : null,
            runId: 'runId' in e ? e.runId : null,
            type: e.type,
            payload: e,
            at: e.at,
          });
        }
      }, { durable: false });
    } catch (err) {
      logger.error({ err, count: events.length }, 'audit log write failed');
    }
  };
  let scheduled = false;
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    defer(flushScheduled);
  };
  const flushScheduled = () => {
    scheduled = false;
    if (batch.length === 0) return;
    // A backlog (a burst's events, put off behind its orders) goes in several commits, each deferred again.
    flush(EVENTS_PER_COMMIT);
    if (batch.length > 0) schedule();
  };
  const unsubscribe = bus.onAny((e) => {
    batch.push(e);
    schedule();
  });
  return () => {
    unsubscribe();
    if (batch.length > 0) flush();
  };
}

/** Events written per commit when a backlog of them waits: each commit holds the event loop a few ms. */
const EVENTS_PER_COMMIT = 500;
