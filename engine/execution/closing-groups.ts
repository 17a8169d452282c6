/**
 * The groups whose "exit all" is decided but not journaled yet (issue 19): its transaction failed
 * and group-exits.ts tries it again on the engine clock while the held positions' exits go. Every
 * step of a run of such a group reads the flag as if it were written (apply-step.ts stepRun), so
 * what the written flag refuses is refused meanwhile too: an entry already in the execution queue
 * is not journaled (the position is skipped), a fill of an entry already sent exits at once, and a
 * stopped-out position does not re-enter. Process memory only: after a restart the flag was
 * journaled, or it was not and the group's MTM is checked again on the new process's prices; a
 * position still ARMED whose group's other positions were closed by the exit (their SELL filled)
 * is skipped by recovery (strategy/recovery.ts groupClosed), not entered to be closed at once.
 */
import type { StrategyId } from '../core/ids';
import type { ExitAllReason } from '../core/types';

export class ClosingGroups {
  private readonly byStrategy = new Map<StrategyId, { readonly tradingDate: string; readonly reason: ExitAllReason }>();

  /** The group of `strategyId` on `tradingDate` is closing for `reason`, its flag not journaled yet. */
  set(strategyId: StrategyId, tradingDate: string, reason: ExitAllReason): void {
    this.byStrategy.set(strategyId, { tradingDate, reason });
  }

  /** Its flag is journaled (or the engine stops): the stored flag speaks from now on. */
  clear(strategyId: StrategyId): void {
    this.byStrategy.delete(strategyId);
  }

  /**
   * Why the day's group of `strategyId` is closing with its flag not journaled, or null.
   * @example closing.reasonOf(run.strategyId, run.tradingDate) // 'mtm_stop' while its flag is tried again
   */
  reasonOf(strategyId: StrategyId, tradingDate: string): ExitAllReason | null {
    const c = this.byStrategy.get(strategyId);
    return c?.tradingDate === tradingDate ? c.reason : null;
  }

  clearAll(): void {
    this.byStrategy.clear();
  }
}
