/** POST /broker/connect, GET /broker, GET /broker/:id, DELETE /broker/:id (all signed in). */
import type { FastifyInstance } from 'fastify';
import type { BrokerAccount } from '../../../db/repos';
import { asBrokerAccountId } from '../../core/ids';
import type { ApiContext } from '../api-context';
import { signedIn, userOf } from '../authenticate';
import { brokerAccountDto, type BrokerAccountDto } from '../dto';
import { connectBrokerBody, idParams, parse } from '../schemas';

export function brokerRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { brokerAccounts, engine } = ctx.deps;
  const dto = (a: BrokerAccount): BrokerAccountDto => brokerAccountDto(a, engine.market.feedState(a.id) ?? null);

  signedIn(app, ctx.auth, (scope) => {
    scope.post('/broker/connect', async (request, reply) => {
      const body = parse(connectBrokerBody, request.body);
      const account = await brokerAccounts.connect(userOf(request).id, body);
      return reply.code(201).send(dto(account));
    });

    scope.get('/broker', async (request): Promise<{ accounts: BrokerAccountDto[] }> => ({
      accounts: brokerAccounts.list(userOf(request).id).map(dto),
    }));

    scope.get('/broker/:id', async (request) => {
      const { id } = parse(idParams, request.params);
      return dto(brokerAccounts.get(userOf(request).id, asBrokerAccountId(id)));
    });

    scope.delete('/broker/:id', async (request, reply) => {
      const { id } = parse(idParams, request.params);
      await brokerAccounts.remove(userOf(request).id, asBrokerAccountId(id));
      return reply.code(204).send();
    });
  });
}
