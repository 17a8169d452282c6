/**
 * Keeping the app from being suspended while the engine is busy, and re-checking every trigger
 * after the computer wakes (timers pause during sleep on Linux and Windows: research/electron.md §7).
 */
import { powerMonitor, powerSaveBlocker } from 'electron';
import type { Logger } from 'pino';
import { powerSaveChange, type ShellStatus } from '../shell-status';

export interface PowerSave {
  update(status: ShellStatus): void;
  release(): void;
}

export function createPowerSave(log: Logger): PowerSave {
  let id: number | null = null;
  const release = () => {
    if (id !== null && powerSaveBlocker.isStarted(id)) powerSaveBlocker.stop(id);
    id = null;
  };
  return {
    update(status) {
      const change = powerSaveChange(status, id !== null && powerSaveBlocker.isStarted(id));
      if (change === 'start') {
        id = powerSaveBlocker.start('prevent-app-suspension');
        log.info({ armed: status.armed }, 'strategies armed: keeping the system from suspending the app');
      } else if (change === 'stop') {
        release();
        log.info('nothing armed: system may suspend the app again');
      }
    },
    release,
  };
}

export interface PowerEvents {
  readonly onResume: () => void;
  readonly onShutdown: () => void;
}

export function watchPower(log: Logger, events: PowerEvents): void {
  powerMonitor.on('suspend', () => log.warn('system is suspending: triggers due during sleep are re-checked on resume'));
  powerMonitor.on('resume', () => {
    log.info('system resumed: re-checking every trigger now');
    events.onResume();
  });
  // Linux/macOS: the OS is going down; stop the engine cleanly without asking.
  powerMonitor.on('shutdown', events.onShutdown);
}
