/**
 * Quitting: ask first while the engine is busy, then stop the engine, then quit. Electron's
 * `before-quit` is synchronous but both steps are not, so the first `before-quit` is cancelled,
 * the steps run, and the quit is issued again; that second one goes through.
 *
 * A stop that hangs is cut short after `timeoutMs`: every order was journaled before it was sent,
 * so recovery at the next start resolves whatever was still in flight.
 */

export interface QuitDeps {
  /** Resolves true to go on (immediately when nothing is armed), false when the trader cancels. */
  confirmQuit(): Promise<boolean>;
  stopDaemon(): Promise<void>;
  /** app.quit(): emits before-quit again. */
  quit(): void;
  /** app.exit(code): ends at once, without events (stopping failed or hung). */
  exit(code: number): void;
  setTimer(fn: () => void, ms: number): { cancel(): void };
  onError(err: unknown): void;
}

export interface QuitCoordinator {
  /** True once the quit is decided (the window's close handler must then let it close). */
  readonly quitting: boolean;
  /** Call from `before-quit`; when it returns true, call event.preventDefault(). */
  beforeQuit(): boolean;
  /** OS shutdown or logout: no question asked, the engine still stops cleanly. */
  quitWithoutAsking(): void;
}

type Phase = 'running' | 'confirming' | 'stopping' | 'stopped';

export function createQuitCoordinator(deps: QuitDeps, timeoutMs = 30_000): QuitCoordinator {
  let phase: Phase = 'running';
  let skipConfirm = false;

  const stop = () => {
    phase = 'stopping';
    let settled = false;
    const timer = deps.setTimer(() => {
      if (settled) return;
      settled = true;
      deps.onError(new Error(`engine did not stop within ${timeoutMs} ms; exiting anyway (recovery resolves in-flight orders at the next start)`));
      deps.exit(1);
    }, timeoutMs);
    deps.stopDaemon().then(
      () => {
        if (settled) return;
        settled = true;
        timer.cancel();
        phase = 'stopped';
        deps.quit();
      },
      (err: unknown) => {
        if (settled) return;
        settled = true;
        timer.cancel();
        deps.onError(err);
        deps.exit(1);
      },
    );
  };

  return {
    get quitting() {
      return phase === 'stopping' || phase === 'stopped';
    },
    beforeQuit() {
      if (phase === 'stopped') return false;
      if (phase !== 'running') return true;
      if (skipConfirm) {
        stop();
        return true;
      }
      phase = 'confirming';
      deps.confirmQuit().then(
        (ok) => {
          if (phase !== 'confirming') return; // a shutdown overtook the question
          if (ok) stop();
          else phase = 'running';
        },
        (err: unknown) => {
          deps.onError(err);
          if (phase === 'confirming') phase = 'running';
        },
      );
      return true;
    },
    quitWithoutAsking() {
      skipConfirm = true;
      if (phase === 'running') deps.quit();
      else if (phase === 'confirming') stop();
    },
  };
}
