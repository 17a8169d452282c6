/**
 * The daily backup, on the engine's clock: one soon after start when the newest daily backup is a
 * day old (or there is none), then one a day. The wall clock is read again every hour, so a
 * laptop that slept through its backup time takes it on waking. The copy itself is db/backups.ts:
 * in small steps, with the event loop running between them, so trading is never held up.
 */
import type { Logger } from 'pino';
import { BACKUPS_KEPT, listBackups, takeBackup } from '../db/backups';
import type { Db } from '../db/client';
import type { Clock, TimerHandle } from './core/clock';

export const BACKUP_EVERY_MS = 86_400_000;
/** After start, so the first backup does not compete with recovery's lookups and resends. */
export const FIRST_CHECK_AFTER_MS = 10_000;
const RECHECK_MS = 3_600_000;

export interface BackupScheduleOptions {
  readonly db: Db;
  readonly dataDir: string;
  readonly clock: Clock;
  readonly logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Daily backups kept (default 7). */
  readonly keep?: number;
}

export interface BackupSchedule {
  /** Resolves when no backup is being taken (tests). */
  idle(): Promise<void>;
  /** Cancels the schedule and stops a backup in progress at its next step. */
  stop(): Promise<void>;
}

/**
 * Starts the daily backups of `db` into `<dataDir>/backups`.
 *
 * @example
 *   const backups = startBackupSchedule({ db, dataDir, clock, logger });
 *   // … on shutdown, before closing the database
 *   await backups.stop();
 */
export function startBackupSchedule(options: BackupScheduleOptions): BackupSchedule {
  const { db, dataDir, clock, logger } = options;
  const keep = options.keep ?? BACKUPS_KEPT.daily;
  const abort = new AbortController();
  let timer: TimerHandle | null = null;
  let running: Promise<void> | null = null;
  let stopped = false;

  const arm = (ms: number) => {
    if (!stopped) timer = clock.setTimer(ms, check);
  };

  function check(): void {
    timer = null;
    if (stopped) return;
    const now = clock.now();
    // A backup dated after now (the clock was set back since) does not count: it would put the
    // next one off until the clock catches up.
    const last = listBackups(dataDir, 'daily').find((b) => b.takenAt <= now);
    if (last && now - last.takenAt < BACKUP_EVERY_MS) return arm(Math.min(RECHECK_MS, last.takenAt + BACKUP_EVERY_MS - now));
    running = takeBackup(db, dataDir, 'daily', now, { keep, signal: abort.signal })
      .then(
        (file) => logger.info({ backup: file.path, bytes: file.bytes }, 'database backed up'),
        (err: unknown) => {
          if (abort.signal.aborted) logger.info('database backup stopped at shutdown; the next start takes one');
          else logger.error({ err }, 'database backup failed; trying again in an hour');
        },
      )
      .finally(() => {
        running = null;
        arm(RECHECK_MS);
      });
  }

  arm(FIRST_CHECK_AFTER_MS);
  return {
    idle: async () => {
      while (running) await running;
    },
    async stop() {
      stopped = true;
      timer?.cancel();
      abort.abort();
      while (running) await running;
    },
  };
}
