/**
 * When the SQLite WAL is copied into the database file. Left to SQLite alone, the copy runs inside
 * the commit that takes the log past 1 000 pages, on the event loop, ~20 ms with its fsync: the
 * bench caught it inside a BUY's journal commit (that BUY went out 22 ms late). This checkpoints
 * once a second when no order intent is waiting or being placed and no job is due within the next
 * 250 ms, so the log rarely reaches SQLite's threshold during normal trading. When a job is near,
 * it tries again 100 ms later rather than a second later: strategies whose jobs fall on every
 * second (or on a phase the one-second tick keeps meeting) still leave a quiet gap between them.
 * SQLite's own checkpoint stays on as the bound on the log's size (a burst of thousands of orders
 * leaves no quiet moment), which also bounds a checkpoint's usual cost: ~1 000 pages, ~20 ms
 * here, far inside the clearance. Where one takes longer (a slow disk, or a log that outgrew the
 * bound while another process read the database), the clearance grows to 4× the last one's time.
 */
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../core/clock';
import type { Db } from '../../db/client';

export interface WalCheckpointsDeps {
  readonly clock: Clock;
  readonly checkpoint: Db['checkpoint'];
  /** True while an order intent is queued or being placed. */
  readonly busy: () => boolean;
  /** The next scheduled job's instant (epoch ms), if any. */
  readonly nextJobAt: () => number | undefined;
  readonly logger: Logger;
}

export const CHECKPOINT_EVERY_MS = 1_000;
/** No job may be due sooner than this after a checkpoint starts. */
export const CHECKPOINT_CLEARANCE_MS = 250;
/** The next try after one put off because an order was being placed or a job was near. */
export const CHECKPOINT_RETRY_MS = 100;
/** The clearance is at least this many times the last checkpoint's duration. */
export const CLEARANCE_FACTOR = 4;
/** A checkpoint slower than this is logged. */
export const SLOW_CHECKPOINT_MS = 100;

/**
 * @example
 *   const checkpoints = new WalCheckpoints({ clock, checkpoint: () => db.checkpoint(), busy: () => !execution.isIdle(), nextJobAt: () => scheduler.nextAt(), logger });
 *   checkpoints.start();
 *   // … on shutdown
 *   checkpoints.stop();
 */
export class WalCheckpoints {
  private timer: TimerHandle | undefined;
  private clearanceMs = CHECKPOINT_CLEARANCE_MS;

  constructor(private readonly deps: WalCheckpointsDeps) {}

  start(): void {
    this.timer = this.deps.clock.setTimer(CHECKPOINT_EVERY_MS, () => this.tick());
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  private tick(): void {
    const { clock, busy, nextJobAt, checkpoint, logger } = this.deps;
    const next = nextJobAt();
    const quiet = !busy() && (next === undefined || next - clock.now() > this.clearanceMs);
    if (quiet) {
      try {
        const started = clock.monotonic();
        const done = checkpoint();
        const tookMs = clock.monotonic() - started;
        this.clearanceMs = Math.max(CHECKPOINT_CLEARANCE_MS, CLEARANCE_FACTOR * tookMs);
        if (tookMs > SLOW_CHECKPOINT_MS) logger.warn({ ...done, tookMs, clearanceMs: this.clearanceMs }, 'WAL checkpoint was slow; the next ones keep further from due orders');
        if (done.checkpointed < done.logFrames) logger.debug({ ...done }, 'WAL checkpoint left frames for later (a reader holds them)');
      } catch (err) {
        logger.warn({ err }, 'WAL checkpoint failed; SQLite keeps the log and the next one retries');
      }
    }
    this.timer = clock.setTimer(quiet ? CHECKPOINT_EVERY_MS : CHECKPOINT_RETRY_MS, () => this.tick());
  }
}
