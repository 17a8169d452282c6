/**
 * A strategy's readiness for its next entry (signed in, the user's own strategies only):
 * GET /strategy/:id/readiness reads the latest check (null before any), POST runs one now.
 */
import type { FastifyInstance } from 'fastify';
import { asStrategyId } from '../../core/ids';
import { DomainError } from '../../core/errors';
import type { ApiContext } from '../api-context';
import { signedIn, userOf } from '../authenticate';
import type { ReadinessDto } from '../contract';
import { readinessDto } from '../dto';
import { idParams, parse, readinessBody } from '../schemas';

export function readinessRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { engine } = ctx.deps;

  signedIn(app, ctx.auth, (scope) => {
    scope.get('/strategy/:id/readiness', async (request): Promise<{ readiness: ReadinessDto | null }> => {
      const user = userOf(request);
      // Throws not_found for another user's strategy (invariant 5), as every route does.
      const s = engine.strategies.get(user.id, asStrategyId(parse(idParams, request.params).id));
      const report = engine.readiness.report(s.id);
      return { readiness: report ? readinessDto(report) : null };
    });

    scope.post('/strategy/:id/readiness', async (request): Promise<ReadinessDto> => {
      const user = userOf(request);
      const id = asStrategyId(parse(idParams, request.params).id);
      parse(readinessBody, request.body);
      const s = engine.strategies.get(user.id, id);
      const report = await engine.readiness.check(s.id, 'on_demand');
      if (!report) throw new DomainError('internal', 'the readiness check could not run: see the daemon log');
      return readinessDto(report);
    });
  });
}
