/**
 * The shell's view of the engine: every event may change the status (tray, power-save blocker),
 * and some deserve a native notification. Status reads hit SQLite, so a burst of events (a fill
 * publishes several) is coalesced into one read.
 */
import type { EngineEvent } from '../engine/core/events';
import { createNotificationGate, notificationFor, type OrderSideLookup, type ShellNotification, type StrategyLookup } from './notifications';
import type { ShellStatus } from './shell-status';

export interface EngineWatchDeps {
  readonly bus: { onAny(listener: (event: EngineEvent) => void): () => void };
  readonly lookup: StrategyLookup;
  /** The journal's side of an order: a short's fills are worded as a short sale and a buy-back. */
  readonly orderSide: OrderSideLookup;
  readStatus(): ShellStatus;
  onStatus(status: ShellStatus): void;
  notify(notification: ShellNotification): void;
  now(): number;
  /** Runs `fn` once after `ms` (setTimeout in the shell, a fake in tests). */
  defer(fn: () => void, ms: number): void;
  onError(err: unknown): void;
}

export interface EngineWatch {
  /** Reads the status now (startup, after "Stop all"). */
  refresh(): void;
  stop(): void;
}

export const STATUS_COALESCE_MS = 200;
export const NOTIFICATION_REPEAT_MS = 60_000;

export function watchEngine(deps: EngineWatchDeps): EngineWatch {
  const allow = createNotificationGate(NOTIFICATION_REPEAT_MS);
  let pending = false;
  let stopped = false;
  const refresh = () => {
    if (stopped) return;
    try {
      deps.onStatus(deps.readStatus());
    } catch (err) {
      deps.onError(err);
    }
  };
  const off = deps.bus.onAny((event) => {
    const note = notificationFor(event, deps.lookup, deps.orderSide);
    if (note !== null && allow(note.key, deps.now())) deps.notify(note);
    if (!pending) {
      pending = true;
      deps.defer(() => {
        pending = false;
        refresh();
      }, STATUS_COALESCE_MS);
    }
  });
  return {
    refresh,
    stop() {
      stopped = true;
      off();
    },
  };
}
