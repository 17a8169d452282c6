/**
 * Prints the line of every trading event (event-line.ts) as it happens. The bus delivers events
 * synchronously on the order path, so the listener only queues them: looking facts up and writing
 * to the terminal happen a turn later, behind the orders.
 */
import type { EventBus } from '../bus/event-bus';
import type { EngineEvent } from '../core/events';
import type { LineSink } from '../log-sinks';
import { eventLine, type EventLineLookup } from './event-line';

export interface EventPrinterDeps {
  readonly bus: EventBus;
  readonly lookup: EventLineLookup;
  /** Where lines go: a streamSink over stdout, so a closed or stalled terminal costs lines only. */
  readonly out: LineSink;
  /** The zone of events that belong to an account, not a strategy: this machine's. */
  readonly localZone: string;
  /** Runs the formatting later; default setImmediate. */
  readonly defer?: (print: () => void) => void;
}

/** Starts printing; returns the function that stops it. @example const stop = printEvents({ bus: engine.bus, lookup, out, localZone }) */
export function printEvents(deps: EventPrinterDeps): () => void {
  const defer = deps.defer ?? ((print) => void setImmediate(print));
  let queue: EngineEvent[] = [];
  const print = () => {
    const events = queue;
    queue = [];
    for (const e of events) {
      try {
        const line = eventLine(e, deps.lookup, deps.localZone);
        if (line) deps.out.write(`${line.text}\n`);
      } catch {
        // a line that cannot be made (its strategy deleted meanwhile) is not worth an order's delay
      }
    }
  };
  return deps.bus.onAny((e) => {
    if (queue.push(e) === 1) defer(print);
  });
}
