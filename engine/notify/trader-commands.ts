/**
 * What a remote (the Telegram bot) may ask of the engine for one user, in words: the same
 * answers whatever the channel. Stop and the kill switch go through the strategy manager, exactly
 * as the UI's STOP and "Stop all" do.
 */
import type { Repos } from '../../db/repos';
import { DomainError } from '../core/errors';
import type { StrategyId, UserId } from '../core/ids';
import type { StrategyManager } from '../strategy/strategy-manager';
import { formatPrice } from '../terminal/words';

export interface TraderCommands {
  status(userId: UserId): string;
  positions(userId: UserId): string;
  /** How many strategies the kill switch would stop, and how many positions it would close. */
  stopAllPreview(userId: UserId): { readonly running: number; readonly inPosition: number };
  stop(userId: UserId, strategyId: StrategyId): Promise<string>;
  stopAll(userId: UserId): Promise<string>;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function engineCommands(repos: Pick<Repos, 'strategies' | 'runs'>, manager: Pick<StrategyManager, 'stop' | 'stopAll'>): TraderCommands {
  const openRuns = (userId: UserId) => repos.runs.listNonTerminalInternal().filter((r) => r.userId === userId);
  const symbolOf = (id: StrategyId) => repos.strategies.identityInternal(id)?.symbol ?? `strategy #${id}`;
  const preview = (userId: UserId) => ({
    running: repos.strategies.list(userId).filter((s) => s.status === 'running').length,
    inPosition: openRuns(userId).filter((r) => r.positionQty > 0).length,
  });
  return {
    status(userId) {
      const { running, inPosition } = preview(userId);
      const errors = openRuns(userId).filter((r) => r.state === 'ERROR').length;
      return `${plural(running, 'strategy', 'strategies')} running, ${plural(inPosition, 'position')} open${errors > 0 ? `, ${plural(errors, 'run')} in ERROR` : ''}.`;
    },
    positions(userId) {
      const held = openRuns(userId).filter((r) => r.positionQty > 0);
      if (held.length === 0) return 'No position is open.';
      return held.map((r) => `#${r.strategyId} ${symbolOf(r.strategyId)}: ${r.positionQty}${r.entryPrice === null ? '' : ` at ${formatPrice(r.entryPrice)}`} (${r.state})`).join('\n');
    },
    stopAllPreview: preview,
    async stop(userId, strategyId) {
      try {
        const { run } = await manager.stop(userId, strategyId, { closePosition: true });
        return `Stopped #${strategyId} ${symbolOf(strategyId)}.${run && run.positionQty > 0 ? ' Its position is being closed at market.' : ''}`;
      } catch (err) {
        if (err instanceof DomainError && err.code === 'not_found') return `You have no strategy #${strategyId}.`;
        if (err instanceof DomainError) return `Not stopped: ${err.message}.`;
        throw err;
      }
    },
    async stopAll(userId) {
      try {
        const stopped = await manager.stopAll(userId, { closePositions: true });
        return `Kill switch: stopped ${plural(stopped.length, 'strategy', 'strategies')}; open positions are being closed at market.`;
      } catch (err) {
        if (err instanceof DomainError) return `Kill switch: ${err.message}.`;
        throw err;
      }
    },
  };
}
