/**
 * The shell's view of the engine: every event may change the status (tray, power-save blocker),
 * and the engine's notifier says which deserve a native notification (the policy and its
 * once-a-minute gate live in engine/notify; the desktop is one channel of it). Status reads hit
 * SQLite, so a burst of events (a fill publishes several) is coalesced into one read.
 */
import type { EngineEvent } from '../engine/core/events';
import type { NotificationListener, TraderNotification } from '../engine/notify/notifier';
import type { ShellStatus } from './shell-status';

export interface EngineWatchDeps {
  readonly bus: { onAny(listener: (event: EngineEvent) => void): () => void };
  /** engine.notifications: every user's notifications, already gated. */
  readonly notifications: { onNotification(listener: NotificationListener): () => void };
  readStatus(): ShellStatus;
  onStatus(status: ShellStatus): void;
  notify(notification: TraderNotification): void;
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

export function watchEngine(deps: EngineWatchDeps): EngineWatch {
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
  const offNotes = deps.notifications.onNotification((note) => deps.notify(note));
  const off = deps.bus.onAny(() => {
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
      offNotes();
    },
  };
}
