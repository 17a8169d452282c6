/**
 * When the SQLite WAL is copied into the database file. Left to SQLite, the copy runs inside the
 * commit that takes the log past 1 000 pages, on the event loop, ~20 ms with its fsync: the bench
 * caught it inside a BUY's journal commit (that BUY went out 22 ms late). The daemon opens the
 * database with the automatic checkpoint off and this checkpoints instead, once a second, when no
 * order intent is waiting or being placed and no job is due within the next second; after a
 * minute without such a moment it checkpoints anyway, so the log cannot grow without bound.
 */
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../core/clock';

export interface WalCheckpointsDeps {
  readonly clock: Clock;
  readonly checkpoint: () => { readonly logFrames: number; readonly checkpointed: number };
  /** True while an order intent is queued or being placed. */
  readonly busy: () => boolean;
  /** The next scheduled job's instant (epoch ms), if any. */
  readonly nextJobAt: () => number | undefined;
  readonly logger: Logger;
}

export const CHECKPOINT_EVERY_MS = 1_000;
/** No job may be due sooner than this after a checkpoint starts. */
export const CHECKPOINT_CLEARANCE_MS = 1_000;
/** Longest wait for a quiet moment before checkpointing regardless. */
export const CHECKPOINT_MAX_WAIT_MS = 60_000;

/**
 * @example
 *   const checkpoints = new WalCheckpoints({ clock, checkpoint: () => db.checkpoint(), busy: () => !engine.execution.isIdle(), nextJobAt: () => scheduler.nextAt(), logger });
 *   checkpoints.start();
 *   // … on shutdown
 *   checkpoints.stop();
 */
export class WalCheckpoints {
  private timer: TimerHandle | undefined;
  private lastAt = 0;

  constructor(private readonly deps: WalCheckpointsDeps) {}

  start(): void {
    this.lastAt = this.deps.clock.monotonic();
    this.timer = this.deps.clock.setTimer(CHECKPOINT_EVERY_MS, () => this.tick());
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  private tick(): void {
    const { clock, busy, nextJobAt, checkpoint, logger } = this.deps;
    const next = nextJobAt();
    const quiet = !busy() && (next === undefined || next - clock.now() > CHECKPOINT_CLEARANCE_MS);
    if (quiet || clock.monotonic() - this.lastAt >= CHECKPOINT_MAX_WAIT_MS) {
      try {
        const done = checkpoint();
        if (done.checkpointed < done.logFrames) logger.debug({ ...done }, 'WAL checkpoint left frames for later (a reader holds them)');
      } catch (err) {
        logger.warn({ err }, 'WAL checkpoint failed; SQLite keeps the log and the next one retries');
      }
      this.lastAt = clock.monotonic();
    }
    this.timer = clock.setTimer(CHECKPOINT_EVERY_MS, () => this.tick());
  }
}
