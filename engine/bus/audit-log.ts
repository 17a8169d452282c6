import type { Logger } from 'pino';
import type { Repos } from '../../db/repos';
import type { EngineEvent } from '../core/events';
import type { EventBus } from './event-bus';

/**
 * Appends every engine event to the events table. Events published in one synchronous stretch
 * (a fill, its run change, the next day's arming) are written in one transaction at the end of the
 * current task, so the order path pays for one commit, not one per event.
 */
export function recordEvents(bus: EventBus, repos: Repos, logger: Logger): () => void {
  let batch: EngineEvent[] = [];
  const flush = () => {
    const events = batch;
    batch = [];
    try {
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
      });
    } catch (err) {
      logger.error({ err, count: events.length }, 'audit log write failed');
    }
  };
  return bus.onAny((e) => {
    if (batch.length === 0) queueMicrotask(flush);
    batch.push(e);
  });
}
