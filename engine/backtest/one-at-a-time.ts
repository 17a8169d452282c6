/**
 * At most one backtest (a single run, a grid or a CSV export) per user at a time. Backtests share
 * the daemon's event loop in slices with the live strategies (backtest-service.ts inSlices): a
 * second tab or a double submit would double that load for one trader without answering sooner,
 * so it is refused with a 409 saying why, and the first one goes on. Held in memory only: a
 * backtest does not outlive the daemon.
 */
import { conflict } from '../core/errors';

export interface OneAtATime<K> {
  /** Runs `work` for `key`, or throws a `conflict` DomainError while an earlier one for `key` is unfinished. Released however `work` ends. */
  run<T>(key: K, work: () => Promise<T>): Promise<T>;
}

/**
 * @example const slots = oneAtATime<UserId>(); await slots.run(user.id, () => inSlices(backtestJob(deps, body)));
 */
export function oneAtATime<K>(): OneAtATime<K> {
  const busy = new Set<K>();
  return {
    async run(key, work) {
      if (busy.has(key)) throw conflict('a backtest of yours is still running: wait for it to finish, then try again (one at a time per user)');
      busy.add(key);
      try {
        return await work();
      } finally {
        busy.delete(key);
      }
    },
  };
}
