/**
 * Writes the levels the market listener moves at the tick (trailing stops, the move to cost) to
 * runs.levels, batched: at most one commit per event-loop turn, holding every run due, and each
 * run at most once per `everyMs` (the latest levels win). With each write, one `stop_moved` per
 * run for all the moves it holds (from the stop last told to the stop now), so a price climbing
 * tick by tick is one event a second per position, not one per tick.
 *
 * The writes do not wait for the disk, and a move not yet written when the process ends is not
 * lost for good: recovery takes the trail on from the price bars recorded since the entry
 * (strategy/recovery.ts bestSinceEntry), so a crash leaves the stop at least where it was last
 * written, a little lower than it had moved for a while, never a lost exit. A run that has left
 * its position wrote its levels with that move (run-ledger writeRunState): the write here then
 * changes nothing (RunsRepo.moveLevelsInternal).
 */
import type { Logger } from 'pino';
import type { EventBus } from '../bus/event-bus';
import type { Clock, TimerHandle } from '../core/clock';
import type { RunId } from '../core/ids';
import type { StopMove } from '../core/run-policy/levels';
import type { Repos } from '../../db/repos';
import type { LevelsMoved } from '../market/market-listener';

/** The moves of one run since its last write: the latest levels, and the stop's way since it was last told. */
interface Pending {
  latest: LevelsMoved;
  /** From where the stop moved since the last event, and whether a move to cost was among the moves; null: it has not moved. */
  stop: { readonly from: number; cost: boolean } | null;
}

export interface LevelsWriterOptions {
  /** A run's levels are written at most this often (default 1 s). */
  readonly everyMs?: number;
  /** At most this many runs per commit; the rest in the next turn (default 1 000). */
  readonly maxBatch?: number;
}

/**
 * @example
 *   const writer = new LevelsWriter({ repos, bus, clock, logger });
 *   market.onLevelsMoved((m) => writer.moved(m));
 */
export class LevelsWriter {
  /** Runs with moves not yet written. */
  private readonly pending = new Map<RunId, Pending>();
  /** Runs with moves, due for a write (not written in the last `everyMs`), in the order they became due. */
  private readonly ready = new Set<RunId>();
  /** Runs written in the last `everyMs`, until when they wait; oldest first (a run is written once per wait). */
  private readonly waiting = new Map<RunId, number>();
  private turnScheduled = false;
  private timer: TimerHandle | null = null;
  private stopped = false;
  private readonly everyMs: number;
  private readonly maxBatch: number;

  constructor(
    private readonly deps: { readonly repos: Pick<Repos, 'transaction' | 'runs'>; readonly bus: Pick<EventBus, 'publish'>; readonly clock: Clock; readonly logger: Pick<Logger, 'error'> },
    options: LevelsWriterOptions = {},
  ) {
    this.everyMs = options.everyMs ?? 1_000;
    this.maxBatch = options.maxBatch ?? 1_000;
  }

  /** A run's levels moved at the tick: kept for its next write (the latest win). */
  moved(m: LevelsMoved): void {
    if (this.stopped) return;
    let p = this.pending.get(m.runId);
    // Another leg's moves still waiting are that leg's: it has ended, and its move wrote its levels.
    if (!p || p.latest.legNo !== m.legNo) this.pending.set(m.runId, (p = { latest: m, stop: null }));
    p.latest = m;
    if (m.moved) {
      if (p.stop === null) p.stop = { from: m.moved.from, cost: false };
      if (m.moved.why === 'cost') p.stop.cost = true;
    }
    if (this.waiting.has(m.runId)) this.wake();
    else {
      this.ready.add(m.runId);
      this.nextTurn();
    }
  }

  /** Writes everything still waiting, due or not (engine shutdown), and takes no more. */
  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = null;
    for (const runId of this.pending.keys()) this.ready.add(runId);
    while (this.ready.size > 0) this.flush();
  }

  private nextTurn(): void {
    if (this.turnScheduled || this.stopped) return;
    this.turnScheduled = true;
    setImmediate(() => {
      this.turnScheduled = false;
      this.flush();
    });
  }

  /** A timer for when the longest-waiting run is due again (its moves may be waiting). */
  private wake(): void {
    if (this.timer || this.stopped) return;
    const first = this.waiting.values().next();
    if (first.done) return;
    this.timer = this.deps.clock.setTimer(Math.max(0, first.value - this.deps.clock.now()), () => {
      this.timer = null;
      this.flush();
    });
  }

  /**
   * One commit for up to `maxBatch` runs due, then their stop_moved events; what is left is
   * scheduled again. A failed commit keeps its levels for the next try, a wait later; its events
   * are told all the same: the stops did move, and are watched where they moved.
   */
  private flush(): void {
    const now = this.deps.clock.now();
    for (const [runId, until] of this.waiting) {
      if (until > now) break;
      this.waiting.delete(runId);
      if (this.pending.has(runId)) this.ready.add(runId);
    }
    const batch: Pending[] = [];
    for (const runId of this.ready) {
      if (batch.length >= this.maxBatch) break;
      this.ready.delete(runId);
      const p = this.pending.get(runId);
      if (p) batch.push(p);
    }
    if (batch.length > 0) this.write(batch, now);
    if (this.ready.size > 0) this.nextTurn();
    if (this.pending.size > 0) this.wake();
  }

  private write(batch: readonly Pending[], now: number): void {
    let ok = true;
    try {
      this.deps.repos.transaction(
        () => {
          for (const p of batch) this.deps.repos.runs.moveLevelsInternal(p.latest.runId, p.latest.legNo, p.latest.levels, now);
        },
        { durable: false },
      );
    } catch (err) {
      ok = false;
      this.deps.logger.error({ err, runs: batch.length }, 'the moved levels could not be written; they are watched all the same, and written again in a second');
    }
    for (const p of batch) {
      const { runId } = p.latest;
      this.tell(p, now);
      if (ok) this.pending.delete(runId);
      else p.stop = null;
      this.waiting.delete(runId);
      this.waiting.set(runId, now + this.everyMs);
    }
  }

  /** The run's one stop_moved for the moves it holds, when the stop moved. */
  private tell(p: Pending, now: number): void {
    const { latest, stop } = p;
    if (stop === null) return;
    const why: StopMove['why'] = stop.cost ? 'cost' : 'trail';
    this.deps.bus.publish({
      type: 'stop_moved',
      userId: latest.userId,
      strategyId: latest.strategyId,
      runId: latest.runId,
      at: Math.min(latest.at, now),
      why,
      from: stop.from,
      to: latest.levels.stop,
      best: latest.levels.trail?.best ?? latest.price,
    });
  }
}
