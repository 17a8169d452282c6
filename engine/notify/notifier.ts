/**
 * The one notifier (issue 21): every engine event goes through the policy once, the same alert is
 * let through at most once a minute, and each notification is handed to every listener: the
 * desktop shell's native notification, the durable delivery queue of the remote channels.
 *
 * The bus listener only appends the event to an array and returns: the words (which read SQLite
 * for the symbol and the order's side) are worked out later, behind the orders of a burst
 * (`defer`), so notifying never slows a stop-loss or a BUY.
 */
import type { EventBus } from '../bus/event-bus';
import type { Clock } from '../core/clock';
import type { EngineEvent, EngineEventType } from '../core/events';
import type { StrategyId, UserId } from '../core/ids';
import { createNotificationGate, notificationFor, type NotificationText, type OrderSideLookup, type StrategyLookup } from './policy';

/** The same key within this window is notified once (a flapping feed must not flood a phone). */
export const NOTIFICATION_REPEAT_MS = 60_000;

/** One notification of one user, as every channel receives it. */
export interface TraderNotification extends NotificationText {
  readonly userId: UserId;
  readonly strategyId: StrategyId | null;
  /** The engine event it tells of. */
  readonly event: EngineEventType;
  /** When the event happened, epoch ms. */
  readonly at: number;
}

export type NotificationListener = (note: TraderNotification) => void;

export interface NotifierDeps {
  readonly bus: Pick<EventBus, 'onAny'>;
  readonly lookup: StrategyLookup;
  readonly orderSide: OrderSideLookup;
  readonly clock: Pick<Clock, 'now'>;
  /** Runs the batch later (engine.ts: behind this turn's orders). */
  readonly defer: (fn: () => void) => void;
  /** A lookup or a listener that threw: reported, never thrown into the bus. */
  readonly onError: (err: unknown) => void;
}

/**
 * @example
 *   const notifier = new Notifier({ bus, lookup, orderSide, clock, defer: (fn) => setImmediate(fn), onError });
 *   const off = notifier.onNotification((n) => showNotice(n));
 */
export class Notifier {
  private readonly listeners = new Set<NotificationListener>();
  private readonly allow = createNotificationGate(NOTIFICATION_REPEAT_MS);
  private pending: EngineEvent[] = [];
  private readonly off: () => void;

  constructor(private readonly deps: NotifierDeps) {
    this.off = deps.bus.onAny((event) => {
      this.pending.push(event);
      if (this.pending.length === 1) deps.defer(() => this.drain());
    });
  }

  /** Subscribes to every notification of every user; returns the unsubscribe function. */
  onNotification(listener: NotificationListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops listening to the bus; what is already waiting is still worked out. */
  stop(): void {
    this.off();
    this.drain();
  }

  private drain(): void {
    const events = this.pending;
    this.pending = [];
    for (const event of events) {
      let text: NotificationText | null;
      try {
        text = notificationFor(event, this.deps.lookup, this.deps.orderSide);
      } catch (err) {
        this.deps.onError(err);
        continue;
      }
      if (text === null || !this.allow(text.key, this.deps.clock.now())) continue;
      const note: TraderNotification = { ...text, userId: event.userId, strategyId: 'strategyId' in event ? event.strategyId : null, event: event.type, at: event.at };
      for (const l of this.listeners) {
        try {
          l(note);
        } catch (err) {
          this.deps.onError(err);
        }
      }
    }
  }
}
