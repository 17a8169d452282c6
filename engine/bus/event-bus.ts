import type { EngineEvent, EngineEventType, EventOf } from '../core/events';

type Listener<E> = (event: E) => void;

/**
 * In-process typed pub/sub. Delivery is synchronous and in publish order; a throwing listener is
 * reported to `onListenerError` and never stops the others (one bad subscriber must not block a
 * stop-loss event from reaching the journal).
 */
export class EventBus {
  private readonly all = new Set<Listener<EngineEvent>>();
  private readonly byType = new Map<EngineEventType, Set<Listener<EngineEvent>>>();

  constructor(private readonly onListenerError: (err: unknown, event: EngineEvent) => void = () => {}) {}

  publish(event: EngineEvent): void {
    for (const l of this.byType.get(event.type) ?? []) this.deliver(l, event);
    for (const l of this.all) this.deliver(l, event);
  }

  /** Subscribes to one event type; returns the unsubscribe function. */
  on<T extends EngineEventType>(type: T, listener: Listener<EventOf<T>>): () => void {
    let set = this.byType.get(type);
    if (!set) this.byType.set(type, (set = new Set()));
    const l = listener as Listener<EngineEvent>;
    set.add(l);
    return () => set.delete(l);
  }

  /** Subscribes to every event; returns the unsubscribe function. */
  onAny(listener: Listener<EngineEvent>): () => void {
    this.all.add(listener);
    return () => this.all.delete(listener);
  }

  private deliver(l: Listener<EngineEvent>, event: EngineEvent): void {
    try {
      l(event);
    } catch (err) {
      this.onListenerError(err, event);
    }
  }
}
