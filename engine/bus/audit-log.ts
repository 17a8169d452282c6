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
 */
export function recordEvents(bus: EventBus, repos: Repos, logger: Logger): () => void {
  let batch: EngineEvent[] = [];
  const flush = () => {
    const events = batch;
    batch = [];
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
  const flushScheduled = () => {
    scheduled = false;
    if (batch.length > 0) flush();
  };
  const unsubscribe = bus.onAny((e) => {
    if (!scheduled) {
      scheduled = true;
      // Two turns later: behind the order journal's group commit of this turn, never ahead of it.
      setImmediate(() => setImmediate(flushScheduled));
    }
    batch.push(e);
  });
  return () => {
    unsubscribe();
    if (batch.length > 0) flush();
  };
}
