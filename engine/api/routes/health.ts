/**
 * GET /health: public, for the desktop shell, the CLI and monitors. It says whether the daemon
 * answers, which version, since when, and how many price feeds are up, down or stale, counted
 * over all accounts: nothing that belongs to one user.
 */
import type { FastifyInstance } from 'fastify';
import type { FeedState } from '../../core/events';
import type { ApiContext } from '../api-context';
import type { HealthDto } from '../contract';


export function healthRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { engine, clock, version } = ctx.deps;
  app.get('/health', async (): Promise<HealthDto> => {
    const counts: Record<FeedState, number> = { up: 0, down: 0, stale: 0 };
    for (const state of engine.market.allFeedStates().values()) counts[state]++;
    return { ok: true, version, uptime_seconds: Math.floor((clock.monotonic() - ctx.startedAt) / 1000), feeds: counts };
  });
}
