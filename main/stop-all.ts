/**
 * The tray's "Stop all": stops every running strategy of every user on this install and closes
 * every open position at market, a long's sold and a short's bought back (the same as STOP with
 * closePosition true in the UI).
 */
import type { StrategyId, UserId } from '../engine/core/ids';
import type { Strategy } from '../engine/core/types';
import type { StopOptions } from '../engine/strategy/strategy-manager';

/** The part of StrategyManager used here (engine.manager satisfies it). */
export interface Stopper {
  stop(userId: UserId, strategyId: StrategyId, opts?: StopOptions): Promise<unknown>;
}

export interface StopAllResult {
  readonly stopped: readonly StrategyId[];
  readonly failed: readonly { readonly id: StrategyId; readonly symbol: string; readonly message: string }[];
}

/**
 * Stops each strategy in turn; one failure (e.g. it stopped itself a moment ago) does not keep the
 * others running. Sequential on purpose: each STOP may queue a MANUAL_EXIT, and the execution
 * queue orders them; firing all at once gains nothing.
 */
export async function stopAll(manager: Stopper, running: readonly Pick<Strategy, 'id' | 'userId' | 'symbol'>[]): Promise<StopAllResult> {
  const stopped: StrategyId[] = [];
  const failed: { id: StrategyId; symbol: string; message: string }[] = [];
  for (const s of running) {
    try {
      await manager.stop(s.userId, s.id, { closePosition: true });
      stopped.push(s.id);
    } catch (err) {
      failed.push({ id: s.id, symbol: s.symbol, message: err instanceof Error ? err.message : String(err) });
    }
  }
  return { stopped, failed };
}

/** The confirmation shown before "Stop all"; null when nothing is running. */
export function stopAllPrompt(running: number, inPosition: number): { readonly message: string; readonly detail: string } | null {
  if (running === 0) return null;
  const positions = inPosition === 0 ? 'No position is open.' : `${inPosition} open position${inPosition === 1 ? '' : 's'} will be closed at market now (a long sold, a short bought back).`;
  return {
    message: `Stop all ${running} running strateg${running === 1 ? 'y' : 'ies'}?`,
    detail: `${positions} Pending BUY and SELL times are cancelled.`,
  };
}

/** The notification after "Stop all". */
export function stopAllSummary(result: StopAllResult): { readonly title: string; readonly body: string } {
  const n = result.stopped.length;
  const title = `Stopped ${n} strateg${n === 1 ? 'y' : 'ies'}`;
  if (result.failed.length === 0) return { title, body: 'Open positions are being closed at market.' };
  const failures = result.failed.map((f) => `${f.symbol}: ${f.message}`).join('; ');
  return { title, body: `Could not stop ${result.failed.length}: ${failures}` };
}
