/**
 * One strategy's edit, start, stop and delete run one at a time (invariant 8): each checks the
 * strategy and its runs and then acts, and with awaits in between (a broker lookup, the runtime
 * store) another of them could act on what the first has just checked. A PATCH racing START wrote
 * a new symbol into a strategy START had armed for the old one: the BUY went out as the edit while
 * the prices (and so the stop-loss) watched the old symbol. Different strategies never wait for
 * each other, so the kill switch is never held up by another strategy's lookup.
 */
import AsyncLock from 'async-lock';
import type { StrategyId } from '../core/ids';

export class StrategyLocks {
  // No queue limit and no timeout: a STOP must never be refused because an edit was slow.
  private readonly lock = new AsyncLock({ maxPending: Infinity });

  /** Runs `fn` once every earlier call for the same strategy has finished. */
  run<T>(strategyId: StrategyId, fn: () => Promise<T> | T): Promise<T> {
    return this.lock.acquire(String(strategyId), async () => fn());
  }
}
